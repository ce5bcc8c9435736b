package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// TestCheckpointAtScale measures what checkpoints buy on a large log: it
// seeds TRTCGW_CHECKPOINT_SCALE calls (about 3.6 events each) into a
// JetStream stream, then starts a gateway that finds no checkpoint (rebuilt
// from the log), has it write one, and starts one restored from it,
// logging each start's time to ready, the checkpoint's size and its encode,
// upload and restore times. It is a measurement, not a check of speed, and
// runs only when the variable is set (it takes minutes for a million calls).
func TestCheckpointAtScale(t *testing.T) {
	calls, _ := strconv.Atoi(os.Getenv("TRTCGW_CHECKPOINT_SCALE"))
	if calls <= 0 {
		t.Skip("set TRTCGW_CHECKPOINT_SCALE to a number of calls to measure")
	}
	n := startNATS(t)
	cfg := n.config()
	cfg.Retention = 10*calls + 1000
	ctx := context.Background()
	nc := n.connect(t)
	log, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{Stream: cfg.Stream, MaxMsgs: int64(cfg.Retention), DuplicateWindow: cfg.DedupWindow})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	events := seedLog(t, log, calls)
	log.Close()
	t.Logf("seeded %d calls, %d events in %s", calls, events, time.Since(began).Round(time.Millisecond))

	startAndWait := func(what string, interval time.Duration) float64 {
		c := cfg
		c.CheckpointInterval = interval
		c.Logger = slog.New(slog.NewTextHandler(stateLines{t}, nil))
		s := startCfg(t, c)
		v := eventuallyLong(t, func() float64 { return metricSample(t, s, "trtcgw_state_rebuild_seconds") })
		t.Logf("%s: ready %.2fs after start (%d events, %.0f events/s)", what, v, events, float64(events)/v)
		if interval > 0 {
			for _, p := range []string{"calls", "rooms"} {
				t.Logf("  %s: restore %.3fs", p, metricSample(t, s, `trtcgw_state_restore_seconds{projection="`+p+`"}`))
			}
			ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
			defer cancel()
			postOK(t, s, testApp, cmdStart, sample(t, "start_call")) // something new to save
			caughtUp(t, s)
			if err := s.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"calls", "rooms"} {
				if metricSample(t, s, `trtcgw_checkpoint_encode_seconds{projection="`+p+`"}`) < 0 {
					continue // nothing new to write
				}
				t.Logf("  %s checkpoint: %.0f bytes, encode %.3fs (the follower's Apply waits at most this long), upload %.3fs", p,
					metricSample(t, s, `trtcgw_checkpoint_bytes{projection="`+p+`"}`),
					metricSample(t, s, `trtcgw_checkpoint_encode_seconds{projection="`+p+`"}`),
					metricSample(t, s, `trtcgw_checkpoint_upload_seconds{projection="`+p+`"}`))
			}
		}
		stop(t, s)
		return v
	}
	// The first start finds no checkpoint: it rebuilds from the log, as a
	// gateway without checkpoints does, and then writes one.
	startAndWait("rebuilt from the log (no checkpoint yet)", time.Hour)
	startAndWait("restored from the checkpoint", time.Hour)
}

// stateLines passes the gateway's "state:" log lines to the test's log.
type stateLines struct{ t *testing.T }

func (w stateLines) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`msg="state:`)) {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// eventuallyLong polls f until it is positive, for up to 30 minutes.
func eventuallyLong(t *testing.T, f func() float64) float64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Minute)
	for {
		if v := f(); v > 0 {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready after 30 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seedLog appends calls calls of realistic traffic to log, decoded as the
// webhook decodes them, from a few goroutines; it returns the events.
func seedLog(t *testing.T, log eventlog.Log, calls int) uint64 {
	t.Helper()
	model := &traffic.Model{Apps: checkpointApps, ActiveCalls: 8, RunID: 0xca11}
	model.Mix[traffic.Calls] = 1
	var (
		wg     sync.WaitGroup
		events atomic.Uint64
		failed atomic.Value
	)
	for w := range 8 {
		wg.Go(func() {
			from := time.Now().Add(-2 * time.Hour)
			g := traffic.NewGenerator(model, w, func() time.Time { from = from.Add(time.Millisecond); return from })
			for {
				wh := g.Next()
				if wh.Call >= int64(calls) {
					return
				}
				q := url.Values{"SdkAppid": {strconv.FormatUint(uint64(wh.App), 10)}, "CallbackCommand": {wh.Command}, "contenttype": {"json"}}
				ev, err := callback.Decode(q, wh.Body, from)
				if err == nil {
					ev.Id = callback.EventID(wh.App, wh.Command, wh.Body)
					_, err = log.Append(context.Background(), ev)
				}
				if err != nil {
					failed.Store(err)
					return
				}
				events.Add(1)
			}
		})
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	return events.Load()
}
