package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/google/pprof/profile"
)

// Where a profiled gateway's CPU goes, per webhook, by part of the path
// (issue 15): each sample of the window's CPU profile is put in the bucket
// of the innermost frame of its stack that belongs to a part, so that a
// protobuf encoding called by the hub counts as fan-out and a socket write
// called by gRPC as gRPC. Frames of shared libraries (the runtime, net,
// syscall, protobuf, crypto) belong to no part: they count for their
// caller.

// part is one bucket of the breakdown, in the order of a webhook's path.
type part int

const (
	partHTTP part = iota
	partDecode
	partAppend
	partNATS
	partFollow
	partFanout
	partGRPC
	partGC
	partRuntime
	partOther
	numParts
)

// partNames label the buckets in tables and in the JSON results.
var partNames = [numParts]string{
	partHTTP:    "HTTP server (net/http)",
	partDecode:  "webhook checks and decode",
	partAppend:  "log append, client side",
	partNATS:    "embedded nats-server",
	partFollow:  "follower and projections",
	partFanout:  "hub fan-out",
	partGRPC:    "gRPC write",
	partGC:      "GC",
	partRuntime: "scheduler and runtime",
	partOther:   "other",
}

// gatewayModule prefixes the gateway's own functions.
const gatewayModule = "github.com/trtc-gateway/trtc-gateway/"

// partRule says that functions whose name starts with prefix belong to a
// part. A weak rule's part holds only when no frame further out belongs to
// a strong one: the NATS client's frames are the append's when the log's
// Append called them, and count as the append's too in the client's own
// read loop, which takes the acks (and the follower's messages).
type partRule struct {
	prefix string
	part   part
	weak   bool
}

// partRules is the one table of which code belongs where. The log's file
// is split by method: what appends, and what reads and follows.
var partRules = []partRule{
	{prefix: "runtime.gcBgMarkWorker", part: partGC},
	{prefix: "runtime.gcAssistAlloc", part: partGC},
	{prefix: "runtime.gcDrain", part: partGC},
	{prefix: "runtime.gcStart", part: partGC},
	{prefix: "runtime.gcMarkDone", part: partGC},
	{prefix: "runtime.gcMarkTermination", part: partGC},
	{prefix: "runtime.bgsweep", part: partGC},
	{prefix: "runtime.bgscavenge", part: partGC},
	{prefix: "runtime._GC", part: partGC},
	{prefix: "net/http.", part: partHTTP},
	{prefix: gatewayModule + "server/webhook.", part: partDecode},
	{prefix: gatewayModule + "server/webhookauth.", part: partDecode},
	{prefix: gatewayModule + "server/callback.", part: partDecode},
	{prefix: gatewayModule + "server/eventlog.(*JetStream).Append", part: partAppend},
	{prefix: gatewayModule + "server/eventlog.(*JetStream).publish", part: partAppend},
	{prefix: gatewayModule + "server/eventlog.(*Memory).Append", part: partAppend},
	{prefix: gatewayModule + "server/eventlog.", part: partFollow},
	// Symbol names escape the dot of a path's last element: nats%2ego.
	{prefix: "github.com/nats-io/nats%2ego.", part: partAppend, weak: true},
	{prefix: "github.com/nats-io/nats.go.", part: partAppend, weak: true},
	{prefix: "github.com/nats-io/nats-server/", part: partNATS},
	{prefix: gatewayModule + "server/natsembed.", part: partNATS},
	{prefix: gatewayModule + "server/follower.", part: partFollow},
	{prefix: gatewayModule + "server/calls.", part: partFollow},
	{prefix: gatewayModule + "server/rooms.", part: partFollow},
	{prefix: gatewayModule + "server/hub.", part: partFanout},
	{prefix: gatewayModule + "server/api.", part: partFanout},
	{prefix: "google.golang.org/grpc", part: partGRPC},
	{prefix: "golang.org/x/net/http2", part: partGRPC},
}

// partOf is the part of one sample's stack, given its functions from the
// leaf out: that of the innermost frame a strong rule claims, else of the
// innermost a weak one does, else the runtime's when every frame is the
// runtime's (the scheduler, the network poller, the profiler), else other.
func partOf(stack []string) part {
	weak := numParts
	onlyRuntime := true
	for _, fn := range stack {
		for _, r := range partRules {
			if !strings.HasPrefix(fn, r.prefix) {
				continue
			}
			if !r.weak {
				return r.part
			}
			if weak == numParts {
				weak = r.part
			}
			break
		}
		onlyRuntime = onlyRuntime && (strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "runtime/") || strings.HasPrefix(fn, "internal/runtime/"))
	}
	switch {
	case weak != numParts:
		return weak
	case onlyRuntime:
		return partRuntime
	}
	return partOther
}

// PartTime is one part's CPU in a profiled window.
type PartTime struct {
	Part    string  `json:"part"`
	Seconds float64 `json:"cpu_seconds"`
	// UsPerWebhook divides Seconds by the webhooks accepted in the window.
	UsPerWebhook float64 `json:"us_per_webhook"`
	// Share is the fraction of the profile's CPU.
	Share float64 `json:"share"`
}

// Breakdown is where a gateway's CPU went in a measured window.
type Breakdown struct {
	// Seconds is the CPU the profile sampled; UsPerWebhook the same per
	// webhook accepted in the window.
	Seconds      float64    `json:"cpu_seconds"`
	UsPerWebhook float64    `json:"us_per_webhook"`
	Parts        []PartTime `json:"parts"`
}

// breakdownOf buckets the CPU profile r (as runtime/pprof writes it) by
// part, per each of webhooks.
func breakdownOf(r io.Reader, webhooks uint64) (*Breakdown, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parsing the CPU profile: %w", err)
	}
	value := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			value = i
		}
	}
	if value < 0 {
		return nil, fmt.Errorf("not a CPU profile: no cpu/nanoseconds sample type")
	}
	var ns [numParts]int64
	var stack []string
	for _, s := range p.Sample {
		stack = stack[:0]
		for _, loc := range s.Location {
			// Line[0] is the innermost of the functions inlined at this
			// location.
			for _, line := range loc.Line {
				if line.Function != nil {
					stack = append(stack, line.Function.Name)
				}
			}
		}
		ns[partOf(stack)] += s.Value[value]
	}
	b := &Breakdown{}
	var total int64
	for _, n := range ns {
		total += n
	}
	b.Seconds = float64(total) / 1e9
	// Rounded to what a table shows: profiles sample every 10 ms.
	perWebhook := func(sec float64) float64 {
		if webhooks == 0 {
			return 0
		}
		return math.Round(sec/float64(webhooks)*1e8) / 100
	}
	b.UsPerWebhook = perWebhook(b.Seconds)
	for i, n := range ns {
		pt := PartTime{Part: partNames[i], Seconds: float64(n) / 1e9}
		pt.UsPerWebhook = perWebhook(pt.Seconds)
		if total > 0 {
			pt.Share = math.Round(float64(n)/float64(total)*1e4) / 1e4
		}
		b.Parts = append(b.Parts, pt)
	}
	return b, nil
}

// profiledBreakdown sets res.Breakdown from the CPU profile of sc's
// gateway when the suite profiles gateways (--profile).
func profiledBreakdown(cfg suiteConfig, sc Scenario, res *Result) error {
	if cfg.profileDir == "" || sc.Store == "bare" || sc.Store == "centrifugo" {
		return nil
	}
	path := filepath.Join(cfg.profileDir, sc.Name, "cpu.prof")
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: the window's CPU profile: %w", sc.Name, err)
	}
	defer f.Close()
	if res.Breakdown, err = breakdownOf(f, res.Accepted); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// The breakdown rows: S1 and S1-durable with the full mix, each followed
// right away by the same scenario with the mix before issue 15, so that
// the mix's effect is measured back to back.
func breakdownRows(cfg suiteConfig) []Scenario {
	base := Scenario{Conns: cfg.conns, Apps: 4, SubsAll: 1, Warmup: cfg.warmup, Duration: cfg.duration}
	var rows []Scenario
	for _, s := range []struct{ name, store string }{{"S1", "memory"}, {"S1-durable", "jetstream"}} {
		for _, m := range []struct{ suffix, mix string }{{"", fullMix}, {"-earlier-mix", earlierMix}} {
			sc := base
			sc.Name, sc.Store, sc.Mix = s.name+m.suffix, s.store, m.mix
			rows = append(rows, sc)
		}
	}
	return rows
}

// runBreakdown measures the breakdown rows with the gateway profiled.
func runBreakdown(ctx context.Context, cfg suiteConfig) ([]suiteRecord, error) {
	if cfg.profileDir == "" {
		return nil, fmt.Errorf("--breakdown needs --profile=DIR for the gateways' CPU profiles")
	}
	var records []suiteRecord
	for _, sc := range breakdownRows(cfg) {
		if sc.Store == "jetstream" && !cfg.flags.jetstream {
			records = append(records, suiteRecord{Name: sc.Name, Skipped: "not available: no durable store"})
			continue
		}
		fmt.Fprintf(os.Stderr, "== %s: %s\n", sc.Name, describe(sc))
		res, err := measure(ctx, cfg, sc, nil)
		if err != nil {
			return records, err
		}
		fmt.Fprintf(os.Stderr, "   %s\n", oneLine(res))
		records = append(records, suiteRecord{Name: sc.Name, Result: res})
	}
	return records, nil
}

// The breakdown's section of BENCHMARKS.md, rewritten by --breakdown.
const (
	breakdownBegin = "<!-- breakdown:begin — written by `make bench-profile`; edit outside these markers -->"
	breakdownEnd   = "<!-- breakdown:end -->"
)

// profiled are the rows that have a breakdown.
func (rep *report) profiled() []suiteRecord {
	var rows []suiteRecord
	for _, row := range rep.Rows {
		if row.Result != nil && row.Result.Breakdown != nil {
			rows = append(rows, row)
		}
	}
	return rows
}

// printBreakdown writes each profiled row's µs per webhook by part.
func (rep *report) printBreakdown(w io.Writer) {
	rows := rep.profiled()
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nWhere the gateway's CPU goes, µs per webhook (share of the profile):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "part\t")
	for _, row := range rows {
		fmt.Fprintf(tw, "%s\t", row.Name)
	}
	fmt.Fprintln(tw)
	for i := range numParts {
		fmt.Fprintf(tw, "%s\t", partNames[i])
		for _, row := range rows {
			pt := row.Result.Breakdown.Parts[i]
			fmt.Fprintf(tw, "%.1f (%.0f %%)\t", pt.UsPerWebhook, 100*pt.Share)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprint(tw, "profiled, in all\t")
	for _, row := range rows {
		fmt.Fprintf(tw, "%.1f\t", row.Result.Breakdown.UsPerWebhook)
	}
	fmt.Fprintln(tw)
	_ = tw.Flush()
}

// breakdownMarkdown renders the breakdown section: one column per
// profiled row, one line per part, then the rows' throughput.
func (rep *report) breakdownMarkdown() string {
	rows := rep.profiled()
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s at commit `%s` with `%s`.\n\n", rep.Date, rep.Commit, rep.Command)
	fmt.Fprintf(&b, "Machine: %s, %s. CPU split: %s.\n\n", rep.Machine, rep.Go, rep.CPUSplit)
	b.WriteString("| µs of gateway CPU per webhook (share) |")
	for _, row := range rows {
		fmt.Fprintf(&b, " %s |", row.Name)
	}
	b.WriteString("\n| --- |" + strings.Repeat(" ---: |", len(rows)) + "\n")
	for i := range numParts {
		fmt.Fprintf(&b, "| %s |", partNames[i])
		for _, row := range rows {
			pt := row.Result.Breakdown.Parts[i]
			fmt.Fprintf(&b, " %.1f (%.0f %%) |", pt.UsPerWebhook, 100*pt.Share)
		}
		b.WriteString("\n")
	}
	line := func(label string, cell func(r *Result) string) {
		fmt.Fprintf(&b, "| %s |", label)
		for _, row := range rows {
			fmt.Fprintf(&b, " %s |", cell(row.Result))
		}
		b.WriteString("\n")
	}
	line("**profiled, in all**", func(r *Result) string { return fmt.Sprintf("**%.1f**", r.Breakdown.UsPerWebhook) })
	line("gateway CPU per webhook (/proc)", func(r *Result) string { return fmt.Sprintf("%.1f", r.CPUPerWebhookUs) })
	line("webhooks/s", func(r *Result) string { return thousands(r.WebhooksPerSec) })
	// What the gateway got of its CPU: below 1, other work on it set the rate.
	line("gateway cores", func(r *Result) string { return fmt.Sprintf("%.2f", r.GatewayCores) })
	line("errors", func(r *Result) string { return fmt.Sprint(r.errors()) })
	line("load", func(r *Result) string { return describe(r.Scenario) })
	b.WriteString("\nEach sample of the gateway's CPU profile over the measured window counts for the part of its innermost frame that belongs to one " +
		"(`partRules` in `cmd/trtc-gateway-bench/breakdown.go`): the HTTP server is `net/http`; checks and decode are `server/webhook`, " +
		"`server/webhookauth` and `server/callback`; the log append's client side is the log's `Append` and the NATS client under it " +
		"(and the client's read loop, which takes the acks and the follower's messages); the embedded server is nats-server; " +
		"the follower and projections are `server/follower`, `server/calls`, `server/rooms` and the log's reading side; " +
		"fan-out is `server/hub` and `server/api`; gRPC write is grpc-go and its HTTP/2 framer; GC is the collector's workers, assists and sweepers. " +
		"Shared code (runtime, syscalls, protobuf, crypto) counts for its caller. Profiled gateways run from the benchmark's own copy of package server.\n")
	return b.String()
}

// rewriteBreakdown replaces the breakdown section of path.
func (rep *report) rewriteBreakdown(path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text, err := replaceSection(string(old), breakdownBegin, breakdownEnd, rep.breakdownMarkdown())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
