package follower_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/follower"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
	"github.com/trtc-gateway/trtc-gateway/server/rooms"
)

// rebuildEvents is how many call events BenchmarkRebuildJetStream's log holds.
const rebuildEvents = 100_000

// BenchmarkRebuildJetStream is a gateway's start on a retained log: an
// embedded JetStream stream of realistic call events (internal/traffic's
// bodies, decoded as the webhook decodes them) read by a follower into the
// call and room projections until it is ready, all in this process as in
// the gateway. It reports events/s of the whole path: the NATS server
// serving the messages, the client decoding them, the projections.
//
// With TRTCGW_REBUILD_DIR set it rebuilds from the log a JetStream data
// directory already holds instead (e.g. the one trtc-gateway-bench --scale
// --scale-dir=DIR seeded under DIR/full), to profile a rebuild at scale.
func BenchmarkRebuildJetStream(b *testing.B) {
	ctx := context.Background()
	dir, seeded := os.LookupEnv("TRTCGW_REBUILD_DIR")
	if !seeded {
		dir = b.TempDir()
	}
	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer js.Close()
	if !seeded {
		seedLog(b, js, rebuildEvents)
	}
	_, head, err := js.Bounds(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()

	for b.Loop() {
		f := follower.New(js)
		f.RegisterRebuilt("calls", 0, calls.New())
		f.RegisterRebuilt("rooms", 0, rooms.New(rooms.DefaultTTL))
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- f.Run(runCtx) }()
		for f.Ready() != nil {
			time.Sleep(time.Millisecond)
		}
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(head)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// seedLog appends n events of calls in progress and ended, from 32
// goroutines.
func seedLog(b *testing.B, log eventlog.Log, n int) {
	b.Helper()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002}, Mix: traffic.Mix{traffic.Calls: 1}, ActiveCalls: 4, RunID: 11}
	const workers = 32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := traffic.NewGenerator(model, w, time.Now)
			for range n / workers {
				wh := g.Next()
				q, err := url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, "203.0.113.1", "iOS"))
				if err != nil {
					errs <- err
					return
				}
				ev, err := callback.Decode(q, wh.Body, time.Now())
				if err != nil {
					errs <- err
					return
				}
				if _, err := log.Append(context.Background(), ev); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
