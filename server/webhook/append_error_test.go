package webhook_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
)

// stalledLog is an event log that takes no event: Append waits until its
// context ends and fails as the JetStream log does then.
type stalledLog struct{ started chan struct{} }

func (l *stalledLog) Append(ctx context.Context, _ *gatewayv1.Event) (uint64, error) {
	close(l.started)
	<-ctx.Done()
	return 0, fmt.Errorf("eventlog: append to trtc.1.call_started: %w: %w", eventlog.ErrUnavailable, ctx.Err())
}

// TestClientGoneIsNotAnError posts a callback and closes the connection while
// the log is still storing it: the gateway must log what happened (the client
// went away), not an error of its own, and count it under its own code.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logs logbuf.Buffer
	reg := prometheus.NewRegistry()
	stalled := &stalledLog{started: make(chan struct{})}
	h, _ := newHandler(t, func(o *webhook.Options) {
		o.Log = stalled
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Registerer = reg
	})
	srv := serveLoopback(t, h)

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/webhook?"+query(testApp, cmdStart), strings.NewReader(startBody))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-stalled.started:
	case <-time.After(waitLimit):
		t.Fatal("the callback never reached the log")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the request succeeded although it was cancelled")
	}

	deadline := time.Now().Add(waitLimit)
	for counted(t, reg, "call_started", callback.CodeClientGone) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("trtcgw_webhooks_total{code=%q} never reached 1; log:\n%s", fmt.Sprint(int(callback.CodeClientGone)), logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if strings.Contains(out, "level=ERROR") || strings.Contains(out, "50301") {
		t.Errorf("a client that went away was logged as the gateway's failure:\n%s", out)
	}
	if !strings.Contains(out, "webhook client went away") || !strings.Contains(out, "closed the connection before the event was stored") {
		t.Errorf("the log does not say the client went away:\n%s", out)
	}
	if got := counted(t, reg, "call_started", callback.CodeLogUnavailable); got != 0 {
		t.Errorf("counted %v times as 50301", got)
	}
}

// counted returns trtcgw_webhooks_total of an event type and code (0 while
// the series does not exist).
func counted(t *testing.T, reg *prometheus.Registry, typ string, code callback.Code) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "trtcgw_webhooks_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["type"] == typ && labels["code"] == fmt.Sprint(int(code)) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestEventTooLargeIsPermanent gives the handler a log that stores smaller
// events than the callback decodes to: the answer is a 413 that says the
// callback can never be stored, not a 503 that invites retries.
func TestEventTooLargeIsPermanent(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{MaxEventBytes: 100})
	h, _ := newHandler(t, func(o *webhook.Options) { o.Log = log })
	srv := serveLoopback(t, h)
	status, _, raw := hostile{body: startBody}.do(t, srv)
	tr, err := decodeResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusRequestEntityTooLarge || tr.ErrorCode != int(callback.CodeEventTooLarge) || !strings.Contains(tr.ErrorInfo, "never be stored") {
		t.Fatalf("%d %s, want 413 with ErrorCode %d saying it can never be stored", status, raw, callback.CodeEventTooLarge)
	}
	if _, head, _ := log.Bounds(context.Background()); head != 0 {
		t.Errorf("the log holds %d events", head)
	}
}

// sizedLog records the size bounds the handler hands a SizedAppender.
type sizedLog struct {
	*eventlog.Memory
	bounds []int64
	sizes  []int
}

func (l *sizedLog) AppendWithin(ctx context.Context, ev *gatewayv1.Event, bound int64) (uint64, error) {
	l.bounds = append(l.bounds, bound)
	l.sizes = append(l.sizes, proto.Size(ev))
	return l.Memory.AppendWithin(ctx, ev, bound)
}

// TestHandlerBoundsEventSize checks that the handler hands a log that takes
// one (the memory log) a bound on each event's size: MaxEventBytes of the
// body plus the header limit, never below the event's encoded size.
func TestHandlerBoundsEventSize(t *testing.T) {
	log := &sizedLog{Memory: eventlog.NewMemory(eventlog.MemoryOptions{MaxEventBytes: eventlog.MaxEventBytes(1 << 20)})}
	h, _ := newHandler(t, func(o *webhook.Options) { o.Log = log })
	srv := serveLoopback(t, h)
	if status, _, raw := (hostile{body: startBody}).do(t, srv); status != http.StatusOK {
		t.Fatalf("%d %s", status, raw)
	}
	if len(log.bounds) != 1 {
		t.Fatalf("AppendWithin was called %d times, want 1", len(log.bounds))
	}
	want := eventlog.MaxEventBytes(int64(len(startBody))) + webhook.DefaultMaxHeaderBytes
	if log.bounds[0] != want || log.bounds[0] < int64(log.sizes[0]) {
		t.Fatalf("bound %d for an event of %d bytes, want %d", log.bounds[0], log.sizes[0], want)
	}
	if _, head, _ := log.Bounds(context.Background()); head != 1 {
		t.Fatalf("the log holds %d events, want 1", head)
	}
}
