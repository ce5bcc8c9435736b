package server

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// MemoryLimitAuto and MemoryLimitNone are the special values of
// Config.MemoryLimit; any positive value is a limit in bytes.
const (
	// MemoryLimitAuto sets the Go runtime's soft memory limit to
	// AutoMemoryLimitShare of the container's (cgroup) memory limit, when
	// there is one and GOMEMLIMIT is not set; otherwise it leaves the
	// runtime alone.
	MemoryLimitAuto int64 = 0
	// MemoryLimitNone turns the soft memory limit off, GOMEMLIMIT included:
	// the heap grows as GOGC lets it.
	MemoryLimitNone int64 = -1
)

// AutoMemoryLimitShare is the share of a cgroup memory limit that
// --memory-limit=auto gives the Go runtime: the rest is for what the
// runtime does not count (the binary's own pages, the kernel's socket
// buffers), so that the container is not killed before the collector works
// harder.
const AutoMemoryLimitShare = 0.9

// ParseMemoryLimit reads a --memory-limit value: "auto", "none", or a size in
// bytes with an optional suffix B, KiB, MiB, GiB or TiB (as GOMEMLIMIT
// spells them; KB, MB, GB and TB are taken as the same binary units).
func ParseMemoryLimit(v string) (int64, error) {
	s := strings.TrimSpace(v)
	switch strings.ToLower(s) {
	case "auto", "":
		return MemoryLimitAuto, nil
	case "none", "off":
		return MemoryLimitNone, nil
	}
	num := strings.TrimRight(s, "BKMGTikmgtb")
	unit := strings.ToLower(s[len(num):])
	shift := 0
	switch unit {
	case "", "b":
	case "kib", "kb", "k":
		shift = 10
	case "mib", "mb", "m":
		shift = 20
	case "gib", "gb", "g":
		shift = 30
	case "tib", "tb", "t":
		shift = 40
	default:
		return 0, fmt.Errorf("--memory-limit=%q: unknown unit %q; use auto, none, or a size such as 512MiB or 2GiB", v, s[len(num):])
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("--memory-limit=%q: use auto, none, or a positive size such as 512MiB or 2GiB", v)
	}
	return n << shift, nil
}

// FormatMemoryLimit spells a Config.MemoryLimit as ParseMemoryLimit reads it.
func FormatMemoryLimit(limit int64) string {
	switch {
	case limit == MemoryLimitAuto:
		return "auto"
	case limit < 0:
		return "none"
	case limit%(1<<30) == 0:
		return strconv.FormatInt(limit>>30, 10) + "GiB"
	case limit%(1<<20) == 0:
		return strconv.FormatInt(limit>>20, 10) + "MiB"
	default:
		return strconv.FormatInt(limit, 10)
	}
}

// memoryLimitPlan is what applyMemoryLimit sets, and why, for the log.
type memoryLimitPlan struct {
	// limit is the runtime's soft limit to set; 0 leaves it as it is.
	limit  int64
	source string
}

// planMemoryLimit decides the soft memory limit for setting, given the
// GOMEMLIMIT environment variable and the cgroup's memory limit (0 when
// there is none).
func planMemoryLimit(setting int64, gomemlimit string, cgroup int64) memoryLimitPlan {
	switch {
	case setting > 0:
		return memoryLimitPlan{limit: setting, source: "--memory-limit"}
	case setting < 0:
		return memoryLimitPlan{limit: math.MaxInt64, source: "--memory-limit=none"}
	case gomemlimit != "":
		return memoryLimitPlan{source: "GOMEMLIMIT"}
	case cgroup > 0:
		return memoryLimitPlan{limit: int64(float64(cgroup) * AutoMemoryLimitShare), source: "cgroup memory limit"}
	default:
		return memoryLimitPlan{source: "none"}
	}
}

// applyMemoryLimit sets the Go runtime's soft memory limit as setting asks
// (see Config.MemoryLimit) and returns the limit in force (math.MaxInt64
// when none) and where it came from. It changes the whole process, so only
// Run calls it, never Start.
func applyMemoryLimit(setting int64) (limit int64, source string) {
	plan := planMemoryLimit(setting, os.Getenv("GOMEMLIMIT"), cgroupMemoryLimit())
	if plan.limit > 0 {
		debug.SetMemoryLimit(plan.limit)
	}
	return debug.SetMemoryLimit(-1), plan.source
}

// cgroupMemoryLimit returns the memory limit of the process's cgroup (v2,
// else v1), or 0 when there is none or it cannot be read.
func cgroupMemoryLimit() int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if n, err := parseCgroupLimit(string(b)); err == nil {
			return n
		}
	}
	return 0
}

// parseCgroupLimit reads a cgroup memory limit file: "max" (v2) or a value
// near the largest int64 (v1) is no limit, returned as 0.
func parseCgroupLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cgroup memory limit %q: %w", s, err)
	}
	if n <= 0 {
		return 0, errors.New("cgroup memory limit is not positive")
	}
	if n >= 1<<60 { // v1 spells "no limit" as the page-rounded maximum
		return 0, nil
	}
	return n, nil
}
