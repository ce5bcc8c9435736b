package hub

import (
	"errors"
	"sync"
	"sync/atomic"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// ErrSlowConsumer ends a subscription whose queue was full when an event for
// it was published: the subscriber fell behind. What is still queued is the
// gapless continuation of what it took; after that it continues from the log
// at its own pace and subscribes again once caught up.
var ErrSlowConsumer = errors.New("subscriber fell behind: its queue was full")

// ErrClosed ends a subscription that was closed by its owner or whose hub
// stopped.
var ErrClosed = errors.New("subscription closed")

// DefaultQueue is the queue bound Subscribe uses when asked for less than 1.
const DefaultQueue = 256

// minQueue is the capacity a queue starts with when its first event arrives.
// It doubles as it fills, up to the subscription's bound. When the queue
// empties after a spell that used at most a quarter of it, it shrinks to twice
// that spell's peak: a subscriber that keeps up holds a few slots, one that
// never received an event none, and one whose backlog swings keeps its
// capacity instead of regrowing it every time. A queue that goes quiet keeps
// the capacity of its last busy spell.
const minQueue = 8

// Subscription is one subscriber's live feed of matching events, in log
// order. It ends when its owner calls Close, when it falls behind (its queue
// is at its bound), or when the hub stops.
type Subscription struct {
	hub     *Hub
	matcher *Matcher
	// ready holds a token while events may be queued; see Ready.
	ready chan struct{}
	done  chan struct{}
	// err says why the subscription ended; written once before done is
	// closed and read only after.
	err   error
	ended atomic.Bool

	// mu guards the queue: a ring of n events starting at head, in a buffer
	// that grows on demand up to limit; peak is the most n has been since the
	// queue was last empty.
	mu    sync.Mutex
	ring  []*gatewayv1.Event
	head  int
	n     int
	limit int
	peak  int

	// floor is the highest sequence the subscriber already has: only later
	// events are queued. Set before the subscription is visible in the
	// index and never changed.
	floor uint64
	// field is the filter field the subscription is indexed by, and keys
	// the index entries it is filed under, sorted by shard so a shard's keys
	// are contiguous; shardOf[i] is keys[i]'s shard.
	field   field
	keys    []indexKey
	shardOf []int
	// slots[i] is the subscription's position in the bucket of keys[i],
	// guarded by that key's shard lock.
	slots []int
	// registered says the subscription is in the index and counted.
	registered bool

	// stamp is the last publish that considered this subscription, so an
	// event reaching it through two keys is delivered once. Touched only
	// by the publishing goroutine.
	stamp uint64
}

// Ready receives a value when events may be queued. After receiving one,
// call Next at least once: until it reports none, or fewer times, since
// Ready receives again while events remain. A value may come with nothing
// queued. It is never closed: select on Done as well.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Next removes and returns the oldest queued event without waiting, or
// reports false when none is queued. After Done, the events still queued are
// the gapless continuation of what was received and Next returns them.
func (s *Subscription) Next() (*gatewayv1.Event, bool) {
	s.mu.Lock()
	if s.n == 0 {
		s.mu.Unlock()
		return nil, false
	}
	ev := s.ring[s.head]
	s.ring[s.head] = nil
	s.head++
	if s.head == len(s.ring) {
		s.head = 0
	}
	s.n--
	more := s.n > 0
	if !more {
		if len(s.ring) > minQueue && s.peak <= len(s.ring)/4 {
			s.ring = make([]*gatewayv1.Event, max(minQueue, 2*s.peak))
			s.head = 0
		}
		s.peak = 0
	}
	s.mu.Unlock()
	if more {
		s.signal()
	}
	return ev, true
}

// push queues ev unless the queue is at its bound, and reports whether it
// did. Only Publish calls it.
func (s *Subscription) push(ev *gatewayv1.Event) bool {
	s.mu.Lock()
	if s.n == s.limit {
		s.mu.Unlock()
		return false
	}
	if s.n == len(s.ring) {
		s.resize(min(max(2*len(s.ring), minQueue), s.limit))
	}
	i := s.head + s.n
	if i >= len(s.ring) {
		i -= len(s.ring)
	}
	s.ring[i] = ev
	s.n++
	s.peak = max(s.peak, s.n)
	first := s.n == 1
	s.mu.Unlock()
	if first {
		s.signal()
	}
	return true
}

// resize moves the queued events to the front of a buffer of c slots.
// Called with mu held and c >= n.
func (s *Subscription) resize(c int) {
	ring := make([]*gatewayv1.Event, c)
	if s.head+s.n <= len(s.ring) {
		copy(ring, s.ring[s.head:s.head+s.n])
	} else {
		k := copy(ring, s.ring[s.head:])
		copy(ring[k:], s.ring[:s.n-k])
	}
	s.ring = ring
	s.head = 0
}

// signal leaves a token in ready unless one is already there.
func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Done is closed when the subscription ends: its queue overflowed (it fell
// behind), the hub stopped, or Close was called. Err then says which.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns nil while the subscription is live, then ErrSlowConsumer if its
// queue overflowed, or ErrClosed if it was closed or the hub stopped.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close unsubscribes and ends the subscription with ErrClosed (unless it had
// already ended). An event being published at that moment may still land in
// the queue, unread. It is idempotent and safe concurrently with Publish.
func (s *Subscription) Close() {
	s.end(ErrClosed)
}

// end finishes the subscription with err and removes it from the index. It
// reports whether this call ended it.
func (s *Subscription) end(err error) bool {
	if !s.ended.CompareAndSwap(false, true) {
		return false
	}
	s.err = err
	close(s.done)
	if s.registered {
		s.hub.remove(s)
	}
	return true
}
