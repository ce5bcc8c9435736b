package rooms

import (
	"maps"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// liveState is what the live-room and TRTC callbacks tell of a room besides
// its online members.
type liveState struct {
	created  bool // Live.CallbackAfterCreateRoom or a TRTC create seen: live until destroyed
	info     *gatewayv1.LiveRoomInfo
	owner    string
	admins   []string
	metadata map[string]string
	seats    []*gatewayv1.LiveSeat // a detached copy, replaced (never modified) at each change
	battle   *gatewayv1.RoomBattle
	trtc     map[string]*trtcUser
}

type trtcUser struct {
	role              gatewayv1.TrtcRole
	enter             int64
	video, audio, sub bool
}

// liveRoomID is the room a live-room or TRTC event concerns; "" for others.
func liveRoomID(ev *gatewayv1.Event) string {
	switch {
	case ev.GetLiveRoomCreated() != nil:
		return ev.GetLiveRoomCreated().GetRoomInfo().GetRoomId()
	case ev.GetLiveRoomDestroyed() != nil:
		return ev.GetLiveRoomDestroyed().GetRoomId()
	case ev.GetLiveRoomInfoUpdated() != nil:
		return ev.GetLiveRoomInfoUpdated().GetRoomInfo().GetRoomId()
	case ev.GetLiveMetadataSet() != nil:
		return ev.GetLiveMetadataSet().GetRoomId()
	case ev.GetLiveMetadataDeleted() != nil:
		return ev.GetLiveMetadataDeleted().GetRoomId()
	case ev.GetLiveOwnerChanged() != nil:
		return ev.GetLiveOwnerChanged().GetRoomId()
	case ev.GetLiveAdminModified() != nil:
		return ev.GetLiveAdminModified().GetRoomId()
	case ev.GetLiveSeatInfoChanged() != nil:
		return ev.GetLiveSeatInfoChanged().GetRoomId()
	case ev.GetTrtcRoom() != nil:
		return ev.GetTrtcRoom().GetHeader().GetRoomId()
	case ev.GetTrtcMedia() != nil:
		return ev.GetTrtcMedia().GetHeader().GetRoomId()
	}
	return ""
}

// applyLive folds one live-room or TRTC event into r; it reports false when
// the event ends the room.
func (r *room) applyLive(ev *gatewayv1.Event, t int64) bool {
	switch {
	case ev.GetLiveRoomCreated() != nil:
		r.created = true
		r.mergeInfo(ev.GetLiveRoomCreated().GetRoomInfo())
	case ev.GetLiveRoomDestroyed() != nil:
		return false
	case ev.GetLiveRoomInfoUpdated() != nil:
		r.mergeInfo(ev.GetLiveRoomInfoUpdated().GetRoomInfo())
	case ev.GetLiveMetadataSet() != nil:
		if r.metadata == nil {
			r.metadata = map[string]string{}
		}
		for _, m := range ev.GetLiveMetadataSet().GetMetadata() {
			r.metadata[strings.Clone(m.GetKey())] = strings.Clone(m.GetValue())
		}
	case ev.GetLiveMetadataDeleted() != nil:
		for _, k := range ev.GetLiveMetadataDeleted().GetKeys() {
			delete(r.metadata, k)
		}
	case ev.GetLiveOwnerChanged() != nil:
		r.owner = strings.Clone(ev.GetLiveOwnerChanged().GetCurrentOwnerAccount())
	case ev.GetLiveAdminModified() != nil:
		m := ev.GetLiveAdminModified()
		for _, a := range m.GetAdminAccounts() {
			i, found := slices.BinarySearch(r.admins, a)
			switch {
			case m.GetOpType() == gatewayv1.LiveAdminOp_LIVE_ADMIN_OP_ADD && !found:
				r.admins = slices.Insert(r.admins, i, strings.Clone(a))
			case m.GetOpType() == gatewayv1.LiveAdminOp_LIVE_ADMIN_OP_DELETE && found:
				r.admins = slices.Delete(r.admins, i, i+1)
			}
		}
	case ev.GetLiveSeatInfoChanged() != nil:
		r.seats = detachAll(ev.GetLiveSeatInfoChanged().GetSeatList())
	case ev.GetTrtcRoom() != nil:
		return r.applyTrtcRoom(ev.GetType(), ev.GetTrtcRoom(), t)
	case ev.GetTrtcMedia() != nil:
		u := r.trtcUser(ev.GetTrtcMedia().GetHeader().GetUserId())
		on := ev.GetTrtcMedia().GetStarted()
		switch ev.GetTrtcMedia().GetStream() {
		case gatewayv1.TrtcStream_TRTC_STREAM_VIDEO:
			u.video = on
		case gatewayv1.TrtcStream_TRTC_STREAM_AUDIO:
			u.audio = on
		case gatewayv1.TrtcStream_TRTC_STREAM_SUB_STREAM:
			u.sub = on
		}
	}
	return true
}

func (r *room) applyTrtcRoom(typ gatewayv1.EventType, e *gatewayv1.TrtcRoomEvent, t int64) bool {
	switch typ {
	case gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_CREATED:
		r.created = true
	case gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_DISMISSED:
		return false
	case gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ENTERED:
		u := r.trtcUser(e.GetHeader().GetUserId())
		u.enter, u.role = t, e.GetRole()
	case gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_EXITED:
		// Exiting implies stopping audio and video: Tencent sends only the exit.
		delete(r.trtc, e.GetHeader().GetUserId())
	case gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ROLE_CHANGED:
		r.trtcUser(e.GetHeader().GetUserId()).role = e.GetRole()
	}
	return true
}

func (r *room) trtcUser(id string) *trtcUser {
	if r.trtc == nil {
		r.trtc = map[string]*trtcUser{}
	}
	u := r.trtc[id]
	if u == nil {
		u = &trtcUser{}
		r.trtc[strings.Clone(id)] = u
	}
	return u
}

// mergeInfo applies a room info: fields it carries replace the known ones
// (absent is not zero: Tencent may send only what changed).
func (r *room) mergeInfo(in *gatewayv1.LiveRoomInfo) {
	if in == nil {
		return
	}
	if r.info == nil {
		r.info = &gatewayv1.LiveRoomInfo{}
	}
	if len(in.GetCategory()) > 0 {
		r.info.Category = nil
	}
	proto.Merge(r.info, detach(in))
	if in.GetOwnerAccount() != "" {
		r.owner = strings.Clone(in.GetOwnerAccount())
	}
}

// applyBattle folds a battle event into the rooms it names that are live;
// it reports whether ev was one. A battle's rooms share one RoomBattle,
// replaced (never modified) at each change, so answers may share it.
func (p *Projection) applyBattle(ev *gatewayv1.Event, recv int64) bool {
	var (
		ids    []string
		battle *gatewayv1.RoomBattle
	)
	switch {
	case ev.GetLiveBattleCreated() != nil:
		c := ev.GetLiveBattleCreated()
		ids = append([]string{c.GetFromRoomId()}, c.GetToRoomIds()...)
		battle = &gatewayv1.RoomBattle{BattleId: c.GetBattleId(), RoomIds: ids, Duration: c.GetDuration()}
	case ev.GetLiveBattleStarted() != nil:
		b := ev.GetLiveBattleStarted()
		ids = battleRooms(b)
		battle = &gatewayv1.RoomBattle{BattleId: b.GetBattleId(), Started: true, RoomIds: ids, StartTime: b.GetStartTime(), Duration: b.GetDuration()}
	case ev.GetLiveBattleEnded() != nil:
		ids = battleRooms(ev.GetLiveBattleEnded())
	default:
		return false
	}
	id := ev.GetLiveBattleEnded().GetBattleId()
	if battle != nil {
		battle = detach(battle)
	}
	for _, roomID := range ids {
		r := p.rooms[key{app: ev.GetSdkAppId(), id: roomID}]
		if r == nil {
			continue // a battle does not make a room live
		}
		r = p.touch(ev, roomID, recv)
		switch {
		case battle != nil:
			r.battle = battle
		case r.battle.GetBattleId() == id:
			r.battle = nil
		}
	}
	return true
}

// battleRooms are the rooms of a started or ended battle, the inviting one first.
func battleRooms(b *gatewayv1.LiveBattle) []string {
	ids := []string{b.GetFromRoomInfo().GetRoomId()}
	for _, r := range b.GetToRoomList() {
		ids = append(ids, r.GetRoomId())
	}
	return slices.DeleteFunc(ids, func(s string) bool { return s == "" })
}

// fill sets what the live and TRTC callbacks told of r on rm; it copies
// what Apply may still change, since rm is read after the lock is released.
func (r *room) fill(rm *gatewayv1.Room) {
	if r.info != nil {
		rm.Info = proto.CloneOf(r.info)
	}
	rm.OwnerAccount = r.owner
	rm.AdminAccounts = slices.Clone(r.admins)
	if len(r.metadata) > 0 {
		rm.Metadata = maps.Clone(r.metadata)
	}
	rm.Seats = r.seats
	rm.ActiveBattle = r.battle
	rm.TrtcUserCount = int32(min(len(r.trtc), 1<<31-1))
}

// trtcUsers lists who is in r's TRTC room, in user id order.
func (r *room) trtcUsers() []*gatewayv1.TrtcRoomUser {
	out := make([]*gatewayv1.TrtcRoomUser, 0, len(r.trtc))
	for id, u := range r.trtc {
		out = append(out, &gatewayv1.TrtcRoomUser{
			UserId: id, Role: u.role, EnterTime: ts(u.enter),
			PublishingVideo: u.video, PublishingAudio: u.audio, PublishingSubStream: u.sub,
		})
	}
	slices.SortFunc(out, func(a, b *gatewayv1.TrtcRoomUser) int { return strings.Compare(a.GetUserId(), b.GetUserId()) })
	return out
}

// detach returns a copy of m that shares no memory with it. A decoded
// event's strings are substrings of its callback's body (and proto.Clone
// copies strings by reference), so a room keeping the event's own message,
// or a clone of it, would keep the whole body alive for as long as the room
// lives; re-decoding the encoding gives strings of their own.
func detach[M proto.Message](m M) M {
	out := m.ProtoReflect().New().Interface().(M)
	b, err := proto.Marshal(m)
	if err == nil {
		err = proto.Unmarshal(b, out)
	}
	if err != nil {
		// Only an invalid message fails, which a decoded event never
		// holds; keep the original rather than lose the change.
		return m
	}
	return out
}

// detachAll is detach for a list.
func detachAll[M proto.Message](l []M) []M {
	if l == nil {
		return nil
	}
	out := make([]M, len(l))
	for i, m := range l {
		out[i] = detach(m)
	}
	return out
}
