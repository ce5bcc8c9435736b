package callback

import (
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

func TestEventTypeOf(t *testing.T) {
	tests := []struct {
		command string
		want    gatewayv1.EventType
	}{
		{"Call.CallbackAfterStartCall", gatewayv1.EventType_EVENT_TYPE_CALL_STARTED},
		{"call.callbackafterstartcall", gatewayv1.EventType_EVENT_TYPE_CALL_STARTED},
		{"Call.CallbackAfterMemberChanged", gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED},
		{"Call.CallbackAfterEndCall", gatewayv1.EventType_EVENT_TYPE_CALL_ENDED},
		{"CALL.CALLBACKAFTERENDCALL", gatewayv1.EventType_EVENT_TYPE_CALL_ENDED},
		{"Live.CallbackAfterMemberStateChanged", gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED},
		{"Live.CallbackMemberStateChanged", gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED},
		{"live.callbackmemberstatechanged", gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED},
		{"Live.CallbackAfterRoomRenamed", gatewayv1.EventType_EVENT_TYPE_OTHER},
		{"Call.CallbackAfterStartCall ", gatewayv1.EventType_EVENT_TYPE_OTHER},
		{"Call.Callback_After_Start_Call", gatewayv1.EventType_EVENT_TYPE_OTHER},
		{"", gatewayv1.EventType_EVENT_TYPE_OTHER},
	}
	for _, tt := range tests {
		if got := EventTypeOf(tt.command); got != tt.want {
			t.Errorf("EventTypeOf(%q) = %v, want %v", tt.command, got, tt.want)
		}
	}
}

// TestSpellings lists every spelling Tencent uses for each enum, the folded
// variants the decoder tolerates, and spellings that must stay UNSPECIFIED.
func TestSpellings(t *testing.T) {
	type tc struct {
		text string
		want int32
	}
	tests := []struct {
		name  string
		of    func(string) int32
		cases []tc
	}{
		{"Status", func(s string) int32 { return int32(memberStatuses.of(s)) }, []tc{
			{"Calling", 1}, {"Waiting", 2}, {"calling", 1}, {"WAITING", 2},
			{"", 0}, {"Ringing", 0}, {"Callin", 0},
		}},
		{"ActionType", func(s string) int32 { return int32(actionTypes.of(s)) }, []tc{
			{"Answer", 1}, {"Accept", 1}, {"Reject", 2}, {"NotAnswer", 3}, {"Not Answer", 3},
			{"Hangup", 4}, {"Hang Up", 4}, {"hang-up", 4}, {"HANG_UP", 4},
			{"Join", 5}, {"Offline", 6}, {"Invite", 7}, {"Invited", 7},
			{"Cancel_Invite", 8}, {"Canncel_Invite", 8}, {"Cancel Invite", 8}, {"cancelinvite", 8},
			{"", 0}, {"Transfer", 0}, {"Answered", 0}, {"Hang\tUp", 0}, {"Ａnswer", 0},
			{"Answer" + string(make([]byte, 40)), 0},
		}},
		{"MediaType", func(s string) int32 { return int32(mediaTypes.of(s)) }, []tc{
			{"Audio", 1}, {"Video", 2}, {"audio", 1}, {"VIDEO", 2}, {"", 0}, {"ScreenShare", 0},
		}},
		{"CallType", func(s string) int32 { return int32(callTypes.of(s)) }, []tc{
			{"SingleCall", 1}, {"MultiCall", 2}, {"single_call", 1}, {"Multi Call", 2}, {"", 0}, {"GroupCall", 0},
		}},
		{"CallResult", func(s string) int32 { return int32(callResults.of(s)) }, []tc{
			{"Cancel", 1}, {"Reject", 2}, {"NotAnswer", 3}, {"NormalEnd", 4}, {"CallBusy", 5},
			{"Interrupt", 6}, {"Offline", 7}, {"Call Busy", 5}, {"normal_end", 4}, {"", 0}, {"Timeout", 0},
		}},
		{"EventType", func(s string) int32 { return int32(liveEventTypes.of(s)) }, []tc{
			{"Online", 1}, {"Offline", 2}, {"ONLINE", 1}, {"", 0}, {"Away", 0},
		}},
		{"EventCause", func(s string) int32 { return int32(liveEventCauses.of(s)) }, []tc{
			{"Enter", 1}, {"Leave", 2}, {"HeartbeatInterrupt", 3}, {"HeartbeatRecover", 4},
			{"Heartbeat_Interrupt", 3}, {"heartbeat recover", 4}, {"", 0}, {"Kicked", 0},
		}},
		{"RoomIdType", func(s string) int32 { return int32(roomIDTypeOf(s)) }, []tc{
			{"1", 1}, {"2", 2}, {"0", 0}, {"3", 0}, {"1.0", 0}, {"-1", 0}, {"", 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range tt.cases {
				if got := tt.of(c.text); got != c.want {
					t.Errorf("%s %q = %d, want %d", tt.name, c.text, got, c.want)
				}
			}
		})
	}
}
