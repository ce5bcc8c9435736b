package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"
)

// The Tencent commands the generator sends.
const (
	cmdStartCall    = "Call.CallbackAfterStartCall"
	cmdMemberChange = "Call.CallbackAfterMemberChanged"
	cmdEndCall      = "Call.CallbackAfterEndCall"
	cmdLiveMember   = "Live.CallbackAfterMemberStateChanged"
)

// webhook is one callback ready to post. body is owned by the generator and
// valid until its next call.
type webhook struct {
	app     uint32
	appIdx  int
	command string
	// call is the index of the call the event belongs to, -1 for live rooms.
	call int64
	body []byte
}

// traffic describes the mix every generator draws from.
type traffic struct {
	// apps are the SdkAppids calls and rooms belong to.
	apps []uint32
	// liveShare is the fraction of events that are live-room membership changes.
	liveShare float64
	// activeCalls is how many calls each generator keeps in progress at once.
	activeCalls int
	// runID makes this run's CallIds unique: it is the first group of each.
	runID uint32
	// nextCall numbers calls across all generators, from 0, so that call i
	// has CallID(i) and subscribers can pick calls before they happen.
	nextCall atomic.Int64
}

// CallID is the CallId of call i of this run, in Tencent's UUID format.
func (t *traffic) CallID(i int64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", t.runID, uint16(i>>48), uint16(i>>36)&0xfff, uint16(i>>24)&0xfff, i&0xffffffffffff)
}

// IdleCallID is a CallId no event of this run carries, for subscribers that
// must never match.
func (t *traffic) IdleCallID(i int64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", ^t.runID, uint16(i>>48), uint16(i>>36)&0xfff, uint16(i>>24)&0xfff, i&0xffffffffffff)
}

// generator produces one sender's stream of callbacks: calls that start,
// whose callees answer, reject or miss them, sometimes hang up, and that end
// with a call record; and viewers entering and leaving live rooms. Every body
// it produces is unique within the run (a new CallId, or a new viewer), so no
// callback is taken for a retry of another. Not safe for concurrent use.
type generator struct {
	t      *traffic
	id     int
	rng    *rand.Rand
	calls  []*call
	rooms  []*room
	viewer int64
	buf    []byte
	now    func() time.Time
}

type call struct {
	idx      int64
	id       string
	app      int
	room     string
	video    bool
	caller   account
	callees  []account
	answered []bool
	decided  int  // callees who answered, rejected or missed the call so far
	hungUp   bool // a callee of a multi-call left early
	started  int64
	accepted int64
}

type room struct {
	id      string
	app     int
	viewers []account
}

// account is a user id as Tencent sends it: a JSON string, or a JSON number
// (beyond 2^53) for apps that use numeric ids.
type account struct {
	text    string
	numeric bool
}

func newGenerator(t *traffic, id int, now func() time.Time) *generator {
	g := &generator{
		t:   t,
		id:  id,
		rng: rand.New(rand.NewPCG(uint64(t.runID), uint64(id))),
		now: now,
	}
	for r := range 4 {
		g.rooms = append(g.rooms, &room{
			id:  fmt.Sprintf("live-%08x-%d-%d", t.runID, id, r),
			app: (id + r) % len(t.apps),
		})
	}
	return g
}

// next returns the next callback.
func (g *generator) next() webhook {
	if g.rng.Float64() < g.t.liveShare {
		return g.live()
	}
	for len(g.calls) < g.t.activeCalls {
		g.calls = append(g.calls, g.newCall())
	}
	i := g.rng.IntN(len(g.calls))
	c := g.calls[i]
	wh := g.advance(c)
	if wh.command == cmdEndCall {
		g.calls[i] = g.newCall()
	}
	return wh
}

func (g *generator) newCall() *call {
	idx := g.t.nextCall.Add(1) - 1
	c := &call{
		idx:   idx,
		id:    g.t.CallID(idx),
		app:   int(idx % int64(len(g.t.apps))),
		video: g.rng.IntN(3) == 0,
	}
	c.room = "room-" + c.id[len(c.id)-12:]
	n := 1
	if g.rng.IntN(4) == 0 {
		n = 2 + g.rng.IntN(2) // a multi-call with 2 or 3 callees
	}
	// Distinct users from the app's population of 10,000.
	picked := make(map[int]bool, n+1)
	pick := func() account {
		for {
			u := g.rng.IntN(10000)
			if !picked[u] {
				picked[u] = true
				return userAccount(c.app, u)
			}
		}
	}
	c.caller = pick()
	for range n {
		c.callees = append(c.callees, pick())
	}
	c.answered = make([]bool, n)
	return c
}

// userAccount names user u of an app: apps with an odd index use Tencent's
// large numeric ids, the others strings.
func userAccount(app, u int) account {
	if app%2 == 1 {
		return account{text: strconv.FormatUint(144115212830000000+uint64(app)*100000+uint64(u), 10), numeric: true}
	}
	return account{text: "user" + strconv.Itoa(app) + "_" + strconv.Itoa(u)}
}

// advance returns the call's next callback: the start, one callee's
// decision at a time, maybe an early hang-up, then the end.
func (g *generator) advance(c *call) webhook {
	now := g.now()
	switch {
	case c.started == 0:
		c.started = now.Unix()
		return g.startCall(c, now)
	case c.decided < len(c.callees):
		i := c.decided
		c.decided++
		action := "Answer"
		switch r := g.rng.IntN(20); {
		case r < 3:
			action = "Reject"
		case r < 6:
			action = "NotAnswer"
		default:
			c.answered[i] = true
			if c.accepted == 0 {
				c.accepted = now.Unix()
			}
		}
		return g.memberChanged(c, c.callees[i], action, now)
	case len(c.callees) > 1 && !c.hungUp && c.accepted != 0 && g.rng.IntN(2) == 0:
		c.hungUp = true
		for i, ok := range c.answered {
			if ok {
				c.answered[i] = false
				return g.memberChanged(c, c.callees[i], "Hangup", now)
			}
		}
	}
	return g.endCall(c, now)
}

func (g *generator) startCall(c *call, now time.Time) webhook {
	b := g.begin(cmdStartCall)
	b = append(b, `,"CallInfo":{"CallId":`...)
	b = appendJSONString(b, c.id)
	b = append(b, `,"CallMediaType":`...)
	b = appendJSONString(b, mediaType(c.video))
	b = append(b, `,"ChatGroupId":"","RoomId":`...)
	b = appendJSONString(b, c.room)
	b = append(b, `,"RoomIdType":2},"UserList":[`...)
	b = appendMember(b, c.caller, "Calling")
	for _, u := range c.callees {
		b = append(b, ',')
		b = appendMember(b, u, "Waiting")
	}
	b = append(b, ']')
	return g.end(b, c.app, cmdStartCall, c.idx, now)
}

func (g *generator) memberChanged(c *call, who account, action string, now time.Time) webhook {
	b := g.begin(cmdMemberChange)
	b = append(b, `,"CallId":`...)
	b = appendJSONString(b, c.id)
	b = append(b, `,"UserList":[`...)
	b = appendMember(b, c.caller, "Calling")
	for i, u := range c.callees {
		status := "Waiting"
		if c.answered[i] {
			status = "Calling"
		}
		b = append(b, ',')
		b = appendMember(b, u, status)
	}
	b = append(b, `],"ChangedUserList":[{"User_Account":`...)
	b = appendAccount(b, who)
	b = append(b, `,"ActionType":`...)
	b = appendJSONString(b, action)
	b = append(b, "}]"...)
	return g.end(b, c.app, cmdMemberChange, c.idx, now)
}

func (g *generator) endCall(c *call, now time.Time) webhook {
	result, callType := "NotAnswer", "SingleCall"
	if c.accepted != 0 {
		result = "NormalEnd"
	} else if g.rng.IntN(3) == 0 {
		result = "Cancel"
	}
	if len(c.callees) > 1 {
		callType = "MultiCall"
	}
	b := g.begin(cmdEndCall)
	b = append(b, `,"CallRecord":{"CallId":`...)
	b = appendJSONString(b, c.id)
	b = append(b, `,"Caller_Account":`...)
	b = appendAccount(b, c.caller)
	b = append(b, `,"MediaType":`...)
	b = appendJSONString(b, mediaType(c.video))
	b = append(b, `,"CallType":`...)
	b = appendJSONString(b, callType)
	b = append(b, `,"StartTime":`...)
	b = strconv.AppendInt(b, c.started, 10)
	b = append(b, `,"EndTime":`...)
	b = strconv.AppendInt(b, max(now.Unix(), c.started), 10)
	b = append(b, `,"AcceptTime":`...)
	b = strconv.AppendInt(b, c.accepted, 10)
	b = append(b, `,"CallResult":`...)
	b = appendJSONString(b, result)
	b = append(b, `,"CalleeList_Account":[`...)
	for i, u := range c.callees {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAccount(b, u)
	}
	b = append(b, `],"RoomId":`...)
	b = appendJSONString(b, c.room)
	b = append(b, `,"RoomIdType":2}`...)
	return g.end(b, c.app, cmdEndCall, c.idx, now)
}

// live returns a viewer entering a room, or one present leaving it.
func (g *generator) live() webhook {
	now := g.now()
	r := g.rooms[g.rng.IntN(len(g.rooms))]
	var who account
	eventType, cause := "Online", "Enter"
	if n := len(r.viewers); n > 0 && (n >= 50 || g.rng.IntN(2) == 0) {
		i := g.rng.IntN(n)
		who = r.viewers[i]
		r.viewers[i] = r.viewers[n-1]
		r.viewers = r.viewers[:n-1]
		eventType, cause = "Offline", "Leave"
		if g.rng.IntN(10) == 0 {
			cause = "HeartbeatInterrupt"
		}
	} else {
		g.viewer++
		// Viewers are new people: unique across generators and the run.
		who = userAccount(r.app, 10000+g.id*1_000_000_000+int(g.viewer))
		if !who.numeric {
			who.text = fmt.Sprintf("viewer%d_%d", g.id, g.viewer)
		}
		r.viewers = append(r.viewers, who)
	}
	b := g.begin(cmdLiveMember)
	b = append(b, `,"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"EventType":`...)
	b = appendJSONString(b, eventType)
	b = append(b, `,"EventCause":`...)
	b = appendJSONString(b, cause)
	b = append(b, `,"MemberList":[{"Member_Account":`...)
	b = appendAccount(b, who)
	b = append(b, "}]"...)
	return g.end(b, r.app, cmdLiveMember, -1, now)
}

func (g *generator) begin(command string) []byte {
	b := append(g.buf[:0], `{"CallbackCommand":`...)
	return appendJSONString(b, command)
}

func (g *generator) end(b []byte, app int, command string, callIdx int64, now time.Time) webhook {
	b = append(b, `,"EventTime":`...)
	b = strconv.AppendInt(b, now.UnixMilli(), 10)
	b = append(b, '}')
	g.buf = b
	return webhook{app: g.t.apps[app], appIdx: app, command: command, call: callIdx, body: b}
}

func mediaType(video bool) string {
	if video {
		return "Video"
	}
	return "Audio"
}

func appendMember(b []byte, u account, status string) []byte {
	b = append(b, `{"User_Account":`...)
	b = appendAccount(b, u)
	b = append(b, `,"Status":`...)
	b = appendJSONString(b, status)
	return append(b, '}')
}

func appendAccount(b []byte, u account) []byte {
	if u.numeric {
		return append(b, u.text...)
	}
	return appendJSONString(b, u.text)
}

// appendJSONString quotes s, which the generator only ever builds from
// ASCII letters, digits, '-' and '_': nothing needs escaping.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
