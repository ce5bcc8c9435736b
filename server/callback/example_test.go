package callback_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// Decode turns Tencent's callback into an Event: account numbers larger than
// 2^53 keep their digits, spellings map to enums, and the routing keys the
// subscribers filter on are filled in.
func ExampleDecode() {
	q, _ := url.ParseQuery("SdkAppid=1400000001&CallbackCommand=Call.CallbackAfterMemberChanged&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS")
	body := []byte(`{
		"CallbackCommand": "Call.CallbackAfterMemberChanged",
		"CallId": "055662e1-bc8a-469c-a334-1126c8c17d58",
		"UserList": [
			{"User_Account": 144115212830834855, "Status": "Calling"},
			{"User_Account": "user2", "Status": "Calling"}
		],
		"ChangedUserList": [{"User_Account": "user2", "ActionType": "Hang Up"}],
		"EventTime": 1740464128807
	}`)

	ev, err := callback.Decode(q, body, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.GetType(), ev.GetSdkAppId(), ev.GetEventTime().AsTime())
	fmt.Println("call:", ev.GetCallId())
	fmt.Println("accounts:", ev.GetUserAccounts())
	change := ev.GetCallMemberChanged().GetChangedUserList()[0]
	fmt.Printf("%s: %v (%q)\n", change.GetUserAccount(), change.GetActionType(), change.GetActionTypeText())

	// Output:
	// EVENT_TYPE_CALL_MEMBER_CHANGED 1400000001 2025-02-25 06:15:28.807 +0000 UTC
	// call: 055662e1-bc8a-469c-a334-1126c8c17d58
	// accounts: [144115212830834855 user2]
	// user2: ACTION_TYPE_HANGUP ("Hang Up")
}

// A body that is not JSON is rejected with a Tencent error code, the HTTP
// status to answer with, and where the body broke.
func ExampleDecode_invalidJSON() {
	q, _ := url.ParseQuery("SdkAppid=1400000001&CallbackCommand=Live.CallbackMemberStateChanged")
	body := []byte("{\n\"RoomId\":\"room_id\",\n\"EventType\":\"Online\", // Online or Offline\n}")

	_, err := callback.Decode(q, body, time.Now())
	e := callback.AsError(err)
	fmt.Println(e.Code, e.HTTPStatus())
	fmt.Println(e.Message)

	// Output:
	// 40002 400
	// invalid JSON at byte 45: invalid character '/' looking for beginning of object key string (line 3, column 23)
}

// A live command is typed the same way: nested accounts become routing keys,
// an empty seat has no account, and a member Tencent adds later is kept in
// extra_json with its digits intact.
func ExampleDecode_seats() {
	q, _ := url.ParseQuery("SdkAppid=1400000001&CallbackCommand=mic.callbackafterseatinfochanged")
	body := []byte(`{
		"RoomId": "live-1",
		"SeatList": [
			{"Index": 0, "Member_Account": 144115233775727695, "IsAudioDisabled": false},
			{"Index": 1, "IsTakenDisabled": true, "LockedBy": 144115212830834855}
		],
		"EventTime": "1703589922780"
	}`)

	ev, err := callback.Decode(q, body, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.GetType(), ev.GetRoomId(), ev.GetUserAccounts(), ev.GetEventTime().AsTime())
	for _, seat := range ev.GetLiveSeatInfoChanged().GetSeatList() {
		fmt.Printf("seat %d: %q taken-disabled=%v extra=%s\n", seat.GetIndex(), seat.GetMemberAccount(), seat.GetIsTakenDisabled(), seat.GetExtraJson())
	}

	// Output:
	// EVENT_TYPE_LIVE_SEAT_INFO_CHANGED live-1 [144115233775727695] 2023-12-26 11:25:22.78 +0000 UTC
	// seat 0: "144115233775727695" taken-disabled=false extra=
	// seat 1: "" taken-disabled=true extra={"LockedBy":144115212830834855}
}

// A TRTC event names its type in the body and its app in the SdkAppId header;
// DecodeTRTC gives it the gateway's command name and a typed payload.
func ExampleDecodeTRTC() {
	body := []byte(`{"EventGroupId":1,"EventType":103,"CallbackTs":1615554923704,
		"EventInfo":{"RoomId":12345,"EventTs":1615554922,"UserId":"test","Role":20,"TerminalType":3,"UserType":3,"Reason":1}}`)
	if !callback.IsTRTCEvent(body) {
		return
	}
	ev, err := callback.DecodeTRTC(1400000001, body, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	room := ev.GetTrtcRoom()
	fmt.Println(ev.GetType(), ev.GetCallbackCommand(), ev.GetEventTime().AsTime())
	fmt.Println("room:", ev.GetRoomId(), "numeric:", room.GetHeader().GetRoomIdNumeric(), "users:", ev.GetUserAccounts())
	fmt.Println(room.GetRole(), room.GetTerminalType(), room.GetEnterReason())

	// Output:
	// EVENT_TYPE_TRTC_ROOM_ENTERED TRTC.Room.EnterRoom 2021-03-12 13:15:22 +0000 UTC
	// room: 12345 numeric: true users: [test]
	// TRTC_ROLE_ANCHOR TRTC_TERMINAL_TYPE_IOS TRTC_ENTER_REASON_NORMAL
}
