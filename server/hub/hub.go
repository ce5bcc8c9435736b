// Package hub fans the event log out to subscribers.
//
// The hub follows the log and publishes each event once. Every subscription
// is filed in an index under the values of its most selective filter field,
// so publishing an event costs in proportion to the subscriptions that could
// match it, not to all of them. Each subscription has a bounded queue that
// takes memory only for the events it holds; a subscription whose queue is
// full ends with ErrSlowConsumer, so that ingest and other subscribers never
// wait for it, and its owner continues from the log at its own pace and
// subscribes again once caught up (see Subscribe).
package hub

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// The registry is split into shards by index key so that Subscribe and Close
// on different keys, and Publish, rarely wait for the same lock.
const (
	shardBits = 6
	numShards = 1 << shardBits
)

// field is the filter field an index key belongs to, in the order fields are
// preferred for indexing, most selective last.
type field uint8

const (
	fieldAll field = iota // subscriptions with an empty filter
	fieldEventType
	fieldCommand
	fieldSdkApp
	fieldRoom
	fieldUser
	fieldCall
	numFields
)

// indexKey is one bucket of the index: a field and one of its values (num for
// event types and SdkAppids, str for the rest).
type indexKey struct {
	field field
	num   uint32
	str   string
}

// entry is a subscription in a bucket; k is the bucket's position in the
// subscription's keys, so a swap-removal can update the moved entry's slot.
type entry struct {
	sub *Subscription
	k   int
}

type shard struct {
	mu      sync.RWMutex
	buckets map[indexKey][]entry
	// Keep neighbouring shards' locks on separate cache lines.
	_ [96]byte
}

// Options configures a Hub.
type Options struct {
	// Start is the last sequence already in the log when the hub starts: Run
	// publishes the events after it, and Last reports it until then.
	Start uint64
}

// Hub delivers published events to the subscriptions whose filters match
// them. Create it with New; it is safe for concurrent use, except that
// Publish has a single caller.
type Hub struct {
	seed   maphash.Seed
	shards [numShards]shard

	last    atomic.Uint64
	running atomic.Bool
	stopped atomic.Bool
	// indexed counts the subscriptions filed under each field, so Publish
	// skips the lookups of fields nobody filters on.
	indexed     [numFields]atomic.Int64
	subscribers atomic.Int64
	delivered   atomic.Uint64
	overflowed  atomic.Uint64

	// Owned by the publishing goroutine.
	stamp   uint64
	scratch []*Subscription
	slow    []*Subscription
}

// New returns a hub whose Last is opts.Start.
func New(opts Options) *Hub {
	h := &Hub{seed: maphash.MakeSeed()}
	h.last.Store(opts.Start)
	for i := range h.shards {
		h.shards[i].buckets = make(map[indexKey][]entry)
	}
	return h
}

// Run follows log after Last and publishes each event, until ctx ends (it
// returns nil) or the log fails (it returns the log's error, wrapped). When it
// returns, every subscription ends with ErrClosed and later ones start ended.
// A hub runs once; while Run runs, nothing else may call Publish.
func (h *Hub) Run(ctx context.Context, log eventlog.Log) error {
	if !h.running.CompareAndSwap(false, true) {
		return errors.New("hub: Run was already called; a hub runs once")
	}
	defer h.stop()
	err := log.Follow(ctx, h.last.Load(), func(ev *gatewayv1.Event) error {
		h.Publish(ev)
		return nil
	})
	if ctx.Err() != nil {
		return nil
	}
	if err == nil {
		err = errors.New("the log stopped delivering without an error")
	}
	return fmt.Errorf("hub: following the event log after sequence %d: %w", h.last.Load(), err)
}

// stop ends every subscription with ErrClosed and makes Subscribe return
// ended subscriptions from now on.
func (h *Hub) stop() {
	h.stopped.Store(true)
	var subs []*Subscription
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.RLock()
		for _, b := range sh.buckets {
			for _, e := range b {
				subs = append(subs, e.sub)
			}
		}
		sh.mu.RUnlock()
	}
	for _, s := range subs {
		s.end(ErrClosed)
	}
}

// Last returns the sequence of the last event published, or Options.Start
// before the first.
func (h *Hub) Last() uint64 { return h.last.Load() }

// Publish queues ev to every live subscription whose filter matches it and
// whose cursor is before it. It never waits for a subscriber: one whose queue
// is full ends with ErrSlowConsumer, its queue holding the events up to the
// one before ev. Events must be published in log
// order from a single goroutine; an event whose sequence is not after Last is
// ignored, and so is nil.
func (h *Hub) Publish(ev *gatewayv1.Event) {
	if ev == nil {
		return
	}
	seq := ev.GetSequence()
	if seq <= h.last.Load() {
		return
	}
	// Last moves before the index is read: a Subscribe that the gathering
	// below misses is guaranteed to see seq as its Last (see Subscribe).
	h.last.Store(seq)
	h.stamp++
	cands := h.gather(h.scratch[:0], ev)
	var delivered uint64
	for _, s := range cands {
		if s.stamp == h.stamp {
			continue // reached through a second key of the same event
		}
		s.stamp = h.stamp
		if seq <= s.floor || s.ended.Load() || !s.matcher.Match(ev) {
			continue
		}
		if s.push(ev) {
			delivered++
		} else {
			h.slow = append(h.slow, s)
		}
	}
	clear(cands)
	h.scratch = cands[:0]
	if delivered > 0 {
		h.delivered.Add(delivered)
	}
	for i, s := range h.slow {
		if s.end(ErrSlowConsumer) {
			h.overflowed.Add(1)
		}
		h.slow[i] = nil
	}
	h.slow = h.slow[:0]
}

// gather appends to dst the subscriptions filed under any of ev's keys.
func (h *Hub) gather(dst []*Subscription, ev *gatewayv1.Event) []*Subscription {
	if h.indexed[fieldAll].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldAll})
	}
	if h.indexed[fieldCall].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldCall, str: ev.GetCallId()})
	}
	if h.indexed[fieldUser].Load() > 0 {
		for _, u := range ev.GetUserAccounts() {
			dst = h.collect(dst, indexKey{field: fieldUser, str: u})
		}
	}
	if h.indexed[fieldRoom].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldRoom, str: ev.GetRoomId()})
	}
	if h.indexed[fieldSdkApp].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldSdkApp, num: ev.GetSdkAppId()})
	}
	if h.indexed[fieldCommand].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldCommand, str: commandKey(ev.GetCallbackCommand())})
	}
	if h.indexed[fieldEventType].Load() > 0 {
		dst = h.collect(dst, indexKey{field: fieldEventType, num: uint32(ev.GetType())})
	}
	return dst
}

func (h *Hub) collect(dst []*Subscription, k indexKey) []*Subscription {
	sh := &h.shards[h.shardIndex(k)]
	sh.mu.RLock()
	for _, e := range sh.buckets[k] {
		dst = append(dst, e.sub)
	}
	sh.mu.RUnlock()
	return dst
}

func (h *Hub) shardIndex(k indexKey) int {
	x := maphash.String(h.seed, k.str) ^ (uint64(k.field)<<32|uint64(k.num))*0x9e3779b97f4a7c15
	return int(x >> (64 - shardBits))
}

// Subscribe registers a subscription for the events m matches, with a queue
// bounded at queue events (DefaultQueue when queue < 1), and returns it with
// Last at the moment of registration. The subscription receives exactly the
// matching events published after registration whose sequence is greater
// than max(after, returned Last): a caller resuming from a cursor reads
// (cursor, Last] from the log and then the queue, with no gap and no
// duplicate. A subscription that ended with ErrSlowConsumer is resumed the
// same way, from the last event its owner took from it. On a stopped hub the
// subscription has already ended with ErrClosed.
func (h *Hub) Subscribe(m *Matcher, after uint64, queue int) (*Subscription, uint64) {
	if queue < 1 {
		queue = DefaultQueue
	}
	s := &Subscription{
		hub:     h,
		matcher: m,
		ready:   make(chan struct{}, 1),
		done:    make(chan struct{}),
		limit:   queue,
	}
	fld, keys := indexKeys(m.filter)
	h.file(s, fld, keys)

	// Counting the field before taking the locks means a Publish that skips
	// the field's lookups stored its Last before this count, so the Last read
	// below already covers it.
	h.indexed[fld].Add(1)
	h.lockShards(s)
	if h.stopped.Load() {
		h.unlockShards(s)
		h.indexed[fld].Add(-1)
		s.ended.Store(true)
		s.err = ErrClosed
		close(s.done)
		return s, h.last.Load()
	}
	for i, k := range s.keys {
		sh := &h.shards[s.shardOf[i]]
		b := sh.buckets[k]
		s.slots[i] = len(b)
		sh.buckets[k] = append(b, entry{sub: s, k: i})
	}
	// With every bucket of s locked, a Publish either gathers s after this
	// point (and sees floor) or finished reading these buckets before it,
	// having stored its sequence in last first, so last includes it.
	last := h.last.Load()
	s.floor = max(after, last)
	s.registered = true
	h.subscribers.Add(1)
	h.unlockShards(s)
	return s, last
}

// file sets the subscription's index keys, ordered by shard.
func (h *Hub) file(s *Subscription, fld field, keys []indexKey) {
	type placed struct {
		key   indexKey
		shard int
	}
	ps := make([]placed, len(keys))
	for i, k := range keys {
		ps[i] = placed{key: k, shard: h.shardIndex(k)}
	}
	slices.SortFunc(ps, func(a, b placed) int { return cmp.Compare(a.shard, b.shard) })
	s.field = fld
	s.keys = make([]indexKey, len(ps))
	s.shardOf = make([]int, len(ps))
	s.slots = make([]int, len(ps))
	for i, p := range ps {
		s.keys[i], s.shardOf[i] = p.key, p.shard
	}
}

// lockShards write-locks each distinct shard of s in ascending order, the
// one order every multi-lock holder uses.
func (h *Hub) lockShards(s *Subscription) {
	for i, idx := range s.shardOf {
		if i == 0 || idx != s.shardOf[i-1] {
			h.shards[idx].mu.Lock()
		}
	}
}

func (h *Hub) unlockShards(s *Subscription) {
	for i, idx := range s.shardOf {
		if i == 0 || idx != s.shardOf[i-1] {
			h.shards[idx].mu.Unlock()
		}
	}
}

// remove takes a registered, ended subscription out of the index.
func (h *Hub) remove(s *Subscription) {
	for i := 0; i < len(s.keys); {
		idx := s.shardOf[i]
		sh := &h.shards[idx]
		sh.mu.Lock()
		for ; i < len(s.keys) && s.shardOf[i] == idx; i++ {
			sh.removeEntry(s, i)
		}
		sh.mu.Unlock()
	}
	h.indexed[s.field].Add(-1)
	h.subscribers.Add(-1)
}

// removeEntry swap-removes s from the bucket of its i-th key. Called with
// sh.mu held.
func (sh *shard) removeEntry(s *Subscription, i int) {
	k := s.keys[i]
	b := sh.buckets[k]
	pos := s.slots[i]
	if pos >= len(b) || b[pos].sub != s {
		return // not filed here; nothing to undo
	}
	end := len(b) - 1
	if pos != end {
		moved := b[end]
		b[pos] = moved
		moved.sub.slots[moved.k] = pos
	}
	b[end] = entry{}
	b = b[:end]
	switch {
	case len(b) == 0:
		delete(sh.buckets, k)
	case cap(b) > 64 && len(b) < cap(b)/4:
		// Give back the memory of a bucket that emptied out.
		sh.buckets[k] = slices.Clip(slices.Clone(b))
	default:
		sh.buckets[k] = b
	}
}

// indexKeys picks the most selective non-empty field of f and returns its
// distinct values as keys; an empty filter is filed under fieldAll.
func indexKeys(f Filter) (field, []indexKey) {
	switch {
	case len(f.CallIDs) > 0:
		return fieldCall, stringKeys(fieldCall, f.CallIDs)
	case len(f.UserAccounts) > 0:
		return fieldUser, stringKeys(fieldUser, f.UserAccounts)
	case len(f.RoomIDs) > 0:
		return fieldRoom, stringKeys(fieldRoom, f.RoomIDs)
	case len(f.SdkAppIDs) > 0:
		return fieldSdkApp, numberKeys(fieldSdkApp, f.SdkAppIDs)
	case len(f.CallbackCommands) > 0:
		return fieldCommand, stringKeys(fieldCommand, f.CallbackCommands)
	case len(f.EventTypes) > 0:
		return fieldEventType, numberKeys(fieldEventType, f.EventTypes)
	default:
		return fieldAll, []indexKey{{field: fieldAll}}
	}
}

func stringKeys(fld field, vs []string) []indexKey {
	keys := make([]indexKey, 0, len(vs))
	for _, v := range dedupe(vs) {
		keys = append(keys, indexKey{field: fld, str: v})
	}
	return keys
}

func numberKeys[N ~uint32 | ~int32](fld field, vs []N) []indexKey {
	keys := make([]indexKey, 0, len(vs))
	for _, v := range dedupe(vs) {
		keys = append(keys, indexKey{field: fld, num: uint32(v)})
	}
	return keys
}

// Stats is a snapshot of the hub's counters, for metrics.
type Stats struct {
	// Subscribers is the number of live subscriptions.
	Subscribers int
	// Delivered counts events queued to subscribers, one per matching subscriber.
	Delivered uint64
	// Overflowed counts subscriptions ended with ErrSlowConsumer: each is a
	// subscriber that went on reading the log at its own pace.
	Overflowed uint64
	// Last is the sequence of the last event published.
	Last uint64
}

// Stats returns the hub's counters; it only reads atomics and is cheap.
func (h *Hub) Stats() Stats {
	return Stats{
		Subscribers: int(h.subscribers.Load()),
		Delivered:   h.delivered.Load(),
		Overflowed:  h.overflowed.Load(),
		Last:        h.last.Load(),
	}
}

// Stop ends every subscription with ErrClosed and makes Subscribe return
// ended subscriptions from now on: for a hub whose events another follower
// publishes (server/follower), in place of Run's return. Stop is idempotent.
func (h *Hub) Stop() { h.stop() }
