package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"golang.org/x/time/rate"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
)

const simulateUsage = `
Usage: trtc-gateway simulate [flags]

Post realistic callback traffic to the gateway or any URL, as Tencent would:
calls that ring and are answered, rejected or missed, with latecomers and
hang-ups, each ending with a call record; live rooms created and destroyed,
with viewers entering and leaving, seats, gifts, group messages and battles;
and TRTC room and media events. Live rooms are far chattier than calls, as
in a real app. Callbacks are signed when --webhook-token or --trtc-key is
given. It stops after --count callbacks or --duration (or on Ctrl-C), then
prints a summary: sent, OK, failed by answer, latency p50/p99 and the mix.
On a terminal a progress line shows while it runs. The exit status is 1
when any callback was not accepted.

--mix picks families, each optionally weighted (name=weight):
  calls    TUICallKit calls (Call.*)                                default 1
  live     TUILiveKit rooms (Live.*, Mic.*, Group.*)               default 4
  viewers  only viewers entering and leaving live rooms             default 4
  trtc     TRTC room and media events (headers SdkAppId, Sign)      default 3

Examples:
  trtc-gateway simulate --count 100
  trtc-gateway simulate --rate 200 --duration 1m --mix calls=1,live=9
  trtc-gateway simulate --count 1000 --mix calls,live,trtc --sdk-app-id 1400000001,1400000002
  TRTCGW_WEBHOOK_TOKEN=1400000001=secret trtc-gateway simulate --count 100
`

func runSimulate(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "simulate", simulateUsage)
	var wf webhookFlags
	wf.register(fs)
	var apps appsFlag
	fs.Var(&apps, "sdk-app-id", "SdkAppids the traffic spreads over (repeatable; default 1400000001)")
	ratePerSec := fs.Float64("rate", 20, "callbacks per second in all; 0 is as fast as the connections allow")
	count := fs.Int("count", 0, "stop after this many callbacks; 0 is no limit")
	duration := fs.Duration("duration", 0, "stop after this long; 0 is no limit")
	mixText := fs.String("mix", "calls,live,trtc", "families and weights: calls, live, viewers, trtc (see above)")
	conns := fs.Int("conns", 4, "callbacks in flight at once, each on its own connection")
	seed := fs.Uint64("seed", 0, "repeat the run drawn with this seed (its CallIds and rooms too); 0 draws one")
	if err := parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	mix, err := traffic.ParseMix(*mixText)
	if err != nil {
		return usagef("--mix: %w", err)
	}
	switch {
	case *ratePerSec < 0:
		return usagef("--rate=%g: use 0 (as fast as possible) or a positive rate", *ratePerSec)
	case *count < 0 || *duration < 0:
		return usagef("--count and --duration may not be negative")
	case *conns < 1 || *conns > 1024:
		return usagef("--conns=%d: use 1 to 1024", *conns)
	case *seed > 0xffffffff:
		return usagef("--seed=%d: use a 32-bit number", *seed)
	}
	if len(apps) == 0 {
		apps = appsFlag{1400000001}
	}
	p, err := wf.poster()
	if err != nil {
		return err
	}
	runID := uint32(*seed)
	if runID == 0 {
		runID = rand.Uint32() | 1
	}
	s := &simulation{
		p: p,
		// Two calls in progress per connection: a short run still shows calls
		// through from ringing to their record.
		model:  &traffic.Model{Apps: apps, Mix: mix, ActiveCalls: 2, RunID: runID},
		count:  int64(*count),
		failed: map[string]int{},
		kinds:  map[string]int{},
		fams:   map[traffic.Family]int{},
	}
	if *ratePerSec > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(*ratePerSec), 1)
	}
	runCtx := ctx
	if *duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	start := time.Now()
	stopProgress := func() {}
	if env.IsTerminal != nil && env.IsTerminal(env.Stderr) {
		stopProgress = s.progress(env.Stderr, start)
	}
	s.run(runCtx, *conns)
	stopProgress()
	s.report(env.Stdout, wf.url, time.Since(start))
	if n := s.sent.Load() - s.ok.Load(); n > 0 {
		return fmt.Errorf("%d of %d callbacks were not accepted", n, s.sent.Load())
	}
	return nil
}

// simulation is one run of simulate.
type simulation struct {
	p       *poster
	model   *traffic.Model
	limiter *rate.Limiter
	count   int64 // 0: no limit
	claimed atomic.Int64
	sent    atomic.Int64
	ok      atomic.Int64

	mu        sync.Mutex
	failed    map[string]int // by answer: "HTTP 401 ErrorCode 40101", or the error
	kinds     map[string]int // by command, or TRTC event type
	fams      map[traffic.Family]int
	latencies []time.Duration // of accepted callbacks; kept whole, as a run is at most a few million
}

// platforms are the OptPlatform values simulated clients report.
var platforms = []string{"iOS", "Android", "Web", "iOS", "Android", "Windows", "Mac"}

func (s *simulation) run(ctx context.Context, conns int) {
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.worker(ctx, w)
		}()
	}
	wg.Wait()
}

func (s *simulation) worker(ctx context.Context, w int) {
	g := traffic.NewGenerator(s.model, w, time.Now)
	clientIP := "203.0.113." + strconv.Itoa(w%250+1)
	for ctx.Err() == nil {
		if s.count > 0 && s.claimed.Add(1) > s.count {
			return
		}
		if s.limiter != nil && s.limiter.Wait(ctx) != nil {
			return
		}
		wh := g.Next()
		begin := time.Now()
		var a answer
		var err error
		if wh.Family == traffic.TRTC {
			a, err = s.p.postTRTC(ctx, wh.App, wh.Body)
		} else {
			a, err = s.p.postIM(ctx, imParams{app: wh.App, command: wh.Command, clientIP: clientIP, platform: platforms[int(wh.AppIdx+w)%len(platforms)]}, wh.Body)
		}
		took := time.Since(begin)
		if err != nil && ctx.Err() != nil {
			return // cut off by the end of the run: not sent
		}
		s.sent.Add(1)
		s.mu.Lock()
		s.kinds[wh.Kind()]++
		s.fams[wh.Family]++
		switch {
		case err != nil:
			s.failed["error: "+shortError(err)]++
		case !a.ok:
			key := fmt.Sprintf("HTTP %d", a.status)
			if a.errorCode != 0 {
				key += fmt.Sprintf(" ErrorCode %d", a.errorCode)
			}
			s.failed[key]++
		default:
			s.ok.Add(1)
			s.latencies = append(s.latencies, took)
		}
		s.mu.Unlock()
	}
}

// shortError is an error without the URL net/http repeats in each.
func shortError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "Post ") {
		return msg[i+2:]
	}
	return msg
}

// progress redraws one status line on a terminal until stopped.
func (s *simulation) progress(w io.Writer, start time.Time) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-t.C:
				sent, ok := s.sent.Load(), s.ok.Load()
				secs := time.Since(start).Seconds()
				fmt.Fprintf(w, "\r\x1b[Ksent %d  ok %d  failed %d  %.1f/s", sent, ok, sent-ok, float64(sent)/secs)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (s *simulation) report(w io.Writer, target string, took time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sent, ok := s.sent.Load(), s.ok.Load()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "sent\t%d callbacks to %s in %s (%.1f/s)\n", sent, target, took.Round(time.Millisecond), float64(sent)/max(took.Seconds(), 1e-9))
	fmt.Fprintf(tw, "ok\t%d\n", ok)
	fmt.Fprintf(tw, "failed\t%d\n", sent-ok)
	for _, k := range sortedKeys(s.failed) {
		fmt.Fprintf(tw, "\t%d × %s\n", s.failed[k], k)
	}
	if len(s.latencies) > 0 {
		slices.Sort(s.latencies)
		fmt.Fprintf(tw, "latency\tp50 %s  p99 %s  max %s\n", quantile(s.latencies, 0.5), quantile(s.latencies, 0.99), s.latencies[len(s.latencies)-1].Round(10*time.Microsecond))
	}
	fmt.Fprintf(tw, "mix\t%s (run %d)\n", s.model.Mix, s.model.RunID)
	for _, f := range traffic.Families() {
		if n := s.fams[f]; n > 0 {
			fmt.Fprintf(tw, "\t%s\t%d\t%.1f%%\n", f, n, 100*float64(n)/float64(sent))
		}
	}
	for _, k := range sortedKeys(s.kinds) {
		fmt.Fprintf(tw, "\t  %s\t%d\n", k, s.kinds[k])
	}
	tw.Flush()
}

// quantile is the q-quantile of sorted, rounded for reading.
func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return sorted[i].Round(10 * time.Microsecond)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
