package traffic

import (
	"fmt"
	"strconv"
)

// The TUILiveKit commands of the Live family besides member state.
const (
	cmdCreateRoom   = "Live.CallbackAfterCreateRoom"
	cmdDestroyRoom  = "Live.CallbackAfterDestroyRoom"
	cmdSeatChanged  = "Mic.CallbackAfterSeatInfoChanged"
	cmdCreateBattle = "Live.CallbackAfterCreateBattle"
	cmdStartBattle  = "Live.CallbackAfterStartBattle"
	cmdEndBattle    = "Live.CallbackAfterEndBattle"
	cmdSendGift     = "Live.CallbackBeforeSendGift"
	cmdGroupMsg     = "Group.CallbackAfterSendMsg"
)

// liveSeats is how many seats (co-hosts, the owner on seat 0) a room has.
const liveSeats = 4

// liveRoom is a TUILiveKit room through its life: created by its owner,
// visited by viewers who chat, send gifts and take seats, sometimes in a
// battle with another room, and destroyed.
type liveRoom struct {
	id       string
	app      int
	owner    account
	created  int64 // Unix seconds; 0 until the create callback is sent
	left     int   // callbacks until the room is destroyed
	viewers  []account
	seats    [liveSeats]account
	msgSeq   int64
	battle   *battle
	gifts    int64 // gifts sent, which makes each gift's body unique
	visitors int   // viewers who ever entered
}

type battle struct {
	id      string
	to      *liveRoom
	created int64 // Unix seconds
	started int64
}

func (g *Generator) newLiveRoom(app int) *liveRoom {
	g.serial++
	return &liveRoom{
		id:    fmt.Sprintf("live_%08x_%d_%d", g.m.RunID, g.id, g.serial),
		app:   app,
		owner: g.newViewer(app),
		left:  150 + g.rng.IntN(300),
	}
}

// live returns the next callback of one of the generator's rooms.
func (g *Generator) live() Webhook {
	i := g.rng.IntN(len(g.lives))
	r := g.lives[i]
	ms := g.stamp()
	switch {
	case r.created == 0:
		r.created = ms / 1000
		r.seats[0] = r.owner
		return g.createRoom(r, ms)
	case r.left <= 0 && r.battle == nil && !g.inBattle(r):
		g.lives[i] = g.newLiveRoom(r.app)
		return g.destroyRoom(r, ms)
	}
	r.left--
	switch n := g.rng.IntN(100); {
	case n < 50 || len(r.viewers) == 0:
		return g.liveMember(r, ms)
	case n < 75:
		return g.groupMessage(r, ms)
	case n < 87:
		return g.gift(r)
	case n < 96:
		return g.seatChange(r, ms)
	default:
		if wh, ok := g.battleStep(r, ms); ok {
			return wh
		}
		return g.groupMessage(r, ms)
	}
}

// inBattle reports whether another room is battling r.
func (g *Generator) inBattle(r *liveRoom) bool {
	for _, o := range g.lives {
		if o.battle != nil && o.battle.to == r {
			return true
		}
	}
	return false
}

func (g *Generator) createRoom(r *liveRoom, ms int64) Webhook {
	b := g.begin(cmdCreateRoom)
	b = append(b, `,"Operator_Account":`...)
	b = appendAccount(b, r.owner)
	b = g.appendRoomInfo(b, r)
	b = append(b, '}')
	return g.end(b, r.app, cmdCreateRoom, -1, ms)
}

func (g *Generator) appendRoomInfo(b []byte, r *liveRoom) []byte {
	b = append(b, `,"RoomInfo":{"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"RoomName":`...)
	b = appendJSONString(b, "Live "+r.id[len(r.id)-4:])
	b = append(b, `,"RoomType":"Live","Owner_Account":`...)
	b = appendAccount(b, r.owner)
	b = append(b, `,"MaxMemberCount":1000,"IsMessageDisabled":false,"CustomInfo":"","IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxSeatCount":`...)
	b = strconv.AppendInt(b, liveSeats, 10)
	b = append(b, `,"CreateTime":`...)
	b = strconv.AppendInt(b, r.created, 10)
	b = append(b, `,"IsPublicVisible":true,"CoverURL":"","Category":[1]`...)
	return b
}

func (g *Generator) destroyRoom(r *liveRoom, ms int64) Webhook {
	b := g.begin(cmdDestroyRoom)
	b = append(b, `,"Operator_Account":`...)
	cause := "DestroyByUser"
	if g.rng.IntN(5) == 0 {
		cause = "DestroyBySystem"
		b = appendJSONString(b, "@TIM#SYSTEM")
	} else {
		b = appendAccount(b, r.owner)
	}
	b = append(b, `,"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"EventType":`...)
	b = appendJSONString(b, cause)
	b = g.appendRoomInfo(b, r)
	b = append(b, `,"ViewCount":`...)
	b = strconv.AppendInt(b, int64(r.visitors), 10)
	b = append(b, `},"Statistic":{"TotalViewers":`...)
	b = strconv.AppendInt(b, int64(r.visitors), 10)
	b = append(b, `,"TotalGiftsSent":`...)
	b = strconv.AppendInt(b, r.gifts, 10)
	b = append(b, `,"TotalGiftCoins":`...)
	b = strconv.AppendInt(b, r.gifts*10, 10)
	b = append(b, `,"TotalUniqueGiftSenders":0,"TotalLikesReceived":0}`...)
	return g.end(b, r.app, cmdDestroyRoom, -1, ms)
}

// liveMember is a viewer entering the room, or one present leaving it.
func (g *Generator) liveMember(r *liveRoom, ms int64) Webhook {
	if n := len(r.viewers); n > 0 && (n >= 40 || g.rng.IntN(5) < 2) {
		i := g.rng.IntN(n)
		who := r.viewers[i]
		r.viewers[i] = r.viewers[n-1]
		r.viewers = r.viewers[:n-1]
		for s := 1; s < liveSeats; s++ {
			if r.seats[s] == who {
				r.seats[s] = account{}
			}
		}
		cause := "Leave"
		if g.rng.IntN(10) == 0 {
			cause = "HeartbeatInterrupt"
		}
		return g.memberState(r.id, r.app, who, "Offline", cause, ms)
	}
	who := g.newViewer(r.app)
	r.viewers = append(r.viewers, who)
	r.visitors++
	return g.memberState(r.id, r.app, who, "Online", "Enter", ms)
}

// someone is a viewer of the room, or its owner when it has none.
func (g *Generator) someone(r *liveRoom) account {
	if len(r.viewers) == 0 {
		return r.owner
	}
	return r.viewers[g.rng.IntN(len(r.viewers))]
}

var chatter = []string{"hi!", "hello from Lisbon", "nice", "666", "love this song", "#1 fan", "when is the next live?", "lol"}

func (g *Generator) groupMessage(r *liveRoom, ms int64) Webhook {
	from := g.someone(r)
	r.msgSeq++
	b := g.begin(cmdGroupMsg)
	b = append(b, `,"GroupId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"Type":"AVChatRoom","From_Account":`...)
	b = appendAccount(b, from)
	b = append(b, `,"Operator_Account":`...)
	b = appendAccount(b, from)
	b = append(b, `,"Random":`...)
	b = strconv.AppendUint(b, uint64(g.rng.Uint32()), 10)
	b = append(b, `,"MsgSeq":`...)
	b = strconv.AppendInt(b, r.msgSeq, 10)
	b = append(b, `,"MsgTime":`...)
	b = strconv.AppendInt(b, ms/1000, 10)
	b = append(b, `,"OnlineOnlyFlag":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":`...)
	b = appendJSONString(b, chatter[g.rng.IntN(len(chatter))])
	b = append(b, `}}],"CloudCustomData":"","TopicId":""`...)
	// Tencent's sample sends this command's EventTime as a string.
	b = append(b, `,"EventTime":"`...)
	b = strconv.AppendInt(b, ms, 10)
	b = append(b, '"')
	return g.finish(b, r.app, cmdGroupMsg, -1)
}

// gift is Live.CallbackBeforeSendGift, which carries no EventTime: the
// room's gift count in GiftWater.Count keeps each body distinct.
func (g *Generator) gift(r *liveRoom) Webhook {
	r.gifts++
	from := g.someone(r)
	b := g.begin(cmdSendGift)
	b = append(b, `,"Operator_Account":`...)
	b = appendAccount(b, from)
	b = append(b, `,"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"GiftWater":{"From_Account":`...)
	b = appendAccount(b, from)
	b = append(b, `,"To_Account":[`...)
	b = appendAccount(b, r.owner)
	b = append(b, `],"Time":`...)
	b = strconv.AppendInt(b, g.now().Unix(), 10)
	b = append(b, `,"GiftId":`...)
	b = appendJSONString(b, "gift_"+strconv.Itoa(1+g.rng.IntN(6)))
	b = append(b, `,"Count":`...)
	b = strconv.AppendInt(b, r.gifts, 10)
	b = append(b, `,"Coins":`...)
	b = strconv.AppendInt(b, 10*r.gifts, 10)
	b = append(b, '}')
	return g.finish(b, r.app, cmdSendGift, -1)
}

// seatChange seats a viewer on a free seat, or frees a taken one, and
// reports the whole seat list.
func (g *Generator) seatChange(r *liveRoom, ms int64) Webhook {
	s := 1 + g.rng.IntN(liveSeats-1)
	if r.seats[s].text != "" {
		r.seats[s] = account{}
	} else if len(r.viewers) > 0 {
		r.seats[s] = r.viewers[g.rng.IntN(len(r.viewers))]
	}
	b := g.begin(cmdSeatChanged)
	b = append(b, `,"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"SeatList":[`...)
	for i, who := range r.seats {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Index":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		if who.text != "" {
			b = append(b, `,"Member_Account":`...)
			b = appendAccount(b, who)
		}
		b = append(b, `,"IsTakenDisabled":false,"IsVideoDisabled":false,"IsAudioDisabled":false}`...)
	}
	b = append(b, ']')
	return g.end(b, r.app, cmdSeatChanged, -1, ms)
}

// battleStep moves the room's battle on: created, started, ended. A room
// battles another created room of the same app that is not battling.
func (g *Generator) battleStep(r *liveRoom, ms int64) (Webhook, bool) {
	bt := r.battle
	if bt == nil {
		if g.inBattle(r) {
			return Webhook{}, false
		}
		for _, o := range g.lives {
			if o != r && o.app == r.app && o.created != 0 && o.battle == nil && !g.inBattle(o) {
				g.serial++
				r.battle = &battle{id: fmt.Sprintf("battle_%08x_%d_%d", g.m.RunID, g.id, g.serial), to: o, created: ms / 1000}
				return g.battleCreated(r, ms), true
			}
		}
		return Webhook{}, false
	}
	if bt.started == 0 {
		bt.started = ms / 1000
		return g.battleEvent(r, cmdStartBattle, ms), true
	}
	wh := g.battleEvent(r, cmdEndBattle, ms)
	r.battle = nil
	return wh, true
}

func (g *Generator) battleCreated(r *liveRoom, ms int64) Webhook {
	b := g.begin(cmdCreateBattle)
	b = append(b, `,"Operator_Account":`...)
	b = appendAccount(b, r.owner)
	b = append(b, `,"BattleId":`...)
	b = appendJSONString(b, r.battle.id)
	b = append(b, `,"FromRoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"ToRoomIdList":[`...)
	b = appendJSONString(b, r.battle.to.id)
	b = append(b, `],"Timeout":10000,"Duration":300000,"NeedResponse":true,"ExtensionInfo":""`...)
	return g.end(b, r.app, cmdCreateBattle, -1, ms)
}

func (g *Generator) battleEvent(r *liveRoom, command string, ms int64) Webhook {
	bt := r.battle
	b := g.begin(command)
	b = append(b, `,"BattleId":`...)
	b = appendJSONString(b, bt.id)
	b = append(b, `,"Duration":300000,"CreateTime":`...)
	b = strconv.AppendInt(b, bt.created, 10)
	b = append(b, `,"StartTime":`...)
	b = strconv.AppendInt(b, bt.started, 10)
	if command == cmdEndBattle {
		b = append(b, `,"EndTime":`...)
		b = strconv.AppendInt(b, ms/1000, 10)
		b = append(b, `,"OpType":0`...)
	}
	b = append(b, `,"FromRoomInfo":{"RoomId":`...)
	b = appendJSONString(b, r.id)
	b = append(b, `,"Owner_Account":`...)
	b = appendAccount(b, r.owner)
	if command == cmdEndBattle {
		b = append(b, `,"Score":`...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(1000)), 10)
	}
	b = append(b, `},"ToRoomList":[{"RoomId":`...)
	b = appendJSONString(b, bt.to.id)
	b = append(b, `,"Owner_Account":`...)
	b = appendAccount(b, bt.to.owner)
	if command == cmdEndBattle {
		b = append(b, `,"Score":`...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(1000)), 10)
	}
	b = append(b, "}]"...)
	return g.end(b, r.app, command, -1, ms)
}
