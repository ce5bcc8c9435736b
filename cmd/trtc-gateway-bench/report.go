package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// report is the JSON file a run writes.
type report struct {
	Date     string        `json:"date"`
	Commit   string        `json:"commit"`
	Command  string        `json:"command"`
	Machine  string        `json:"machine"`
	CPUSplit string        `json:"cpu_split"`
	Go       string        `json:"go"`
	Rows     []suiteRecord `json:"rows"`
	Micro    []microResult `json:"micro,omitempty"`
}

func newReport(command, split string, rows []suiteRecord) *report {
	return &report{
		Date:     time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Commit:   gitCommit(),
		Command:  command,
		Machine:  machine(),
		CPUSplit: split,
		Go:       runtime.Version(),
		Rows:     rows,
	}
}

func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		commit += " (with uncommitted changes)"
	}
	return commit
}

func machine() string {
	// Count from /proc/cpuinfo: runtime.NumCPU sees only the CPUs this
	// process is pinned to.
	model, n := "unknown CPU", 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				n++
			}
		}
	}
	if n == 0 {
		n = runtime.NumCPU()
	}
	return fmt.Sprintf("%d × %s, %s/%s", n, model, runtime.GOOS, runtime.GOARCH)
}

func (rep *report) writeJSON(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// printTable writes the results as an aligned table.
func (rep *report) printTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\twebhooks/s\t×bare\t×Centrifugo\tdeliveries/s\tanswer p99\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\terrors\tgw cores\tµs/webhook\tpeak RSS\tload cores\ttarget\tmet")
	for _, row := range rep.Rows {
		r := row.Result
		if r == nil {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n", row.Name, row.Skipped)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.3f\t%s\t%s\t%s\t%s\t%d\t%.2f\t%.1f\t%s\t%.2f\t%s\t%s\n",
			row.Name, thousands(r.WebhooksPerSec), bareCell(row), peerCell(row), deliveries(r), r.Response.P99,
			latencyCell(r, r.Latency.P50), latencyCell(r, r.Latency.P99), latencyCell(r, r.Latency.P999), latencyCell(r, r.Latency.Max),
			r.errors(), r.GatewayCores, r.CPUPerWebhookUs, mib(r.PeakRSS), r.LoadCores, row.Target, metCell(row))
	}
	_ = tw.Flush()
	rep.printBreakdown(w)
	fmt.Fprintf(w, "\n%s · commit %s · %s\nCPU split: %s\n", rep.Date, rep.Commit, rep.Machine, rep.CPUSplit)
	if len(rep.Micro) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "package\tbenchmark\tns/op\tB/op\tallocs/op")
		for _, m := range rep.Micro {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Package, strings.TrimPrefix(m.Name, "Benchmark"), m.metric("ns/op"), m.metric("B/op"), m.metric("allocs/op"))
		}
		_ = tw.Flush()
	}
}

// bareCell is a row's webhooks/s over its bare baseline's, or a dash when
// no bare handler ran (--baseline=false, --breakdown).
func bareCell(row suiteRecord) string {
	if row.RatioBare == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", row.RatioBare)
}

// peerCell is a row's webhooks/s over its Centrifugo row's, or a dash.
func peerCell(row suiteRecord) string {
	if row.Peer == "" {
		return "—"
	}
	return fmt.Sprintf("%.2f", row.RatioCentrifugo)
}

func deliveries(r *Result) string {
	if r.subscribers() == 0 {
		return "—"
	}
	return thousands(r.DeliveriesPerSec)
}

func latencyCell(r *Result, v float64) string {
	if r.subscribers() == 0 || r.Latency.Count == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", v)
}

func metCell(row suiteRecord) string {
	switch {
	case row.Met == nil:
		return "—"
	case *row.Met:
		return "met"
	case row.Result != nil && row.Result.errors() > 0:
		return "NOT MET (errors)"
	default:
		return "NOT MET"
	}
}

// The suite rewrites only what lies between these markers in BENCHMARKS.md.
const (
	mdBegin = "<!-- bench:begin — written by `make bench`; edit outside these markers -->"
	mdEnd   = "<!-- bench:end -->"
)

// markdown renders the scenario table section.
func (rep *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s at commit `%s` with `%s`.\n\n", rep.Date, rep.Commit, rep.Command)
	fmt.Fprintf(&b, "Machine: %s, %s. CPU split: %s.\n\n", rep.Machine, rep.Go, rep.CPUSplit)
	b.WriteString("| scenario | load | webhooks/s | × bare | × Centrifugo | deliveries/s | answer p50 / p99 (ms) | delivery p50 / p99 / p99.9 / max (ms) | errors | gateway CPU | peak RSS | target | measured | met |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | --- | --- | --- |\n")
	for _, row := range rep.Rows {
		r := row.Result
		if r == nil {
			fmt.Fprintf(&b, "| %s | | | | | | | | | | | | %s | — |\n", row.Name, row.Skipped)
			continue
		}
		lat := "—"
		if r.subscribers() > 0 && r.Latency.Count > 0 {
			lat = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", r.Latency.P50, r.Latency.P99, r.Latency.P999, r.Latency.Max)
		}
		errs := fmt.Sprint(r.errors())
		if r.FirstError != "" {
			errs += " (" + strings.ReplaceAll(truncate(r.FirstError, 120), "|", "\\|") + ")"
		}
		target, measured := row.Target, row.Measured
		if target == "" {
			target, measured = "baseline", "—"
		}
		cpu, rss := fmt.Sprintf("%.2f cores, %.1f µs/webhook", r.GatewayCores, r.CPUPerWebhookUs), mib(r.PeakRSS)
		if r.NATSNodes > 0 {
			cpu += fmt.Sprintf(" (+ %.2f cores in the NATS nodes)", r.NATSCores)
			rss += fmt.Sprintf(" (+ %s)", mib(r.NATSPeakRSS))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %s | %.2f / %.2f | %s | %s | %s | %s | %s | %s | %s |\n",
			row.Name, describe(r.Scenario), thousands(r.WebhooksPerSec), row.RatioBare, peerCell(row), deliveries(r),
			r.Response.P50, r.Response.P99, lat, errs,
			cpu, rss, target, measured, metCell(row))
	}
	b.WriteString("\n× bare divides webhooks/s by the mean of the bare handler's runs under the same load just before and just after " +
		"(a bare row's own × bare is its share of that mean); fixed-rate rows are divided by the mean of all maximum-rate bare runs, " +
		"which only shows their headroom. " +
		"× Centrifugo divides webhooks/s by the Centrifugo row's of the same group (Centrifugo " + centrifugoVersion + " under the same traffic and CPU split: " +
		"each callback posted to its /api/publish on one channel, subscribers on its unidirectional gRPC stream; its own CPU and peak RSS in its rows). " +
		"Answer is send → HTTP response; delivery is send → receipt by a subscriber. " +
		"Gateway CPU and peak RSS are the measured process's (the bare handler's in its rows); a met target also needs zero errors. " +
		"In the rows on NATS nodes they are the gateway process's alone; the nodes' CPU in the window and the sum of their peak RSS follow in brackets.\n")
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// rewriteMarkdown replaces the marked sections of path with the report
// (the micro-benchmark one only when they ran), creating the file with
// just those sections when it does not exist.
func (rep *report) rewriteMarkdown(path string) error {
	old, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		old = []byte("# Benchmarks\n\n## Scenarios\n\n" + mdBegin + "\n" + mdEnd + "\n\n## Micro-benchmarks\n\n" + microBegin + "\n" + microEnd + "\n")
	} else if err != nil {
		return err
	}
	text, err := replaceSection(string(old), mdBegin, mdEnd, rep.markdown())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(rep.Micro) > 0 {
		if text, err = replaceSection(text, microBegin, microEnd, microMarkdown(rep)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// replaceSection replaces what lies between the begin and end markers.
func replaceSection(text, begin, end, content string) (string, error) {
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %q … %q section to rewrite", begin, end)
	}
	return text[:i] + begin + "\n\n" + content + "\n" + text[j:], nil
}
