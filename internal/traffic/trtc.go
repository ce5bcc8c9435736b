package traffic

import (
	"fmt"
	"strconv"
)

// TRTC family-2 event groups and types (trtc.io/document/39558).
const (
	trtcGroupRoom  = 1
	trtcGroupMedia = 2

	trtcCreateRoom  = 101
	trtcDismissRoom = 102
	trtcEnterRoom   = 103
	trtcExitRoom    = 104
	trtcChangeRole  = 105
	trtcVideoStart  = 201
	trtcVideoStop   = 202
	trtcAudioStart  = 203
	trtcAudioStop   = 204

	trtcAnchor   = 20
	trtcAudience = 21
)

// trtcRoom is a TRTC room: created when its first user enters, dismissed
// after its last leaves. Apps with an odd index use numeric room ids, as
// clients that call enterRoom with an integer do.
type trtcRoom struct {
	id      string // as it appears in JSON: digits, or a quoted string
	app     int
	created bool
	members []*trtcUser
}

type trtcUser struct {
	id           string
	role         int
	video, audio bool
	terminal     int
}

func (g *Generator) newTRTCRoom(app int) *trtcRoom {
	g.serial++
	id := strconv.Quote(fmt.Sprintf("trtc_%08x_%d_%d", g.m.RunID, g.id, g.serial))
	if app%2 == 1 {
		// A 32-bit room number unique to this generator and room.
		id = strconv.FormatUint(uint64(1_000_000+(g.id%1000)*100_000+int(g.serial%100_000)), 10)
	}
	return &trtcRoom{id: id, app: app}
}

// trtc returns the next room or media event of one of the generator's rooms.
func (g *Generator) trtc() Webhook {
	i := g.rng.IntN(len(g.trtcs))
	r := g.trtcs[i]
	switch {
	case !r.created:
		r.created = true
		r.members = append(r.members, g.newTRTCUser(r, trtcAnchor))
		return g.trtcEvent(r, trtcGroupRoom, trtcCreateRoom, r.members[0], 0)
	case len(r.members) == 0:
		g.trtcs[i] = g.newTRTCRoom(r.app)
		return g.trtcEvent(r, trtcGroupRoom, trtcDismissRoom, nil, 0)
	}
	u := r.members[g.rng.IntN(len(r.members))]
	switch n := g.rng.IntN(100); {
	case n < 20 && len(r.members) < 8:
		role := trtcAudience
		if g.rng.IntN(3) == 0 {
			role = trtcAnchor
		}
		u = g.newTRTCUser(r, role)
		r.members = append(r.members, u)
		reason := 1
		if g.rng.IntN(10) == 0 {
			reason = 2 // network change
		}
		return g.trtcEvent(r, trtcGroupRoom, trtcEnterRoom, u, reason)
	case n < 35:
		for j, m := range r.members {
			if m == u {
				r.members = append(r.members[:j], r.members[j+1:]...)
				break
			}
		}
		reason := 1
		if g.rng.IntN(8) == 0 {
			reason = 2 // timeout
		}
		return g.trtcEvent(r, trtcGroupRoom, trtcExitRoom, u, reason)
	case n < 42:
		u.role = trtcAnchor + trtcAudience - u.role
		if u.role == trtcAudience {
			u.video, u.audio = false, false
		}
		return g.trtcEvent(r, trtcGroupRoom, trtcChangeRole, u, 0)
	}
	if u.role != trtcAnchor {
		u.role = trtcAnchor
		return g.trtcEvent(r, trtcGroupRoom, trtcChangeRole, u, 0)
	}
	if g.rng.IntN(2) == 0 {
		u.audio = !u.audio
		return g.trtcEvent(r, trtcGroupMedia, pick(u.audio, trtcAudioStart, trtcAudioStop), u, 0)
	}
	u.video = !u.video
	return g.trtcEvent(r, trtcGroupMedia, pick(u.video, trtcVideoStart, trtcVideoStop), u, 0)
}

func pick(cond bool, yes, no int) int {
	if cond {
		return yes
	}
	return no
}

func (g *Generator) newTRTCUser(r *trtcRoom, role int) *trtcUser {
	g.viewer++
	return &trtcUser{
		id:       fmt.Sprintf("user_%d_%d", g.id, g.viewer),
		role:     role,
		terminal: []int{1, 2, 3, 3, 2, 100}[g.rng.IntN(6)],
	}
}

// trtcEvent is one family-2 body: {"EventGroupId","EventType","CallbackTs","EventInfo"}.
// Dismissing a room names no user.
func (g *Generator) trtcEvent(r *trtcRoom, group, typ int, u *trtcUser, reason int) Webhook {
	ms := g.stamp()
	b := append(g.buf[:0], `{"EventGroupId":`...)
	b = strconv.AppendInt(b, int64(group), 10)
	b = append(b, `,"EventType":`...)
	b = strconv.AppendInt(b, int64(typ), 10)
	b = append(b, `,"CallbackTs":`...)
	b = strconv.AppendInt(b, ms, 10)
	b = append(b, `,"EventInfo":{"RoomId":`...)
	b = append(b, r.id...)
	b = append(b, `,"EventTs":`...)
	b = strconv.AppendInt(b, ms/1000, 10)
	b = append(b, `,"EventMsTs":`...)
	b = strconv.AppendInt(b, ms, 10)
	if u != nil {
		b = append(b, `,"UserId":`...)
		b = appendJSONString(b, u.id)
		if group == trtcGroupRoom {
			b = append(b, `,"Role":`...)
			b = strconv.AppendInt(b, int64(u.role), 10)
			b = append(b, `,"TerminalType":`...)
			b = strconv.AppendInt(b, int64(u.terminal), 10)
			b = append(b, `,"UserType":3`...)
		}
		if typ == trtcEnterRoom || typ == trtcExitRoom {
			b = append(b, `,"Reason":`...)
			b = strconv.AppendInt(b, int64(reason), 10)
		}
	}
	b = append(b, "}}"...)
	g.buf = b
	return Webhook{App: g.m.Apps[r.app], AppIdx: r.app, Family: TRTC, TRTCGroup: group, TRTCEvent: typ, Call: -1, Body: b}
}
