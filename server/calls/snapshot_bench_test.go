package calls

import (
	"bytes"
	"io"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
)

// replayed is a projection of n ended calls of internal/traffic's traffic
// (1:1 and group calls, answered, rejected, missed), decoded as the
// webhook decodes them, and the heap it holds per call.
func replayed(b *testing.B, n int) (*Projection, float64) {
	b.Helper()
	return heapOf(func() *Projection {
		p := New()
		decodedCalls(b, n, func(evs []*gatewayv1.Event) {
			for _, ev := range evs {
				p.Apply(ev)
			}
		})
		return p
	}, n)
}

// heapOf returns what build returns and the heap it holds, per call of n.
func heapOf(build func() *Projection, n int) (*Projection, float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return p, (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
}

// BenchmarkSnapshot writes and restores a projection of 100,000 calls.
func BenchmarkSnapshot(b *testing.B) { benchSnapshot(b, 100_000) }

// BenchmarkSnapshotMillion is BenchmarkSnapshot at a million calls (3.6
// million events), the scale a restart must not replay: select it by name.
func BenchmarkSnapshotMillion(b *testing.B) { benchSnapshot(b, 1_000_000) }

// benchSnapshot reports, per call of a projection of n: the snapshot's
// bytes, the time to write it (lock: the part under the read lock, which
// Apply waits for) and to restore it, and the heap a restored projection
// holds beside a replayed one. The replayed projection is dropped before
// the restores, which run as at a gateway's start: with nothing else on
// the heap for the garbage collector to mark.
func benchSnapshot(b *testing.B, n int) {
	p, replayHeap := replayed(b, n)
	var snap bytes.Buffer
	if _, err := p.WriteSnapshot(&snap); err != nil {
		b.Fatal(err)
	}
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		var lock, lockCPU time.Duration
		cpu := cpuTime()
		for b.Loop() {
			// encodeSnapshot, timing the part under the lock.
			e := newCallsEncoder(p.Len())
			runtime.LockOSThread()
			p.mu.RLock()
			start, startCPU := time.Now(), threadTime()
			err := e.capture(p)
			lock += time.Since(start)
			lockCPU += threadTime() - startCPU
			p.mu.RUnlock()
			runtime.UnlockOSThread()
			if err != nil {
				b.Fatal(err)
			}
			sw := snapwire.NewWriter(io.Discard) // a writer that costs nothing
			sw.Write(e.sizes)
			e.finish(sw)
			sw.Close()
		}
		b.ReportMetric(float64(snap.Len())/float64(n), "B/call")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/call")
		b.ReportMetric(float64(lock.Microseconds())/1e3/float64(b.N), "lock-ms")
		b.ReportMetric(float64(lockCPU.Microseconds())/1e3/float64(b.N), "lock-cpu-ms")
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/float64(n), "cpu-ns/call")
	})
	p = nil
	for _, gc := range []struct {
		name    string
		percent int
	}{{"read", -2}, {"read-gc-paused", -1}} {
		// read-gc-paused restores with the collector off, as a caller may
		// at start: the restore allocates only what it keeps, so each
		// collection during it marks the growing projection for nothing.
		b.Run(gc.name, func(b *testing.B) {
			if gc.percent != -2 {
				defer debug.SetGCPercent(debug.SetGCPercent(gc.percent))
			}
			b.ReportAllocs()
			var (
				restoredHeap  float64
				before, after runtime.MemStats
				q             *Projection
				cpu           time.Duration
			)
			for b.Loop() {
				b.StopTimer()
				q = nil
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				start := cpuTime()
				q = New()
				if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - start
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				restoredHeap = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
				b.StartTimer()
			}
			runtime.KeepAlive(q)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/call")
			b.ReportMetric(float64(cpu)/float64(b.N)/float64(n), "cpu-ns/call")
			b.ReportMetric(restoredHeap, "heap-B/call")
			b.ReportMetric(replayHeap, "replayed-heap-B/call")
		})
	}
}
