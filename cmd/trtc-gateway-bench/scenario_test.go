package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// TestScenarioAgainstGateway drives a short scenario against an in-process
// gateway and checks the bookkeeping, not the speed: every accepted callback
// reaches every subscriber it should, each delivery is matched to its send,
// and nothing is counted as lost or unknown, for every family of the full
// mix.
func TestScenarioAgainstGateway(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := startTestGateway(ctx, t)

	sc := Scenario{
		Name: "test", Store: "memory", Rate: 400, Conns: 4, Apps: 4, Mix: fullMix,
		SubsAll: 2, SubsApp: 4, SubsCall: 50, SubsIdle: 10,
		Warmup: 200 * time.Millisecond, Duration: 500 * time.Millisecond,
	}
	res, err := runScenario(ctx, sc, target{webhook: s.WebhookAddr(), grpc: s.GRPCAddr(), http: s.HTTPAddr(), pid: os.Getpid(), trtcKey: defaultTRTCKey})
	if err != nil {
		t.Fatal(err)
	}
	if res.errors() != 0 {
		t.Fatalf("errors: %+v", res)
	}
	if res.Accepted == 0 || res.DeliveriesPerSec == 0 || res.Latency.Count == 0 {
		t.Fatalf("nothing measured: %+v", res)
	}
	// Every family of the full mix was sent and answered OK, TRTC events
	// with their Sign checked against the key.
	for _, family := range []string{"calls", "live", "trtc"} {
		if c := res.ByFamily[family]; c.Accepted == 0 || c.Failed != 0 {
			t.Errorf("family %s: %+v, want accepted and none failed (all: %+v)", family, c, res.ByFamily)
		}
	}
	if res.PeakRSS == 0 {
		t.Error("no peak RSS read from /proc")
	}
}

func TestRewriteMarkdownKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	rep := &report{Date: "today", Commit: "abc", Command: "make bench", Rows: []suiteRecord{{Name: "S9", Skipped: "not available: reasons"}}}
	if err := rep.rewriteMarkdown(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	edited := strings.Replace(string(b), "## Micro-benchmarks", "Hand-written notes.\n\n## Micro-benchmarks", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	rep.Rows[0].Name = "S10"
	rep.Micro = parseMicro("pkg: github.com/trtc-gateway/trtc-gateway/server/hub\nBenchmarkPublish/all-2   \t 100\t 84.26 ns/op\t 0 B/op\t 0 allocs/op\n")
	if err := rep.rewriteMarkdown(path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"Hand-written notes.", "| S10 |", "| server/hub | Publish/all-2 | 84.26 | 0 | 0 |"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "| S9 |") {
		t.Errorf("the old table survived:\n%s", got)
	}
}

// startTestGateway starts an in-process gateway on loopback with the memory
// store, requiring the benchmark's TRTC key for every app it sends as, as
// the gateways the benchmark starts do; it shuts down when the test ends.
func startTestGateway(ctx context.Context, t *testing.T) *server.Server {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = "memory"
	cfg.TRTCKeys = map[uint32]string{}
	for _, app := range defaultApps {
		cfg.TRTCKeys[app] = defaultTRTCKey
	}
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}
