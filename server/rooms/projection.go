// Package rooms is the projection of live rooms: who is online in each room,
// derived from the log's Live.CallbackAfterMemberStateChanged events, served
// as the RoomService.
//
// A room is live from its first event until its last known member goes
// offline, or until it expires: Tencent sends no event when a room simply
// stops (a destroy callback may never come, and the gateway does not model
// it yet), so a room with no event for TTL — counted from the time the
// gateway received its last event — is no longer live. Like every
// projection it is a pure function of the log in order, and forgets a room
// whose events have all left the log (Trim).
package rooms

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// DefaultTTL is how long a room stays live without an event: a day, longer
// than any live stream keeps all of its viewers without one entering,
// leaving or timing out.
const DefaultTTL = 24 * time.Hour

type key struct {
	app uint32
	id  string
}

// room is what the log tells of one live room. Times are Unix nanoseconds.
type room struct {
	key
	online   map[string]int64 // account → when it came online (EventTime)
	firstSeq uint64
	lastSeq  uint64
	events   uint32
	lastTime int64 // the last event's EventTime (else its receipt)
	lastRecv int64 // when the gateway received the last event: the TTL counts from it
	complete bool
	liveState
}

type retained struct {
	seq uint64
	key key
}

// Projection holds every live room the retained log tells of. Apply and Trim
// are called by the log's follower; the read methods and WriteSnapshot from
// any goroutine.
type Projection struct {
	ttl time.Duration

	mu        sync.RWMutex
	rooms     map[key]*room
	byApp     map[uint32]map[string]*room // the same rooms, for ListRooms
	fifo      []retained                  // in sequence order: when each room was last touched
	fifoAt    int
	fromStart bool // the first event applied was sequence 1: nothing was dropped before
	started   bool
	last      uint64 // the sequence of the last event handed to Apply
}

// New returns an empty projection whose rooms expire ttl after their last
// event; 0 is DefaultTTL.
func New(ttl time.Duration) *Projection {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Projection{ttl: ttl, rooms: make(map[key]*room), byApp: make(map[uint32]map[string]*room)}
}

// TTL is how long a room stays live without an event.
func (p *Projection) TTL() time.Duration { return p.ttl }

// Apply folds one event into the projection; events that concern no live
// or TRTC room are ignored.
func (p *Projection) Apply(ev *gatewayv1.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = ev.GetSequence()
	if !p.started {
		p.started, p.fromStart = true, ev.GetSequence() == 1
	}
	recv := ev.GetReceivedAt().AsTime().UnixNano()
	if ev.GetReceivedAt() == nil {
		recv = 0
	}
	p.expire(recv)
	if p.applyBattle(ev, recv) {
		return
	}
	ch := ev.GetLiveMemberStateChanged()
	id := liveRoomID(ev)
	if ch != nil {
		id = ch.GetRoomId()
		if id == "" {
			id = ev.GetRoomId()
		}
	}
	if id == "" {
		return
	}
	r := p.touch(ev, id, recv)
	t := r.lastTime
	if ch == nil {
		if !r.applyLive(ev, t) {
			p.drop(r.key) // destroyed or dismissed
			return
		}
	} else {
		r.applyMembers(ch, t)
	}
	if !r.created && len(r.online) == 0 && len(r.trtc) == 0 {
		p.drop(r.key) // the last member left a room whose creation was not seen
	}
}

// touch returns room id of ev's app, filed anew when unknown, with ev
// counted as its newest event.
func (p *Projection) touch(ev *gatewayv1.Event, id string, recv int64) *room {
	r := p.rooms[key{app: ev.GetSdkAppId(), id: id}]
	if r == nil {
		// The id is a substring of the callback's body: the room keeps a
		// copy of its own, and so does every FIFO entry below (r.key), so
		// that no body outlives its event.
		r = &room{key: key{app: ev.GetSdkAppId(), id: strings.Clone(id)}, online: map[string]int64{}, firstSeq: ev.GetSequence(), complete: p.fromStart}
		p.put(r)
	}
	r.lastSeq = ev.GetSequence()
	r.events++
	r.lastRecv = recv
	r.lastTime = recv
	if t := ev.GetEventTime(); t != nil {
		r.lastTime = t.AsTime().UnixNano()
	}
	p.fifo = append(p.fifo, retained{seq: r.lastSeq, key: r.key})
	return r
}

// applyMembers folds a live member state change into r.
func (r *room) applyMembers(ch *gatewayv1.LiveMemberStateChanged, t int64) {
	switch ch.GetEventType() {
	case gatewayv1.LiveEventType_LIVE_EVENT_TYPE_ONLINE:
		for _, m := range ch.GetMemberList() {
			if since, ok := r.online[m.GetMemberAccount()]; !ok || t > since {
				// A map assignment stores the key it is given, even over an
				// equal one: a copy, not the body's substring.
				r.online[strings.Clone(m.GetMemberAccount())] = t
			}
		}
	case gatewayv1.LiveEventType_LIVE_EVENT_TYPE_OFFLINE:
		for _, m := range ch.GetMemberList() {
			// An offline dated before the member's latest online came late:
			// the member is back, and stays.
			if since, ok := r.online[m.GetMemberAccount()]; ok && t >= since {
				delete(r.online, m.GetMemberAccount())
			}
		}
	}
}

// expire forgets the rooms whose TTL ran out by log time now (the receipt
// time of the event being applied), oldest first.
func (p *Projection) expire(now int64) {
	if now == 0 {
		return
	}
	p.pop(func(r retained) bool {
		rm := p.rooms[r.key]
		return rm == nil || rm.lastSeq != r.seq || rm.lastRecv+int64(p.ttl) <= now
	}, func(r retained) bool {
		rm := p.rooms[r.key]
		return rm != nil && rm.lastSeq == r.seq
	})
}

// Trim forgets every room whose newest event is older than oldest.
func (p *Projection) Trim(oldest uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pop(func(r retained) bool { return r.seq < oldest }, func(r retained) bool {
		rm := p.rooms[r.key]
		return rm != nil && rm.lastSeq == r.seq
	})
}

// pop removes FIFO entries from the head while more(entry), deleting each
// entry's room when drop(entry), then compacts the FIFO.
func (p *Projection) pop(more, drop func(retained) bool) {
	for p.fifoAt < len(p.fifo) && more(p.fifo[p.fifoAt]) {
		r := p.fifo[p.fifoAt]
		p.fifo[p.fifoAt] = retained{}
		p.fifoAt++
		if drop(r) {
			p.drop(r.key)
		}
	}
	if p.fifoAt > len(p.fifo)/2 {
		p.fifo = slices.Clone(p.fifo[p.fifoAt:])
		p.fifoAt = 0
	}
}

// put files a new room.
func (p *Projection) put(r *room) {
	p.rooms[r.key] = r
	app := p.byApp[r.app]
	if app == nil {
		app = map[string]*room{}
		p.byApp[r.app] = app
	}
	app[r.id] = r
}

// drop forgets room k.
func (p *Projection) drop(k key) {
	delete(p.rooms, k)
	if app := p.byApp[k.app]; app != nil {
		delete(app, k.id)
		if len(app) == 0 {
			delete(p.byApp, k.app)
		}
	}
}

// live reports whether r has not expired at now.
func (p *Projection) live(r *room, now int64) bool {
	return r.lastRecv == 0 || r.lastRecv+int64(p.ttl) > now
}

// Room returns room id of app with up to limit online members after the
// account after, in account order, whether more follow, and who is in its
// TRTC room; nil when the room is not live at now.
func (p *Projection) Room(app uint32, id string, now time.Time, after string, limit int) (rm *gatewayv1.Room, members []string, more bool, trtc []*gatewayv1.TrtcRoomUser) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	r := p.rooms[key{app: app, id: id}]
	if r == nil || !p.live(r, now.UnixNano()) {
		return nil, nil, false, nil
	}
	all := make([]string, 0, len(r.online))
	for m := range r.online {
		if m > after {
			all = append(all, m)
		}
	}
	slices.Sort(all)
	if len(all) > limit {
		all, more = all[:limit], true
	}
	return p.view(r), all, more, r.trtcUsers()
}

// Rooms returns up to limit live rooms of app after room id after, in id
// order, whether more follow, and how many are live in all.
func (p *Projection) Rooms(app uint32, now time.Time, after string, limit int) (rooms []*gatewayv1.Room, more bool, total int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var live []*room
	for _, r := range p.byApp[app] {
		if p.live(r, now.UnixNano()) {
			total++
			if r.id > after {
				live = append(live, r)
			}
		}
	}
	slices.SortFunc(live, func(a, b *room) int { return cmp.Compare(a.id, b.id) })
	if len(live) > limit {
		live, more = live[:limit], true
	}
	rooms = make([]*gatewayv1.Room, len(live))
	for i, r := range live {
		rooms[i] = p.view(r)
	}
	return rooms, more, total
}

func (p *Projection) view(r *room) *gatewayv1.Room {
	rm := &gatewayv1.Room{
		SdkAppId:          r.app,
		RoomId:            r.id,
		OnlineMemberCount: int32(min(len(r.online), 1<<31-1)),
		LastEventTime:     ts(r.lastTime),
		ExpireTime:        p.expireTime(r),
		Coverage: &gatewayv1.Coverage{
			FirstSequence: r.firstSeq,
			LastSequence:  r.lastSeq,
			EventCount:    r.events,
			StartSeen:     r.complete || r.created,
			Complete:      r.complete || r.created,
		},
	}
	r.fill(rm)
	return rm
}

// Len is how many rooms the projection holds, expired or not.
func (p *Projection) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.rooms)
}

// expireTime is when r stops being live without another event.
func (p *Projection) expireTime(r *room) *timestamppb.Timestamp {
	if r.lastRecv == 0 {
		return nil
	}
	return ts(r.lastRecv + int64(p.ttl))
}

// ts converts Unix nanoseconds to a Timestamp; 0 is unset.
func ts(ns int64) *timestamppb.Timestamp {
	if ns == 0 {
		return nil
	}
	return timestamppb.New(time.Unix(0, ns))
}
