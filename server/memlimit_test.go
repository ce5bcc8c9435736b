package server

import (
	"math"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"auto", MemoryLimitAuto, true},
		{"AUTO", MemoryLimitAuto, true},
		{"none", MemoryLimitNone, true},
		{"off", MemoryLimitNone, true},
		{"1048576", 1 << 20, true},
		{"512B", 512, true},
		{"64KiB", 64 << 10, true},
		{"96MiB", 96 << 20, true},
		{"96mb", 96 << 20, true},
		{"2GiB", 2 << 30, true},
		{"1TiB", 1 << 40, true},
		{"0", 0, false},
		{"-5MiB", 0, false},
		{"1.5GiB", 0, false},
		{"MiB", 0, false},
		{"12PiB", 0, false},
		{"9999999TiB", 0, false},
		{"lots", 0, false},
	} {
		got, err := ParseMemoryLimit(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseMemoryLimit(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok {
			if back, err := ParseMemoryLimit(FormatMemoryLimit(got)); err != nil || back != got {
				t.Errorf("ParseMemoryLimit(FormatMemoryLimit(%d) = %q) = %d, %v", got, FormatMemoryLimit(got), back, err)
			}
		}
	}
}

func TestPlanMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name       string
		setting    int64
		gomemlimit string
		cgroup     int64
		want       memoryLimitPlan
	}{
		{"explicit wins over everything", 256 << 20, "1GiB", 4 << 30, memoryLimitPlan{256 << 20, "--memory-limit"}},
		{"none lifts GOMEMLIMIT too", MemoryLimitNone, "1GiB", 4 << 30, memoryLimitPlan{math.MaxInt64, "--memory-limit=none"}},
		{"auto leaves GOMEMLIMIT to the runtime", MemoryLimitAuto, "1GiB", 4 << 30, memoryLimitPlan{0, "GOMEMLIMIT"}},
		{"auto takes 90 % of the cgroup", MemoryLimitAuto, "", 1000 << 20, memoryLimitPlan{900 << 20, "cgroup memory limit"}},
		{"auto without a cgroup limit sets nothing", MemoryLimitAuto, "", 0, memoryLimitPlan{0, "none"}},
	} {
		if got := planMemoryLimit(tc.setting, tc.gomemlimit, tc.cgroup); got != tc.want {
			t.Errorf("%s: planMemoryLimit = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestParseCgroupLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"max\n", 0, true},
		{"536870912\n", 512 << 20, true},
		{"9223372036854771712\n", 0, true}, // v1's "no limit"
		{"", 0, false},
		{"0", 0, false},
		{"garbage", 0, false},
	} {
		got, err := parseCgroupLimit(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseCgroupLimit(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
