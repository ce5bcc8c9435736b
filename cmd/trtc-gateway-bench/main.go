// Command trtc-gateway-bench measures trtc-gateway under realistic Tencent
// callback traffic: calls that start, change members and end, mixed with
// live rooms (TUILiveKit commands) and TRTC room and media events, signed as
// Tencent signs them, across several SdkAppids (--mix).
//
// It posts callbacks over keep-alive HTTP connections, at a fixed rate or as
// fast as the gateway answers, while gRPC subscribers with chosen filters
// receive the events; it reports accepted webhooks/s, deliveries/s,
// send-to-receipt latency, errors, and the gateway's CPU time and peak RSS,
// each beside the same load against a bare net/http handler.
//
//	trtc-gateway-bench --suite                  # the standard suite; rewrites BENCHMARKS.md
//	trtc-gateway-bench --subs-all=1 --rate=500  # one scenario against a gateway it starts
//	trtc-gateway-bench --webhook-addr=… --grpc-addr=… --http-addr=… --gateway-pid=…
//	                                            # one scenario against a running gateway
//
// It starts gateways (built once with go build from the working directory)
// and the bare handler as child processes, pinned with taskset to a CPU
// apart from its own when the machine has two or more.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "trtc-gateway-bench:", err)
		}
		os.Exit(1)
	}
}

// pinnedEnv carries the CPU split to the re-executed, pinned benchmark.
const pinnedEnv = "TRTCGW_BENCH_PINNED"

type options struct {
	bare         bool
	bareAddr     string
	serveGateway bool
	profileDir   string
	cpuProfile   string
	suite        bool
	breakdown    bool
	micro        bool
	markdown     string
	jsonOut      string
	outDir       string
	bin          string
	gwCPUs       string
	loadCPUs     string
	storeArg     string
	dataDir      string
	natsURL      string
	replicas     int
	natsNode     natsNode
	gwArgs       string
	baseline     bool
	trtcKey      string
	// centrifugoBin is --centrifugo-bin; centrifugoSet says it was given.
	centrifugoBin string
	centrifugoSet bool

	webhookAddr, grpcAddr, httpAddr string
	gatewayPID                      int

	sc Scenario
	// scale runs only the calls-at-scale scenario; scaleOpts shape it
	// (--suite runs it too unless --scale-calls is 0).
	scale     bool
	scaleOpts scaleOptions
	// scaleSeed is --scale-seed: seed this directory and exit.
	scaleSeed string
	// rpcFloor is --rpc-floor: measure an empty RPC against this address.
	rpcFloor string
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("trtc-gateway-bench", flag.ContinueOnError)
	fs.BoolVar(&o.bare, "bare", false, "serve the bare baseline handler (used by the benchmark itself)")
	fs.StringVar(&o.bareAddr, "bare-addr", "127.0.0.1:0", "listen address of --bare")
	fs.BoolVar(&o.serveGateway, "serve-gateway", false, "run a profiled gateway (used by the benchmark itself with --profile)")
	fs.StringVar(&o.profileDir, "profile", "", "profile each gateway's measured window (CPU, allocations) into DIR/<scenario>/, and each NATS node's CPU with --nats-nodes; the gateway then runs from this binary's copy of package server")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the load generator itself to this file")
	fs.BoolVar(&o.suite, "suite", false, "run the standard suite (S1…S4 and the bare handler) and rewrite --markdown")
	fs.BoolVar(&o.breakdown, "breakdown", false, "run S1 and S1-durable, each with the full mix and then the mix before issue 15, with the gateway profiled (--profile), print where its CPU goes per webhook and rewrite that section of --markdown")
	fs.BoolVar(&o.micro, "micro", true, "with --suite, also run the go test micro-benchmarks")
	fs.StringVar(&o.markdown, "markdown", "BENCHMARKS.md", "file whose scenario section --suite rewrites; empty leaves it alone")
	fs.StringVar(&o.jsonOut, "json", "bench-out/results.json", "where the JSON results go")
	fs.StringVar(&o.outDir, "out-dir", "bench-out", "where the built gateway and data directories go")
	fs.StringVar(&o.bin, "gateway-bin", "", "gateway binary to start; empty builds ./cmd/trtc-gateway")
	fs.StringVar(&o.gwCPUs, "gateway-cpus", "auto", "taskset CPU list for the gateway and the bare handler; auto is the last CPU when there are 2 or more; empty does not pin")
	fs.StringVar(&o.loadCPUs, "load-cpus", "auto", "taskset CPU list for this load generator; auto is every CPU but the gateway's; empty does not pin")
	fs.StringVar(&o.storeArg, "store", "memory", "the started gateway's --store, or centrifugo to measure Centrifugo (see --centrifugo-bin) under the same load")
	fs.StringVar(&o.centrifugoBin, "centrifugo-bin", ".bin/centrifugo", "the Centrifugo binary of the suite's Centrifugo rows and of --store=centrifugo (make bench builds it); when the default is missing those rows are skipped")
	fs.StringVar(&o.dataDir, "data-dir", "", "the --serve-gateway gateway's --data-dir")
	fs.StringVar(&o.natsURL, "nats-url", "", "the --serve-gateway gateway's --nats-url")
	fs.IntVar(&o.replicas, "stream-replicas", 0, "the --serve-gateway gateway's --stream-replicas")
	fs.IntVar(&o.sc.NATSNodes, "nats-nodes", 0, "run the started jetstream gateway on a cluster of this many NATS nodes, pinned with it, and --stream-replicas of as many; 0 uses the embedded server")
	fs.StringVar(&o.natsNode.name, "nats-node", "", "serve one NATS cluster node of this name (used by the benchmark itself with --nats-nodes)")
	fs.StringVar(&o.natsNode.dataDir, "nats-node-dir", "", "the --nats-node's JetStream directory")
	fs.StringVar(&o.natsNode.listen, "nats-node-listen", "127.0.0.1:0", "the --nats-node's client address")
	fs.StringVar(&o.natsNode.cluster, "nats-node-cluster", "", "the --nats-node's route address")
	fs.StringVar(&o.natsNode.routes, "nats-node-routes", "", "every --nats-node's route address, comma-separated")
	fs.StringVar(&o.natsNode.logFile, "nats-node-log", "", "the --nats-node's log file (info level); empty logs warnings to stderr only")
	fs.StringVar(&o.gwArgs, "gateway-args", "", "extra flags for the started gateway, space-separated")
	fs.BoolVar(&o.baseline, "baseline", true, "also measure the bare handler under the same load (not with --webhook-addr)")
	fs.StringVar(&o.webhookAddr, "webhook-addr", "", "a running gateway's webhook listener (host:port); empty starts one")
	fs.StringVar(&o.grpcAddr, "grpc-addr", "", "the running gateway's gRPC listener")
	fs.StringVar(&o.httpAddr, "http-addr", "", "the running gateway's JSON/metrics listener (used to wait until subscribers are registered)")
	fs.IntVar(&o.gatewayPID, "gateway-pid", 0, "the running gateway's pid, for CPU and peak RSS figures")
	fs.StringVar(&o.sc.Name, "name", "custom", "scenario name in the output")
	fs.IntVar(&o.sc.Rate, "rate", 0, "callbacks per second; 0 is as fast as possible")
	fs.IntVar(&o.sc.Conns, "conns", 16, "keep-alive HTTP connections posting callbacks")
	fs.IntVar(&o.sc.SubsAll, "subs-all", 1, "subscribers receiving every event")
	fs.IntVar(&o.sc.SubsApp, "subs-app", 0, "subscribers each receiving one SdkAppid")
	fs.IntVar(&o.sc.SubsCall, "subs-call", 0, "subscribers each receiving one call (its own CallId)")
	fs.IntVar(&o.sc.SubsIdle, "subs-idle", 0, "subscribers filtered on a CallId that never occurs")
	fs.IntVar(&o.sc.SubsSlow, "subs-slow", 0, "subscribers receiving every event but reading only --slow-rate a second")
	fs.IntVar(&o.sc.SlowRate, "slow-rate", 0, "events per second each --subs-slow subscriber reads")
	fs.BoolVar(&o.sc.JSON, "json-stream", false, "subscribers read the JSON stream (GET /v1/events:subscribe, one HTTP connection each) instead of gRPC; only --subs-all")
	fs.IntVar(&o.sc.GRPCConns, "grpc-conns", 0, "gRPC connections for the subscribers; 0 is one per subscriber up to 100, then 50 subscribers per connection")
	fs.IntVar(&o.sc.Apps, "apps", 4, "SdkAppids the traffic spreads over (1-8)")
	fs.StringVar(&o.sc.Mix, "mix", fullMix, "traffic families and weights: calls, live, viewers, trtc, each optionally =weight (e.g. "+earlierMix+", the mix before issue 15)")
	fs.StringVar(&o.trtcKey, "trtc-key", defaultTRTCKey, "key TRTC events are signed with (Sign header) for every app; the gateways the benchmark starts require it; empty sends them unsigned")
	fs.DurationVar(&o.sc.Warmup, "warmup", 2*time.Second, "load before measuring")
	fs.DurationVar(&o.sc.Duration, "duration", 10*time.Second, "measured window")
	fs.BoolVar(&o.scale, "scale", false, "run only the calls-at-scale scenario (issue 11): a log of --scale-calls ended calls, the gateway rebuilt from it, reads under 1,000 webhooks/s")
	fs.IntVar(&o.scaleOpts.Calls, "scale-calls", 1_000_000, "ended calls the scale scenario seeds; with --suite, 0 leaves the scenario out")
	fs.DurationVar(&o.scaleOpts.Settle, "scale-settle", 2*time.Minute, "wait after seeding before the gateway starts, so the seeded ids have left JetStream's duplicate window (a restart reloads that window's ids); also bounds the wait for a garbage collection before the heap is read")
	fs.IntVar(&o.scaleOpts.Rate, "scale-rate", 1000, "webhooks/s of ingest while the scale scenario reads the projection")
	fs.IntVar(&o.scaleOpts.GetRate, "scale-get-rate", 200, "GetCallRecord calls per second in the scale scenario")
	fs.IntVar(&o.scaleOpts.ListRate, "scale-list-rate", 100, "ListCallRecords calls per second in the scale scenario")
	fs.IntVar(&o.scaleOpts.PageSize, "scale-page-size", 50, "ListCallRecords page_size in the scale scenario")
	fs.StringVar(&o.scaleOpts.Dir, "scale-dir", "", "keep the scale scenario's seeded log in this directory and reuse it on the next run (empty: a temporary one)")
	fs.StringVar(&o.rpcFloor, "rpc-floor", "", "measure the latency of an empty RPC (grpc.health.v1 Check) against a running gateway's gRPC address (host:port), back to back and paced, and exit")
	fs.StringVar(&o.scaleSeed, "scale-seed", "", "seed a JetStream log in this directory with --scale-calls ended calls and print what it holds as JSON (used by the benchmark itself)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) { o.centrifugoSet = o.centrifugoSet || f.Name == "centrifugo-bin" })
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.bare {
		return serveBare(o.bareAddr)
	}
	if o.serveGateway {
		return serveProfiledGateway(o.profileDir, o.storeArg, o.dataDir, o.natsURL, o.replicas, o.trtcKey)
	}
	if o.scaleSeed != "" {
		return serveSeed(ctx, o.scaleSeed, o.scaleOpts.Calls, o.sc.Apps, stdout)
	}
	if o.rpcFloor != "" {
		return runFloor(ctx, o.rpcFloor, floorCalls, stdout)
	}
	if o.natsNode.name != "" {
		o.natsNode.profileDir = o.profileDir
		return serveNATSNode(o.natsNode)
	}

	split, err := o.pin(args)
	if err != nil {
		return err
	}
	// Only once pinned: a profiling timer would survive the re-exec and its
	// first signal would kill the new process before Go handles signals.
	if o.cpuProfile != "" {
		stopProfile, err := profileSelf(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	command := "go run ./cmd/trtc-gateway-bench " + strings.Join(args, " ")
	if os.Getenv("MAKELEVEL") != "" && o.suite {
		command = "make bench  # " + command
	}
	if os.Getenv("MAKELEVEL") != "" && o.breakdown {
		command = "make bench-profile  # " + command
	}

	var rows []suiteRecord
	switch {
	case o.suite:
		cfg, err := o.suiteConfig(ctx)
		if err != nil {
			return err
		}
		rows, err = runSuite(ctx, cfg)
		if err != nil {
			return err
		}
		if o.scaleOpts.Calls > 0 {
			scaleRows, err := runScale(ctx, cfg, o.scaleOptions())
			if err != nil {
				return err
			}
			rows = append(rows, scaleRows...)
		}
	case o.breakdown:
		cfg, err := o.suiteConfig(ctx)
		if err != nil {
			return err
		}
		if rows, err = runBreakdown(ctx, cfg); err != nil {
			return err
		}
	case o.scale:
		cfg, err := o.suiteConfig(ctx)
		if err != nil {
			return err
		}
		if rows, err = runScale(ctx, cfg, o.scaleOptions()); err != nil {
			return err
		}
	case o.webhookAddr != "":
		o.sc.Store = "external"
		res, err := runScenario(ctx, o.sc, target{webhook: o.webhookAddr, grpc: o.grpcAddr, http: o.httpAddr, pid: o.gatewayPID, trtcKey: o.trtcKey})
		if err != nil {
			return err
		}
		rows = []suiteRecord{{Name: o.sc.Name, Result: res}}
	default:
		cfg, err := o.suiteConfig(ctx)
		if err != nil {
			return err
		}
		o.sc.Store = o.storeArg
		var bare float64
		if o.baseline {
			sc := o.sc
			sc.Name, sc.Store, sc.NATSNodes = "bare", "bare", 0
			sc.SubsAll, sc.SubsApp, sc.SubsCall, sc.SubsIdle, sc.SubsSlow = 0, 0, 0, 0, 0
			fmt.Fprintf(os.Stderr, "== bare: %s\n", describe(sc))
			res, err := measure(ctx, cfg, sc, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "   %s\n", oneLine(res))
			bare = res.WebhooksPerSec
			rows = append(rows, suiteRecord{Name: "bare", Result: res, RatioBare: 1})
		}
		fmt.Fprintf(os.Stderr, "== %s: %s\n", o.sc.Name, describe(o.sc))
		res, err := measure(ctx, cfg, o.sc, strings.Fields(o.gwArgs))
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "   %s\n", oneLine(res))
		rec := suiteRecord{Name: o.sc.Name, Result: res}
		if bare > 0 {
			rec.RatioBare = res.WebhooksPerSec / bare
		}
		rows = append(rows, rec)
	}

	rep := newReport(command, split, rows)
	if o.suite && o.micro {
		fmt.Fprintf(os.Stderr, "== micro-benchmarks: %s\n", strings.Join(microCommand(), " "))
		if rep.Micro, err = runMicro(ctx); err != nil {
			return err
		}
	}
	rep.printTable(stdout)
	if o.jsonOut != "" {
		if err := rep.writeJSON(o.jsonOut); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "JSON: %s\n", o.jsonOut)
	}
	if o.suite && o.markdown != "" {
		if err := rep.rewriteMarkdown(o.markdown); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Rewrote the tables in %s\n", o.markdown)
	}
	if o.breakdown && o.markdown != "" {
		if err := rep.rewriteBreakdown(o.markdown); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Rewrote the breakdown in %s\n", o.markdown)
	}
	return nil
}

// pin resolves the CPU split and, when this process should be pinned and
// is not yet, re-executes it under taskset (it does not return then). It
// returns the split in words. With two or more CPUs, auto puts the gateway
// (and the bare handler) on the last CPU and the load generator on the
// others; against an external gateway, auto pins nothing.
func (o *options) pin(args []string) (string, error) {
	if v := os.Getenv(pinnedEnv); v != "" {
		o.gwCPUs, o.loadCPUs, _ = strings.Cut(v, "/")
		return splitText(o.gwCPUs, o.loadCPUs), nil
	}
	n, canPin := runtime.NumCPU(), tasksetAvailable()
	external := o.webhookAddr != ""
	if o.gwCPUs == "auto" {
		o.gwCPUs = ""
		if n >= 2 && canPin && !external {
			o.gwCPUs = fmt.Sprint(n - 1)
		}
	}
	if o.loadCPUs == "auto" {
		o.loadCPUs = ""
		if n >= 2 && canPin && !external {
			o.loadCPUs = fmt.Sprintf("0-%d", n-2)
			if n == 2 {
				o.loadCPUs = "0"
			}
		}
	}
	if external {
		o.gwCPUs = ""
	}
	if (o.gwCPUs != "" || o.loadCPUs != "") && !canPin {
		return "", errors.New("--gateway-cpus and --load-cpus need taskset (util-linux)")
	}
	if o.loadCPUs == "" {
		return splitText(o.gwCPUs, o.loadCPUs), nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		return "", err
	}
	env := append(os.Environ(), pinnedEnv+"="+o.gwCPUs+"/"+o.loadCPUs)
	argv := append([]string{"taskset", "-c", o.loadCPUs, self}, args...)
	return "", syscall.Exec(taskset, argv, env)
}

func splitText(gw, load string) string {
	gwText, loadText := "no CPU in particular", "no CPU in particular"
	if gw != "" {
		gwText = "CPU " + gw
	}
	if load != "" {
		loadText = "CPU " + load
	}
	return fmt.Sprintf("gateway (with its NATS nodes, when it runs on a cluster) and bare handler on %s, load generator and subscribers on %s (taskset)", gwText, loadText)
}

func (o *options) suiteConfig(ctx context.Context) (suiteConfig, error) {
	cfg := suiteConfig{
		profileDir:  o.profileDir,
		gatewayBin:  o.bin,
		gatewayCPUs: o.gwCPUs,
		outDir:      o.outDir,
		conns:       o.sc.Conns,
		warmup:      o.sc.Warmup,
		duration:    o.sc.Duration,
		trtcKey:     o.trtcKey,
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return cfg, err
	}
	if cfg.gatewayBin == "" {
		bin, err := buildGateway(ctx, filepath.Join(o.outDir, "bin"))
		if err != nil {
			return cfg, err
		}
		cfg.gatewayBin = bin
	}
	cfg.flags = probeGateway(cfg.gatewayBin)
	if o.centrifugoBin != "" {
		bin := absPath(o.centrifugoBin)
		if _, err := os.Stat(bin); err == nil {
			cfg.centrifugoBin = bin
		} else if o.centrifugoSet || o.storeArg == "centrifugo" {
			return cfg, fmt.Errorf("--centrifugo-bin: %w (make bench builds it: cd tools/centrifugo && go build -o ../../.bin/ tool)", err)
		}
	}
	return cfg, nil
}
