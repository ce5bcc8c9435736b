package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// suiteConfig is how the standard suite runs its gateways.
type suiteConfig struct {
	gatewayBin string
	// profileDir, when set, runs memory-store gateways from this binary and
	// profiles each measured window into a directory per scenario.
	profileDir  string
	gatewayCPUs string // taskset list for the gateway and the bare handler; "" unpinned
	outDir      string
	flags       gatewayFlags
	conns       int
	warmup      time.Duration
	duration    time.Duration
	// centrifugoBin is the Centrifugo binary of the peer rows; empty skips them.
	centrifugoBin string
	// trtcKey is every started gateway's TRTC callback key for every app,
	// and what the load signs TRTC events with.
	trtcKey string
}

// check is a scenario's target: what it requires and whether a result meets it.
type check struct {
	text string
	met  func(r *Result, s *suiteResults) (bool, string)
	// noTarget rows report what met measures but have nothing to meet.
	noTarget bool
}

// ratioTo is r's throughput over other's, 0 when other was not measured.
func ratioTo(r, other *Result) float64 {
	if other == nil || other.WebhooksPerSec == 0 {
		return 0
	}
	return r.WebhooksPerSec / other.WebhooksPerSec
}

// suiteRow is one scenario of the standard suite with its target.
type suiteRow struct {
	Scenario
	// baseline names the bare-handler rows, run just before and just after
	// it, whose mean throughput this row's is divided by; empty means the
	// mean of every bare row at the maximum rate.
	baseline []string
	// peer names the Centrifugo row under the same load, whose throughput
	// this row's is also divided by; empty when there is none.
	peer   string
	target check
}

// suiteResults holds the standard suite's measurements by name.
type suiteResults struct {
	byName map[string]*Result
	// peerOf names each row's Centrifugo row.
	peerOf map[string]string
	// bare is the mean throughput of the bare handler's maximum-rate runs.
	bare float64
}

// ratioToBare is a result's accepted callbacks per second over the mean of
// its bare baseline rows'.
func (s *suiteResults) ratioToBare(r *Result, baseline []string) float64 {
	bare := s.bare
	var sum float64
	var n int
	for _, name := range baseline {
		if b := s.byName[name]; b != nil {
			sum += b.WebhooksPerSec
			n++
		}
	}
	if n > 0 {
		bare = sum / float64(n)
	}
	if bare == 0 {
		return 0
	}
	return r.WebhooksPerSec / bare
}

// standardSuite is the suite of issue 6 with its targets, in run order.
// Each group of maximum-rate scenarios runs between two bare-handler runs
// and is divided by their mean: on a shared machine the capacity drifts
// within minutes, and a ratio is only meaningful between runs that saw
// the same machine.
func standardSuite(cfg suiteConfig) []suiteRow {
	base := Scenario{Conns: cfg.conns, Apps: 4, Mix: fullMix, Warmup: cfg.warmup, Duration: cfg.duration}
	with := func(name, store string, mutate func(*Scenario)) Scenario {
		sc := base
		sc.Name, sc.Store = name, store
		mutate(&sc)
		return sc
	}
	bare := func(name string) suiteRow { return suiteRow{Scenario: with(name, "bare", func(*Scenario) {})} }
	fixed := func(sc *Scenario, rate int) {
		sc.Rate = rate
		sc.Conns = 8
		sc.Duration = max(sc.Duration, 10*time.Second)
	}
	deliveries := check{
		text: "deliveries/s ≥ 500,000",
		met: func(r *Result, _ *suiteResults) (bool, string) {
			return r.DeliveriesPerSec >= 500_000, fmt.Sprintf("%s deliveries/s", thousands(r.DeliveriesPerSec))
		},
	}
	s1Bare := []string{"bare before S1", "bare after S3-cost"}
	durableBare := []string{"bare before S1-durable", "bare after S1-durable"}
	s2Bare := []string{"bare before S2", "bare after S2-json"}
	clusterBare := []string{"bare before S1-cluster", "bare after S1-cluster"}
	// The gateway on a 3-node NATS cluster, the stream replicated on all
	// three: the nodes run on the gateway's CPU. No target: issue 4 asks
	// for the figures.
	onCluster := func(sc *Scenario) { sc.NATSNodes = 3 }
	noTarget := func(measured func(r *Result, s *suiteResults) string) check {
		return check{
			text:     "no target (issue 4 asks for the figure)",
			noTarget: true,
			met: func(r *Result, s *suiteResults) (bool, string) {
				return true, measured(r, s)
			},
		}
	}
	// Centrifugo, the real-time server our users would otherwise run, under
	// the same CPU split and the same traffic (issue 15): each callback is
	// published to one channel, subscribers read its unidirectional gRPC
	// stream. Its rows run right after the bare one they share.
	const centrifugoS1, centrifugoS2 = "Centrifugo S1", "Centrifugo S2"
	peer := func(name string, subs int) suiteRow {
		return suiteRow{Scenario: with(name, "centrifugo", func(sc *Scenario) { sc.SubsAll = subs })}
	}
	// beatsPeer is met at min × the Centrifugo row's webhooks/s (with
	// deliveries, its deliveries/s), and reports × bare beside it, whose
	// long-run aim is aim (0 for none); maxRSS, when set, also bounds the
	// gateway's peak RSS.
	beatsPeer := func(min float64, deliveries bool, aim float64, baseline []string, maxRSS int64) check {
		what := "webhooks/s"
		if deliveries {
			what = "deliveries/s"
		}
		text := fmt.Sprintf("%s ≥ %.2f × Centrifugo", what, min)
		if maxRSS > 0 {
			text += fmt.Sprintf(", peak RSS ≤ %s", mib(maxRSS))
		}
		if aim > 0 {
			text += fmt.Sprintf(" (long-run aim ≥ %.2f × bare)", aim)
		}
		return check{
			text: text,
			met: func(r *Result, s *suiteResults) (bool, string) {
				p := s.byName[s.peerOf[r.Name]]
				if p == nil {
					return false, "Centrifugo not measured"
				}
				ratio := ratioTo(r, p)
				if deliveries {
					ratio = 0
					if p.DeliveriesPerSec > 0 {
						ratio = r.DeliveriesPerSec / p.DeliveriesPerSec
					}
				}
				ok := ratio >= min
				measured := fmt.Sprintf("%.2f × Centrifugo", ratio)
				if deliveries {
					measured = fmt.Sprintf("%s deliveries/s, %s", thousands(r.DeliveriesPerSec), measured)
				}
				if maxRSS > 0 {
					ok = ok && r.PeakRSS <= maxRSS
					measured += ", peak RSS " + mib(r.PeakRSS)
				}
				if aim > 0 {
					measured += fmt.Sprintf(", %.2f × bare", s.ratioToBare(r, baseline))
				}
				return ok, measured
			},
		}
	}
	return []suiteRow{
		bare(s1Bare[0]),
		peer(centrifugoS1, 1),
		{Scenario: with("S1", "memory", func(sc *Scenario) { sc.SubsAll = 1 }), baseline: s1Bare, peer: centrifugoS1,
			target: beatsPeer(1.20, false, 0.70, s1Bare, 0)},
		{Scenario: with("S3-cost", "memory", func(sc *Scenario) { sc.SubsAll = 1; sc.SubsIdle = 10_000 }), baseline: s1Bare, target: check{
			text: "webhooks/s ≥ 0.90 × S1",
			met: func(r *Result, s *suiteResults) (bool, string) {
				s1 := s.byName["S1"]
				if s1 == nil || s1.WebhooksPerSec == 0 {
					return false, "S1 not measured"
				}
				ratio := r.WebhooksPerSec / s1.WebhooksPerSec
				return ratio >= 0.90, fmt.Sprintf("%.2f × S1 (CPU per webhook %.2f × S1's)", ratio, r.CPUPerWebhookUs/s1.CPUPerWebhookUs)
			},
		}},
		bare(s1Bare[1]),
		bare(durableBare[0]),
		// The default store, against the Centrifugo run of the S1 group.
		{Scenario: with("S1-durable", "jetstream", func(sc *Scenario) { sc.SubsAll = 1 }), baseline: durableBare, peer: centrifugoS1,
			target: beatsPeer(1.00, false, 0.70, durableBare, 128<<20)},
		bare(durableBare[1]),
		bare(clusterBare[0]),
		{Scenario: with("S1-cluster", "jetstream", func(sc *Scenario) { onCluster(sc); sc.SubsAll = 1 }), baseline: clusterBare,
			target: noTarget(func(r *Result, s *suiteResults) string {
				return fmt.Sprintf("%.2f × bare, %.2f × S1-durable", s.ratioToBare(r, clusterBare), ratioTo(r, s.byName["S1-durable"]))
			})},
		bare(clusterBare[1]),
		bare(s2Bare[0]),
		peer(centrifugoS2, 100),
		// 100 subscribers on connections of their own (100 services), and
		// the same 100 streams over 4 connections (4 services of 25):
		// per delivery, the first costs a socket write of its own.
		{Scenario: with("S2", "memory", func(sc *Scenario) { sc.SubsAll = 100 }), baseline: s2Bare, peer: centrifugoS2, target: deliveries},
		{Scenario: with("S2-shared", "memory", func(sc *Scenario) { sc.SubsAll = 100; sc.GRPCConns = 4 }), baseline: s2Bare, peer: centrifugoS2, target: deliveries},
		// The default store: every subscriber receiving every event, at
		// 1.5 × Centrifugo's deliveries.
		{Scenario: with("S2-durable", "jetstream", func(sc *Scenario) { sc.SubsAll = 100 }), baseline: s2Bare, peer: centrifugoS2,
			target: beatsPeer(1.50, true, 0, nil, 0)},
		// 100 subscribers on the JSON stream, each on its own HTTP
		// connection: each event is encoded to JSON once for all of them.
		{Scenario: with("S2-json", "memory", func(sc *Scenario) { sc.SubsAll = 100; sc.JSON = true }), baseline: s2Bare, peer: centrifugoS2,
			target: check{
				text:     "measured (issue 15)",
				noTarget: true,
				met: func(r *Result, s *suiteResults) (bool, string) {
					measured := fmt.Sprintf("%s deliveries/s", thousands(r.DeliveriesPerSec))
					if s2 := s.byName["S2"]; s2 != nil && s2.DeliveriesPerSec > 0 {
						measured += fmt.Sprintf(", %.2f × S2's (gRPC)", r.DeliveriesPerSec/s2.DeliveriesPerSec)
					}
					return true, measured
				},
			}},
		bare(s2Bare[1]),
		{Scenario: with("S3", "memory", func(sc *Scenario) {
			fixed(sc, 2000)
			sc.SubsCall = 10_000
			sc.Duration = max(sc.Duration, 15*time.Second)
		}), target: check{
			text: "p99 ≤ 10 ms, gateway RSS ≤ 1 GiB",
			met: func(r *Result, _ *suiteResults) (bool, string) {
				return r.Latency.P99 <= 10 && r.PeakRSS <= 1<<30,
					fmt.Sprintf("p99 %.2f ms, RSS %s", r.Latency.P99, mib(r.PeakRSS))
			},
		}},
		// The bare handler at S4's rate: its answer latency is the floor
		// that this machine's scheduling puts under any latency figure.
		{Scenario: with("bare at 1000/s", "bare", func(sc *Scenario) { fixed(sc, 1000) })},
		{Scenario: with("S4", "memory", func(sc *Scenario) { fixed(sc, 1000); sc.SubsAll = 1 }), target: check{
			text: "p50 ≤ 1 ms, p99 ≤ 3 ms",
			met: func(r *Result, _ *suiteResults) (bool, string) {
				return r.Latency.P50 <= 1 && r.Latency.P99 <= 3, fmt.Sprintf("p50 %.2f ms, p99 %.2f ms", r.Latency.P50, r.Latency.P99)
			},
		}},
		{Scenario: with("S4-durable", "jetstream", func(sc *Scenario) { fixed(sc, 1000); sc.SubsAll = 1 }), target: check{
			text: "p99 ≤ 10 ms",
			met: func(r *Result, _ *suiteResults) (bool, string) {
				return r.Latency.P99 <= 10, fmt.Sprintf("p99 %.2f ms", r.Latency.P99)
			},
		}},
		{Scenario: with("S4-cluster", "jetstream", func(sc *Scenario) { onCluster(sc); fixed(sc, 1000); sc.SubsAll = 1 }),
			target: noTarget(func(r *Result, _ *suiteResults) string {
				return fmt.Sprintf("p50 %.2f ms, p99 %.2f ms", r.Latency.P50, r.Latency.P99)
			})},
		// Subscribers slower than ingest (issue 14): 10 read at half the
		// callback rate beside one that keeps up. Their queues overflow
		// within seconds; the gateway must serve them from the log until
		// they have read everything, never cutting one off or skipping an
		// event.
		{Scenario: with("S5-slow", "memory", slowSubscribers(fixed)), target: slowTarget},
		{Scenario: with("S5-slow-durable", "jetstream", slowSubscribers(fixed)), target: slowTarget},
	}
}

// slowSubscribers shapes the S5 rows: 2000 callbacks a second, one
// subscriber that keeps up and ten that read 1000 events a second.
func slowSubscribers(fixed func(*Scenario, int)) func(*Scenario) {
	return func(sc *Scenario) {
		fixed(sc, 2000)
		sc.SubsAll, sc.SubsSlow, sc.SlowRate = 1, 10, 1000
	}
}

// slowTarget is met when no slow subscriber was cut off or skipped an
// event, and the gateway did fall back to its log for them (otherwise they
// were not slow).
var slowTarget = check{
	text: "0 cut off, 0 gaps, every event delivered",
	met: func(r *Result, _ *suiteResults) (bool, string) {
		return r.CutOff == 0 && r.Gaps == 0 && r.Lost == 0 && r.OutOfOrder == 0 && r.Fallbacks > 0,
			fmt.Sprintf("%d cut off, %d gaps, %d lost, %d fallbacks to the log", r.CutOff, r.Gaps, max(r.Lost, 0), r.Fallbacks)
	},
}

// gatewayFlags says which optional flags the gateway binary has.
type gatewayFlags struct {
	jetstream bool // --store=jetstream exists
	dataDir   bool // --data-dir exists
	natsURL   bool // --nats-url and --stream-replicas exist
	trtcKey   bool // --trtc-key exists
}

func probeGateway(bin string) gatewayFlags {
	out, _ := exec.Command(bin, "-help").CombinedOutput()
	var f gatewayFlags
	// The usage lists each flag as "  -name type" followed by its indented
	// description.
	var current string
	for line := range strings.SplitSeq(string(out), "\n") {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			current, _, _ = strings.Cut(name, " ")
		}
		switch current {
		case "store":
			f.jetstream = f.jetstream || strings.Contains(line, "jetstream")
		case "data-dir":
			f.dataDir = true
		case "nats-url":
			f.natsURL = true
		case "trtc-key":
			f.trtcKey = true
		}
	}
	return f
}

// startTarget starts what sc measures: the bare handler or a gateway with
// sc.Store, pinned to cfg.gatewayCPUs.
func startTarget(ctx context.Context, cfg suiteConfig, sc Scenario, extra []string) (*child, target, error) {
	if sc.Store == "centrifugo" {
		c, tgt, err := startCentrifugo(ctx, cfg.centrifugoBin, cfg.gatewayCPUs, cfg.outDir)
		tgt.trtcKey = cfg.trtcKey // the same signing work as against the gateway
		return c, tgt, err
	}
	if sc.Store == "bare" {
		self, err := os.Executable()
		if err != nil {
			return nil, target{}, err
		}
		c, err := startChild(ctx, "bare handler", cfg.gatewayCPUs, []string{self, "--bare", "--bare-addr=127.0.0.1:0"}, "webhook")
		if err != nil {
			return nil, target{}, err
		}
		return c, target{webhook: c.addrs["webhook"], pid: c.pid, trtcKey: cfg.trtcKey}, nil
	}
	args := []string{cfg.gatewayBin,
		"--store=" + sc.Store,
		"--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0", "--http-addr=127.0.0.1:0",
		"--log-format=json", "--log-level=info",
	}
	profileDir := ""
	if cfg.profileDir != "" {
		self, err := os.Executable()
		if err != nil {
			return nil, target{}, err
		}
		if len(extra) > 0 {
			return nil, target{}, errors.New("--gateway-args cannot be used with --profile: the profiled gateway runs with its defaults")
		}
		profileDir = filepath.Join(cfg.profileDir, sc.Name)
		args = []string{self, "--serve-gateway", "--store=" + sc.Store, "--profile=" + profileDir, "--trtc-key=" + cfg.trtcKey}
	} else if cfg.trtcKey != "" && cfg.flags.trtcKey {
		args = append(args, trtcKeyFlag(cfg.trtcKey))
	}
	// A fresh NATS cluster per run, the gateway pinned with it, or a fresh
	// data directory for the embedded server: a durable gateway starts empty.
	var cluster *natsCluster
	if sc.NATSNodes > 0 {
		if sc.Store != "jetstream" {
			return nil, target{}, fmt.Errorf("%s: a NATS cluster needs --store=jetstream, not %q", sc.Name, sc.Store)
		}
		cl, err := startNATSCluster(ctx, cfg.gatewayCPUs, cfg.outDir, filepath.Join(cfg.outDir, "nats-logs", sc.Name), profileDir, sc.NATSNodes)
		if err != nil {
			return nil, target{}, err
		}
		cluster = cl
		args = append(args, "--nats-url="+cl.natsURL(), fmt.Sprintf("--stream-replicas=%d", sc.NATSNodes))
	}
	var dataDir string
	if sc.Store != "memory" && cluster == nil && cfg.flags.dataDir {
		dir, err := os.MkdirTemp(cfg.outDir, "data-")
		if err != nil {
			return nil, target{}, err
		}
		dataDir = dir
		args = append(args, "--data-dir="+dir)
	}
	args = append(args, extra...)
	// On a cluster the gateway's log is kept beside the nodes' logs.
	logPath := ""
	if cluster != nil {
		logPath = filepath.Join(cfg.outDir, "nats-logs", sc.Name, "gateway.log")
	}
	c, err := startChildLogged(ctx, "gateway", cfg.gatewayCPUs, logPath, args, "webhook", "grpc", "http")
	if err != nil {
		if dataDir != "" {
			_ = os.RemoveAll(dataDir)
		}
		if cluster != nil {
			cluster.stop()
		}
		return nil, target{}, err
	}
	c.dataDir = dataDir
	tgt := target{webhook: c.addrs["webhook"], grpc: c.addrs["grpc"], http: c.addrs["http"], pid: c.pid, warnings: c.warnings, trtcKey: cfg.trtcKey}
	if cluster != nil {
		c.onStop = cluster.stop
		tgt.nats = cluster.pids()
	}
	if profileDir != "" {
		tgt.window = func(start bool) {
			if start {
				_ = c.cmd.Process.Signal(syscall.SIGUSR1)
				if cluster != nil {
					cluster.signal(syscall.SIGUSR1)
				}
				return
			}
			_ = c.cmd.Process.Signal(syscall.SIGUSR2)
			if cluster != nil {
				cluster.signal(syscall.SIGUSR2)
			}
			// Wait for the profiles to be written before anything stops the process.
			for range 100 {
				if _, err := os.Stat(filepath.Join(profileDir, "allocs.prof")); err == nil {
					time.Sleep(100 * time.Millisecond)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	return c, tgt, nil
}

// measure starts sc's target, runs sc against it and stops the target.
func measure(ctx context.Context, cfg suiteConfig, sc Scenario, extra []string) (*Result, error) {
	c, tgt, err := startTarget(ctx, cfg, sc, extra)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	res, err := runScenario(ctx, sc, tgt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (last log lines: %s)", sc.Name, err, c.lastLines())
	}
	return res, profiledBreakdown(cfg, sc, res)
}

// suiteRecord is one row of the suite's report.
type suiteRecord struct {
	Result    *Result `json:"result,omitempty"`
	Target    string  `json:"target,omitempty"`
	Met       *bool   `json:"met,omitempty"`
	Measured  string  `json:"measured,omitempty"`
	RatioBare float64 `json:"ratio_to_bare,omitempty"`
	// RatioCentrifugo is webhooks/s over the Centrifugo row Peer's, run
	// under the same load in the same suite.
	RatioCentrifugo float64 `json:"ratio_to_centrifugo,omitempty"`
	Peer            string  `json:"peer,omitempty"`
	// Baseline names the bare-handler rows whose mean RatioBare divides by;
	// empty is the mean of every maximum-rate bare row.
	Baseline []string `json:"baseline,omitempty"`
	// Skipped says why a scenario did not run.
	Skipped string `json:"skipped,omitempty"`
	Name    string `json:"name"`
}

// runSuite runs the standard suite and returns its rows.
func runSuite(ctx context.Context, cfg suiteConfig) ([]suiteRecord, error) {
	flags := cfg.flags
	rows := standardSuite(cfg)
	s := &suiteResults{byName: make(map[string]*Result), peerOf: make(map[string]string)}
	records := make([]suiteRecord, len(rows))
	for i, row := range rows {
		records[i].Name = row.Name
		if row.peer != "" {
			s.peerOf[row.Name] = row.peer
		}
		if row.Store == "jetstream" && !flags.jetstream {
			records[i].Skipped = "not available: no durable store (the gateway has no --store=jetstream)"
			fmt.Fprintf(os.Stderr, "== %s: %s\n", row.Name, records[i].Skipped)
			continue
		}
		if row.Store == "centrifugo" && cfg.centrifugoBin == "" {
			records[i].Skipped = "not available: no Centrifugo binary (make bench builds .bin/centrifugo; or pass --centrifugo-bin)"
			fmt.Fprintf(os.Stderr, "== %s: %s\n", row.Name, records[i].Skipped)
			continue
		}
		if row.NATSNodes > 0 && !flags.natsURL {
			records[i].Skipped = "not available: the gateway has no --nats-url for an external NATS cluster"
			fmt.Fprintf(os.Stderr, "== %s: %s\n", row.Name, records[i].Skipped)
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s: %s\n", row.Name, describe(row.Scenario))
		res, err := measure(ctx, cfg, row.Scenario, nil)
		if err != nil {
			return records, err
		}
		records[i].Result = res
		s.byName[row.Name] = res
		fmt.Fprintf(os.Stderr, "   %s\n", oneLine(res))
	}
	var bares []float64
	for _, r := range records {
		if r.Result != nil && r.Result.Store == "bare" && r.Result.Rate == 0 {
			bares = append(bares, r.Result.WebhooksPerSec)
		}
	}
	for _, b := range bares {
		s.bare += b / float64(len(bares))
	}
	for i, row := range rows {
		r := records[i].Result
		if r == nil {
			continue
		}
		records[i].Baseline = row.baseline
		if row.Store == "bare" && row.Rate == 0 {
			// Against its pair's mean, which shows how far the machine drifted.
			for _, other := range rows {
				if slices.Contains(other.baseline, row.Name) {
					records[i].Baseline = other.baseline
				}
			}
		}
		records[i].RatioBare = s.ratioToBare(r, records[i].Baseline)
		if p := s.byName[row.peer]; p != nil {
			records[i].Peer, records[i].RatioCentrifugo = row.peer, ratioTo(r, p)
		}
		if row.target.met != nil {
			ok, measured := row.target.met(r, s)
			ok = ok && r.errors() == 0
			records[i].Target, records[i].Measured = row.target.text, measured
			if !row.target.noTarget {
				records[i].Met = &ok
			}
		}
	}
	return records, nil
}

func describe(sc Scenario) string {
	rate := "max rate"
	if sc.Rate > 0 {
		rate = fmt.Sprintf("%d/s", sc.Rate)
	}
	var subs []string
	for _, s := range []struct {
		n    int
		kind string
	}{{sc.SubsAll, "all"}, {sc.SubsApp, "one app"}, {sc.SubsCall, "own CallId"}, {sc.SubsIdle, "non-matching"},
		{sc.SubsSlow, fmt.Sprintf("all, reading %s/s", thousands(float64(sc.SlowRate)))}} {
		if s.n > 0 {
			subs = append(subs, fmt.Sprintf("%s × %s", thousands(float64(s.n)), s.kind))
		}
	}
	store := sc.Store
	if sc.NATSNodes > 0 {
		store = fmt.Sprintf("%s on %d NATS nodes (%d replicas)", sc.Store, sc.NATSNodes, sc.NATSNodes)
	}
	if len(subs) == 0 {
		return fmt.Sprintf("%s, %s, %d HTTP conns, %s, no subscribers", store, rate, sc.Conns, mixText(sc.Mix))
	}
	streams := fmt.Sprintf("%d gRPC conns", sc.grpcConns())
	switch {
	case sc.Store == "centrifugo":
		store = "Centrifugo " + centrifugoVersion + " (/api/publish)"
		streams = fmt.Sprintf("%d uni-gRPC conns", sc.grpcConns())
	case sc.JSON:
		streams = fmt.Sprintf("%d JSON-stream HTTP conns", sc.SubsAll)
	}
	return fmt.Sprintf("%s, %s, %d HTTP conns, %s, %s on %s", store, rate, sc.Conns, mixText(sc.Mix), strings.Join(subs, " + "), streams)
}

func oneLine(r *Result) string {
	s := fmt.Sprintf("%s webhooks/s", thousands(r.WebhooksPerSec))
	if r.subscribers() > 0 {
		s += fmt.Sprintf(", %s deliveries/s, latency p50 %.3f p99 %.3f p99.9 %.3f max %.3f ms",
			thousands(r.DeliveriesPerSec), r.Latency.P50, r.Latency.P99, r.Latency.P999, r.Latency.Max)
	}
	s += fmt.Sprintf(", errors %d, gateway %.2f cores (%.1f µs/webhook), peak RSS %s, load %.2f cores",
		r.errors(), r.GatewayCores, r.CPUPerWebhookUs, mib(r.PeakRSS), r.LoadCores)
	if r.SubsSlow > 0 {
		s += fmt.Sprintf(", slow subscribers: %d fallbacks to the log, %d cut off, %d gaps, %d out of order, %d lost",
			r.Fallbacks, r.CutOff, r.Gaps, r.OutOfOrder, max(r.Lost, 0))
	}
	if r.NATSNodes > 0 {
		s += fmt.Sprintf(", NATS nodes %.2f cores, peak RSS %s", r.NATSCores, mib(r.NATSPeakRSS))
	}
	if r.FirstError != "" {
		s += "; first error: " + r.FirstError
	}
	return s
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// thousands formats n with no decimals and thin groups: 12,345.
func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
