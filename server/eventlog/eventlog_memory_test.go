package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog/eventlogtest"
)

func TestMemoryConformance(t *testing.T) {
	eventlogtest.Run(t, func(t *testing.T, retention int) eventlog.Log {
		m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: retention})
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}

func TestMemoryDedupConformance(t *testing.T) {
	eventlogtest.RunDedup(t, func(t *testing.T) eventlog.Log {
		m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1000, DedupWindow: 2 * time.Minute})
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}

func TestMemoryDedupWindow(t *testing.T) {
	const window = time.Minute
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name      string
		window    time.Duration
		retention int
		// steps append an id at an offset from t0 and expect a sequence.
		steps []memoryDedupStep
	}{
		{
			name: "retry inside the window returns the original", window: window, retention: 100,
			steps: []memoryDedupStep{{"a", 0, 1}, {"b", time.Second, 2}, {"a", window - time.Nanosecond, 1}},
		},
		{
			name: "retry at the window's end is a new event", window: window, retention: 100,
			steps: []memoryDedupStep{{"a", 0, 1}, {"a", window, 2}, {"a", window + time.Second, 2}},
		},
		{
			name: "expiry of one id keeps later ones", window: window, retention: 100,
			steps: []memoryDedupStep{{"a", 0, 1}, {"b", 30 * time.Second, 2}, {"a", 70 * time.Second, 3}, {"b", 80 * time.Second, 2}},
		},
		{
			name: "at most retention ids are remembered", window: window, retention: 3,
			steps: []memoryDedupStep{{"a", 0, 1}, {"b", 0, 2}, {"c", 0, 3}, {"d", 0, 4}, {"a", 0, 5}, {"d", 0, 4}},
		},
		{
			// Hex ids are remembered by the bytes they spell; the rest by
			// the string. Either way only an identical id is a duplicate.
			name: "hex and other ids each match only themselves", window: window, retention: 100,
			steps: []memoryDedupStep{
				{hexA, 0, 1}, {hexB, 0, 2}, {strings.ToUpper(hexA), 0, 3}, {hexA[:31], 0, 4},
				{hexA + "0", 0, 5}, {"g" + hexA[1:], 0, 6},
				{hexA, time.Second, 1}, {hexB, time.Second, 2}, {strings.ToUpper(hexA), time.Second, 3},
				{hexA[:31], time.Second, 4}, {hexA + "0", time.Second, 5}, {"g" + hexA[1:], time.Second, 6},
			},
		},
		{
			name: "hex and other ids expire in append order", window: window, retention: 2,
			steps: []memoryDedupStep{{hexA, 0, 1}, {"a", 0, 2}, {hexB, 0, 3}, {"a", 0, 2}, {hexA, 0, 4}, {hexB, 0, 3}, {"a", 0, 5}},
		},
		{
			name: "zero window disables de-duplication", window: 0, retention: 100,
			steps: []memoryDedupStep{{"a", 0, 1}, {"a", 0, 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			m := eventlog.NewMemory(eventlog.MemoryOptions{
				Retention: tt.retention, DedupWindow: tt.window,
				Now: func() time.Time { return now },
			})
			defer m.Close()
			for i, st := range tt.steps {
				now = t0.Add(st.at)
				ev := &gatewayv1.Event{Id: st.id}
				seq, err := m.Append(t.Context(), ev)
				if err != nil {
					t.Fatalf("step %d: Append(%q): %v", i, st.id, err)
				}
				if seq != st.want || ev.GetSequence() != st.want {
					t.Fatalf("step %d: Append(%q) at +%v = %d (ev.Sequence %d), want %d", i, st.id, st.at, seq, ev.GetSequence(), st.want)
				}
			}
		})
	}
}

// hexA and hexB are ids of the form the gateway makes (callback.EventID).
const (
	hexA = "0123456789abcdef0123456789abcdef"
	hexB = "fedcba9876543210fedcba9876543210"
)

type memoryDedupStep struct {
	id   string
	at   time.Duration
	want uint64
}

func TestMemoryFollowFallsBehindRetention(t *testing.T) {
	ctx := t.Context()
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 4})
	defer m.Close()
	for range 2 {
		if _, err := m.Append(ctx, &gatewayv1.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint64
	err := m.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
		got = append(got, ev.GetSequence())
		if ev.GetSequence() == 1 {
			// A burst while this follower is busy pushes its cursor out of retention.
			for range 10 {
				if _, err := m.Append(ctx, &gatewayv1.Event{}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	var oor *eventlog.OutOfRangeError
	if !errors.As(err, &oor) || oor.After != 2 || oor.Oldest != 9 {
		t.Fatalf("Follow returned %v, want OutOfRangeError{After: 2, Oldest: 9}", err)
	}
	if !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("Follow delivered %v before falling behind, want [1 2] (the batch it already held)", got)
	}
}

func TestMemoryDefaultRetention(t *testing.T) {
	ctx := t.Context()
	m := eventlog.NewMemory(eventlog.MemoryOptions{})
	defer m.Close()
	ev := &gatewayv1.Event{}
	for range eventlog.DefaultMemoryRetention + 1 {
		if _, err := m.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	oldest, head, err := m.Bounds(ctx)
	if err != nil || oldest != 2 || head != eventlog.DefaultMemoryRetention+1 {
		t.Errorf("Bounds() = (%d, %d, %v), want (2, %d, nil)", oldest, head, err, eventlog.DefaultMemoryRetention+1)
	}
}

func TestMemoryEpoch(t *testing.T) {
	a := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1})
	b := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1})
	defer a.Close()
	defer b.Close()
	if ok, _ := regexp.MatchString(`^[0-9a-f]{16}$`, a.Epoch()); !ok {
		t.Errorf("Epoch() = %q, want 16 lowercase hex characters", a.Epoch())
	}
	if a.Epoch() == b.Epoch() {
		t.Errorf("two logs share epoch %q", a.Epoch())
	}
}

func TestMemoryRejectsBadCalls(t *testing.T) {
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})
	defer m.Close()
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		call func() error
		is   error
	}{
		{"nil event", func() error { _, err := m.Append(t.Context(), nil); return err }, nil},
		{"append with a cancelled context", func() error { _, err := m.Append(cancelled, &gatewayv1.Event{}); return err }, context.Canceled},
		{"read with a zero limit", func() error { _, err := m.Read(t.Context(), 0, 0); return err }, nil},
		{"read with a cancelled context", func() error { _, err := m.Read(cancelled, 0, 1); return err }, context.Canceled},
		{"bounds with a cancelled context", func() error { _, _, err := m.Bounds(cancelled); return err }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("got no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
	if _, head, _ := m.Bounds(t.Context()); head != 0 {
		t.Errorf("rejected calls appended: head = %d", head)
	}
}

func TestMemoryCloseIsIdempotent(t *testing.T) {
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})
	for i := range 2 {
		if err := m.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	if _, _, err := m.Bounds(t.Context()); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Bounds after Close = %v, want ErrUnavailable", err)
	}
}

func BenchmarkMemoryAppend(b *testing.B) {
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1 << 16})
	defer m.Close()
	ctx := context.Background()
	ev := &gatewayv1.Event{CallId: "c"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryAppendDedup(b *testing.B) {
	for _, tt := range []struct {
		name string
		id   func(i int) string
	}{
		// The gateway's own ids: 32 lowercase hex digits (callback.EventID).
		{"hex-ids", func(i int) string { return fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15) }},
		{"other-ids", func(i int) string { return fmt.Sprintf("id-%d", i) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			// Each id recurs after 65s of fake time with a 1s window, so every
			// append is a miss that remembers its id and expires an old one.
			now := time.Unix(0, 0)
			m := eventlog.NewMemory(eventlog.MemoryOptions{
				Retention: 1 << 16, DedupWindow: time.Second,
				Now: func() time.Time { now = now.Add(time.Millisecond); return now },
			})
			defer m.Close()
			ids := make([]string, 1<<16)
			for i := range ids {
				ids[i] = tt.id(i)
			}
			ctx := context.Background()
			ev := &gatewayv1.Event{}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ev.Id = ids[i%len(ids)]
				if _, err := m.Append(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMemoryRead100(b *testing.B) {
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1 << 12})
	defer m.Close()
	ctx := context.Background()
	for range 1 << 12 {
		if _, err := m.Append(ctx, &gatewayv1.Event{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		evs, err := m.Read(ctx, uint64(i%(1<<11)), 100)
		if err != nil || len(evs) != 100 {
			b.Fatal(len(evs), err)
		}
	}
}

// TestMemoryDedupAgainstModel appends ids, new and repeated, at advancing
// times across many growths and wrap-arounds of the log's id buffer, and
// checks every answer against a plain model: an id appended within the
// window, and among the newest Retention remembered ids, returns its
// sequence.
func TestMemoryDedupAgainstModel(t *testing.T) {
	const (
		window    = 50 * time.Second
		retention = 150
	)
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	now := t0
	m := eventlog.NewMemory(eventlog.MemoryOptions{Retention: retention, DedupWindow: window, Now: func() time.Time { return now }})
	defer m.Close()
	type remembered struct {
		id  string
		seq uint64
		at  time.Time
	}
	var model []remembered // in append order
	var head uint64
	state := uint32(1)
	next := func(n uint32) uint32 { state = state*1664525 + 1013904223; return (state >> 8) % n }
	for i := range 5000 {
		now = now.Add(time.Duration(next(700)) * time.Millisecond)
		id := fmt.Sprintf("%032x", next(400)) // hex, like the gateway's ids
		if i%7 == 0 {
			id = fmt.Sprintf("other-%d", next(400))
		}
		for len(model) > 0 && now.Sub(model[0].at) >= window {
			model = model[1:]
		}
		want := uint64(0)
		for _, r := range model {
			if r.id == id {
				want = r.seq
			}
		}
		if want == 0 {
			head++
			want = head
			if len(model) >= retention {
				model = model[1:]
			}
			model = append(model, remembered{id: id, seq: want, at: now})
		}
		seq, err := m.Append(t.Context(), &gatewayv1.Event{Id: id})
		if err != nil {
			t.Fatalf("append %d (%q): %v", i, id, err)
		}
		if seq != want {
			t.Fatalf("append %d (%q) at +%v = %d, want %d", i, id, now.Sub(t0), seq, want)
		}
	}
}

// TestMemoryAppendWithin checks the size limit with a caller's bound: a
// bound within the limit is trusted (the event is not measured), a larger
// or missing one makes Append's own check.
func TestMemoryAppendWithin(t *testing.T) {
	const limit = 100
	big := &gatewayv1.Event{Id: "big", CallbackCommand: strings.Repeat("x", 2*limit)}
	small := func() *gatewayv1.Event {
		return &gatewayv1.Event{Id: "small", CallbackCommand: "Call.CallbackAfterStartCall"}
	}
	for _, tc := range []struct {
		name    string
		ev      *gatewayv1.Event
		bound   int64
		wantErr bool
	}{
		{"small, bound within the limit", small(), limit, false},
		{"small, bound over the limit: measured", small(), limit + 1, false},
		{"small, no bound: measured", small(), 0, false},
		{"large, bound over the limit: measured and refused", big, 1 << 20, true},
		{"large, no bound: measured and refused", big, 0, true},
		{"large, understated bound: trusted", big, limit, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := eventlog.NewMemory(eventlog.MemoryOptions{MaxEventBytes: limit})
			defer m.Close()
			_, err := m.AppendWithin(t.Context(), tc.ev, tc.bound)
			var tooLarge *eventlog.TooLargeError
			if tc.wantErr != errors.As(err, &tooLarge) || (!tc.wantErr && err != nil) {
				t.Fatalf("AppendWithin(bound %d) = %v, want too large: %v", tc.bound, err, tc.wantErr)
			}
		})
	}
}
