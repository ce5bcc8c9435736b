package rooms

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the projection's answers")

const liveApp = 1400000004

// liveStory is a live room's day in real-shaped callbacks: "stage" is
// created, gets a member, metadata, an admin, seats, a new owner and a
// battle with "rival"; its anchor enters the TRTC room and publishes.
var liveStory = []struct{ command, body string }{
	{"Live.CallbackAfterCreateRoom", `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","RoomInfo":{"RoomId":"stage","RoomName":"Stage","RoomType":"Live","Owner_Account":"anchor","MaxMemberCount":300,"IsMessageDisabled":false,"CustomInfo":"c1","IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxSeatCount":4,"CreateTime":1739954000,"IsPublicVisible":true,"CoverURL":"cover","Category":[1,2]},"EventTime":1739954000000}`},
	{"Live.CallbackAfterCreateRoom", `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","RoomInfo":{"RoomId":"rival","RoomName":"Rival","RoomType":"Live","Owner_Account":"other","CreateTime":1739954001},"EventTime":1739954001000}`},
	{"Live.CallbackAfterMemberStateChanged", `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"stage","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":"viewer1"},{"Member_Account":"anchor"}],"EventTime":1739954002000}`},
	{"Live.CallbackAfterUpdateRoomInfo", `{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"anchor","RoomInfo":{"RoomId":"stage","RoomName":"Stage, live now","Category":[3]},"EventTime":1739954003000}`},
	{"Live.CallbackAfterSetMetadata", `{"CallbackCommand":"Live.CallbackAfterSetMetadata","Operator_Account":"anchor","RoomId":"stage","Metadata":[{"Key":"notice","Value":"hello"},{"Key":"pin","Value":"1"}],"EventTime":1739954004000}`},
	{"Live.CallbackAfterDelMetadata", `{"CallbackCommand":"Live.CallbackAfterDelMetadata","Operator_Account":"anchor","RoomId":"stage","Keys":["pin"],"EventTime":1739954005000}`},
	{"Live.CallbackAfterModifyAdmin", `{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"stage","EventTime":1739954006000,"Operator_Account":"anchor","Admin_Account":["mod2","mod1"],"opType":"add"}`},
	{"Live.CallbackAfterModifyAdmin", `{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"stage","EventTime":1739954007000,"Operator_Account":"anchor","Admin_Account":["mod2"],"opType":"delete"}`},
	{"Mic.CallbackAfterSeatInfoChanged", `{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"stage","SeatList":[{"Index":0,"Member_Account":"anchor","IsTakenDisabled":false,"IsVideoDisabled":false,"IsAudioDisabled":false},{"Index":1,"IsTakenDisabled":true,"IsVideoDisabled":false,"IsAudioDisabled":false}],"EventTime":1739954008000}`},
	{"Live.CallbackAfterChangeOwner", `{"CallbackCommand":"Live.CallbackAfterChangeOwner","RoomId":"stage","Operator_Account":"admin","CurrentOwner_Account":"anchor2","OriginalOwner_Account":"anchor","EventTime":1739954009000}`},
	{"Live.CallbackAfterCreateBattle", `{"CallbackCommand":"Live.CallbackAfterCreateBattle","Operator_Account":"anchor","BattleId":"b-1","FromRoomId":"stage","ToRoomIdList":["rival"],"Timeout":30000,"Duration":60000,"NeedResponse":false,"ExtensionInfo":"x","EventTime":1739954010000}`},
	{"Live.CallbackAfterStartBattle", `{"CallbackCommand":"Live.CallbackAfterStartBattle","BattleId":"b-1","Duration":60000,"CreateTime":1739954010,"StartTime":1739954011,"FromRoomInfo":{"RoomId":"stage","Owner_Account":"anchor"},"ToRoomList":[{"RoomId":"rival","Owner_Account":"other"}],"EventTime":1739954011000}`},
	{"", `{"EventGroupId":1,"EventType":103,"CallbackTs":1739954012100,"EventInfo":{"RoomId":"stage","EventTs":1739954012,"UserId":"anchor","UniqueId":1739954012000,"Role":20,"TerminalType":3,"UserType":3,"Reason":1,"EventMsTs":1739954012000}}`},
	{"", `{"EventGroupId":2,"EventType":201,"CallbackTs":1739954013100,"EventInfo":{"RoomId":"stage","EventTs":1739954013,"EventMsTs":1739954013000,"UserId":"anchor","Reason":0}}`},
	{"", `{"EventGroupId":2,"EventType":203,"CallbackTs":1739954014100,"EventInfo":{"RoomId":"stage","EventTs":1739954014,"EventMsTs":1739954014000,"UserId":"anchor","Reason":0}}`},
	{"", `{"EventGroupId":1,"EventType":103,"CallbackTs":1739954015100,"EventInfo":{"RoomId":"stage","EventTs":1739954015,"UserId":"guest","Role":21,"TerminalType":2,"UserType":1,"Reason":1,"EventMsTs":1739954015000}}`},
}

// decodeLive decodes one story line with the gateway's real decoders.
func decodeLive(t testing.TB, seq int, command, body string) *gatewayv1.Event {
	t.Helper()
	at := time.Unix(1739954000, 0).Add(time.Duration(seq) * time.Second)
	var (
		ev  *gatewayv1.Event
		err error
	)
	if command == "" {
		ev, err = callback.DecodeTRTC(liveApp, []byte(body), at)
	} else {
		ev, err = callback.Decode(url.Values{"SdkAppid": {"1400000004"}, "CallbackCommand": {command}, "contenttype": {"json"}}, []byte(body), at)
	}
	if err != nil {
		t.Fatalf("decoding %s %s: %v", command, body, err)
	}
	ev.Sequence = uint64(seq)
	return ev
}

func goldenRoom(t *testing.T, name string, resp *gatewayv1.GetRoomResponse) {
	t.Helper()
	raw, err := protojson.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var compact, got bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&got, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("GetRoom differs from %s (run go test -update after checking)\n--- got\n%s--- want\n%s", path, got.Bytes(), want)
	}
}

func TestLiveRoomStory(t *testing.T) {
	p := New(time.Hour)
	for i, line := range liveStory {
		p.Apply(decodeLive(t, i+1, line.command, line.body))
	}
	now := time.Unix(1739954100, 0)
	get := func(id string) *gatewayv1.GetRoomResponse {
		rm, members, _, trtc := p.Room(liveApp, id, now, "", 100)
		if rm == nil {
			return nil
		}
		return &gatewayv1.GetRoomResponse{Room: rm, OnlineMembers: members, TrtcUsers: trtc}
	}
	stage := get("stage")
	if stage == nil {
		t.Fatal("stage is not live")
	}
	goldenRoom(t, "live-room-story.json", stage)
	if get("rival").GetRoom().GetActiveBattle().GetBattleId() != "b-1" {
		t.Errorf("rival's battle = %v, want b-1", get("rival").GetRoom().GetActiveBattle())
	}

	// The end of the battle, the anchor leaving TRTC, then the destroy.
	n := len(liveStory)
	for _, line := range []struct{ command, body string }{
		{"Live.CallbackAfterEndBattle", `{"CallbackCommand":"Live.CallbackAfterEndBattle","BattleId":"b-1","Duration":60000,"CreateTime":1739954010,"StartTime":1739954011,"EndTime":1739954071,"OpType":0,"FromRoomInfo":{"RoomId":"stage","Score":3,"Owner_Account":"anchor"},"ToRoomList":[{"RoomId":"rival","Score":1,"Owner_Account":"other"}],"EventTime":1739954071000}`},
		{"", `{"EventGroupId":1,"EventType":104,"CallbackTs":1739954072100,"EventInfo":{"RoomId":"stage","EventTs":1739954072,"UserId":"anchor","Role":20,"TerminalType":3,"UserType":3,"Reason":1,"EventMsTs":1739954072000}}`},
	} {
		n++
		p.Apply(decodeLive(t, n, line.command, line.body))
	}
	stage = get("stage")
	if stage.GetRoom().GetActiveBattle() != nil || len(stage.GetTrtcUsers()) != 1 || stage.GetTrtcUsers()[0].GetUserId() != "guest" {
		t.Errorf("after the battle's end and the anchor's exit: battle %v, TRTC users %v; want no battle and only guest",
			stage.GetRoom().GetActiveBattle(), stage.GetTrtcUsers())
	}
	n++
	p.Apply(decodeLive(t, n, "Live.CallbackAfterDestroyRoom", `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Operator_Account":"admin","RoomId":"stage","EventType":"DestroyByUser","RoomInfo":{"RoomId":"stage","Owner_Account":"anchor2"},"EventTime":1739954080000}`))
	if get("stage") != nil {
		t.Error("stage is still live after its destroy")
	}
	// A created room stays live with no member online, until destroyed or expired.
	if rival := get("rival"); rival == nil || rival.GetRoom().GetOnlineMemberCount() != 0 || !rival.GetRoom().GetCoverage().GetComplete() {
		t.Errorf("rival = %v, want live with no member and complete (its creation was seen)", rival)
	}
}
