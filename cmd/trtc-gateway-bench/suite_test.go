package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStandardSuiteBaselines checks that every maximum-rate group names
// bare rows that exist and run just before and just after it, and that the
// cluster rows run on three NATS nodes.
func TestStandardSuiteBaselines(t *testing.T) {
	rows := standardSuite(suiteConfig{conns: 16, warmup: time.Second, duration: time.Second})
	index := make(map[string]int)
	for i, r := range rows {
		if _, dup := index[r.Name]; dup {
			t.Fatalf("two rows named %q", r.Name)
		}
		index[r.Name] = i
	}
	for i, r := range rows {
		if len(r.baseline) == 0 {
			continue
		}
		if len(r.baseline) != 2 {
			t.Fatalf("%s: baseline %v, want a bare row before and one after", r.Name, r.baseline)
		}
		before, ok1 := index[r.baseline[0]]
		after, ok2 := index[r.baseline[1]]
		if !ok1 || !ok2 || rows[before].Store != "bare" || rows[after].Store != "bare" || before > i || after < i {
			t.Errorf("%s: baseline %v is not a bare row before and one after it", r.Name, r.baseline)
		}
	}
	for _, name := range []string{"S1-cluster", "S4-cluster"} {
		r := rows[index[name]]
		if r.NATSNodes != 3 || r.Store != "jetstream" || r.SubsAll != 1 || !r.target.noTarget {
			t.Errorf("%s: %+v, want jetstream on 3 NATS nodes, 1 subscriber, no target", name, r.Scenario)
		}
	}
	if r := rows[index["S4-cluster"]]; r.Rate != 1000 {
		t.Errorf("S4-cluster rate %d, want 1000", r.Rate)
	}
}

// TestClusterRowReport checks that a row on NATS nodes is reported with
// the gateway's figures alone and the nodes' beside them, and that a row
// without a target has no met verdict.
func TestClusterRowReport(t *testing.T) {
	sc := Scenario{Name: "S4-cluster", Store: "jetstream", NATSNodes: 3, Rate: 1000, Conns: 8, SubsAll: 1}
	res := &Result{Scenario: sc, WebhooksPerSec: 1000, GatewayCores: 0.25, CPUPerWebhookUs: 250, PeakRSS: 40 << 20,
		NATSCores: 0.6, NATSPeakRSS: 120 << 20}
	res.Latency.Count = 1
	s := &suiteResults{byName: map[string]*Result{sc.Name: res}}
	rows := standardSuite(suiteConfig{conns: 16})
	row := rows[slices.IndexFunc(rows, func(r suiteRow) bool { return r.Name == sc.Name })]
	_, measured := row.target.met(res, s)
	rep := &report{Rows: []suiteRecord{{Name: sc.Name, Result: res, Target: row.target.text, Measured: measured}}}
	md := rep.markdown()
	for _, want := range []string{
		"jetstream on 3 NATS nodes (3 replicas), 1000/s",
		"0.25 cores, 250.0 µs/webhook (+ 0.60 cores in the NATS nodes)",
		"40 MiB (+ 120 MiB)",
		"no target (issue 4 asks for the figure)",
		"| — |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("missing %q in:\n%s", want, md)
		}
	}
}

// TestSlowRows checks that the S5 rows' slow subscribers read slower than
// the callbacks arrive, and that their target fails on a cut-off, a gap or
// when nothing fell back to the log.
func TestSlowRows(t *testing.T) {
	rows := standardSuite(suiteConfig{conns: 16, warmup: time.Second, duration: time.Second})
	for _, name := range []string{"S5-slow", "S5-slow-durable"} {
		i := slices.IndexFunc(rows, func(r suiteRow) bool { return r.Name == name })
		if i < 0 {
			t.Fatalf("no row %s", name)
		}
		r := rows[i]
		if r.SubsSlow == 0 || r.Rate == 0 || r.SlowRate >= r.Rate {
			t.Errorf("%s: %d slow subscribers reading %d/s at %d callbacks/s, want them slower than ingest", name, r.SubsSlow, r.SlowRate, r.Rate)
		}
		for _, tt := range []struct {
			res  Result
			want bool
		}{
			{Result{Fallbacks: 10}, true},
			{Result{Fallbacks: 10, CutOff: 1}, false},
			{Result{Fallbacks: 10, Gaps: 1}, false},
			{Result{Fallbacks: 10, Lost: 5}, false},
			{Result{Fallbacks: 0}, false},
		} {
			if ok, measured := r.target.met(&tt.res, nil); ok != tt.want {
				t.Errorf("%s: target met = %t for %s, want %t", name, ok, measured, tt.want)
			}
		}
	}
}
