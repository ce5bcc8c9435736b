package server

import (
	"context"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"
)

func TestRebuildGCPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64
		gogc  string
		want  int
	}{
		{"no soft limit", math.MaxInt64, "", 0},
		{"a soft limit", 2 << 30, "", RebuildGCPercent},
		{"a soft limit and the operator's GOGC", 2 << 30, "200", 0},
		{"GOGC=off under a limit", 2 << 30, "off", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rebuildGCPlan(tc.limit, tc.gogc); got != tc.want {
				t.Errorf("rebuildGCPlan(%d, %q) = %d, want %d", tc.limit, tc.gogc, got, tc.want)
			}
		})
	}
}

// gcPercent reads the collector's GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// logged is a slog handler that hands each message to a channel: the
// test knows the collector's setting has changed when it is logged.
type logged chan string

func (l logged) Enabled(context.Context, slog.Level) bool      { return true }
func (l logged) Handle(_ context.Context, r slog.Record) error { l <- r.Message; return nil }
func (l logged) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l logged) WithGroup(string) slog.Handler                 { return l }

// TestRelaxGCWhileRebuilding: the collector runs at the relaxed GOGC while
// the rebuild is under way and at its own setting again once it is done,
// or once the gateway stops first.
func TestRelaxGCWhileRebuilding(t *testing.T) {
	prev := debug.SetGCPercent(150)
	defer debug.SetGCPercent(prev)

	// relax runs relaxGCWhileRebuilding until end is called, and returns
	// GOGC as it was while the rebuild went on.
	relax := func(ctx context.Context, ready chan struct{}, end func()) (during int) {
		msgs := make(logged, 2)
		done := make(chan struct{})
		go func() {
			defer close(done)
			relaxGCWhileRebuilding(ctx, RebuildGCPercent, ready, slog.New(msgs))
		}()
		<-msgs // the relaxed setting is in force
		during = gcPercent()
		end()
		<-done
		return during
	}
	t.Run("until ready", func(t *testing.T) {
		ready := make(chan struct{})
		if during := relax(context.Background(), ready, func() { close(ready) }); during != RebuildGCPercent {
			t.Errorf("GOGC while rebuilding = %d, want %d", during, RebuildGCPercent)
		}
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC after the rebuild = %d, want the setting 150 back", got)
		}
	})
	t.Run("until stopped", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		if during := relax(ctx, make(chan struct{}), cancel); during != RebuildGCPercent {
			t.Errorf("GOGC while rebuilding = %d, want %d", during, RebuildGCPercent)
		}
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC after stopping = %d, want the setting 150 back", got)
		}
	})
	t.Run("already ready", func(t *testing.T) {
		ready := make(chan struct{})
		close(ready)
		relaxGCWhileRebuilding(context.Background(), RebuildGCPercent, ready, slog.New(slog.DiscardHandler))
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC = %d, want it untouched at 150", got)
		}
	})
}
