package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// microPackages hold the go test micro-benchmarks the suite runs: the
// decoder, the webhook handler, the log, hub matching and stream encoding.
var microPackages = []string{"./server/callback", "./server/webhook", "./server/eventlog", "./server/hub", "./server/api"}

// microResult is one go test benchmark line.
type microResult struct {
	Package string `json:"package"`
	Name    string `json:"name"`
	// Metrics maps each unit (ns/op, B/op, allocs/op, MB/s, custom ones) to its value.
	Metrics []microMetric `json:"metrics"`
}

type microMetric struct {
	Value string `json:"value"`
	Unit  string `json:"unit"`
}

// microCommand is the go test command the suite runs, for the report.
func microCommand() []string {
	return append([]string{"go", "test", "-run=^$", "-bench=.", "-benchmem"}, microPackages...)
}

// runMicro runs the micro-benchmarks on every online CPU (this process may
// be pinned to fewer) and parses their results.
func runMicro(ctx context.Context) ([]microResult, error) {
	argv := microCommand()
	if cpus, err := os.ReadFile("/sys/devices/system/cpu/online"); err == nil && tasksetAvailable() {
		argv = append([]string{"taskset", "-c", strings.TrimSpace(string(cpus))}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out.String())
	}
	return parseMicro(out.String()), nil
}

// parseMicro reads go test -bench output.
func parseMicro(out string) []microResult {
	var res []microResult
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/trtc-gateway/trtc-gateway/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		r := microResult{Package: pkg, Name: f[0]}
		// f[1] is the iteration count; then value-unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			r.Metrics = append(r.Metrics, microMetric{Value: f[i], Unit: f[i+1]})
		}
		res = append(res, r)
	}
	return res
}

func (r microResult) metric(unit string) string {
	for _, m := range r.Metrics {
		if m.Unit == unit {
			return m.Value
		}
	}
	return ""
}

// The suite rewrites only what lies between these markers in BENCHMARKS.md.
const (
	microBegin = "<!-- bench:micro:begin — written by `make bench`; edit outside these markers -->"
	microEnd   = "<!-- bench:micro:end -->"
)

func microMarkdown(rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s at commit `%s` with `%s`, on every CPU.\n\n", rep.Date, rep.Commit, strings.Join(microCommand(), " "))
	b.WriteString("| package | benchmark | ns/op | B/op | allocs/op | other |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | --- |\n")
	for _, r := range rep.Micro {
		var other []string
		for _, m := range r.Metrics {
			switch m.Unit {
			case "ns/op", "B/op", "allocs/op":
			default:
				other = append(other, m.Value+" "+m.Unit)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Package, strings.TrimPrefix(r.Name, "Benchmark"),
			r.metric("ns/op"), r.metric("B/op"), r.metric("allocs/op"), strings.Join(other, ", "))
	}
	return b.String()
}
