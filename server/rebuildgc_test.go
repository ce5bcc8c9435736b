package server

import (
	"context"
	"errors"
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

// TestRelaxGCWhileRebuilding: the collector runs at the relaxed GOGC while
// the rebuild is under way and at its own setting again once it is done,
// or once the gateway stops first.
func TestRelaxGCWhileRebuilding(t *testing.T) {
	prev := debug.SetGCPercent(150)
	defer debug.SetGCPercent(prev)
	rebuilding := errors.New("rebuilding")

	t.Run("until ready", func(t *testing.T) {
		calls, during := 0, 0
		ready := func() error {
			calls++
			if calls < 3 {
				during = gcPercent()
				return rebuilding
			}
			return nil
		}
		relaxGCWhileRebuilding(context.Background(), RebuildGCPercent, ready, slog.New(slog.DiscardHandler))
		if during != RebuildGCPercent {
			t.Errorf("GOGC while rebuilding = %d, want %d", during, RebuildGCPercent)
		}
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC after the rebuild = %d, want the setting 150 back", got)
		}
	})
	t.Run("until stopped", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		during := 0
		ready := func() error {
			if during == 0 {
				during = -1
			} else {
				during = gcPercent()
				cancel()
			}
			return rebuilding
		}
		relaxGCWhileRebuilding(ctx, RebuildGCPercent, ready, slog.New(slog.DiscardHandler))
		if during != RebuildGCPercent {
			t.Errorf("GOGC while rebuilding = %d, want %d", during, RebuildGCPercent)
		}
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC after stopping = %d, want the setting 150 back", got)
		}
	})
	t.Run("already ready", func(t *testing.T) {
		relaxGCWhileRebuilding(context.Background(), RebuildGCPercent, func() error { return nil }, slog.New(slog.DiscardHandler))
		if got := gcPercent(); got != 150 {
			t.Errorf("GOGC = %d, want it untouched at 150", got)
		}
	})
}
