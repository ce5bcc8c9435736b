package rooms

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// memberEvent is a live member state change received at t0+at.
func memberEvent(seq uint64, room string, online bool, at time.Duration, members ...string) *gatewayv1.Event {
	ch := &gatewayv1.LiveMemberStateChanged{RoomId: room, EventType: gatewayv1.LiveEventType_LIVE_EVENT_TYPE_OFFLINE}
	if online {
		ch.EventType = gatewayv1.LiveEventType_LIVE_EVENT_TYPE_ONLINE
	}
	for _, m := range members {
		ch.MemberList = append(ch.MemberList, &gatewayv1.LiveMember{MemberAccount: m})
	}
	return &gatewayv1.Event{
		Sequence: seq, Type: gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED, SdkAppId: 1, RoomId: room,
		ReceivedAt: timestamppb.New(t0.Add(at)),
		Payload:    &gatewayv1.Event_LiveMemberStateChanged{LiveMemberStateChanged: ch},
	}
}

func TestOnlineMembers(t *testing.T) {
	p := New(time.Hour)
	p.Apply(memberEvent(1, "r1", true, 0, "a", "b", "c"))
	p.Apply(memberEvent(2, "r1", false, time.Second, "b"))
	p.Apply(memberEvent(3, "r2", true, 2*time.Second, "z"))
	now := t0.Add(time.Minute)
	rm, members, more, _ := p.Room(1, "r1", now, "", 1)
	if rm.GetOnlineMemberCount() != 2 || strings.Join(members, ",") != "a" || !more {
		t.Fatalf("Room page 1 = %v %v %v", rm, members, more)
	}
	_, members, more, _ = p.Room(1, "r1", now, "a", 1)
	if strings.Join(members, ",") != "c" || more {
		t.Fatalf("Room page 2 = %v %v", members, more)
	}
	if !rm.GetCoverage().GetComplete() {
		t.Error("the projection saw sequence 1, so the room is complete")
	}
	rooms, more, total := p.Rooms(1, now, "", 1)
	if len(rooms) != 1 || rooms[0].GetRoomId() != "r1" || !more || total != 2 {
		t.Fatalf("Rooms page 1 = %v %v %d", rooms, more, total)
	}
	// The last member leaving ends the room.
	p.Apply(memberEvent(4, "r2", false, 3*time.Second, "z"))
	if rm, _, _, _ := p.Room(1, "r2", now, "", 10); rm != nil {
		t.Errorf("r2 after its last member left = %v, want not live", rm)
	}
}

func TestRoomExpiresAfterTTL(t *testing.T) {
	p := New(time.Hour)
	p.Apply(memberEvent(7, "r", true, 0, "a"))
	if rm, _, _, _ := p.Room(1, "r", t0.Add(59*time.Minute), "", 10); rm == nil || rm.GetCoverage().GetComplete() {
		t.Fatalf("before the TTL: %v, want live and incomplete (the log did not start at 1)", rm)
	}
	if rm, _, _, _ := p.Room(1, "r", t0.Add(time.Hour), "", 10); rm != nil {
		t.Errorf("at the TTL: %v, want expired", rm)
	}
	// Another event, received after the TTL, forgets the room for good.
	p.Apply(memberEvent(8, "other", true, 2*time.Hour, "x"))
	if p.Len() != 1 {
		t.Errorf("Len = %d, want only the new room", p.Len())
	}
}

func TestTrimForgetsRooms(t *testing.T) {
	p := New(0)
	p.Apply(memberEvent(1, "r1", true, 0, "a"))
	p.Apply(memberEvent(2, "r2", true, 0, "b"))
	p.Trim(2)
	if p.Len() != 1 {
		t.Errorf("Len after Trim(2) = %d, want 1", p.Len())
	}
}

// TestLateOfflineKeepsTheMember applies an offline dated before the member's
// latest online, arriving after it: the member stays online.
func TestLateOfflineKeepsTheMember(t *testing.T) {
	p := New(time.Hour)
	online := memberEvent(1, "r", true, 0, "a", "b")
	online.EventTime = timestamppb.New(t0.Add(10 * time.Second))
	late := memberEvent(2, "r", false, time.Second, "a")
	late.EventTime = timestamppb.New(t0.Add(5 * time.Second))
	p.Apply(online)
	p.Apply(late)
	if _, members, _, _ := p.Room(1, "r", t0.Add(time.Minute), "", 10); strings.Join(members, ",") != "a,b" {
		t.Errorf("members = %v, want a and b: the offline predates a's online", members)
	}
}
