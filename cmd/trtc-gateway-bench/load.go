package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// load is how callbacks are driven at the webhook.
type load struct {
	addr  string
	conns int
	// rate is the total callbacks per second across connections; 0 sends as
	// fast as the connections allow (each waits for its answer).
	rate    int
	traffic *traffic.Model
	// publish posts each callback to Centrifugo's /api/publish, and keys it
	// by its body, which is what Centrifugo's subscribers receive.
	publish bool
	// expect returns how many subscribers an accepted callback reaches.
	expect func(traffic.Webhook) uint64
}

// senderStats is what one connection measured.
type senderStats struct {
	accepted  uint64 // callbacks answered OK
	inWindow  uint64 // OK answers received while measuring
	failed    uint64 // callbacks answered with anything but OK
	ioErrors  uint64 // connection failures
	dupIDs    uint64 // generated callbacks whose id was already used (not sent)
	expected  uint64 // deliveries the accepted callbacks should cause
	firstFail string
	response  histogram // send → answer, for callbacks sent in the window
	lag       histogram // fixed rate only: how late each send was against the schedule
}

// drive posts callbacks until ctx ends and returns each connection's stats.
func (l *load) drive(ctx context.Context, r *session) []*senderStats {
	var tokens chan time.Time
	var wg sync.WaitGroup
	if l.rate > 0 {
		tokens = make(chan time.Time, l.rate)
		wg.Add(1)
		go func() { defer wg.Done(); pace(ctx, l.rate, tokens) }()
	}
	stats := make([]*senderStats, l.conns)
	for w := range l.conns {
		stats[w] = &senderStats{}
		wg.Add(1)
		go func() { defer wg.Done(); l.send(ctx, r, w, tokens, stats[w]) }()
	}
	wg.Wait()
	return stats
}

// pace puts one token per 1/rate second on tokens, catching up after a late
// wake-up so that the average rate is exact.
func pace(ctx context.Context, rate int, tokens chan<- time.Time) {
	interval := time.Second / time.Duration(rate)
	next := time.Now()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		for !next.After(now) {
			select {
			case tokens <- next:
			default: // every connection is a whole second behind: skip
			}
			next = next.Add(interval)
		}
		t.Reset(next.Sub(now))
	}
}

func (l *load) send(ctx context.Context, r *session, w int, tokens <-chan time.Time, st *senderStats) {
	g := traffic.NewGenerator(l.traffic, w, time.Now)
	c := newHTTPConn(l.addr)
	defer c.close()
	clientIP := fmt.Sprintf("203.0.113.%d", w%250+1)
	type queryKey struct {
		app     uint32
		command string
	}
	queries := make(map[queryKey]string)
	for {
		var due time.Time
		if tokens != nil {
			select {
			case <-ctx.Done():
				return
			case due = <-tokens:
			}
		} else if ctx.Err() != nil {
			return
		}
		wh := g.Next()
		qk := queryKey{wh.App, wh.Command}
		query, ok := queries[qk]
		if !ok {
			query = traffic.IMQuery(wh.App, wh.Command, clientIP, "iOS")
			queries[qk] = query
		}
		key, _ := idKey(callback.EventID(wh.App, wh.Command, wh.Body))
		if l.publish {
			key = bodyKey(wh.Body)
		}
		sent := r.clock.now()
		if !r.sent.put(key, sent) {
			st.dupIDs++
			continue
		}
		if tokens != nil && r.inWindow(sent) {
			st.lag.record(time.Since(due))
		}
		var resp response
		var err error
		if l.publish {
			resp, err = c.postPublish(ctx, wh.Body)
		} else {
			resp, err = c.post(ctx, query, wh.Body)
		}
		answered := r.clock.now()
		if err != nil {
			st.ioErrors++
			if st.firstFail == "" {
				st.firstFail = err.Error()
			}
			if ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond) // do not spin on a refused connection
			}
			continue
		}
		if !resp.ok {
			st.failed++
			if st.firstFail == "" {
				st.firstFail = fmt.Sprintf("HTTP %d %s", resp.status, resp.body)
			}
			continue
		}
		st.accepted++
		st.expected += l.expect(wh)
		if r.measuring() {
			st.inWindow++
		}
		if r.inWindow(sent) {
			st.response.record(durationNs(answered - sent))
		}
	}
}
