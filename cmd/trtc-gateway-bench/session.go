package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// session is the state senders and subscribers share during one scenario.
type session struct {
	clock clock
	sent  sentTimes
	// phase is 0 while warming up, 1 while measuring, 2 afterwards.
	phase atomic.Int32
	// from and to bound the measuring window on the run's clock; to is
	// MaxInt64 until the window closes.
	from, to atomic.Int64
}

func newSession() *session {
	r := &session{clock: clock{start: time.Now()}}
	r.from.Store(1<<63 - 1)
	r.to.Store(1<<63 - 1)
	r.sent.init()
	return r
}

func (r *session) measuring() bool { return r.phase.Load() == 1 }

// inWindow says whether a callback sent at t (run clock) is measured.
func (r *session) inWindow(t int64) bool { return t >= r.from.Load() && t < r.to.Load() }

func (r *session) startWindow() int64 {
	t := r.clock.now()
	r.from.Store(t)
	r.phase.Store(1)
	return t
}

func (r *session) endWindow() int64 {
	t := r.clock.now()
	r.to.Store(t)
	r.phase.Store(2)
	return t
}

// sentTimes maps the key of each callback's event id to when it was sent.
type sentTimes struct {
	shards [64]sentShard
}

type sentShard struct {
	mu sync.Mutex
	m  map[uint64]int64
	_  [40]byte // keep neighbouring shards' locks apart
}

func (s *sentTimes) init() {
	for i := range s.shards {
		s.shards[i].m = make(map[uint64]int64, 1<<12)
	}
}

// put records key's send time; it reports false when key was already sent,
// which would make the gateway drop the second callback as a retry.
func (s *sentTimes) put(key uint64, t int64) bool {
	sh := &s.shards[key%uint64(len(s.shards))]
	sh.mu.Lock()
	_, dup := sh.m[key]
	if !dup {
		sh.m[key] = t
	}
	sh.mu.Unlock()
	return !dup
}

func (s *sentTimes) get(key uint64) (int64, bool) {
	sh := &s.shards[key%uint64(len(s.shards))]
	sh.mu.Lock()
	t, ok := sh.m[key]
	sh.mu.Unlock()
	return t, ok
}

func durationNs(ns int64) time.Duration { return time.Duration(ns) }
