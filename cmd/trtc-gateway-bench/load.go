package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
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
	// trtcKey signs TRTC events (the Sign header) for every app; empty
	// sends them unsigned.
	trtcKey string
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
	// byFamily counts each family's OK answers and other answers over the
	// whole run, indexed by traffic.Family.
	byFamily []familyCount
	response histogram // send → answer, for callbacks sent in the window
	lag      histogram // fixed rate only: how late each send was against the schedule
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
		stats[w] = &senderStats{byFamily: make([]familyCount, len(traffic.Families()))}
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

// familyCount is what one family's callbacks were answered.
type familyCount struct {
	Accepted uint64 `json:"accepted"`
	Failed   uint64 `json:"failed"`
}

// prepared is one callback ready to post: how, and the id it is known by.
type prepared struct {
	query string       // IM family: the query string
	trtc  *trtcHeaders // TRTC family: the headers
	// id is the first 8 bytes of the event id the gateway derives (the
	// SHA-256 of app, command and body), or against Centrifugo the body's
	// hash, which is what its subscribers receive.
	id uint64
}

// preparer turns a generator's callbacks into requests. Not safe for
// concurrent use: each sender has its own.
type preparer struct {
	clientIP string
	trtcKey  string
	publish  bool
	queries  map[queryKey]string
	trtc     trtcHeaders
}

type queryKey struct {
	app     uint32
	command string
}

func newPreparer(sender int, trtcKey string, publish bool) *preparer {
	return &preparer{
		clientIP: fmt.Sprintf("203.0.113.%d", sender%250+1),
		trtcKey:  trtcKey,
		publish:  publish,
		queries:  make(map[queryKey]string),
	}
}

// prepare builds the request for wh: an IM-family callback's query string
// (cached per app and command), or a TRTC event's SdkAppId and Sign
// headers; and the id its delivery will carry. TRTC events are named by
// their group and type, as the gateway names them, before hashing.
func (p *preparer) prepare(wh traffic.Webhook) prepared {
	var req prepared
	command := wh.Command
	if wh.Family == traffic.TRTC {
		command = callback.TRTCCommandName(wh.TRTCGroup, wh.TRTCEvent)
		p.trtc = trtcHeaders{app: wh.App}
		if p.trtcKey != "" {
			p.trtc.sign = webhookauth.TRTCSign(p.trtcKey, wh.Body)
		}
		req.trtc = &p.trtc
	} else {
		qk := queryKey{wh.App, wh.Command}
		query, ok := p.queries[qk]
		if !ok {
			query = traffic.IMQuery(wh.App, wh.Command, p.clientIP, "iOS")
			p.queries[qk] = query
		}
		req.query = query
	}
	if p.publish {
		req.id = bodyKey(wh.Body)
	} else {
		req.id, _ = idKey(callback.EventID(wh.App, command, wh.Body))
	}
	return req
}

func (l *load) send(ctx context.Context, r *session, w int, tokens <-chan time.Time, st *senderStats) {
	g := traffic.NewGenerator(l.traffic, w, time.Now)
	c := newHTTPConn(l.addr)
	defer c.close()
	p := newPreparer(w, l.trtcKey, l.publish)
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
		req := p.prepare(wh)
		sent := r.clock.now()
		if !r.sent.put(req.id, sent) {
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
			resp, err = c.post(ctx, req.query, req.trtc, wh.Body)
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
			st.byFamily[wh.Family].Failed++
			if st.firstFail == "" {
				st.firstFail = fmt.Sprintf("%s: HTTP %d %s", wh.Kind(), resp.status, resp.body)
			}
			continue
		}
		st.accepted++
		st.byFamily[wh.Family].Accepted++
		st.expected += l.expect(wh)
		if r.measuring() {
			st.inWindow++
		}
		if r.inWindow(sent) {
			st.response.record(durationNs(answered - sent))
		}
	}
}

// The traffic mixes of the suite, as --mix reads them.
const (
	// fullMix is every family a TUICallKit / TUILiveKit / TRTC app sends,
	// at traffic's realistic weights (a live room is far chattier than a
	// call): 1/8 calls, 1/2 live-room commands, 3/8 TRTC room and media
	// events. The suite's rows use it.
	fullMix = "calls,live,trtc"
	// earlierMix is what the figures before issue 15 were measured with:
	// calls, and 20 % live-room viewers entering and leaving.
	earlierMix = "calls=0.8,viewers=0.2"
)

// defaultTRTCKey is the TRTC callback key of every app of the gateways the
// benchmark starts, and what it signs TRTC events with.
const defaultTRTCKey = "trtc-gateway-bench"

// mixText describes a mix for the load column: each family's share.
func mixText(s string) string {
	m, err := traffic.ParseMix(s)
	if err != nil {
		return "mix " + s
	}
	var parts []string
	for _, f := range traffic.Families() {
		if share := m.Share(f); share > 0 {
			name := f.String()
			if f == traffic.TRTC {
				name = "TRTC"
			}
			parts = append(parts, fmt.Sprintf("%.0f %% %s", 100*share, name))
		}
	}
	return "mix " + strings.Join(parts, " + ")
}

// trtcKeyFlag is the gateway's --trtc-key value that gives every app the
// benchmark sends for the key.
func trtcKeyFlag(key string) string {
	pairs := make([]string, len(defaultApps))
	for i, app := range defaultApps {
		pairs[i] = fmt.Sprintf("%d=%s", app, key)
	}
	return "--trtc-key=" + strings.Join(pairs, ",")
}
