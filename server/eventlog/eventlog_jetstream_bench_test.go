package eventlog_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
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
