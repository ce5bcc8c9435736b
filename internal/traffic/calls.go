package traffic

import (
	"strconv"
	"time"
)

// The Tencent commands of the call family and of viewers.
const (
	cmdStartCall    = "Call.CallbackAfterStartCall"
	cmdMemberChange = "Call.CallbackAfterMemberChanged"
	cmdEndCall      = "Call.CallbackAfterEndCall"
	cmdLiveMember   = "Live.CallbackAfterMemberStateChanged"
)

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
	joined   bool // someone joined a multi-call late
	hungUp   bool // a callee of a multi-call left early
	started  int64
	accepted int64
	picked   map[int]bool
}

// nextCall advances one of the calls in progress: calls start, whose callees
// answer, reject or miss them, in which a latecomer may join and a callee may
// hang up, and that end with a call record.
func (g *Generator) nextCall() Webhook {
	for len(g.calls) < max(g.m.ActiveCalls, 1) {
		g.calls = append(g.calls, g.newCall())
	}
	i := g.rng.IntN(len(g.calls))
	c := g.calls[i]
	wh := g.advance(c)
	if wh.Command == cmdEndCall {
		g.calls[i] = g.newCall()
	}
	return wh
}

func (g *Generator) newCall() *call {
	idx := g.m.nextCall.Add(1) - 1
	c := &call{
		idx:   idx,
		id:    g.m.CallID(idx),
		app:   int(idx % int64(len(g.m.Apps))),
		video: g.rng.IntN(3) == 0,
	}
	c.room = "room-" + c.id[len(c.id)-12:]
	n := 1
	if g.rng.IntN(4) == 0 {
		n = 2 + g.rng.IntN(2) // a multi-call with 2 or 3 callees
	}
	// Distinct users from the app's population of 10,000.
	c.picked = make(map[int]bool, n+2)
	c.caller = g.pick(c)
	for range n {
		c.callees = append(c.callees, g.pick(c))
	}
	c.answered = make([]bool, n)
	return c
}

// pick draws a user of the call's app not yet in the call.
func (g *Generator) pick(c *call) account {
	for {
		u := g.rng.IntN(10000)
		if !c.picked[u] {
			c.picked[u] = true
			return userAccount(c.app, u)
		}
	}
}

// advance returns the call's next callback: the start, one callee's
// decision at a time, maybe a latecomer joining and an early hang-up, then
// the end.
func (g *Generator) advance(c *call) Webhook {
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
	case len(c.callees) > 1 && !c.joined && c.accepted != 0 && g.rng.IntN(3) == 0:
		// A group member joins the call in progress, without being rung.
		c.joined = true
		who := g.pick(c)
		c.callees = append(c.callees, who)
		c.answered = append(c.answered, true)
		c.decided++
		return g.memberChanged(c, who, "Join", now)
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

func (g *Generator) startCall(c *call, now time.Time) Webhook {
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
	return g.end(b, c.app, cmdStartCall, c.idx, now.UnixMilli())
}

func (g *Generator) memberChanged(c *call, who account, action string, now time.Time) Webhook {
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
	return g.end(b, c.app, cmdMemberChange, c.idx, now.UnixMilli())
}

func (g *Generator) endCall(c *call, now time.Time) Webhook {
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
	return g.end(b, c.app, cmdEndCall, c.idx, now.UnixMilli())
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

// room is a live room whose only traffic is viewers (the Viewers family).
type room struct {
	id      string
	app     int
	viewers []account
}

// viewers returns a viewer entering a room, or one present leaving it.
func (g *Generator) viewers() Webhook {
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
		// Viewers are new people: unique across generators and the run.
		who = g.newViewer(r.app)
		r.viewers = append(r.viewers, who)
	}
	wh := g.memberState(r.id, r.app, who, eventType, cause, g.now().UnixMilli())
	wh.Family = Viewers
	return wh
}

// memberState is Live.CallbackAfterMemberStateChanged for one member.
func (g *Generator) memberState(roomID string, app int, who account, eventType, cause string, ms int64) Webhook {
	b := g.begin(cmdLiveMember)
	b = append(b, `,"RoomId":`...)
	b = appendJSONString(b, roomID)
	b = append(b, `,"EventType":`...)
	b = appendJSONString(b, eventType)
	b = append(b, `,"EventCause":`...)
	b = appendJSONString(b, cause)
	b = append(b, `,"MemberList":[{"Member_Account":`...)
	b = appendAccount(b, who)
	b = append(b, "}]"...)
	return g.end(b, app, cmdLiveMember, -1, ms)
}
