package hub_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

const (
	started = gatewayv1.EventType_EVENT_TYPE_CALL_STARTED
	ended   = gatewayv1.EventType_EVENT_TYPE_CALL_ENDED
	live    = gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED
	other   = gatewayv1.EventType_EVENT_TYPE_OTHER
)

func TestFilterMatch(t *testing.T) {
	callStart := &gatewayv1.Event{
		Type: started, CallbackCommand: "Call.CallbackAfterStartCall", SdkAppId: 1400000001,
		CallId: "call-1", RoomId: "room-1", UserAccounts: []string{"alice", "bob"},
	}
	liveRoom := &gatewayv1.Event{
		Type: live, CallbackCommand: "Live.CallbackMemberStateChanged", SdkAppId: 1400000002,
		RoomId: "live-9", UserAccounts: []string{"carol"},
	}
	tests := []struct {
		name   string
		filter hub.Filter
		ev     *gatewayv1.Event
		want   bool
	}{
		{"empty filter matches everything", hub.Filter{}, callStart, true},
		{"empty filter matches an event with no keys", hub.Filter{}, &gatewayv1.Event{}, true},
		{"nil event matches nothing", hub.Filter{}, nil, false},

		{"event type listed", hub.Filter{EventTypes: []gatewayv1.EventType{ended, started}}, callStart, true},
		{"event type not listed", hub.Filter{EventTypes: []gatewayv1.EventType{ended}}, callStart, false},
		{"command exact", hub.Filter{CallbackCommands: []string{"Call.CallbackAfterStartCall"}}, callStart, true},
		{"command in any case", hub.Filter{CallbackCommands: []string{"call.callbackafterstartcall"}}, callStart, true},
		{"command by its other spelling", hub.Filter{CallbackCommands: []string{"LIVE.CALLBACKAFTERMEMBERSTATECHANGED"}}, liveRoom, true},
		{"command by the event's spelling", hub.Filter{CallbackCommands: []string{"Live.CallbackMemberStateChanged"}}, liveRoom, true},
		{"unknown command in any case", hub.Filter{CallbackCommands: []string{"call.unknown"}}, &gatewayv1.Event{CallbackCommand: "Call.Unknown"}, true},
		{"another command", hub.Filter{CallbackCommands: []string{"Call.CallbackAfterEndCall"}}, callStart, false},
		{"command prefix is not a match", hub.Filter{CallbackCommands: []string{"Call."}}, callStart, false},
		{"app listed", hub.Filter{SdkAppIDs: []uint32{7, 1400000001}}, callStart, true},
		{"app not listed", hub.Filter{SdkAppIDs: []uint32{1400000002}}, callStart, false},
		{"call listed", hub.Filter{CallIDs: []string{"call-1"}}, callStart, true},
		{"call not listed", hub.Filter{CallIDs: []string{"call-2"}}, callStart, false},
		{"call filter excludes events without a call", hub.Filter{CallIDs: []string{"call-1"}}, liveRoom, false},
		{"room listed", hub.Filter{RoomIDs: []string{"live-9"}}, liveRoom, true},
		{"room not listed", hub.Filter{RoomIDs: []string{"room-1"}}, liveRoom, false},
		{"first account listed", hub.Filter{UserAccounts: []string{"alice"}}, callStart, true},
		{"second account listed", hub.Filter{UserAccounts: []string{"zed", "bob"}}, callStart, true},
		{"no account listed", hub.Filter{UserAccounts: []string{"carol"}}, callStart, false},
		{"account filter excludes events naming nobody", hub.Filter{UserAccounts: []string{"alice"}}, &gatewayv1.Event{}, false},

		{"all fields satisfied", hub.Filter{
			EventTypes: []gatewayv1.EventType{started}, CallbackCommands: []string{"Call.CallbackAfterStartCall"},
			SdkAppIDs: []uint32{1400000001}, CallIDs: []string{"call-1"}, RoomIDs: []string{"room-1"},
			UserAccounts: []string{"bob"},
		}, callStart, true},
		{"one field of several fails", hub.Filter{
			EventTypes: []gatewayv1.EventType{started}, SdkAppIDs: []uint32{1400000001},
			CallIDs: []string{"call-1"}, UserAccounts: []string{"carol"},
		}, callStart, false},
		{"type and room", hub.Filter{EventTypes: []gatewayv1.EventType{live}, RoomIDs: []string{"live-9"}}, liveRoom, true},
		{"type right, app wrong", hub.Filter{EventTypes: []gatewayv1.EventType{live}, SdkAppIDs: []uint32{1400000001}}, liveRoom, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hub.Compile(tt.filter).Match(tt.ev); got != tt.want {
				t.Errorf("Match = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestFilterFromRequest(t *testing.T) {
	// The webhook stores a CallId of any length its body limit allows, so
	// a filter takes it too (300 bytes was refused when values were capped
	// at 256).
	long := strings.Repeat("x", 300)
	huge := strings.Repeat("y", 1<<20)
	tooBig := []string{huge, huge + "1", huge + "2", huge + "3", huge + "4"}
	tooMany := make([]string, hub.MaxFilterValues+1)
	for i := range tooMany {
		tooMany[i] = "v"
	}
	tests := []struct {
		name string
		req  *gatewayv1.SubscribeRequest
		want hub.Filter
		// wantErr lists substrings the error must contain; nil means no error.
		wantErr []string
	}{
		{name: "nil request is the empty filter", req: nil, want: hub.Filter{}},
		{name: "empty request is the empty filter", req: &gatewayv1.SubscribeRequest{}, want: hub.Filter{}},
		{
			name: "every field, duplicates removed in order",
			req: &gatewayv1.SubscribeRequest{
				EventTypes:       []gatewayv1.EventType{ended, started, ended},
				CallbackCommands: []string{"Call.A", "Call.A", "Call.B"},
				SdkAppIds:        []uint32{2, 1, 2},
				CallIds:          []string{"c1", "c2", "c1"},
				RoomIds:          []string{"r", "r"},
				UserAccounts:     []string{"144115212830834855", "alice", "144115212830834855"},
				AfterSequence:    new(uint64(10)),
				Epoch:            "ignored here",
			},
			want: hub.Filter{
				EventTypes:       []gatewayv1.EventType{ended, started},
				CallbackCommands: []string{"Call.A", "Call.B"},
				SdkAppIDs:        []uint32{2, 1},
				CallIDs:          []string{"c1", "c2"},
				RoomIDs:          []string{"r"},
				UserAccounts:     []string{"144115212830834855", "alice"},
			},
		},
		{name: "a 300-byte call id", req: &gatewayv1.SubscribeRequest{CallIds: []string{long}}, want: hub.Filter{CallIDs: []string{long}}},
		{name: "a 1 MiB user account", req: &gatewayv1.SubscribeRequest{UserAccounts: []string{huge}}, want: hub.Filter{UserAccounts: []string{huge}}},
		{name: "the maximum number of values", req: &gatewayv1.SubscribeRequest{RoomIds: tooMany[1:]}, want: hub.Filter{RoomIDs: []string{"v"}}},

		{name: "unspecified event type", req: &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{started, 0}},
			wantErr: []string{"event_types[1]", "EVENT_TYPE_UNSPECIFIED"}},
		{name: "unknown event type", req: &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{1 << 20}},
			wantErr: []string{"event_types[0]", "1048576"}},
		{name: "negative event type", req: &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{-1}},
			wantErr: []string{"event_types[0]", "-1"}},
		{name: "zero app id", req: &gatewayv1.SubscribeRequest{SdkAppIds: []uint32{5, 0}},
			wantErr: []string{"sdk_app_ids[1]"}},
		{name: "empty command", req: &gatewayv1.SubscribeRequest{CallbackCommands: []string{""}},
			wantErr: []string{"callback_commands[0]", "empty"}},
		{name: "empty call id", req: &gatewayv1.SubscribeRequest{CallIds: []string{"a", ""}},
			wantErr: []string{"call_ids[1]", "empty"}},
		{name: "empty room id", req: &gatewayv1.SubscribeRequest{RoomIds: []string{""}},
			wantErr: []string{"room_ids[0]", "empty"}},
		{name: "empty user account", req: &gatewayv1.SubscribeRequest{UserAccounts: []string{""}},
			wantErr: []string{"user_accounts[0]", "empty"}},
		{name: "values too long together", req: &gatewayv1.SubscribeRequest{UserAccounts: tooBig},
			wantErr: []string{"5242884 bytes", "4194304"}},
		{name: "too many event types", req: &gatewayv1.SubscribeRequest{EventTypes: make([]gatewayv1.EventType, hub.MaxFilterValues+1)},
			wantErr: []string{"event_types", "1001 values", "1000"}},
		{name: "too many app ids", req: &gatewayv1.SubscribeRequest{SdkAppIds: make([]uint32, hub.MaxFilterValues+1)},
			wantErr: []string{"sdk_app_ids", "1001 values"}},
		{name: "too many commands", req: &gatewayv1.SubscribeRequest{CallbackCommands: tooMany}, wantErr: []string{"callback_commands", "1001 values"}},
		{name: "too many call ids", req: &gatewayv1.SubscribeRequest{CallIds: tooMany}, wantErr: []string{"call_ids", "1001 values"}},
		{name: "too many room ids", req: &gatewayv1.SubscribeRequest{RoomIds: tooMany}, wantErr: []string{"room_ids", "1001 values"}},
		{name: "too many accounts", req: &gatewayv1.SubscribeRequest{UserAccounts: tooMany}, wantErr: []string{"user_accounts", "1001 values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := hub.FilterFromRequest(tt.req)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("filter = %+v, want %+v", got, tt.want)
				}
				return
			}
			if !errors.Is(err, hub.ErrInvalidFilter) {
				t.Fatalf("error = %v, want one wrapping ErrInvalidFilter", err)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if !reflect.DeepEqual(got, hub.Filter{}) {
				t.Errorf("filter returned with the error = %+v, want the zero Filter", got)
			}
		})
	}
}
