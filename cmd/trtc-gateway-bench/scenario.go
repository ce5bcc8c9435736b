package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
)

// Scenario is the shape of one measurement.
type Scenario struct {
	// Name labels the scenario in tables, e.g. "S1".
	Name string `json:"name"`
	// Store is the gateway's --store, or "bare" for the baseline handler.
	Store string `json:"store"`
	// NATSNodes, when set, runs a jetstream gateway on a cluster of this
	// many NATS nodes the benchmark starts (--nats-url, --stream-replicas
	// of the same number) instead of its embedded server.
	NATSNodes int `json:"nats_nodes,omitempty"`
	// Rate is callbacks per second; 0 is as fast as the connections allow.
	Rate int `json:"rate"`
	// Conns is the number of keep-alive HTTP connections posting callbacks.
	Conns int `json:"conns"`
	// SubsAll subscribers receive every event.
	SubsAll int `json:"subs_all"`
	// SubsApp subscribers each receive one SdkAppid's events.
	SubsApp int `json:"subs_app"`
	// SubsCall subscribers each receive one call's events (calls 0, 1, … of the run).
	SubsCall int `json:"subs_call"`
	// SubsIdle subscribers each filter on a CallId no event carries.
	SubsIdle int `json:"subs_idle"`
	// SubsSlow subscribers each receive every event but read at most
	// SlowRate of them a second, slower than the callbacks arrive: their
	// queues overflow, and the gateway must serve them from its log
	// without cutting them off or skipping an event.
	SubsSlow int `json:"subs_slow,omitempty"`
	// SlowRate is the events per second each slow subscriber reads.
	SlowRate int `json:"slow_rate,omitempty"`
	// JSON subscribers read the JSON stream (GET /v1/events:subscribe,
	// one HTTP connection each) instead of gRPC; only SubsAll is supported.
	JSON bool `json:"json,omitempty"`
	// GRPCConns is how many gRPC connections carry the subscribers; 0 is
	// one per subscriber up to 100, then 50 subscribers per connection.
	GRPCConns int `json:"grpc_conns"`
	// Apps is the number of SdkAppids the traffic spreads over.
	Apps int `json:"apps"`
	// Mix is the traffic's families and their weights, as --mix and
	// traffic.ParseMix read them: fullMix by default, every callback a
	// TUICallKit / TUILiveKit / TRTC app sends; earlierMix is the calls
	// and live viewers the figures before issue 15 were measured with.
	Mix string `json:"mix"`
	// Warmup runs before measuring; Duration is the measured window.
	Warmup   time.Duration `json:"warmup_ns"`
	Duration time.Duration `json:"duration_ns"`
}

func (sc Scenario) subscribers() int {
	return sc.SubsAll + sc.SubsApp + sc.SubsCall + sc.SubsIdle + sc.SubsSlow
}

// grpcConns is how many gRPC connections carry the subscribers: GRPCConns,
// or one per subscriber up to 100, then 50 per connection (the gateway
// allows 100 streams per connection by default, --grpc-max-streams).
func (sc Scenario) grpcConns() int {
	if sc.GRPCConns > 0 {
		return sc.GRPCConns
	}
	n := sc.subscribers()
	return max(min(n, 100), (n+49)/50)
}

// target is where a scenario sends and subscribes.
type target struct {
	webhook, grpc, http string
	// pid is the process measured for CPU and memory; 0 skips those figures.
	pid int
	// nats are the NATS nodes' pids, measured apart from pid.
	nats []int
	// warnings, when set, counts the target's WARN and ERROR log lines.
	warnings func() int
	// window, when set, is told when the measured window starts and ends.
	window func(start bool)
	// centrifugo says the target is Centrifugo: callbacks go to its
	// /api/publish and subscribers read its unidirectional gRPC stream.
	centrifugo bool
	// trtcKey is the key TRTC events are signed with for every app (the
	// Sign header); the gateways the benchmark starts require it.
	trtcKey string
}

// Result is what one scenario measured. Rates are per second of the
// measured window.
type Result struct {
	Scenario
	// WebhooksPerSec counts callbacks answered OK during the window.
	WebhooksPerSec float64 `json:"webhooks_per_sec"`
	Accepted       uint64  `json:"accepted"`
	// ByFamily is each family's answers over the whole run (warm-up
	// included): OK, and anything else.
	ByFamily map[string]familyCount `json:"by_family,omitempty"`
	// DeliveriesPerSec counts events received by all subscribers during the window.
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`
	// Latency is send → receipt by a subscriber, for callbacks sent in the window.
	Latency Latency `json:"latency"`
	// Response is send → HTTP answer, for callbacks sent in the window.
	Response Latency `json:"response"`
	// SendLag is, at a fixed rate, how late sends were against the schedule.
	SendLag *Latency `json:"send_lag,omitempty"`

	// Errors: callbacks not answered OK, connection failures, deliveries
	// expected but not received, deliveries of unknown ids or out of order,
	// sequences skipped by a subscriber that receives every event,
	// subscribers cut off, streams ended with another error.
	Failed       uint64 `json:"failed"`
	IOErrors     uint64 `json:"io_errors"`
	Lost         int64  `json:"lost"`
	Unmatched    uint64 `json:"unmatched"`
	OutOfOrder   uint64 `json:"out_of_order"`
	Gaps         uint64 `json:"gaps"`
	CutOff       uint64 `json:"cut_off"`
	StreamErrors uint64 `json:"stream_errors"`
	FirstError   string `json:"first_error,omitempty"`
	Warnings     int    `json:"gateway_warnings"`
	// Fallbacks is how often, during the run, a subscriber's queue
	// overflowed and the gateway went on serving it from the log
	// (trtcgw_subscriber_fallbacks_total); -1 when the gateway does not
	// report it.
	Fallbacks int `json:"fallbacks"`

	// GatewayCPUSeconds is the measured process's CPU time in the window;
	// GatewayCores the same divided by the window; CPUPerWebhook in µs.
	GatewayCPUSeconds float64 `json:"gateway_cpu_seconds"`
	GatewayCores      float64 `json:"gateway_cores"`
	CPUPerWebhookUs   float64 `json:"cpu_per_webhook_us"`
	// PeakRSS is the measured process's VmHWM at the end, in bytes.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// LoadCores is the benchmark process's own CPU use in the window.
	LoadCores float64 `json:"load_cores"`
	// NATSCPUSeconds, NATSCores and NATSPeakRSS are the NATS nodes' CPU
	// time in the window, the same per second, and the sum of their peak
	// RSS, when the gateway runs on a NATS cluster the benchmark started;
	// the gateway figures above are the gateway process's alone.
	NATSCPUSeconds float64 `json:"nats_cpu_seconds,omitempty"`
	NATSCores      float64 `json:"nats_cores,omitempty"`
	NATSPeakRSS    int64   `json:"nats_peak_rss_bytes,omitempty"`
	// Breakdown, with --profile, is where the gateway's CPU went in the
	// window, per webhook, by part of the path.
	Breakdown *Breakdown `json:"breakdown,omitempty"`
}

func (r *Result) errors() uint64 {
	lost := uint64(max(r.Lost, 0))
	return r.Failed + r.IOErrors + lost + r.Unmatched + r.OutOfOrder + r.Gaps + r.CutOff + r.StreamErrors
}

var defaultApps = []uint32{1400000001, 1400000002, 1400000003, 1400000004, 1400000005, 1400000006, 1400000007, 1400000008}

// runScenario opens the subscribers, drives the load through a warm-up and
// the measured window, waits for the last deliveries and reports.
func runScenario(ctx context.Context, sc Scenario, tgt target) (*Result, error) {
	switch {
	case sc.Apps < 1 || sc.Apps > len(defaultApps):
		return nil, fmt.Errorf("--apps=%d: use 1 to %d", sc.Apps, len(defaultApps))
	case sc.Conns < 1:
		return nil, fmt.Errorf("--conns=%d: at least one connection is needed", sc.Conns)
	case sc.Rate < 0:
		return nil, fmt.Errorf("--rate=%d: use 0 (as fast as possible) or a positive rate", sc.Rate)
	case sc.Duration <= 0 || sc.Warmup < 0:
		return nil, fmt.Errorf("--duration=%s --warmup=%s: the window must be positive and the warm-up not negative", sc.Duration, sc.Warmup)
	case sc.SubsSlow < 0 || (sc.SubsSlow > 0 && sc.SlowRate <= 0):
		return nil, fmt.Errorf("--subs-slow=%d --slow-rate=%d: slow subscribers need a positive reading rate", sc.SubsSlow, sc.SlowRate)
	}
	mix, err := traffic.ParseMix(sc.Mix)
	if err != nil {
		return nil, fmt.Errorf("--mix=%q: %w", sc.Mix, err)
	}
	tr := &traffic.Model{Apps: defaultApps[:sc.Apps], Mix: mix, ActiveCalls: 8, RunID: rand.Uint32()}
	r := newSession()
	res := &Result{Scenario: sc, Fallbacks: -1}
	fail := func(err string) {
		if res.FirstError == "" {
			res.FirstError = err
		}
	}

	subCtx, cancelSubs := context.WithCancel(ctx)
	defer cancelSubs()
	var set *subscriberSet
	appSubs := make([]uint64, sc.Apps)
	if n := sc.subscribers(); n > 0 {
		if tgt.grpc == "" {
			return nil, errors.New("subscribers need the gateway's gRPC address")
		}
		if (tgt.centrifugo || sc.JSON) && sc.subscribers() != sc.SubsAll {
			return nil, fmt.Errorf("%s: Centrifugo and JSON-stream scenarios have only subscribers to every event (--subs-all)", sc.Name)
		}
		if sc.JSON && tgt.http == "" {
			return nil, errors.New("JSON subscribers need the gateway's JSON listener (--http-addr)")
		}
		before, gauge := gatewayMetric(ctx, tgt.http, "trtcgw_subscribers")
		fallbacks0, fallbacksOK := gatewayMetric(ctx, tgt.http, "trtcgw_subscriber_fallbacks_total")
		defer func() {
			if fallbacks1, ok := gatewayMetric(ctx, tgt.http, "trtcgw_subscriber_fallbacks_total"); ok && fallbacksOK {
				res.Fallbacks = fallbacks1 - fallbacks0
			}
		}()
		var err error
		if set, err = dialSubscribers(tgt.grpc, sc.grpcConns()); err != nil {
			return nil, err
		}
		defer set.close()
		add := func(kind string, req *gatewayv1.SubscribeRequest) error {
			return set.open(subCtx, r, &subscriber{kind: kind, req: req})
		}
		var jsonClient *http.Client
		if sc.JSON {
			jsonClient = newJSONClient(sc.SubsAll)
			defer jsonClient.CloseIdleConnections()
		}
		for range sc.SubsAll {
			var err error
			switch s := (&subscriber{kind: "all", req: &gatewayv1.SubscribeRequest{}, everyEvent: true}); {
			case tgt.centrifugo:
				// Without history Centrifugo numbers no publication: lost
				// ones count as gaps through the expected total.
				s.everyEvent = false
				err = set.openUni(subCtx, r, s)
			case sc.JSON:
				s.kind = "json"
				err = set.openJSON(subCtx, r, jsonClient, tgt.http, s)
			default:
				err = set.open(subCtx, r, s)
			}
			if err != nil {
				return nil, err
			}
		}
		for range sc.SubsSlow {
			if err := set.open(subCtx, r, &subscriber{kind: "slow", req: &gatewayv1.SubscribeRequest{}, everyEvent: true, pace: sc.SlowRate}); err != nil {
				return nil, err
			}
		}
		for i := range sc.SubsApp {
			appSubs[i%sc.Apps]++
			if err := add("app", &gatewayv1.SubscribeRequest{SdkAppIds: []uint32{tr.Apps[i%sc.Apps]}}); err != nil {
				return nil, err
			}
		}
		for i := range sc.SubsCall {
			if err := add("call", &gatewayv1.SubscribeRequest{CallIds: []string{tr.CallID(int64(i))}}); err != nil {
				return nil, err
			}
		}
		for i := range sc.SubsIdle {
			if err := add("idle", &gatewayv1.SubscribeRequest{CallIds: []string{tr.IdleCallID(int64(i))}}); err != nil {
				return nil, err
			}
		}
		// Live-tail subscribers only see events published after they joined
		// the hub: wait until the gateway counts all of them. Centrifugo's
		// have had their connect reply, which follows the subscription.
		switch {
		case tgt.centrifugo:
		case gauge:
			deadline := time.Now().Add(2 * time.Minute)
			for {
				now, _ := gatewayMetric(ctx, tgt.http, "trtcgw_subscribers")
				if now >= before+n {
					break
				}
				if time.Now().After(deadline) {
					return nil, fmt.Errorf("the gateway counts %d of %d subscribers after 2 minutes", now-before, n)
				}
				if err := sleep(ctx, 50*time.Millisecond); err != nil {
					return nil, err
				}
			}
		default:
			if err := sleep(ctx, time.Second+time.Duration(n)*200*time.Microsecond); err != nil {
				return nil, err
			}
		}
	}
	subsAll, subsCall := uint64(sc.SubsAll+sc.SubsSlow), int64(sc.SubsCall)
	l := &load{
		addr: tgt.webhook, conns: sc.Conns, rate: sc.Rate, traffic: tr, publish: tgt.centrifugo, trtcKey: tgt.trtcKey,
		expect: func(wh traffic.Webhook) uint64 {
			n := subsAll + appSubs[wh.AppIdx]
			if wh.Call >= 0 && wh.Call < subsCall {
				n++
			}
			return n
		},
	}

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	done := make(chan []*senderStats, 1)
	go func() { done <- l.drive(loadCtx, r) }()
	if err := sleep(ctx, sc.Warmup); err != nil {
		return nil, err
	}
	if tgt.window != nil {
		tgt.window(true)
	}
	from := r.startWindow()
	gw0, self0, nats0 := procCPU(tgt.pid), procCPU(os.Getpid()), procsCPU(tgt.nats)
	if err := sleep(ctx, sc.Duration); err != nil {
		return nil, err
	}
	to := r.endWindow()
	gw1, self1, nats1 := procCPU(tgt.pid), procCPU(os.Getpid()), procsCPU(tgt.nats)
	if tgt.window != nil {
		tgt.window(false)
	}
	stopLoad()
	stats := <-done
	window := time.Duration(to - from).Seconds()

	var expected uint64
	var response, lag histogram
	for _, st := range stats {
		res.Accepted += st.inWindow
		res.Failed += st.failed
		res.IOErrors += st.ioErrors
		expected += st.expected
		for f, n := range st.byFamily {
			if n != (familyCount{}) {
				if res.ByFamily == nil {
					res.ByFamily = make(map[string]familyCount)
				}
				c := res.ByFamily[traffic.Family(f).String()]
				c.Accepted += n.Accepted
				c.Failed += n.Failed
				res.ByFamily[traffic.Family(f).String()] = c
			}
		}
		response.merge(&st.response)
		lag.merge(&st.lag)
		if st.dupIDs > 0 {
			fail(fmt.Sprintf("%d generated callbacks repeated an earlier id (not sent)", st.dupIDs))
		}
		if st.firstFail != "" {
			fail(st.firstFail)
		}
	}
	res.WebhooksPerSec = float64(res.Accepted) / window
	res.Response = response.summary()
	if sc.Rate > 0 {
		s := lag.summary()
		res.SendLag = &s
	}

	if set != nil {
		// Wait for the deliveries still in flight: until every expected one
		// arrived, or nothing arrived for 2 seconds. Slow subscribers keep
		// receiving at their own rate until they have read the backlog.
		last, idle := set.received.Load(), time.Now()
		for set.received.Load() < expected && time.Since(idle) < 2*time.Second {
			if err := sleep(ctx, 20*time.Millisecond); err != nil {
				return nil, err
			}
			if n := set.received.Load(); n != last {
				last, idle = n, time.Now()
			}
		}
		cancelSubs()
		set.wait()
		var lat histogram
		var received, inWindow uint64
		for _, s := range set.subs {
			if s.pace == 0 {
				// A slow subscriber's latency is its own backlog, not the gateway's.
				lat.merge(&s.hist)
			}
			received += s.received
			inWindow += s.inWindow
			res.Unmatched += s.unmatched
			res.OutOfOrder += s.outOfOrder
			res.Gaps += s.gaps
			switch {
			case s.end == nil:
			case status.Code(s.end) == codes.ResourceExhausted, errors.Is(s.end, errCentrifugoDisconnect):
				res.CutOff++
				fail(fmt.Sprintf("%s subscriber: %v", s.kind, s.end))
			default:
				res.StreamErrors++
				fail(fmt.Sprintf("%s subscriber: %v", s.kind, s.end))
			}
		}
		res.Latency = lat.summary()
		res.DeliveriesPerSec = float64(inWindow) / window
		res.Lost = int64(expected) - int64(received)
	}

	if tgt.pid > 0 {
		res.GatewayCPUSeconds = gw1 - gw0
		res.GatewayCores = res.GatewayCPUSeconds / window
		if res.Accepted > 0 {
			res.CPUPerWebhookUs = res.GatewayCPUSeconds / float64(res.Accepted) * 1e6
		}
		res.PeakRSS, _ = peakRSS(tgt.pid)
	}
	res.LoadCores = (self1 - self0) / window
	if len(tgt.nats) > 0 {
		res.NATSCPUSeconds = nats1 - nats0
		res.NATSCores = res.NATSCPUSeconds / window
		for _, pid := range tgt.nats {
			rss, _ := peakRSS(pid)
			res.NATSPeakRSS += rss
		}
	}
	if tgt.warnings != nil {
		res.Warnings = tgt.warnings()
	}
	return res, nil
}

func procCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	s, _ := cpuSeconds(pid)
	return s
}

// procsCPU is the CPU time the processes in pids have used together.
func procsCPU(pids []int) float64 {
	var s float64
	for _, pid := range pids {
		s += procCPU(pid)
	}
	return s
}

// gatewayMetric reads the metric name (a gauge or a counter without labels)
// from the gateway's /metrics; ok is false when it cannot.
func gatewayMetric(ctx context.Context, httpAddr, name string) (n int, ok bool) {
	if httpAddr == "" {
		return 0, false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), name+" "); found {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err == nil
		}
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
