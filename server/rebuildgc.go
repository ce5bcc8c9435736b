package server

import (
	"context"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
)

// RebuildGCPercent is the collector's GOGC while the projections rebuild
// from the log, when a soft memory limit is in force. A rebuild allocates
// as fast as it can decode and keeps most of what it allocates, so at the
// default of 100 the collector runs each time the heap doubles and spends a
// quarter to a third of the rebuild marking a heap that only grows (a
// million calls: GOGC=400 rebuilt 30 % faster, BENCHMARKS.md). The soft
// limit still bounds the heap: the collector works harder near it, whatever
// GOGC says, so the rebuild takes the headroom the operator granted and no
// more.
const RebuildGCPercent = 400

// rebuildGCPlan decides the GOGC to run the rebuild at: RebuildGCPercent
// when the process runs under a soft memory limit (limit below
// math.MaxInt64) at the default GOGC, else 0 (leave the collector alone: an
// operator's GOGC is theirs, and without a limit a larger GOGC would let a
// million calls take several more GiB).
func rebuildGCPlan(limit int64, gogcEnv string) int {
	if limit == math.MaxInt64 || limit <= 0 || gogcEnv != "" {
		return 0
	}
	return RebuildGCPercent
}

// relaxGCWhileRebuilding runs the collector at percent until ready is
// closed or ctx ends, then sets it back. It changes the whole process: only
// Run calls it.
func relaxGCWhileRebuilding(ctx context.Context, percent int, ready <-chan struct{}, logger *slog.Logger) {
	if percent <= 0 {
		return
	}
	select {
	case <-ready:
		return
	default:
	}
	prev := debug.SetGCPercent(percent)
	logger.Info("memory: rebuilding the projections with a relaxed collector under the soft limit", "gogc", percent)
	defer func() {
		debug.SetGCPercent(prev)
		logger.Info("memory: collector back to its setting", "gogc", prev)
	}()
	select {
	case <-ctx.Done():
	case <-ready:
	}
}

// gogcEnv is the GOGC the process was started with, if any.
func gogcEnv() string { return os.Getenv("GOGC") }
