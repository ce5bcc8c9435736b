package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
)

var update = flag.Bool("update", false, "rewrite testdata/breakdown.golden from the breakdown's output")

const (
	m        = gatewayModule
	natsGo   = "github.com/nats-io/nats%2ego." // as runtime/pprof names it
	natsSrv  = "github.com/nats-io/nats-server/v2/server."
	grpcHTTP = "google.golang.org/grpc/internal/transport."
)

// syntheticStacks are the stacks of a made-up gateway profile, from the leaf
// out, each with its CPU in milliseconds and the part it must count for.
var syntheticStacks = []struct {
	ms    int64
	stack []string
	want  part
}{
	// The HTTP server's own read and write, under its connection loop.
	{300, []string{"syscall.Syscall", "internal/poll.(*FD).Read", "net.(*conn).Read", "bufio.(*Reader).fill", "net/http.(*conn).serve"}, partHTTP},
	// Decoding, with its allocations and JSON, under the handler.
	{120, []string{"runtime.mallocgc", m + "server/callback.DecodeBody", m + "server/webhook.(*Handler).serveIM", m + "server/webhook.(*Handler).ServeHTTP", "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve"}, partDecode},
	{30, []string{"crypto/hmac.(*hmac).Write", m + "server/webhookauth.(*TRTCVerifier).AuthenticateTRTC", m + "server/webhook.(*Handler).serveTRTC", "net/http.(*conn).serve"}, partDecode},
	// A mark assist while decoding is the collector's.
	{40, []string{"runtime.gcDrainN", "runtime.gcAssistAlloc1", "runtime.gcAssistAlloc", "runtime.mallocgc", m + "server/callback.DecodeBody", "net/http.(*conn).serve"}, partGC},
	// The append: protobuf and the NATS client under the log's Append.
	{90, []string{"google.golang.org/protobuf/internal/impl.(*MessageInfo).marshal", m + "server/eventlog.(*JetStream).Append", m + "server/webhook.(*Handler).append", "net/http.(*conn).serve"}, partAppend},
	{60, []string{"syscall.Syscall", "net.(*conn).Write", natsGo + "(*Conn).flusher"}, partAppend},
	{50, []string{"bytes.(*Buffer).Write", natsGo + "(*Conn).publish", natsGo + "(*Conn).PublishMsg", m + "server/eventlog.(*JetStream).publish", m + "server/eventlog.(*JetStream).Append", "net/http.(*conn).serve"}, partAppend},
	{30, []string{"runtime.selectgo", "net.(*pipe).Read", natsGo + "(*natsReader).Read", natsGo + "(*Conn).readLoop"}, partAppend},
	{20, []string{m + "server/eventlog.(*Memory).Append", m + "server/webhook.(*Handler).append"}, partAppend},
	// The embedded server, in its own goroutines.
	{200, []string{"syscall.Syscall", "os.(*File).WriteAt", natsSrv + "(*msgBlock).flushPendingMsgsLocked", natsSrv + "(*fileStore).StoreMsg", natsSrv + "(*stream).processInboundJetStreamMsg", natsSrv + "(*client).readLoop"}, partNATS},
	// The follower reading the log, and the projections it feeds.
	{70, []string{"google.golang.org/protobuf/proto.Unmarshal", m + "server/eventlog.(*JetStream).decode", m + "server/eventlog.(*JetStream).followOnce", m + "server/follower.(*Follower).Run"}, partFollow},
	// The NATS client called by the log's reading side is the follower's.
	{15, []string{natsGo + "(*Subscription).Fetch", m + "server/eventlog.(*reader).collect", m + "server/eventlog.(*JetStream).followOnce"}, partFollow},
	{40, []string{"sort.Search", m + "server/calls.(*Projection).Apply", m + "server/follower.(*Follower).Run"}, partFollow},
	{10, []string{m + "server/rooms.(*Projection).Apply", m + "server/follower.(*Follower).Run"}, partFollow},
	// The hub, called by the follower, is fan-out; so is the stream's encoding.
	{45, []string{"runtime.mapaccess2", m + "server/hub.(*Hub).Publish", m + "server/follower.(*Follower).Run"}, partFanout},
	{25, []string{"google.golang.org/protobuf/proto.MarshalOptions.marshal", m + "server/api.(*prepared).bytes", m + "server/api.(*Service).Subscribe"}, partFanout},
	// gRPC's writer, its socket write included.
	{80, []string{"syscall.Syscall", "net.(*conn).Write", "golang.org/x/net/http2.(*Framer).WriteData", grpcHTTP + "(*loopyWriter).run"}, partGRPC},
	{20, []string{grpcHTTP + "(*http2Server).Write", "google.golang.org/grpc.(*serverStream).SendMsg", m + "server/api.(*Service).Subscribe"}, partGRPC},
	// The collector's background work.
	{110, []string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcBgMarkWorker.func2", "runtime.systemstack", "runtime.gcBgMarkWorker"}, partGC},
	{10, []string{"runtime.sweepone", "runtime.bgsweep"}, partGC},
	// The scheduler with nothing of the gateway's on the stack.
	{50, []string{"runtime.futex", "runtime.findRunnable", "runtime.schedule", "runtime.park_m", "runtime.mcall"}, partRuntime},
	{5, []string{"runtime/pprof.profileWriter"}, partRuntime},
	// Anything else.
	{10, []string{"time.Sleep", "main.main"}, partOther},
}

// syntheticProfile is syntheticStacks as runtime/pprof would write them,
// the first two frames of the decode stack inlined into one location.
func syntheticProfile(t *testing.T) []byte {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	funcs := make(map[string]*profile.Function)
	fn := func(name string) *profile.Function {
		if f := funcs[name]; f != nil {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	for i, s := range syntheticStacks {
		var locs []*profile.Location
		stack := s.stack
		if i == 1 {
			// runtime.mallocgc inlined into DecodeBody: one location, two lines.
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn(stack[0])}, {Function: fn(stack[1])}}}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
			stack = stack[2:]
		}
		for _, name := range stack {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn(name)}}}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{s.ms / 10, s.ms * 1_000_000}})
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPartOf(t *testing.T) {
	for _, s := range syntheticStacks {
		if got := partOf(s.stack); got != s.want {
			t.Errorf("%v: %s, want %s", s.stack, partNames[got], partNames[s.want])
		}
	}
}

// TestBreakdownGolden buckets a synthetic profile of 1.43 s of CPU for
// 10,000 webhooks and compares the JSON, the printed table and the
// markdown section with testdata/breakdown.golden (go test -update
// rewrites it).
func TestBreakdownGolden(t *testing.T) {
	b, err := breakdownOf(bytes.NewReader(syntheticProfile(t)), 10_000)
	if err != nil {
		t.Fatal(err)
	}
	var want [numParts]int64
	var total int64
	for _, s := range syntheticStacks {
		want[s.want] += s.ms
		total += s.ms
	}
	for i, pt := range b.Parts {
		if got := int64(pt.Seconds*1000 + 0.5); got != want[i] {
			t.Errorf("%s: %d ms, want %d", pt.Part, got, want[i])
		}
	}
	if got := int64(b.Seconds*1000 + 0.5); got != total {
		t.Errorf("total %d ms, want %d", got, total)
	}

	res := &Result{Scenario: Scenario{Name: "S1-durable", Store: "jetstream", Conns: 16, SubsAll: 1, Mix: fullMix},
		Accepted: 10_000, WebhooksPerSec: 1_000, CPUPerWebhookUs: 150, GatewayCores: 0.15, Breakdown: b}
	rep := &report{Date: "2026-12-02 06:00 UTC", Commit: "abc", Command: "make bench-profile", Machine: "2 × test CPU", Go: "go1.26", CPUSplit: "none",
		Rows: []suiteRecord{{Name: res.Name, Result: res}, {Name: "S1-durable-earlier-mix", Skipped: "not measured"}}}
	var out bytes.Buffer
	js, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	out.WriteString("\n")
	rep.printBreakdown(&out)
	out.WriteString("\n")
	out.WriteString(rep.breakdownMarkdown())
	path := filepath.Join("testdata", "breakdown.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(out.Bytes(), golden) {
		t.Errorf("breakdown differs from %s (go test -update rewrites it):\n%s", path, out.Bytes())
	}
}

// TestRewriteBreakdownKeepsTheRest checks that --breakdown rewrites only
// its own section.
func TestRewriteBreakdownKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	text := "# Benchmarks\n\n" + mdBegin + "\nthe suite's table\n" + mdEnd + "\n\nNotes.\n\n" + breakdownBegin + "\nold\n" + breakdownEnd + "\n\nMore notes.\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := &report{Date: "today", Commit: "abc", Command: "make bench-profile"}
	if err := rep.rewriteBreakdown(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"the suite's table", "Notes.", "More notes.", "Measured today at commit `abc`"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if bytes.Contains(b, []byte("\nold\n")) {
		t.Errorf("the old breakdown survived:\n%s", got)
	}
}

// TestMixes checks that every row of the suite sends the full mix, and that
// the breakdown runs each of S1 and S1-durable with the full mix and then
// right after with the earlier one.
func TestMixes(t *testing.T) {
	for _, row := range standardSuite(suiteConfig{conns: 16}) {
		if row.Mix != fullMix {
			t.Errorf("suite row %s sends %q, want the full mix %q", row.Name, row.Mix, fullMix)
		}
	}
	want := []struct{ name, store, mix string }{
		{"S1", "memory", fullMix}, {"S1-earlier-mix", "memory", earlierMix},
		{"S1-durable", "jetstream", fullMix}, {"S1-durable-earlier-mix", "jetstream", earlierMix},
	}
	rows := breakdownRows(suiteConfig{conns: 16})
	if len(rows) != len(want) {
		t.Fatalf("%d breakdown rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if r := rows[i]; r.Name != w.name || r.Store != w.store || r.Mix != w.mix || r.SubsAll != 1 {
			t.Errorf("breakdown row %d: %s %s %q with %d subscribers, want %s %s %q with 1", i, r.Name, r.Store, r.Mix, r.SubsAll, w.name, w.store, w.mix)
		}
	}
	for _, mix := range []string{fullMix, earlierMix} {
		if _, err := traffic.ParseMix(mix); err != nil {
			t.Errorf("%q: %v", mix, err)
		}
	}
}
