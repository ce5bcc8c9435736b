package eventlog_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// benchEvents returns n distinct events, built before the timer starts.
func benchEvents(n int) []*gatewayv1.Event {
	evs := make([]*gatewayv1.Event, n)
	for i := range evs {
		evs[i] = event(i)
	}
	return evs
}

// BenchmarkJetStreamAppend measures one appender waiting for each ack from
// an embedded server's file store.
func BenchmarkJetStreamAppend(b *testing.B) {
	l, _ := newJS(b, eventlog.JetStreamOptions{})
	ctx := context.Background()
	evs := benchEvents(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for _, ev := range evs {
		if _, err := l.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJetStreamAppendConcurrent8 measures eight appenders, as eight
// webhook requests in flight at once.
func BenchmarkJetStreamAppendConcurrent8(b *testing.B) {
	const appenders = 8
	l, _ := newJS(b, eventlog.JetStreamOptions{})
	ctx := context.Background()
	evs := benchEvents(b.N)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range appenders {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(evs)); i = next.Add(1) - 1 {
				if _, err := l.Append(ctx, evs[i]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkJetStreamRead1000 measures a replay of 1000 events, as a
// resuming subscriber's first page.
func BenchmarkJetStreamRead1000(b *testing.B) {
	l, _ := newJS(b, eventlog.JetStreamOptions{})
	ctx := context.Background()
	for _, ev := range benchEvents(1000) {
		if _, err := l.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		evs, err := l.Read(ctx, 0, 1000)
		if err != nil || len(evs) != 1000 {
			b.Fatal(len(evs), err)
		}
	}
}

// replayEvents is how many call events BenchmarkJetStreamFollowReplay's
// log holds.
const replayEvents = 50_000

// BenchmarkJetStreamFollowReplay measures Follow replaying a retained log
// of realistic call events (internal/traffic's bodies, decoded as the
// webhook decodes them) from an embedded server, with a callback that only
// counts: the log's read path on its own, as a gateway's rebuild uses it.
// Besides events/s it reports the CPU time the whole process (NATS server
// included) spends per event, which other load on the machine disturbs far
// less than the wall clock.
func BenchmarkJetStreamFollowReplay(b *testing.B) {
	l, _ := newJS(b, eventlog.JetStreamOptions{})
	ctx := context.Background()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002}, Mix: traffic.Mix{traffic.Calls: 1}, ActiveCalls: 4, RunID: 11}
	g := traffic.NewGenerator(model, 0, time.Now)
	for range replayEvents {
		wh := g.Next()
		q, err := url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, "203.0.113.1", "iOS"))
		if err != nil {
			b.Fatal(err)
		}
		ev, err := callback.Decode(q, wh.Body, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Append(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	for b.Loop() {
		fctx, cancel := context.WithCancel(ctx)
		n := 0
		err := l.Follow(fctx, 0, func(*gatewayv1.Event) error {
			if n++; n == replayEvents {
				cancel()
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	events := float64(b.N) * replayEvents
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64((processCPU(b)-cpu0).Nanoseconds())/events, "cpu-ns/event")
}

// processCPU is the user and system CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
