package rooms

import (
	"net/url"
	"runtime"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// TestRoomsKeepNoCallbackBody: a decoded event's strings are substrings of
// its callback's body, and the JetStream log hands the follower the very
// event the webhook decoded; a room must keep copies of what it holds, or
// every member, seat and FIFO entry keeps a whole body alive.
func TestRoomsKeepNoCallbackBody(t *testing.T) {
	bodies := []struct{ command, body string }{
		{"Live.CallbackAfterCreateRoom", `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"RoomId":"room-body-1","Owner_Account":"owner-1","Name":"a name"},"EventTime":1703589922000}`},
		{"Live.CallbackAfterMemberStateChanged", `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room-body-1","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],"EventTime":1703589922780}`},
		{"Live.CallbackAfterSetMetadata", `{"CallbackCommand":"Live.CallbackAfterSetMetadata","RoomId":"room-body-1","Metadata":[{"Key":"k1","Value":"v1"}],"EventTime":1703589923000}`},
	}
	p := New(DefaultTTL)
	var bodiesAlive []weak.Pointer[byte]
	for i, b := range bodies {
		q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {b.command}, "contenttype": {"json"}, "ClientIP": {"203.0.113.1"}, "OptPlatform": {"iOS"}}
		ev, err := callback.Decode(q, []byte(b.body), time.Unix(1703589924, 0))
		if err != nil {
			t.Fatalf("decode %s: %v", b.command, err)
		}
		ev.Sequence = uint64(i + 1)
		// Every string of the event points into one copy of its body: the
		// room id's bytes are that copy's.
		id := liveRoomID(ev)
		if id == "" {
			id = ev.GetLiveMemberStateChanged().GetRoomId()
		}
		bodiesAlive = append(bodiesAlive, weak.Make(unsafe.StringData(id)))
		p.Apply(ev)
	}
	if rm, members, _, _ := p.Room(1400000001, "room-body-1", time.Unix(1703589925, 0), "", 10); rm == nil || len(members) != 2 || rm.GetMetadata()["k1"] != "v1" {
		t.Fatalf("room %v, members %v: want the room with its two members and metadata", rm, members)
	}
	runtime.GC()
	runtime.GC()
	for i, w := range bodiesAlive {
		if w.Value() != nil {
			t.Errorf("the body of %s is still alive: the projection keeps a substring of it", bodies[i].command)
		}
	}
	runtime.KeepAlive(p)
}
