package eventlog_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// pipelineBacklog is more events than Follow decodes ahead of its callback
// (jsFollowQueue), so that the pulling side fills the queue and waits.
const pipelineBacklog = 1200

// noFollowGoroutines fails unless Follow's pulling goroutine has ended, as
// Follow promises before it returns. It polls only to bound a failure: the
// goroutine is already gone when all is well.
func noFollowGoroutines(t *testing.T) {
	t.Helper()
	const frame = "eventlog.(*JetStream).follow("
	deadline := time.Now().Add(10 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if !bytes.Contains(buf, []byte(frame)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Follow returned with its pulling goroutine still running:\n%s", buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestJetStreamFollowPipeline checks Follow's contract over a backlog longer
// than its decoding queue: every event once and in order, each outcome
// returned as is, the pulling goroutine and the consumer gone when Follow
// returns.
func TestJetStreamFollowPipeline(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	want := appendN(t, l, 1, pipelineBacklog)

	t.Run("order", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		var got []*gatewayv1.Event
		err := l.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			got = append(got, ev)
			if len(got) == len(want) {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow = %v, want context.Canceled", err)
		}
		sameEvents(t, got, want)
		noFollowGoroutines(t)
		if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
			t.Fatalf("%d consumers left behind, want 0", n)
		}
	})

	t.Run("callback error while the queue is full", func(t *testing.T) {
		stop := errors.New("stop here")
		// The callback holds the first event a while so that the pulling
		// side most likely fills the queue behind it; nothing depends on
		// how long it takes.
		n := 0
		err := l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
			if n++; n == 1 {
				time.Sleep(50 * time.Millisecond)
				return nil
			}
			if ev.Sequence == 2 {
				return stop
			}
			t.Errorf("callback got sequence %d after returning an error", ev.Sequence)
			return nil
		})
		if err != stop {
			t.Fatalf("Follow = %v, want the callback's error as is", err)
		}
		noFollowGoroutines(t)
		if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
			t.Fatalf("%d consumers left behind, want 0", n)
		}
	})

	t.Run("cancel while the callback runs", func(t *testing.T) {
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		var last uint64
		err := l.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			if ev.Sequence != last+1 {
				t.Errorf("callback got sequence %d after %d", ev.Sequence, last)
			}
			last = ev.Sequence
			if ev.Sequence == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow = %v, want context.Canceled", err)
		}
		noFollowGoroutines(t)
	})

	t.Run("error after the events before it", func(t *testing.T) {
		// A message that is not an event, behind the backlog: Follow
		// hands over every event before it, then fails naming it.
		if _, err := js.Publish(testCtx(t), "trtc.1.other", []byte{0xff, 0xff, 0xff}); err != nil {
			t.Fatal(err)
		}
		var last uint64
		err := l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
			if ev.Sequence != last+1 {
				t.Errorf("callback got sequence %d after %d", ev.Sequence, last)
			}
			last = ev.Sequence
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "sequence 1201") || last != pipelineBacklog {
			t.Fatalf("Follow = %v after sequence %d, want an error naming sequence 1201 after %d", err, last, pipelineBacklog)
		}
		noFollowGoroutines(t)
	})
}

// TestJetStreamCloseWhileFollowQueueFull checks that Close ends a Follow
// whose callback is slow and whose queue is full, and waits for it.
func TestJetStreamCloseWhileFollowQueueFull(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	appendN(t, l, 1, pipelineBacklog)
	started := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
			if ev.Sequence == 1 {
				close(started)
				<-release
			}
			return nil
		})
	}()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- l.Close() }()
	// Close waits for Follow, which waits for its callback.
	close(release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Follow after Close = %v, want ErrUnavailable", err)
	}
	noFollowGoroutines(t)
	if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
		t.Fatalf("%d consumers left after Close, want 0", n)
	}
}
