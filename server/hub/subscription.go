package hub

import (
	"errors"
	"sync/atomic"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// ErrSlowConsumer ends a subscription whose queue was full when an event for
// it was published: the subscriber fell behind and must resume from the log.
var ErrSlowConsumer = errors.New("subscriber fell behind: its queue was full")

// ErrClosed ends a subscription that was closed by its owner or whose hub
// stopped.
var ErrClosed = errors.New("subscription closed")

// DefaultQueue is the queue length Subscribe uses when asked for less than 1.
const DefaultQueue = 256

// Subscription is one subscriber's live feed of matching events, in log
// order. It ends when its owner calls Close, when it falls behind (its queue
// is full), or when the hub stops.
type Subscription struct {
	hub     *Hub
	matcher matcher
	events  chan *gatewayv1.Event
	done    chan struct{}
	// err says why the subscription ended; written once before done is
	// closed and read only after.
	err   error
	ended atomic.Bool

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

// Events returns the subscription's queue of matching events. It is never
// closed: select on Done as well. After Done, the events still queued are the
// gapless continuation of what was received and may be drained without
// blocking.
func (s *Subscription) Events() <-chan *gatewayv1.Event { return s.events }

// Done is closed when the subscription ends: the hub cut it off (it fell
// behind, or the hub stopped) or Close was called. Err then says which.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns nil while the subscription is live, then ErrSlowConsumer if the
// hub cut it off for falling behind, or ErrClosed if it was closed or the hub
// stopped.
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
