package checkpoint

import (
	"sync"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// maxHeld bounds the events a gate queues while its projection is encoded:
// beyond it the follower waits for the encoding to end, as without a gate.
const maxHeld = 1 << 16

// Applier is what the follower hands a projection: its events in order and,
// for a Trimmer, the log's oldest sequence.
type Applier interface {
	Apply(ev *gatewayv1.Event)
}

// trimmer is an Applier that forgets what left the log (follower.Trimmer).
type trimmer interface {
	Trim(oldest uint64)
}

// gate stands between the follower and a projection. While the Keeper
// encodes the projection's checkpoint it is held: the follower's events
// (and trims) are queued, in order, instead of waiting for the encoding's
// read lock, so that the follower — and live delivery to subscribers with
// it — goes on; releasing it applies the queue before any later event. The
// projection thus stands still at one sequence while it is encoded.
type gate struct {
	inner Applier

	mu      sync.Mutex
	drained *sync.Cond // signalled when a hold ends
	held    bool
	queue   []queued
}

// queued is an event, or a trim when ev is nil.
type queued struct {
	ev     *gatewayv1.Event
	oldest uint64
}

func newGate(inner Applier) *gate {
	g := &gate{inner: inner}
	g.drained = sync.NewCond(&g.mu)
	return g
}

// Apply hands ev to the projection, or queues it while the gate is held.
func (g *gate) Apply(ev *gatewayv1.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.held && len(g.queue) >= maxHeld {
		g.drained.Wait()
	}
	if g.held {
		g.queue = append(g.queue, queued{ev: ev})
		return
	}
	g.inner.Apply(ev)
}

// Trim tells a projection that trims the log's oldest sequence, in order
// with its events.
func (g *gate) Trim(oldest uint64) {
	t, ok := g.inner.(trimmer)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.held {
		g.queue = append(g.queue, queued{oldest: oldest})
		return
	}
	t.Trim(oldest)
}

// hold starts queueing.
func (g *gate) hold() {
	g.mu.Lock()
	g.held = true
	g.mu.Unlock()
}

// release applies what was queued, in order, and stops queueing.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.queue {
		if q.ev != nil {
			g.inner.Apply(q.ev)
		} else {
			g.inner.(trimmer).Trim(q.oldest)
		}
		g.queue[i] = queued{}
	}
	g.queue = g.queue[:0]
	if cap(g.queue) > 1024 {
		g.queue = nil // a long hold's backlog is not kept for the next
	}
	g.held = false
	g.drained.Broadcast()
}
