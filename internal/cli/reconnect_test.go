package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// TestTailReconnectsAfterRestart restarts a gateway on its durable store
// under a running tail: the tail says it is reconnecting, resumes after the
// last event it printed, and prints every event once.
func TestTailReconnectsAfterRestart(t *testing.T) {
	dir := t.TempDir()
	durable := func(c *server.Config) {
		c.Store, c.DataDir = "jetstream", dir
	}
	s := startGateway(t, durable)
	grpcAddr, webhookAddr, httpAddr := s.GRPCAddr(), s.WebhookAddr(), s.HTTPAddr()
	simulate := func(n int) {
		t.Helper()
		if r := runCmd(t, nil, "", "simulate", "--url", "http://"+webhookAddr+"/webhook", "--count", fmt.Sprint(n), "--rate", "0", "--conns", "1"); r.code != 0 {
			t.Fatalf("simulate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	simulate(5)
	tail := startTail(t, nil, "--addr", grpcAddr, "--json", "--from-start")
	var seen []string
	for _, ev := range tail.events(5) {
		seen = append(seen, ev["sequence"].(string))
	}
	shutdown(t, s)

	// The same store, on the same addresses.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = webhookAddr, grpcAddr, httpAddr
	durable(&cfg)
	s2, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("restart gateway: %v", err)
	}
	t.Cleanup(func() { shutdown(t, s2) })
	simulate(5)
	for _, ev := range tail.events(5) {
		seen = append(seen, ev["sequence"].(string))
	}
	for i, seq := range seen {
		if seq != fmt.Sprint(i+1) {
			t.Fatalf("sequences %v: position %d is %s (a gap or a duplicate)", seen, i, seq)
		}
	}
	if code := tail.stop(); code != 0 {
		t.Errorf("tail exit %d", code)
	}
	if msg := tail.stderr.String(); !strings.Contains(msg, "stream broken (UNAVAILABLE") || !strings.Contains(msg, "resuming after sequence 5") {
		t.Errorf("tail did not say it reconnects:\n%s", msg)
	}
}
