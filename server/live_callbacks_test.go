package server_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

// callbackInput returns a body from the decoder's golden inputs, Tencent's
// doc samples made valid JSON and the real-world variants of the catalog.
func callbackInput(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("callback", "testdata", "input", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLiveCallbacksArriveTypedAndFiltered posts TUILiveKit, group and follow
// callbacks to a running gateway and receives them typed on Subscribe
// streams filtered by room, user and command (in any case and spelling).
func TestLiveCallbacksArriveTypedAndFiltered(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.Heartbeat = 100 * time.Millisecond })
	posts := []struct{ command, input string }{
		{"Live.CallbackAfterCreateRoom", "live-create-room"},                // 1
		{"Mic.CallbackAfterSeatInfoChanged", "mic-seat-info-changed"},       // 2
		{"Live.CallbackBeforeSendGift", "live-before-send-gift"},            // 3
		{"Group.CallbackAfterSendMsg", "group-after-send-msg-live-capture"}, // 4
		{"Follow.CallbackAfterFollowAdd", "follow-add"},                     // 5
		{"Live.CallbackMemberStateChanged", "live-member-state-alias-body"}, // 6
		{"Live.CallbackAfterEndBattle", "live-end-battle"},                  // 7
		{"Live.CallbackAfterDestroyRoom", "live-destroy-room-by-system"},    // 8
	}
	for _, p := range posts {
		postOK(t, s, testApp, p.command, callbackInput(t, p.input))
	}
	c := dial(t, s)

	st, _ := subscribe(t, c, fromStart(&gatewayv1.SubscribeRequest{}))
	evs := recvEvents(t, st, len(posts))
	checks := []struct {
		typ  gatewayv1.EventType
		ok   bool
		what string
	}{
		{gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_CREATED, evs[0].GetLiveRoomCreated().GetRoomInfo().GetTakeSeatMode() == gatewayv1.LiveTakeSeatMode_LIVE_TAKE_SEAT_MODE_APPLY_TO_TAKE &&
			evs[0].GetLiveRoomCreated().GetRoomInfo().GetCreateTime().AsTime().Unix() == 1703589922, "room info"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_SEAT_INFO_CHANGED, len(evs[1].GetLiveSeatInfoChanged().GetSeatList()) == 2 &&
			evs[1].GetLiveSeatInfoChanged().GetSeatList()[0].GetMemberAccount() == "144115233775727695" &&
			evs[1].GetLiveSeatInfoChanged().GetSeatList()[1].GetMemberAccount() == "", "seats"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_GIFT_SENDING, evs[2].GetLiveGiftSending().GetGiftWater().GetCoins() == 1000, "gift"},
		{gatewayv1.EventType_EVENT_TYPE_GROUP_MESSAGE_SENT, evs[3].GetGroupMessageSent().GetType() == gatewayv1.GroupType_GROUP_TYPE_AV_CHAT_ROOM &&
			evs[3].GetGroupMessageSent().GetExtraJson() != "", "group message"},
		{gatewayv1.EventType_EVENT_TYPE_FOLLOW_ADDED, len(evs[4].GetFollowAdded().GetFollowList()) == 2, "follow"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED, evs[5].GetCallbackCommand() == "Live.CallbackMemberStateChanged", "Tencent's spelling kept"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_BATTLE_ENDED, evs[6].GetLiveBattleEnded().GetEndReason() == gatewayv1.LiveBattleEndReason_LIVE_BATTLE_END_REASON_TIME_UP &&
			evs[6].GetLiveBattleEnded().GetDuration().AsDuration() == 30*time.Second, "battle"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_DESTROYED, evs[7].GetLiveRoomDestroyed().GetStatistic() == nil &&
			evs[7].GetEventTime().AsTime().UnixMilli() == 1740464128807, "destroyed by the system"},
	}
	for i, c := range checks {
		if evs[i].GetType() != c.typ || !c.ok {
			t.Errorf("event %d (%s): %s", i+1, c.what, eventJSON(evs[i]))
		}
	}

	tests := []struct {
		name string
		req  *gatewayv1.SubscribeRequest
		want []uint64
	}{
		{"room", &gatewayv1.SubscribeRequest{RoomIds: []string{"rid-123"}}, []uint64{2}},
		{"AVChatRoom group is its room", &gatewayv1.SubscribeRequest{RoomIds: []string{"live_144115212830834855"}}, []uint64{4, 8}},
		{"gift receiver", &gatewayv1.SubscribeRequest{UserAccounts: []string{"to1"}}, []uint64{3}},
		{"seated member", &gatewayv1.SubscribeRequest{UserAccounts: []string{"144115233775727695"}}, []uint64{2}},
		{"battle owner", &gatewayv1.SubscribeRequest{UserAccounts: []string{"144115245442327522"}}, []uint64{7}},
		{"system operator", &gatewayv1.SubscribeRequest{UserAccounts: []string{"@TIM#SYSTEM"}}, []uint64{8}},
		{"command in another case", &gatewayv1.SubscribeRequest{CallbackCommands: []string{"mic.callbackafterseatinfochanged"}}, []uint64{2}},
		{"command by its other spelling", &gatewayv1.SubscribeRequest{CallbackCommands: []string{"LIVE.CALLBACKAFTERMEMBERSTATECHANGED"}}, []uint64{6}},
		{"type and user", &gatewayv1.SubscribeRequest{
			EventTypes:   []gatewayv1.EventType{gatewayv1.EventType_EVENT_TYPE_FOLLOW_ADDED},
			UserAccounts: []string{"144115212830834855"},
		}, []uint64{5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := subscribe(t, c, fromStart(tt.req))
			var got []uint64
			for _, ev := range recvUntilHeartbeat(t, st) {
				got = append(got, ev.GetSequence())
			}
			if !equalSeqs(got, tt.want) {
				t.Errorf("got sequences %v, want %v", got, tt.want)
			}
		})
	}
}
