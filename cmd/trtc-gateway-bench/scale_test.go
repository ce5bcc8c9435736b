package main

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// TestSeedCalls seeds a small log and reads it back as the gateway would:
// every event is on the gateway's stream with its webhook id as the
// message id, and the call projection rebuilt from it holds exactly the
// seeded calls, each ended, under the ids the read clients ask for.
func TestSeedCalls(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	const n = 60
	apps := defaultApps[:3]
	seed, err := seedCalls(ctx, dir, n, apps)
	if err != nil {
		t.Fatal(err)
	}
	if seed.Calls != n || seed.Events < 2*n {
		t.Fatalf("seeded %d calls in %d events, want %d calls of 2 events or more", seed.Calls, seed.Events, n)
	}
	if !seed.From.Before(seed.To) || seed.To.After(time.Now()) {
		t.Fatalf("seeded times %s … %s, want a span ending before now", seed.From, seed.To)
	}

	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cfg := server.DefaultConfig()
	js, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{Stream: cfg.Stream, MaxMsgs: int64(scaleRetention(n)), DuplicateWindow: cfg.DedupWindow})
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	evs, err := js.Read(ctx, 0, int(seed.Events)+10)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(evs)) != seed.Events {
		t.Fatalf("the stream holds %d events, the seeding reported %d", len(evs), seed.Events)
	}
	p := calls.New()
	ids := map[string]bool{}
	for _, ev := range evs {
		// The webhook's ids: 16 bytes of SHA-256 in hex (callback.EventID).
		if len(ev.GetId()) != 32 || ids[ev.GetId()] {
			t.Fatalf("event %d has id %q: want the webhook's 32-hex-digit id, unique", ev.GetSequence(), ev.GetId())
		}
		ids[ev.GetId()] = true
		if want := js.Subject(ev); !strings.HasPrefix(want, eventlog.DefaultSubjectPrefix+".") {
			t.Fatalf("event %d would be on subject %q", ev.GetSequence(), want)
		}
		p.Apply(ev)
	}
	if p.Len() != n {
		t.Fatalf("the projection holds %d calls, want %d", p.Len(), n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		req := randomGet(rng, seed)
		if _, _, ok := p.Record(req.GetSdkAppId(), req.GetCallId()); !ok {
			t.Fatalf("no record of seeded call %s of app %d", req.GetCallId(), req.GetSdkAppId())
		}
	}
}

func TestParseSample(t *testing.T) {
	for _, tc := range []struct {
		line string
		name string
		v    float64
		ok   bool
	}{
		{"go_memstats_next_gc_bytes 1.2345e+09", "go_memstats_next_gc_bytes", 1.2345e9, true},
		{"trtcgw_state_calls 42", "trtcgw_state_calls", 42, true},
		{"# HELP trtcgw_state_calls Calls", "", 0, false},
		{`trtcgw_webhooks_total{command="x"} 3`, "", 0, false},
		{"", "", 0, false},
		{"name notanumber", "", 0, false},
	} {
		name, v, ok := parseSample(tc.line)
		if ok != tc.ok || (ok && (name != tc.name || v != tc.v)) {
			t.Errorf("parseSample(%q) = %q, %g, %v; want %q, %g, %v", tc.line, name, v, ok, tc.name, tc.v, tc.ok)
		}
	}
}

func TestLiveHeap(t *testing.T) {
	for _, tc := range []struct {
		m    metrics
		want float64
	}{
		{metrics{"go_memstats_next_gc_bytes": 2000, "go_gc_gogc_percent": 100}, 1000},
		{metrics{"go_memstats_next_gc_bytes": 3000, "go_gc_gogc_percent": 200}, 1000},
		{metrics{"go_memstats_next_gc_bytes": 2000}, 1000}, // no GOGC metric: the default
	} {
		if got := tc.m.liveHeap(); got != tc.want {
			t.Errorf("liveHeap(%v) = %g, want %g", tc.m, got, tc.want)
		}
	}
}

// TestRandomList checks that the list mix asks for every kind of filter,
// each on a seeded app with the page size, and that a window lies within
// the seeded span.
func TestRandomList(t *testing.T) {
	seed := seedResult{Calls: 100, From: time.Unix(1_700_000_000, 0), To: time.Unix(1_700_000_000, 0).Add(30 * 24 * time.Hour)}
	seed.model = &traffic.Model{Apps: defaultApps[:4], Mix: traffic.Mix{traffic.Calls: 1}, ActiveCalls: 1, RunID: 9}
	accounts := newAccountRing()
	for _, app := range seed.model.Apps {
		accounts.add(app, "user-of-"+strings.Repeat("x", int(app%7)))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	kinds := map[string]int{}
	for range 500 {
		req := randomList(rng, seed, 50, accounts)
		if req.GetPageSize() != 50 || !contains(seed.model.Apps, req.GetSdkAppId()) {
			t.Fatalf("request %v: want page size 50 on a seeded app", req)
		}
		switch {
		case req.GetStartTime() != nil:
			kinds["window"]++
			from, to := req.GetStartTime().AsTime(), req.GetEndTime().AsTime()
			if from.Before(seed.From) || to.After(seed.To) || to.Sub(from) != time.Hour {
				t.Fatalf("window %s … %s is not an hour within the seeded span", from, to)
			}
		case req.GetCallResult() != 0:
			kinds["result"]++
		case req.GetCallType() != 0:
			kinds["type"]++
		case req.GetCallerAccount() != "" || req.GetCalleeAccount() != "":
			kinds["account"]++
		default:
			kinds["none"]++
		}
	}
	for _, k := range []string{"window", "result", "type", "account", "none"} {
		if kinds[k] == 0 {
			t.Errorf("no %s query in 500: %v", k, kinds)
		}
	}
	next := cloneList(&gatewayv1.ListCallRecordsRequest{SdkAppId: 1, CallerAccount: "a", PageSize: 50, PageToken: "t"})
	if next.GetPageToken() != "" || next.GetCallerAccount() != "a" || next.GetPageSize() != 50 {
		t.Errorf("cloneList kept %v, want the filter without the token", next)
	}
}

func TestAccountRing(t *testing.T) {
	a := newAccountRing()
	if _, ok := a.pick(rand.New(rand.NewPCG(1, 1)), 7); ok {
		t.Fatal("an empty ring picked an account")
	}
	for i := range 3 * accountRingSize {
		a.add(7, strings.Repeat("u", i%5+1))
	}
	a.add(7, "")
	if got := len(a.per[7]); got != accountRingSize {
		t.Fatalf("the ring holds %d accounts, want %d", got, accountRingSize)
	}
	if s, ok := a.pick(rand.New(rand.NewPCG(1, 1)), 7); !ok || s == "" {
		t.Fatalf("pick = %q, %v", s, ok)
	}
}

// TestScaleRows checks the targets the rows apply: met only within the
// target and without errors.
func TestScaleRows(t *testing.T) {
	base := scaleResult{
		Seed:        seedResult{Calls: 1000, Events: 3500},
		Rebuild:     time.Second,
		RebuildRate: 150_000,
		Restart:     2 * time.Second, Restored: 3600, RestartRate: 180_000, Stop: time.Second,
		Get:      queryStats{Latency: Latency{Count: 10, P50: 0.2, P99: 0.9}},
		List:     queryStats{Latency: Latency{Count: 10, P50: 1, P99: 9}},
		Floor:    queryStats{Latency: Latency{Count: 10, P50: 0.1, P99: 0.7}},
		Ingest:   &Result{Scenario: Scenario{Name: "S6-scale", Store: "jetstream", Rate: 1000}, WebhooksPerSec: 1000},
		HeapFull: 2e6, HeapEmpty: 1e6, CallsHeld: 1000, BytesPerCall: 1000, HeapExact: true,
	}
	met := func(rows []suiteRecord) []bool {
		var out []bool
		for _, r := range rows[:4] {
			out = append(out, r.Met != nil && *r.Met)
		}
		return out
	}
	rows := base.rows(scaleOptions{PageSize: 50})
	if len(rows) != 5 || rows[4].Met != nil || !strings.Contains(rows[4].Measured, "1000 B/call") {
		t.Fatalf("rows %+v: want four targets and a memory row with no target stating B/call", rows)
	}
	if !strings.Contains(rows[1].Measured, "ready at sequence 3,600 2.0 s after exec") {
		t.Errorf("restart row %q: want the restart's sequence and time", rows[1].Measured)
	}
	if !strings.Contains(rows[2].Measured, "health Check) in the same window: p50 0.100 ms, p99 0.700 ms") {
		t.Errorf("GetCallRecord row %q: want the empty RPC's latency beside it", rows[2].Measured)
	}
	if got := met(rows); got[0] != true || got[1] != true || got[2] != true || got[3] != true {
		t.Fatalf("met %v, want all met", got)
	}
	slow := base
	slow.RebuildRate, slow.RestartRate, slow.Get.Latency.P99, slow.List.Latency.P99 = 99_999, 99_999, 1.1, 10.5
	if got := met(slow.rows(scaleOptions{PageSize: 50})); got[0] || got[1] || got[2] || got[3] {
		t.Fatalf("met %v, want none met", got)
	}
	failing := base
	failing.Get.Errors, failing.List.Errors = 1, 1
	if got := met(failing.rows(scaleOptions{PageSize: 50})); got[2] || got[3] {
		t.Fatalf("met %v with errors, want the read rows not met", got)
	}
}

func contains(l []uint32, v uint32) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// TestSeedFileRoundTrip: a kept log's description is reused only for the
// same calls and apps, and names the same calls.
func TestSeedFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, reused, err := loadSeed(dir, 10, 2); err != nil || reused {
		t.Fatalf("loadSeed of an empty directory = reused %v, %v; want nothing to reuse", reused, err)
	}
	want := seedResult{Events: 35, Calls: 10, From: time.Unix(1_700_000_000, 0).UTC(), To: time.Unix(1_700_003_600, 0).UTC(), Apps: defaultApps[:2], RunID: 0xae014cd7}
	if err := saveSeed(dir, want); err != nil {
		t.Fatal(err)
	}
	got, reused, err := loadSeed(dir, 10, 2)
	if err != nil || !reused {
		t.Fatalf("loadSeed = reused %v, %v; want the saved log", reused, err)
	}
	if got.Events != want.Events || !got.From.Equal(want.From) || !got.To.Equal(want.To) || got.model == nil || got.model.CallID(3) != (&traffic.Model{RunID: want.RunID}).CallID(3) {
		t.Fatalf("loadSeed = %+v, want %+v with its model", got, want)
	}
	if _, _, err := loadSeed(dir, 11, 2); err == nil || !strings.Contains(err.Error(), "remove it or use another --scale-dir") {
		t.Fatalf("loadSeed for other calls = %v, want an error saying what to do", err)
	}
}
