package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/checkpoint"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// scaleOptions shape the calls-at-scale scenario (issue 11): a JetStream log
// seeded with Calls ended calls, a gateway restarted on it, then 1,000
// webhooks/s of ingest while clients read the call projection.
type scaleOptions struct {
	// Calls is how many ended calls the log holds before the gateway starts.
	Calls int
	// Settle is how long after seeding the gateway starts: JetStream keeps the
	// ids of the events of its duplicate window (2 minutes) in memory and
	// reloads them at start, which a restarted production gateway does only
	// for its last 2 minutes of traffic, not for its whole log. The gateway
	// with an empty log is measured meanwhile.
	Settle time.Duration
	// Rate is the webhooks/s of ingest while the projection is read.
	Rate int
	// GetRate and ListRate are GetCallRecord and ListCallRecords calls per second.
	GetRate, ListRate int
	// PageSize is ListCallRecords' page_size.
	PageSize int
	// Apps is how many SdkAppids the calls spread over.
	Apps int
	// Warmup and Duration are the ingest's warm-up and measured window.
	Warmup, Duration time.Duration
	// Conns is the ingest's HTTP connections.
	Conns int
	// Dir, when set, keeps the seeded log there (Dir/full, described by
	// Dir/seed.json) and reuses it when it is already there; empty seeds a
	// temporary one.
	Dir string
}

// scaleSeedWorkers append concurrently: one synchronous append at a time
// would leave JetStream idle between acks.
const scaleSeedWorkers = 128

// scaleSpacing is the time between two seeded events' EventTime: a million
// calls span about a month (about ten readings a call), so time windows select a small part of them.
const scaleSpacing = 250 * time.Millisecond

// scaleTicksPerCall is how many clock readings the seeding budgets per call.
const scaleTicksPerCall = 16

// seedResult is what the seeded log holds.
type seedResult struct {
	Events uint64 `json:"events"` // every event appended (= the stream's head)
	Calls  int    `json:"calls"`
	// From and To bound the seeded calls' times.
	From time.Time     `json:"from"`
	To   time.Time     `json:"to"`
	Took time.Duration `json:"took_ns"`
	// Apps and RunID name the calls: call i is model.CallID(i) of Apps[i % len(Apps)].
	Apps  []uint32 `json:"apps"`
	RunID uint32   `json:"run_id"`
	model *traffic.Model
}

// serveSeed is --scale-seed: it seeds dir and prints the seedResult as JSON.
func serveSeed(ctx context.Context, dir string, calls, apps int, stdout io.Writer) error {
	if apps < 1 || apps > len(defaultApps) {
		return fmt.Errorf("--apps=%d: use 1 to %d", apps, len(defaultApps))
	}
	seed, err := seedCalls(ctx, dir, calls, defaultApps[:apps])
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(seed)
}

// seedUnpinned seeds dir in a child process on every CPU: seeding is not
// measured, and until the gateway starts the CPU set aside for it is idle.
func seedUnpinned(ctx context.Context, dir string, calls, apps int) (seedResult, error) {
	self, err := os.Executable()
	if err != nil {
		return seedResult{}, err
	}
	argv := []string{self, "--scale-seed=" + dir, "--scale-calls=" + strconv.Itoa(calls), "--apps=" + strconv.Itoa(apps)}
	if tasksetAvailable() {
		argv = append([]string{"taskset", "-c", fmt.Sprintf("0-%d", machineCPUs()-1)}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return seedResult{}, fmt.Errorf("seeding in a child process: %w", err)
	}
	var seed seedResult
	if err := json.Unmarshal(out, &seed); err != nil {
		return seedResult{}, fmt.Errorf("seeding in a child process: its answer %q: %w", out, err)
	}
	seed.model = &traffic.Model{Apps: seed.Apps, RunID: seed.RunID}
	return seed, nil
}

// machineCPUs counts the machine's CPUs from /proc/cpuinfo: runtime.NumCPU
// sees only those this process is pinned to.
func machineCPUs() int {
	n := 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "processor") {
				n++
			}
		}
	}
	return max(n, runtime.NumCPU())
}

// scaleRetention is the --retention (stream MaxMsgs) that keeps every seeded
// event and the ingest that follows, with room to spare.
func scaleRetention(calls int) int { return 10*calls + 10_000_000 }

// seedCalls appends calls ended calls, as the gateway's webhook would have
// decoded them (same ids, subjects and headers: the gateway's own eventlog
// writes them), to the JetStream stream under dataDir, through a NATS server
// embedded in this process that is stopped before returning.
func seedCalls(ctx context.Context, dataDir string, calls int, apps []uint32) (seedResult, error) {
	cfg := server.DefaultConfig()
	start := time.Now()
	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: dataDir})
	if err != nil {
		return seedResult{}, fmt.Errorf("seeding: starting NATS in %s: %w", dataDir, err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		return seedResult{}, fmt.Errorf("seeding: %w", err)
	}
	defer nc.Close()
	js, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{
		Stream:          cfg.Stream,
		MaxMsgs:         int64(scaleRetention(calls)),
		Replicas:        cfg.StreamReplicas,
		DuplicateWindow: cfg.DedupWindow,
	})
	if err != nil {
		return seedResult{}, fmt.Errorf("seeding: %w", err)
	}
	defer js.Close()

	model := &traffic.Model{Apps: apps, Mix: traffic.Mix{traffic.Calls: 1}, ActiveCalls: 1, RunID: rand.Uint32()}
	// A synthetic clock, one tick per reading, ending before now: event
	// times are spread as in a log that filled over days, in append order.
	// A call reads it about ten times (its events and their bodies' times),
	// but how many events a call has is random, so the budget is half as
	// large again and the clock stops at its end rather than run past now.
	budget := int64(scaleTicksPerCall) * int64(calls)
	from := time.Now().Add(-time.Duration(budget+1) * scaleSpacing)
	var ticks atomic.Int64
	clock := func() time.Time { return from.Add(time.Duration(min(ticks.Add(1), budget)) * scaleSpacing) }

	var (
		wg       sync.WaitGroup
		events   atomic.Uint64
		mu       sync.Mutex
		firstErr error
	)
	seedCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := range scaleSeedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := seedWorker(seedCtx, js, model, w, int64(calls), clock, &events); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return seedResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return seedResult{}, err
	}
	_, head, err := js.Bounds(ctx)
	if err != nil {
		return seedResult{}, fmt.Errorf("seeding: %w", err)
	}
	if head != events.Load() {
		return seedResult{}, fmt.Errorf("seeding: appended %d events but the stream's head is %d", events.Load(), head)
	}
	return seedResult{Events: head, Calls: calls, From: from, To: clock(), Took: time.Since(start), Apps: apps, RunID: model.RunID, model: model}, nil
}

// seedWorker plays calls one at a time, start to end, until the next call to
// start is number calls or later: calls 0 … calls-1 each run to their end on
// one worker, so the log holds exactly calls ended calls, in the order
// their callbacks would have arrived.
func seedWorker(ctx context.Context, js *eventlog.JetStream, model *traffic.Model, w int, calls int64, clock func() time.Time, events *atomic.Uint64) error {
	g := traffic.NewGenerator(model, w, clock)
	clientIP := fmt.Sprintf("203.0.113.%d", w%250+1)
	queries := map[string]url.Values{}
	for ctx.Err() == nil {
		wh := g.Next()
		if wh.Command == "Call.CallbackAfterStartCall" && wh.Call >= calls {
			return nil
		}
		qk := strconv.FormatUint(uint64(wh.App), 10) + wh.Command
		q, ok := queries[qk]
		if !ok {
			var err error
			if q, err = url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, clientIP, "iOS")); err != nil {
				return err
			}
			queries[qk] = q
		}
		ev, err := callback.Decode(q, wh.Body, clock())
		if err != nil {
			return fmt.Errorf("seeding: decoding %s: %w", wh.Command, err)
		}
		if _, err := js.Append(ctx, ev); err != nil {
			return fmt.Errorf("seeding: %w", err)
		}
		events.Add(1)
	}
	return ctx.Err()
}

// metrics is one scrape of the gateway's /metrics: every sample without
// labels, by name.
type metrics map[string]float64

func scrape(ctx context.Context, httpAddr string) (metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: HTTP %d", resp.StatusCode)
	}
	m := metrics{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if name, v, ok := parseSample(sc.Text()); ok {
			m[name] = v
		}
	}
	return m, sc.Err()
}

// parseSample reads a Prometheus text line "name value" of a sample without
// labels; comments and labelled samples are not read.
func parseSample(line string) (string, float64, bool) {
	if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
		return "", 0, false
	}
	name, v, ok := strings.Cut(line, " ")
	if !ok {
		return "", 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return name, f, err == nil
}

// liveHeap is the heap the gateway's last garbage collection found live: the
// collector sets the next goal to live × (1 + GOGC/100) (stacks and globals
// add a few hundred KiB, nothing at this scale).
func (m metrics) liveHeap() float64 {
	gogc := m["go_gc_gogc_percent"]
	if gogc <= 0 {
		gogc = 100
	}
	return m["go_memstats_next_gc_bytes"] / (1 + gogc/100)
}

// heapAfterGC waits, at most bound, for a garbage collection after now and
// returns the live heap it found and the scrape; exact is false when none
// ran in time (then the live heap is that of the last collection before).
// An idle Go process collects at least every two minutes.
func heapAfterGC(ctx context.Context, httpAddr string, bound time.Duration) (live float64, m metrics, exact bool, err error) {
	mark := float64(time.Now().UnixNano()) / 1e9
	deadline := time.Now().Add(bound)
	for {
		if m, err = scrape(ctx, httpAddr); err != nil {
			return 0, nil, false, err
		}
		if m["go_memstats_last_gc_time_seconds"] > mark {
			return m.liveHeap(), m, true, nil
		}
		if time.Now().After(deadline) {
			return m.liveHeap(), m, false, nil
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return 0, nil, false, err
		}
	}
}

// startScaleGateway starts a jetstream gateway on dataDir with the
// retention of the scale scenario.
func startScaleGateway(ctx context.Context, cfg suiteConfig, dataDir string, calls int) (*child, target, error) {
	args := []string{cfg.gatewayBin, "--store=jetstream", "--data-dir=" + dataDir,
		"--retention=" + strconv.Itoa(scaleRetention(calls)),
		"--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0", "--http-addr=127.0.0.1:0",
		"--log-format=json", "--log-level=info",
		// Long enough for the final checkpoints of a million calls.
		"--shutdown-timeout=" + (scaleStopBound - 15*time.Second).String(),
	}
	if cfg.trtcKey != "" && cfg.flags.trtcKey {
		args = append(args, trtcKeyFlag(cfg.trtcKey))
	}
	c, err := startChild(ctx, "gateway", cfg.gatewayCPUs, args, "webhook", "grpc", "http")
	if err != nil {
		return nil, target{}, err
	}
	return c, target{webhook: c.addrs["webhook"], grpc: c.addrs["grpc"], http: c.addrs["http"], pid: c.pid, warnings: c.warnings, trtcKey: cfg.trtcKey}, nil
}

// scaleResult is what the scale scenario measured.
type scaleResult struct {
	Seed seedResult
	// Rebuild is from the gateway's exec to its follower holding the seeded
	// head; RebuildRate is seeded events per second of it.
	Rebuild     time.Duration
	RebuildRate float64
	// Rebuilt is the events the follower had handed over when it was ready.
	Rebuilt uint64
	// Stop is the graceful stop after the reads, which writes the final
	// checkpoints; Restart is the next start's exec to ready, restored from
	// them, at sequence Restored (RestartRate events of the log per second
	// of it); RestartRSS is the restarted gateway's resident set then.
	Stop, Restart time.Duration
	Restored      uint64
	RestartRate   float64
	RestartRSS    float64
	// HeapEmpty and HeapFull are the live heap of the gateway with an empty
	// log and with the seeded one (after the load); HeapExact says both came
	// from a collection observed after the measurement began.
	HeapEmpty, HeapFull float64
	HeapExact           bool
	// RSSEmpty and RSSFull are the resident sets at the same moments.
	RSSEmpty, RSSFull float64
	// CallsHeld is the projection's calls when HeapFull was read.
	CallsHeld    float64
	BytesPerCall float64
	Get, List    queryStats
	// Floor is grpc.health.v1.Health/Check, an RPC that does no work, asked
	// at the GetCallRecord rate on the same connection in the same window:
	// the latency any RPC gets from this machine and CPU split under the
	// ingest, so that the projection's own share shows.
	Floor  queryStats
	Ingest *Result
}

// queryStats is one RPC's latency and errors during the window.
type queryStats struct {
	hist      histogram
	Errors    uint64
	FirstErr  string
	PagesNext uint64 // ListCallRecords calls that followed a page_token
	Latency   Latency
}

func (q *queryStats) fail(err error) {
	q.Errors++
	if q.FirstErr == "" {
		q.FirstErr = err.Error()
	}
}

// runScale runs the calls-at-scale scenario and returns its report rows.
func runScale(ctx context.Context, cfg suiteConfig, so scaleOptions) ([]suiteRecord, error) {
	if so.Calls <= 0 || so.Apps < 1 || so.Apps > len(defaultApps) || so.Rate < 0 || so.GetRate <= 0 || so.ListRate <= 0 || so.PageSize <= 0 {
		return nil, fmt.Errorf("scale scenario: calls %d, apps %d, rate %d, get rate %d, list rate %d, page size %d: every one must be positive (apps 1-%d)",
			so.Calls, so.Apps, so.Rate, so.GetRate, so.ListRate, so.PageSize, len(defaultApps))
	}
	if !cfg.flags.jetstream || !cfg.flags.dataDir {
		const why = "not available: the gateway has no --store=jetstream with --data-dir"
		fmt.Fprintf(os.Stderr, "== S6-scale: %s\n", why)
		return []suiteRecord{{Name: "S6-scale", Skipped: why}}, nil
	}
	if cfg.profileDir != "" {
		fmt.Fprintln(os.Stderr, "== S6-scale: --profile does not cover this scenario (its gateway is the built binary, with the retention it needs); profile a rebuild with BenchmarkRebuildJetStream in server/follower")
	}
	apps := defaultApps[:so.Apps]
	dir := so.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp(cfg.outDir, "scale-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	full, empty := filepath.Join(dir, "full"), filepath.Join(dir, "empty")
	_ = os.RemoveAll(empty)
	defer os.RemoveAll(empty)

	seed, reused, err := loadSeed(dir, so.Calls, len(apps))
	if err != nil {
		return nil, err
	}
	seeded := time.Now()
	if reused {
		fmt.Fprintf(os.Stderr, "== S6-scale: reusing the log of %s ended calls in %s (seeded %s)\n", thousands(float64(seed.Calls)), full, seed.To.Format(time.RFC3339))
		seeded = time.Time{} // long out of the duplicate window
	} else {
		fmt.Fprintf(os.Stderr, "== S6-scale: seeding %s ended calls into %s\n", thousands(float64(so.Calls)), full)
		if seed, err = seedUnpinned(ctx, full, so.Calls, len(apps)); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "   seeded %s events in %.1f s (%s events/s)\n", thousands(float64(seed.Events)), seed.Took.Seconds(), thousands(float64(seed.Events)/seed.Took.Seconds()))
		if so.Dir != "" {
			if err := saveSeed(dir, seed); err != nil {
				return nil, err
			}
		}
	}
	res := &scaleResult{Seed: seed}

	// The empty gateway, measured while the seeded events leave JetStream's
	// duplicate window.
	{
		c, tgt, err := startScaleGateway(ctx, cfg, empty, so.Calls)
		if err != nil {
			return nil, err
		}
		bound := max(time.Until(seeded.Add(so.Settle)), 5*time.Second)
		live, m, exact, err := heapAfterGC(ctx, tgt.http, bound)
		c.stop()
		if err != nil {
			return nil, fmt.Errorf("S6-scale: the empty gateway's metrics: %w", err)
		}
		res.HeapEmpty, res.RSSEmpty, res.HeapExact = live, m["process_resident_memory_bytes"], exact
		fmt.Fprintf(os.Stderr, "   empty log: live heap %s, RSS %s\n", mib(int64(live)), mib(int64(res.RSSEmpty)))
	}
	if err := sleep(ctx, time.Until(seeded.Add(so.Settle))); err != nil {
		return nil, err
	}

	// A log reused from an earlier run holds that run's checkpoints: the
	// cold start must rebuild from the log alone.
	if err := dropCheckpoints(ctx, full); err != nil {
		return nil, fmt.Errorf("S6-scale: %w", err)
	}
	startedAt := time.Now()
	c, tgt, err := startScaleGateway(ctx, cfg, full, so.Calls)
	if err != nil {
		return nil, err
	}
	defer func() { c.stop() }()
	if res.Rebuilt, err = awaitRebuild(ctx, tgt, seed); err != nil {
		return nil, fmt.Errorf("S6-scale: %w (last log lines: %s)", err, c.lastLines())
	}
	res.Rebuild = time.Since(startedAt)
	res.RebuildRate = float64(res.Rebuilt) / res.Rebuild.Seconds()
	fmt.Fprintf(os.Stderr, "   rebuilt %s events in %.2f s (%s events/s)\n", thousands(float64(res.Rebuilt)), res.Rebuild.Seconds(), thousands(res.RebuildRate))

	if err := driveQueries(ctx, so, seed, tgt, res); err != nil {
		return nil, fmt.Errorf("S6-scale: %w (last log lines: %s)", err, c.lastLines())
	}
	live, m, exact, err := heapAfterGC(ctx, tgt.http, max(so.Settle+10*time.Second, 5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("S6-scale: %w", err)
	}
	res.HeapFull, res.RSSFull, res.CallsHeld = live, m["process_resident_memory_bytes"], m["trtcgw_state_calls"]
	res.HeapExact = res.HeapExact && exact
	if res.CallsHeld > 0 {
		res.BytesPerCall = (res.HeapFull - res.HeapEmpty) / res.CallsHeld
	}
	fmt.Fprintf(os.Stderr, "   %s calls held: live heap %s, RSS %s, %.0f B/call\n", thousands(res.CallsHeld), mib(int64(live)), mib(int64(res.RSSFull)), res.BytesPerCall)

	// The restart: a graceful stop writes the projections' checkpoints,
	// and the next start restores them and replays only what followed.
	stopAt := time.Now()
	c.stopWithin(scaleStopBound)
	res.Stop = time.Since(stopAt)
	restartAt := time.Now()
	restarted, rtgt, err := startScaleGateway(ctx, cfg, full, so.Calls)
	if err != nil {
		return nil, fmt.Errorf("S6-scale restart: %w", err)
	}
	c, tgt = restarted, rtgt
	if res.Restored, err = awaitRebuild(ctx, tgt, seed); err != nil {
		return nil, fmt.Errorf("S6-scale restart: %w (last log lines: %s)", err, c.lastLines())
	}
	res.Restart = time.Since(restartAt)
	res.RestartRate = float64(res.Restored) / res.Restart.Seconds()
	if m, err := scrape(ctx, tgt.http); err == nil {
		res.RestartRSS = m["process_resident_memory_bytes"]
	}
	fmt.Fprintf(os.Stderr, "   graceful stop (final checkpoint) %.2f s; restart ready at sequence %s in %.2f s (%s events/s), RSS %s\n",
		res.Stop.Seconds(), thousands(float64(res.Restored)), res.Restart.Seconds(), thousands(res.RestartRate), mib(int64(res.RestartRSS)))
	rows := res.rows(so)
	for _, row := range rows {
		fmt.Fprintf(os.Stderr, "   %s: %s (target: %s)\n", row.Name, row.Measured, row.Target)
	}
	return rows, nil
}

// scaleStopBound bounds the graceful stop before the restart: the final
// checkpoint of a million calls is written within the gateway's shutdown.
const scaleStopBound = 2 * time.Minute

// dropCheckpoints deletes the checkpoints a gateway kept beside the log in
// the JetStream data directory dir, if any.
func dropCheckpoints(ctx context.Context, dir string) error {
	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: dir})
	if err != nil {
		return fmt.Errorf("dropping checkpoints: %w", err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		return fmt.Errorf("dropping checkpoints: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("dropping checkpoints: %w", err)
	}
	bucket := checkpoint.BucketName(server.DefaultConfig().Stream)
	if err := js.DeleteObjectStore(ctx, bucket); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrBucketNotFound) {
		return fmt.Errorf("dropping checkpoints: bucket %s: %w", bucket, err)
	}
	return nil
}

// awaitRebuild waits until the gateway's CallService answers (it answers
// UNAVAILABLE, "rebuilding", until its follower has caught up with the head
// the log had at start) and returns the follower's sequence then.
func awaitRebuild(ctx context.Context, tgt target, seed seedResult) (uint64, error) {
	conn, err := grpc.NewClient(tgt.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	client := gatewayv1.NewCallServiceClient(conn)
	probe := randomGet(rand.New(rand.NewPCG(0, 0)), seed)
	deadline := time.Now().Add(30 * time.Minute)
	for {
		_, err := client.GetCallRecord(ctx, probe)
		switch status.Code(err) {
		case codes.OK:
			m, err := scrape(ctx, tgt.http)
			if err != nil {
				return 0, err
			}
			return uint64(m["trtcgw_follower_sequence"]), nil
		case codes.Unavailable:
		default:
			return 0, fmt.Errorf("GetCallRecord of seeded call %s: %w", probe.GetCallId(), err)
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the gateway is still rebuilding after 30 minutes: %w", err)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

// loadSeed reads dir/seed.json, the description of a log seeded earlier
// with the same calls and apps; reused is false when there is none.
func loadSeed(dir string, calls, apps int) (seed seedResult, reused bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, "seed.json"))
	if errors.Is(err, os.ErrNotExist) {
		return seedResult{}, false, nil
	}
	if err != nil {
		return seedResult{}, false, err
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		return seedResult{}, false, fmt.Errorf("%s: %w", filepath.Join(dir, "seed.json"), err)
	}
	if seed.Calls != calls || len(seed.Apps) != apps {
		return seedResult{}, false, fmt.Errorf("%s holds %d calls of %d apps, not %d of %d: remove it or use another --scale-dir", dir, seed.Calls, len(seed.Apps), calls, apps)
	}
	seed.model = &traffic.Model{Apps: seed.Apps, RunID: seed.RunID}
	return seed, true, nil
}

func saveSeed(dir string, seed seedResult) error {
	b, err := json.Marshal(seed)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "seed.json"), b, 0o644)
}

// driveQueries runs the ingest at so.Rate and, during its measured window,
// the GetCallRecord and ListCallRecords clients.
func driveQueries(ctx context.Context, so scaleOptions, seed seedResult, tgt target, res *scaleResult) error {
	conn, err := grpc.NewClient(tgt.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := gatewayv1.NewCallServiceClient(conn)

	qctx, stopQueries := context.WithCancel(ctx)
	defer stopQueries()
	var wg sync.WaitGroup
	var measuring atomic.Bool
	accounts := newAccountRing()
	const workers = 4
	gets, lists, floors := make([]queryStats, workers), make([]queryStats, workers), make([]queryStats, workers)
	health := healthpb.NewHealthClient(conn)
	for w := range workers {
		wg.Add(3)
		go func() {
			defer wg.Done()
			paced(qctx, float64(so.GetRate)/workers, func() {
				t0 := time.Now()
				_, err := health.Check(qctx, &healthpb.HealthCheckRequest{})
				d := time.Since(t0)
				if qctx.Err() != nil || !measuring.Load() {
					return
				}
				floors[w].hist.record(d)
				if err != nil {
					floors[w].fail(err)
				}
			})
		}()
		rng := rand.New(rand.NewPCG(uint64(w), uint64(seed.model.RunID)))
		go func() {
			defer wg.Done()
			paced(qctx, float64(so.GetRate)/workers, func() {
				req := randomGet(rng, seed)
				t0 := time.Now()
				resp, err := client.GetCallRecord(qctx, req)
				d := time.Since(t0)
				if qctx.Err() != nil || !measuring.Load() {
					return
				}
				gets[w].hist.record(d)
				if err != nil {
					gets[w].fail(err)
					return
				}
				accounts.add(req.GetSdkAppId(), resp.GetCallRecord().GetCallerAccount())
			})
		}()
		rng2 := rand.New(rand.NewPCG(uint64(w)+workers, uint64(seed.model.RunID)))
		go func() {
			defer wg.Done()
			var next *gatewayv1.ListCallRecordsRequest
			paced(qctx, float64(so.ListRate)/workers, func() {
				req := next
				followed := req != nil
				if req == nil {
					req = randomList(rng2, seed, so.PageSize, accounts)
				}
				next = nil
				t0 := time.Now()
				resp, err := client.ListCallRecords(qctx, req)
				d := time.Since(t0)
				if qctx.Err() != nil {
					return
				}
				if err == nil && resp.GetNextPageToken() != "" && rng2.IntN(2) == 0 {
					// Half the time, the next page of the same query.
					next = cloneList(req)
					next.PageToken = resp.GetNextPageToken()
				}
				if !measuring.Load() {
					return
				}
				lists[w].hist.record(d)
				if followed {
					lists[w].PagesNext++
				}
				if err != nil {
					lists[w].fail(err)
				}
			})
		}()
	}
	tgt.window = func(start bool) { measuring.Store(start) }
	sc := Scenario{Name: "S6-scale", Store: "jetstream", Rate: so.Rate, Conns: so.Conns, Apps: so.Apps, Mix: fullMix, Warmup: so.Warmup, Duration: so.Duration}
	ingest, err := runScenario(ctx, sc, tgt)
	stopQueries()
	wg.Wait()
	if err != nil {
		return err
	}
	res.Ingest = ingest
	for w := range workers {
		res.Get.merge(&gets[w])
		res.List.merge(&lists[w])
		res.Floor.merge(&floors[w])
	}
	res.Get.Latency, res.List.Latency = res.Get.hist.summary(), res.List.hist.summary()
	res.Floor.Latency = res.Floor.hist.summary()
	return nil
}

func (q *queryStats) merge(o *queryStats) {
	q.hist.merge(&o.hist)
	q.Errors += o.Errors
	q.PagesNext += o.PagesNext
	if q.FirstErr == "" {
		q.FirstErr = o.FirstErr
	}
}

// paced calls fn rate times a second, on a schedule that does not drift, until
// ctx ends; a late call is made at once, not skipped.
func paced(ctx context.Context, rate float64, fn func()) {
	if rate <= 0 {
		return
	}
	interval := time.Duration(float64(time.Second) / rate)
	next := time.Now()
	for ctx.Err() == nil {
		fn()
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			if sleep(ctx, d) != nil {
				return
			}
		}
	}
}

// randomGet asks for the record of a seeded call drawn at random.
func randomGet(rng *rand.Rand, seed seedResult) *gatewayv1.GetCallRecordRequest {
	i := rng.Int64N(int64(seed.Calls))
	return &gatewayv1.GetCallRecordRequest{SdkAppId: seed.model.Apps[i%int64(len(seed.model.Apps))], CallId: seed.model.CallID(i)}
}

// The list queries of the mix, in turn.
const (
	listAll = iota
	listWindow
	listResult
	listType
	listAccount
	listKinds
)

// randomList is one list query of the mix: no filter, an hour's window, a
// result, a call type, or an account (a caller a GetCallRecord returned, as
// caller or callee), on an app drawn at random.
func randomList(rng *rand.Rand, seed seedResult, pageSize int, accounts *accountRing) *gatewayv1.ListCallRecordsRequest {
	app := seed.model.Apps[rng.IntN(len(seed.model.Apps))]
	req := &gatewayv1.ListCallRecordsRequest{SdkAppId: app, PageSize: int32(pageSize)}
	switch rng.IntN(listKinds) {
	case listWindow:
		span := seed.To.Sub(seed.From) - time.Hour
		from := seed.From.Add(time.Duration(rng.Int64N(int64(max(span, time.Second)))))
		req.StartTime, req.EndTime = timestamppb.New(from), timestamppb.New(from.Add(time.Hour))
	case listResult:
		results := []gatewayv1.CallResult{gatewayv1.CallResult_CALL_RESULT_NORMAL_END, gatewayv1.CallResult_CALL_RESULT_REJECT,
			gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER, gatewayv1.CallResult_CALL_RESULT_CANCEL}
		req.CallResult = results[rng.IntN(len(results))]
	case listType:
		req.CallType = []gatewayv1.CallType{gatewayv1.CallType_CALL_TYPE_SINGLE_CALL, gatewayv1.CallType_CALL_TYPE_MULTI_CALL}[rng.IntN(2)]
	case listAccount:
		if a, ok := accounts.pick(rng, app); ok {
			if rng.IntN(2) == 0 {
				req.CallerAccount = a
			} else {
				req.CalleeAccount = a
			}
		}
	}
	return req
}

func cloneList(r *gatewayv1.ListCallRecordsRequest) *gatewayv1.ListCallRecordsRequest {
	return &gatewayv1.ListCallRecordsRequest{
		SdkAppId: r.SdkAppId, StartTime: r.StartTime, EndTime: r.EndTime, CallResult: r.CallResult, CallType: r.CallType,
		CallerAccount: r.CallerAccount, CalleeAccount: r.CalleeAccount, RoomId: r.RoomId, PageSize: r.PageSize,
	}
}

// accountRing keeps the last accounts GetCallRecord returned, per app, for
// the account filters of the list queries.
type accountRing struct {
	mu  sync.Mutex
	per map[uint32][]string
	at  map[uint32]int
}

const accountRingSize = 256

func newAccountRing() *accountRing {
	return &accountRing{per: map[uint32][]string{}, at: map[uint32]int{}}
}

func (a *accountRing) add(app uint32, account string) {
	if account == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.per[app]
	if len(l) < accountRingSize {
		a.per[app] = append(l, account)
		return
	}
	l[a.at[app]] = account
	a.at[app] = (a.at[app] + 1) % accountRingSize
}

func (a *accountRing) pick(rng *rand.Rand, app uint32) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.per[app]
	if len(l) == 0 {
		return "", false
	}
	return l[rng.IntN(len(l))], true
}

// Targets of issue 11, item 7.
const (
	scaleGetP99     = 1.0  // ms
	scaleListP99    = 10.0 // ms
	scaleRebuildMin = 100_000
)

// rows are the scale scenario's rows of the suite's table.
func (r *scaleResult) rows(so scaleOptions) []suiteRecord {
	base := func(name string) *Result {
		res := *r.Ingest
		res.Name = name
		res.Latency = Latency{}
		return &res
	}
	calls := thousands(float64(r.Seed.Calls))
	rebuild := base("S6-scale rebuild")
	rebuildMet := r.RebuildRate >= scaleRebuildMin
	restart := base("S6-scale restart")
	restartMet := r.RestartRate >= scaleRebuildMin
	// A read row carries the RPC's latencies and errors; it is met when its
	// p99 is within the bound with no error.
	read := func(name string, q queryStats, p99 float64) (*Result, bool) {
		row := base(name)
		row.Latency = q.Latency
		row.StreamErrors += q.Errors
		if row.FirstError == "" {
			row.FirstError = q.FirstErr
		}
		return row, q.Latency.P99 <= p99 && row.errors() == 0 && q.Latency.Count > 0
	}
	get, getMet := read("S6-scale GetCallRecord", r.Get, scaleGetP99)
	list, listMet := read("S6-scale ListCallRecords", r.List, scaleListP99)
	mem := base("S6-scale memory")
	how := "live heap after a collection"
	if !r.HeapExact {
		how = "live heap at the last collection (none ran while measured)"
	}
	return []suiteRecord{
		{Name: rebuild.Name, Result: rebuild, Target: "rebuild ≥ 100,000 events/s", Met: &rebuildMet,
			Measured: fmt.Sprintf("%s events/s: %s events (%s calls) from exec to ready in %.1f s, from the log alone (no checkpoint)", thousands(r.RebuildRate), thousands(float64(r.Rebuilt)), calls, r.Rebuild.Seconds())},
		{Name: restart.Name, Result: restart, Target: "rebuild after restart ≥ 100,000 events/s", Met: &restartMet,
			Measured: fmt.Sprintf("%s events/s: ready at sequence %s %.1f s after exec, restored from the checkpoints the graceful stop wrote (that stop took %.1f s); RSS %s", thousands(r.RestartRate), thousands(float64(r.Restored)), r.Restart.Seconds(), r.Stop.Seconds(), mib(int64(r.RestartRSS)))},
		{Name: get.Name, Result: get, Target: "p99 ≤ 1 ms", Met: &getMet,
			Measured: fmt.Sprintf("p50 %.3f ms, p99 %.3f ms, %s calls, %d errors; %s calls retained, %s webhooks/s ingest; %s", r.Get.Latency.P50, r.Get.Latency.P99, thousands(float64(r.Get.Latency.Count)), r.Get.Errors, calls, thousands(r.Ingest.WebhooksPerSec), r.floor())},
		{Name: list.Name, Result: list, Target: "page p99 ≤ 10 ms", Met: &listMet,
			Measured: fmt.Sprintf("p50 %.3f ms, p99 %.3f ms, %s pages of %d (%s by page_token), %d errors", r.List.Latency.P50, r.List.Latency.P99, thousands(float64(r.List.Latency.Count)), so.PageSize, thousands(float64(r.List.PagesNext)), r.List.Errors)},
		{Name: mem.Name, Result: mem, Target: "memory per retained call stated",
			Measured: fmt.Sprintf("%.0f B/call (%s: %s with %s calls, %s with an empty log); RSS %s vs %s", r.BytesPerCall, how,
				mib(int64(r.HeapFull)), thousands(r.CallsHeld), mib(int64(r.HeapEmpty)), mib(int64(r.RSSFull)), mib(int64(r.RSSEmpty)))},
	}
}

// floor describes the health checks' latency beside the reads'.
func (r *scaleResult) floor() string {
	f := r.Floor
	if f.Latency.Count == 0 {
		return "no health check measured"
	}
	return fmt.Sprintf("an empty RPC (health Check) in the same window: p50 %.3f ms, p99 %.3f ms, %d errors", f.Latency.P50, f.Latency.P99, f.Errors)
}

// scaleOptions completes the scale flags with the load's: its connections
// and warm-up, and a window of at least 20 seconds, so that the list
// latencies' p99 rests on a thousand pages or more.
func (o *options) scaleOptions() scaleOptions {
	so := o.scaleOpts
	so.Apps, so.Conns, so.Warmup = o.sc.Apps, o.sc.Conns, o.sc.Warmup
	so.Duration = max(o.sc.Duration, 20*time.Second)
	return so
}
