package callback

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// fieldRow is one row of a Tencent field table (or a query parameter) and
// where its value must show up in the decoded event.
type fieldRow struct {
	field string
	got   func(*gatewayv1.Event) string
	want  string
}

// ts renders a timestamp for comparison; "unset" when nil.
func ts(t interface{ AsTime() time.Time }, isNil bool) string {
	if isNil {
		return "unset"
	}
	return t.AsTime().UTC().Format(time.RFC3339Nano)
}

// envelopeRows are the query parameters and the fields every callback has.
func envelopeRows(command, eventTime string) []fieldRow {
	return []fieldRow{
		{"SdkAppid (query)", func(e *gatewayv1.Event) string { return strconv.FormatUint(uint64(e.GetSdkAppId()), 10) }, "1400000001"},
		{"CallbackCommand (query)", (*gatewayv1.Event).GetCallbackCommand, command},
		{"contenttype (query)", (*gatewayv1.Event).GetContentType, "json"},
		{"ClientIP (query)", (*gatewayv1.Event).GetClientIp, "203.0.113.7"},
		{"OptPlatform (query)", (*gatewayv1.Event).GetOptPlatform, "Android"},
		{"CallbackCommand", (*gatewayv1.Event).GetCallbackCommand, command},
		{"EventTime", func(e *gatewayv1.Event) string { return ts(e.GetEventTime(), e.GetEventTime() == nil) }, eventTime},
	}
}

// TestFieldTables decodes one fully populated body per callback and checks
// that every field of Tencent's field table lands in the event, and that no
// field of the typed payload is left empty.
func TestFieldTables(t *testing.T) {
	const q = "contenttype=json&ClientIP=203.0.113.7&OptPlatform=Android&SdkAppid=1400000001&CallbackCommand="
	tests := []struct {
		command string
		body    string
		unset   string // the envelope routing key this callback has no source for
		rows    []fieldRow
	}{
		{
			command: CommandStartCall,
			body: `{"CallbackCommand":"Call.CallbackAfterStartCall",
				"CallInfo":{"CallId":"call-1","CallMediaType":"Video","ChatGroupId":"@TGS#group","RoomId":"8080","RoomIdType":1},
				"UserList":[{"User_Account":144115212830834855,"Status":"Calling"},{"User_Account":"u2","Status":"Waiting"}],
				"EventTime":1740464128807}`,
			rows: append(envelopeRows(CommandStartCall, "2025-02-25T06:15:28.807Z"),
				fieldRow{"CallId", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetCallId() }, "call-1"},
				fieldRow{"CallId (routing key)", (*gatewayv1.Event).GetCallId, "call-1"},
				fieldRow{"MediaType", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetMediaType().String() }, "MEDIA_TYPE_VIDEO"},
				fieldRow{"MediaType (text)", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetMediaTypeText() }, "Video"},
				fieldRow{"ChatGroupId", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetChatGroupId() }, "@TGS#group"},
				fieldRow{"RoomId", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetRoomId() }, "8080"},
				fieldRow{"RoomId (routing key)", (*gatewayv1.Event).GetRoomId, "8080"},
				fieldRow{"RoomIdType", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetRoomIdType().String() }, "ROOM_ID_TYPE_NUMERIC"},
				fieldRow{"RoomIdType (text)", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetCallInfo().GetRoomIdTypeText() }, "1"},
				fieldRow{"UserList", func(e *gatewayv1.Event) string { return strconv.Itoa(len(e.GetCallStarted().GetUserList())) }, "2"},
				fieldRow{"User_Account", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetUserList()[0].GetUserAccount() }, "144115212830834855"},
				fieldRow{"Status", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetUserList()[1].GetStatus().String() }, "MEMBER_STATUS_WAITING"},
				fieldRow{"Status (text)", func(e *gatewayv1.Event) string { return e.GetCallStarted().GetUserList()[1].GetStatusText() }, "Waiting"},
				fieldRow{"accounts (routing key)", func(e *gatewayv1.Event) string { return join(e.GetUserAccounts()) }, "144115212830834855,u2"},
			),
		},
		{
			command: CommandMemberChanged,
			unset:   "room_id",
			body: `{"CallbackCommand":"Call.CallbackAfterMemberChanged","CallId":"call-2",
				"UserList":[{"User_Account":"user1","Status":"Calling"},{"User_Account":"user2","Status":"Waiting"}],
				"ChangedUserList":[{"User_Account":"user3","ActionType":"Hang Up"}],
				"EventTime":1740464128807}`,
			rows: append(envelopeRows(CommandMemberChanged, "2025-02-25T06:15:28.807Z"),
				fieldRow{"CallId", func(e *gatewayv1.Event) string { return e.GetCallMemberChanged().GetCallId() }, "call-2"},
				fieldRow{"CallId (routing key)", (*gatewayv1.Event).GetCallId, "call-2"},
				fieldRow{"UserList", func(e *gatewayv1.Event) string { return strconv.Itoa(len(e.GetCallMemberChanged().GetUserList())) }, "2"},
				fieldRow{"User_Account", func(e *gatewayv1.Event) string { return e.GetCallMemberChanged().GetUserList()[1].GetUserAccount() }, "user2"},
				fieldRow{"Status", func(e *gatewayv1.Event) string { return e.GetCallMemberChanged().GetUserList()[0].GetStatus().String() }, "MEMBER_STATUS_CALLING"},
				fieldRow{"Status (text)", func(e *gatewayv1.Event) string { return e.GetCallMemberChanged().GetUserList()[0].GetStatusText() }, "Calling"},
				fieldRow{"ChangedUserList", func(e *gatewayv1.Event) string {
					return strconv.Itoa(len(e.GetCallMemberChanged().GetChangedUserList()))
				}, "1"},
				fieldRow{"ChangedUserList.User_Account", func(e *gatewayv1.Event) string {
					return e.GetCallMemberChanged().GetChangedUserList()[0].GetUserAccount()
				}, "user3"},
				fieldRow{"ActionType", func(e *gatewayv1.Event) string {
					return e.GetCallMemberChanged().GetChangedUserList()[0].GetActionType().String()
				}, "ACTION_TYPE_HANGUP"},
				fieldRow{"ActionType (text)", func(e *gatewayv1.Event) string {
					return e.GetCallMemberChanged().GetChangedUserList()[0].GetActionTypeText()
				}, "Hang Up"},
				fieldRow{"accounts (routing key)", func(e *gatewayv1.Event) string { return join(e.GetUserAccounts()) }, "user1,user2,user3"},
			),
		},
		{
			command: CommandEndCall,
			body: `{"CallbackCommand":"Call.CallbackAfterEndCall",
				"CallRecord":{"CallId":"call-3","Caller_Account":"10001","MediaType":"Audio","CallType":"MultiCall",
					"StartTime":1741231146,"EndTime":1741231296,"AcceptTime":1741231150,"CallResult":"Interrupt",
					"CalleeList_Account":["10001","user2",144115212948889925],"RoomId":"roomid-1434","RoomIdType":2},
				"EventTime":1703589922780}`,
			rows: append(envelopeRows(CommandEndCall, "2023-12-26T11:25:22.78Z"),
				fieldRow{"CallRecord", func(e *gatewayv1.Event) string { return strconv.FormatBool(e.GetCallEnded().GetCallRecord() != nil) }, "true"},
				fieldRow{"CallId", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallId() }, "call-3"},
				fieldRow{"CallId (routing key)", (*gatewayv1.Event).GetCallId, "call-3"},
				fieldRow{"Caller_Account", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallerAccount() }, "10001"},
				fieldRow{"MediaType", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetMediaType().String() }, "MEDIA_TYPE_AUDIO"},
				fieldRow{"MediaType (text)", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetMediaTypeText() }, "Audio"},
				fieldRow{"CallType", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallType().String() }, "CALL_TYPE_MULTI_CALL"},
				fieldRow{"CallType (text)", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallTypeText() }, "MultiCall"},
				fieldRow{"StartTime", func(e *gatewayv1.Event) string {
					r := e.GetCallEnded().GetCallRecord()
					return ts(r.GetStartTime(), r.GetStartTime() == nil)
				}, "2025-03-06T03:19:06Z"},
				fieldRow{"EndTime", func(e *gatewayv1.Event) string {
					r := e.GetCallEnded().GetCallRecord()
					return ts(r.GetEndTime(), r.GetEndTime() == nil)
				}, "2025-03-06T03:21:36Z"},
				fieldRow{"AcceptTime", func(e *gatewayv1.Event) string {
					r := e.GetCallEnded().GetCallRecord()
					return ts(r.GetAcceptTime(), r.GetAcceptTime() == nil)
				}, "2025-03-06T03:19:10Z"},
				fieldRow{"CallResult", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallResult().String() }, "CALL_RESULT_INTERRUPT"},
				fieldRow{"CallResult (text)", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetCallResultText() }, "Interrupt"},
				fieldRow{"CalleeList_Account", func(e *gatewayv1.Event) string { return join(e.GetCallEnded().GetCallRecord().GetCalleeAccounts()) }, "10001,user2,144115212948889925"},
				fieldRow{"RoomId", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetRoomId() }, "roomid-1434"},
				fieldRow{"RoomId (routing key)", (*gatewayv1.Event).GetRoomId, "roomid-1434"},
				fieldRow{"RoomIdType", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetRoomIdType().String() }, "ROOM_ID_TYPE_STRING"},
				fieldRow{"RoomIdType (text)", func(e *gatewayv1.Event) string { return e.GetCallEnded().GetCallRecord().GetRoomIdTypeText() }, "2"},
				fieldRow{"accounts (routing key)", func(e *gatewayv1.Event) string { return join(e.GetUserAccounts()) }, "10001,user2,144115212948889925"},
			),
		},
		{
			command: CommandLiveMemberStateChanged,
			unset:   "call_id",
			body: `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_id","EventType":"Offline","EventCause":"Leave",
				"MemberList":[{"Member_Account":"jared"},{"Member_Account":144115212830834855}],
				"EventTime":1703589922780}`,
			rows: append(envelopeRows(CommandLiveMemberStateChanged, "2023-12-26T11:25:22.78Z"),
				fieldRow{"RoomId", func(e *gatewayv1.Event) string { return e.GetLiveMemberStateChanged().GetRoomId() }, "room_id"},
				fieldRow{"RoomId (routing key)", (*gatewayv1.Event).GetRoomId, "room_id"},
				fieldRow{"EventType", func(e *gatewayv1.Event) string { return e.GetLiveMemberStateChanged().GetEventType().String() }, "LIVE_EVENT_TYPE_OFFLINE"},
				fieldRow{"EventType (text)", func(e *gatewayv1.Event) string { return e.GetLiveMemberStateChanged().GetEventTypeText() }, "Offline"},
				fieldRow{"EventCause", func(e *gatewayv1.Event) string { return e.GetLiveMemberStateChanged().GetEventCause().String() }, "LIVE_EVENT_CAUSE_LEAVE"},
				fieldRow{"EventCause (text)", func(e *gatewayv1.Event) string { return e.GetLiveMemberStateChanged().GetEventCauseText() }, "Leave"},
				fieldRow{"MemberList", func(e *gatewayv1.Event) string {
					return strconv.Itoa(len(e.GetLiveMemberStateChanged().GetMemberList()))
				}, "2"},
				fieldRow{"MemberList.Member_Account", func(e *gatewayv1.Event) string {
					return e.GetLiveMemberStateChanged().GetMemberList()[1].GetMemberAccount()
				}, "144115212830834855"},
				fieldRow{"accounts (routing key)", func(e *gatewayv1.Event) string { return join(e.GetUserAccounts()) }, "jared,144115212830834855"},
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			ev := mustDecode(t, q+tt.command, tt.body)
			for _, row := range tt.rows {
				if got := row.got(ev); got != row.want {
					t.Errorf("%s: got %q, want %q", row.field, got, row.want)
				}
			}
			// Every envelope field but the log's own and every field of the
			// payload must be populated by a fully populated body.
			env := ev.ProtoReflect()
			fields := env.Descriptor().Fields()
			for i := 0; i < fields.Len(); i++ {
				fd := fields.Get(i)
				switch {
				case fd.Name() == "sequence" || fd.Name() == "epoch" || string(fd.Name()) == tt.unset:
				case fd.ContainingOneof() != nil:
				case !env.Has(fd):
					t.Errorf("Event.%s is not set", fd.Name())
				}
			}
			oneof := env.Descriptor().Oneofs().ByName("payload")
			payload := env.WhichOneof(oneof)
			if payload == nil {
				t.Fatal("no payload set")
			}
			assertPopulated(t, string(payload.Name()), env.Get(payload).Message())
		})
	}
}

// assertPopulated fails for every field of m, recursively, left at its zero value.
func assertPopulated(t *testing.T, path string, m protoreflect.Message) {
	t.Helper()
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		fieldPath := path + "." + string(fd.Name())
		if !m.Has(fd) {
			t.Errorf("%s is not set", fieldPath)
			continue
		}
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := m.Get(fd).List()
			for j := 0; j < list.Len(); j++ {
				assertPopulated(t, fieldPath, list.Get(j).Message())
			}
		case fd.Message() != nil && fd.Message().FullName() != "google.protobuf.Timestamp":
			assertPopulated(t, fieldPath, m.Get(fd).Message())
		}
	}
}

func join(s []string) string { return strings.Join(s, ",") }
