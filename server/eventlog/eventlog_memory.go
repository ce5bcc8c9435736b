package eventlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// DefaultMemoryRetention is the number of events a Memory log keeps when
// MemoryOptions.Retention is not positive.
const DefaultMemoryRetention = 100_000

// memoryFollowBatch is how many events Follow copies out per lock, so a follower
// catching up holds the lock briefly and appends are never starved.
const memoryFollowBatch = 256

// MemoryOptions configures a Memory log.
type MemoryOptions struct {
	// Retention is how many of the newest events the log keeps; older ones
	// are dropped as new ones arrive. Zero or less means DefaultMemoryRetention.
	Retention int
	// DedupWindow is how long an event id is remembered: an Append whose id
	// was appended within the window returns the original sequence instead of
	// appending again. At most Retention ids are remembered. Zero disables it.
	DedupWindow time.Duration
	// Now is the clock the de-duplication window is measured with; nil means
	// time.Now.
	Now func() time.Time
	// MaxEventBytes, when positive, is the largest event Append stores, in
	// bytes of its protobuf encoding without sequence and epoch (as the
	// JetStream log stores it); a larger one fails with *TooLargeError. Give
	// both logs the same limit so that they take the same callbacks.
	MaxEventBytes int64
}

// Memory is an in-process Log holding the newest events in a ring buffer.
// Appends are O(1) and never wait for readers. Its contents are lost when the
// process exits; it is meant for tests, benchmarks and ephemeral deployments.
//
// Memory keeps the *Event passed to Append itself: the caller must not modify
// it after Append returns.
type Memory struct {
	epoch   string
	window  time.Duration
	now     func() time.Time
	maxSize int64

	// closed is closed by Close, waking every waiting Follow.
	closed    chan struct{}
	closeOnce sync.Once

	mu sync.RWMutex
	// ring holds sequence s at index (s-1) % len(ring).
	ring []*gatewayv1.Event
	// head is the newest sequence, 0 while the log is empty.
	head uint64
	// isClosed is set under mu by Close so that no call starts after it.
	isClosed bool
	// appended is closed and replaced by the next Append when a follower
	// waits on it.
	appended chan struct{}
	// waiting says a follower holds appended; set under the read lock,
	// consumed under the write lock.
	waiting atomic.Bool

	// seen maps a remembered id to its sequence: an id of 32 lowercase hex
	// digits (every id the gateway makes) by the 16 bytes it spells, so the
	// map holds no pointers for the GC to scan, and any other id in
	// seenOther by the string itself. fifo holds the same ids in the order
	// they were appended, so expiry only looks at the front: a circular
	// buffer of fifoLen entries from fifoHead, doubled when full up to
	// Retention entries, so that steady traffic allocates nothing for it.
	seen      map[[16]byte]uint64
	seenOther map[string]uint64
	fifo      []memoryDedupEntry
	fifoHead  int
	fifoLen   int
}

// memoryDedupEntry is one remembered id and when it was appended: raw when
// the id is hex, other when it is not.
type memoryDedupEntry struct {
	raw   [16]byte
	other string
	at    time.Time
}

// hexID returns the 16 bytes a 32-digit lowercase hex id spells, or false for
// any other id. Upper case is not accepted, so two ids that differ as strings
// never share a key.
func hexID(id string) (raw [16]byte, ok bool) {
	if len(id) != 2*len(raw) {
		return raw, false
	}
	for i := range raw {
		hi, ok1 := hexDigit(id[2*i])
		lo, ok2 := hexDigit(id[2*i+1])
		if !ok1 || !ok2 {
			return raw, false
		}
		raw[i] = hi<<4 | lo
	}
	return raw, true
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	default:
		return 0, false
	}
}

var _ Log = (*Memory)(nil)

// NewMemory returns an empty Memory log with a fresh random epoch.
func NewMemory(opts MemoryOptions) *Memory {
	retention := opts.Retention
	if retention <= 0 {
		retention = DefaultMemoryRetention
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	m := &Memory{
		epoch:    newMemoryEpoch(),
		window:   opts.DedupWindow,
		now:      now,
		maxSize:  opts.MaxEventBytes,
		closed:   make(chan struct{}),
		ring:     make([]*gatewayv1.Event, retention),
		appended: make(chan struct{}),
	}
	if m.window > 0 {
		m.seen = make(map[[16]byte]uint64)
		m.seenOther = make(map[string]uint64)
	}
	return m
}

// storedSize is the size of ev's encoding without its sequence and epoch,
// which is what the JetStream log stores.
func storedSize(ev *gatewayv1.Event) int64 {
	seq, epoch := ev.Sequence, ev.Epoch
	ev.Sequence, ev.Epoch = 0, ""
	n := proto.Size(ev)
	ev.Sequence, ev.Epoch = seq, epoch
	return int64(n)
}

// newMemoryEpoch returns 16 random hex characters.
func newMemoryEpoch() string {
	var b [8]byte
	// crypto/rand.Read never returns an error: on failure the runtime aborts.
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errMemoryClosed = fmt.Errorf("%w: the memory log is closed", ErrUnavailable)

// Append stores ev at the head of the log, or, when ev.Id was appended within
// the de-duplication window, returns the earlier sequence without storing it
// again. Either way ev.Sequence and ev.Epoch are set to the returned position.
func (m *Memory) Append(ctx context.Context, ev *gatewayv1.Event) (uint64, error) {
	return m.append(ctx, ev, false)
}

// AppendWithin is Append for an event whose encoded size the caller bounds
// by bound bytes, e.g. the webhook by MaxEventBytes of the body it decoded
// the event from. When bound is within MemoryOptions.MaxEventBytes the
// event is not measured again (proto.Size walks the whole event: 2 % of the
// gateway's CPU per callback with the memory store); otherwise it is checked
// as Append checks it. The bound is trusted: a caller must not understate it.
func (m *Memory) AppendWithin(ctx context.Context, ev *gatewayv1.Event, bound int64) (uint64, error) {
	return m.append(ctx, ev, bound > 0 && bound <= m.maxSize)
}

// append is Append; fits says the event is known to be within maxSize.
func (m *Memory) append(ctx context.Context, ev *gatewayv1.Event, fits bool) (uint64, error) {
	if ev == nil {
		return 0, errors.New("eventlog: append: nil event")
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("eventlog: append: %w", err)
	}
	if m.maxSize > 0 && !fits {
		if size := storedSize(ev); size > m.maxSize {
			return 0, fmt.Errorf("eventlog: append %q: %w", ev.Id, &TooLargeError{Size: size, Limit: m.maxSize})
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isClosed {
		return 0, errMemoryClosed
	}
	if m.seen != nil && ev.Id != "" {
		now := m.now()
		m.expire(now)
		e := memoryDedupEntry{at: now}
		var (
			seq uint64
			ok  bool
		)
		if raw, isHex := hexID(ev.Id); isHex {
			e.raw = raw
			seq, ok = m.seen[raw]
		} else {
			e.other = ev.Id
			seq, ok = m.seenOther[ev.Id]
		}
		if ok {
			ev.Sequence, ev.Epoch = seq, m.epoch
			return seq, nil
		}
		m.remember(e, m.head+1)
	}
	m.head++
	ev.Sequence, ev.Epoch = m.head, m.epoch
	m.ring[(m.head-1)%uint64(len(m.ring))] = ev
	if m.waiting.Swap(false) {
		close(m.appended)
		m.appended = make(chan struct{})
	}
	return m.head, nil
}

// expire forgets the ids appended longer than the window ago. Called with
// m.mu held.
func (m *Memory) expire(now time.Time) {
	for m.fifoLen > 0 && now.Sub(m.fifo[m.fifoHead].at) >= m.window {
		m.popID()
	}
}

// remember records e's id as appended at e.at with sequence seq, forgetting
// the oldest id when Retention ids are already remembered. Called with m.mu
// held.
func (m *Memory) remember(e memoryDedupEntry, seq uint64) {
	if m.fifoLen >= len(m.ring) {
		m.popID()
	}
	if e.other != "" {
		m.seenOther[e.other] = seq
	} else {
		m.seen[e.raw] = seq
	}
	if m.fifoLen == len(m.fifo) {
		m.growFIFO()
	}
	m.fifo[(m.fifoHead+m.fifoLen)%len(m.fifo)] = e
	m.fifoLen++
}

// growFIFO doubles the id buffer, at most to Retention entries, keeping its
// order. Called with m.mu held and the buffer full.
func (m *Memory) growFIFO() {
	grown := make([]memoryDedupEntry, min(max(2*len(m.fifo), 64), len(m.ring)))
	n := copy(grown, m.fifo[m.fifoHead:])
	copy(grown[n:], m.fifo[:m.fifoHead])
	m.fifo, m.fifoHead = grown, 0
}

// popID forgets the oldest remembered id. Called with m.mu held.
func (m *Memory) popID() {
	// An id is pushed only when it is not remembered, so it has exactly one
	// entry in the fifo and deleting it here cannot forget a newer append.
	if e := &m.fifo[m.fifoHead]; e.other != "" {
		delete(m.seenOther, e.other)
	} else {
		delete(m.seen, e.raw)
	}
	m.fifo[m.fifoHead] = memoryDedupEntry{}
	m.fifoHead = (m.fifoHead + 1) % len(m.fifo)
	m.fifoLen--
}

// oldest returns the oldest retained sequence, head+1 when empty. Called with
// m.mu held.
func (m *Memory) oldest() uint64 {
	if n := uint64(len(m.ring)); m.head > n {
		return m.head - n + 1
	}
	return 1
}

// Read returns up to limit events with a sequence greater than after, from
// the oldest retained when after is FromStart.
func (m *Memory) Read(ctx context.Context, after uint64, limit int) ([]*gatewayv1.Event, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("eventlog: read: limit must be positive, got %d", limit)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("eventlog: read: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.isClosed {
		return nil, errMemoryClosed
	}
	if after == FromStart {
		after = m.oldest() - 1
	}
	return m.copyAfter(nil, after, limit)
}

// copyAfter appends to dst up to limit events after `after`. Called with m.mu
// held for reading.
func (m *Memory) copyAfter(dst []*gatewayv1.Event, after uint64, limit int) ([]*gatewayv1.Event, error) {
	oldest := m.oldest()
	if after+1 < oldest {
		return dst, &OutOfRangeError{After: after, Oldest: oldest}
	}
	if after >= m.head {
		return dst, nil
	}
	n := m.head - after
	if uint64(limit) < n {
		n = uint64(limit)
	}
	if dst == nil {
		dst = make([]*gatewayv1.Event, 0, n)
	}
	// The run wraps around the ring at most once: copy it as two segments.
	start := after % uint64(len(m.ring))
	end := min(start+n, uint64(len(m.ring)))
	dst = append(dst, m.ring[start:end]...)
	return append(dst, m.ring[:n-(end-start)]...), nil
}

// Follow calls fn with every event after `after`, in order, waiting for new
// ones. It returns ctx.Err() when ctx ends, fn's error as is, an
// *OutOfRangeError when the cursor is or falls behind retention, and an error
// wrapping ErrUnavailable when the log is closed.
func (m *Memory) Follow(ctx context.Context, after uint64, fn func(*gatewayv1.Event) error) error {
	batch := make([]*gatewayv1.Event, 0, memoryFollowBatch)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var (
			wake <-chan struct{}
			err  error
		)
		m.mu.RLock()
		if m.isClosed {
			m.mu.RUnlock()
			return errMemoryClosed
		}
		batch, err = m.copyAfter(batch[:0], after, memoryFollowBatch)
		if err == nil && len(batch) == 0 {
			wake = m.appended
			m.waiting.Store(true)
		}
		m.mu.RUnlock()
		if err != nil {
			return err
		}
		if wake != nil {
			select {
			case <-wake:
			case <-ctx.Done():
				return ctx.Err()
			case <-m.closed:
				return errMemoryClosed
			}
			continue
		}
		for i, ev := range batch {
			batch[i] = nil
			if err := fn(ev); err != nil {
				return err
			}
			after = ev.GetSequence()
		}
	}
}

// Bounds returns the oldest retained and the newest sequence; an empty log
// returns (1, 0).
func (m *Memory) Bounds(ctx context.Context) (oldest, head uint64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("eventlog: bounds: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.isClosed {
		return 0, 0, errMemoryClosed
	}
	return m.oldest(), m.head, nil
}

// Epoch returns the 16 hex characters chosen when the log was created.
func (m *Memory) Epoch() string { return m.epoch }

// Close drops the log's events and wakes every Follow; every later call
// fails with an error wrapping ErrUnavailable. Closing twice is harmless.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.isClosed = true
		m.ring = nil
		m.seen = nil
		m.seenOther = nil
		m.fifo = nil
		m.mu.Unlock()
		close(m.closed)
	})
	return nil
}
