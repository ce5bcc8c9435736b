package rooms

import (
	"bytes"
	"io"
	"net/url"
	"runtime"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// benchRooms builds a projection of the live traffic of g generators, n
// events each (every generator has rooms of its own: four viewer rooms of
// up to 50 viewers, two live rooms that battle, four TRTC rooms), decoded
// as the webhook decodes them, and returns it with the heap it holds.
func benchRooms(b *testing.B, gens, n int) (*Projection, float64) {
	b.Helper()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002}, Mix: traffic.Mix{traffic.Live: 4, traffic.Viewers: 4, traffic.TRTC: 3}, ActiveCalls: 1, RunID: 21}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := New(DefaultTTL)
	clock := time.Unix(1741231146, 0)
	now := func() time.Time { return clock }
	seq := uint64(0)
	all := make([]*traffic.Generator, gens)
	for i := range all {
		all[i] = traffic.NewGenerator(model, i, now)
	}
	for range n {
		for _, g := range all {
			clock = clock.Add(time.Millisecond)
			wh := g.Next()
			var (
				ev  *gatewayv1.Event
				err error
			)
			if wh.Family == traffic.TRTC {
				ev, err = callback.DecodeTRTC(wh.App, wh.Body, clock)
			} else {
				var q url.Values
				if q, err = url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, "203.0.113.1", "iOS")); err == nil {
					ev, err = callback.Decode(q, wh.Body, clock)
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			seq++
			ev.Sequence = seq
			p.Apply(ev)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return p, (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(p.Len())
}

// BenchmarkSnapshot writes and restores the rooms of 2,000 generators' live
// traffic (200 events each), reporting per room.
func BenchmarkSnapshot(b *testing.B) {
	p, replayHeap := benchRooms(b, 2000, 200)
	rooms := float64(p.Len())
	var snap bytes.Buffer
	if _, err := p.WriteSnapshot(&snap); err != nil {
		b.Fatal(err)
	}
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		var lock time.Duration
		for b.Loop() {
			start := time.Now()
			_, e, err := p.encodeSnapshot()
			lock += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			io.Discard.Write(e.table)
			io.Discard.Write(e.body)
		}
		b.ReportMetric(rooms, "rooms")
		b.ReportMetric(float64(snap.Len())/rooms, "B/room")
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rooms, "ns/room")
		b.ReportMetric(float64(lock.Microseconds())/1e3/float64(b.N), "lock-ms")
	})
	p = nil
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		var (
			heap          float64
			before, after runtime.MemStats
			q             *Projection
		)
		for b.Loop() {
			b.StopTimer()
			q = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.StartTimer()
			q = New(DefaultTTL)
			if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&after)
			heap = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / rooms
			b.StartTimer()
		}
		runtime.KeepAlive(q)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rooms, "ns/room")
		b.ReportMetric(heap, "heap-B/room")
		b.ReportMetric(replayHeap, "replayed-heap-B/room")
	})
}
