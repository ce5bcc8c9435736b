package callback

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// query builds a callback query string for app 1400000001 and command.
func query(command string) string {
	return "SdkAppid=1400000001&CallbackCommand=" + url.QueryEscape(command) + "&contenttype=json"
}

// mustDecode decodes a raw query string and body, failing the test on error.
func mustDecode(t *testing.T, rawQuery, body string) *gatewayv1.Event {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := Decode(q, []byte(body), receivedAt)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return ev
}

func TestDecodeKeepsDigitsOfNumericAccounts(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "input", "start-call.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev := mustDecode(t, query(CommandStartCall), string(body))
	users := ev.GetCallStarted().GetUserList()
	if len(users) != 2 {
		t.Fatalf("got %d users, want 2", len(users))
	}
	for i, want := range []string{"144115212830834855", "144115212948889925"} {
		if got := users[i].GetUserAccount(); got != want {
			t.Errorf("UserList[%d].User_Account = %q, want %q", i, got, want)
		}
		if got := ev.GetUserAccounts()[i]; got != want {
			t.Errorf("user_accounts[%d] = %q, want %q", i, got, want)
		}
	}
}

// TestDecodeRejects covers every way a callback is rejected: each case must
// fail with its code, the code's HTTP status, and a message that tells the
// sender what to fix.
func TestDecodeRejects(t *testing.T) {
	start := query(CommandStartCall)
	changed := query(CommandMemberChanged)
	ended := query(CommandEndCall)
	live := query(CommandLiveMemberStateChanged)
	other := query("Live.CallbackAfterRoomRenamed")

	tests := []struct {
		name  string
		query string
		body  string
		code  Code
		msg   string // a fragment the message must contain
	}{
		// Query parameters.
		{"no SdkAppid", "CallbackCommand=Call.CallbackAfterStartCall", `{}`, CodeBadQuery, "query parameter SdkAppid is missing"},
		{"empty SdkAppid", "SdkAppid=&CallbackCommand=Call.CallbackAfterStartCall", `{}`, CodeBadQuery, "SdkAppid is missing"},
		{"non-numeric SdkAppid", "SdkAppid=abc&CallbackCommand=x", `{}`, CodeBadQuery, `SdkAppid must be a decimal number from 1 to 4294967295, got "abc"`},
		{"zero SdkAppid", "SdkAppid=0&CallbackCommand=x", `{}`, CodeBadQuery, `from 1 to 4294967295, got "0"`},
		{"overflowing SdkAppid", "SdkAppid=4294967296&CallbackCommand=x", `{}`, CodeBadQuery, `got "4294967296"`},
		{"negative SdkAppid", "SdkAppid=-1&CallbackCommand=x", `{}`, CodeBadQuery, `got "-1"`},
		{"signed SdkAppid", "SdkAppid=%2B1400000001&CallbackCommand=x", `{}`, CodeBadQuery, `got "+1400000001"`},
		{"hex SdkAppid", "SdkAppid=0x10&CallbackCommand=x", `{}`, CodeBadQuery, `got "0x10"`},
		{"SdkAppid twice", "SdkAppid=2&SdkAppid=1&CallbackCommand=x", `{}`, CodeBadQuery, `SdkAppid is given more than once with different values: "1", "2"`},
		{"SdkAppid in two cases", "SdkAppid=1&sdkappid=2&CallbackCommand=x", `{}`, CodeBadQuery, `SdkAppid is given more than once with different values: "1", "2"`},
		{"SdkAppId spelling twice", "SdkAppid=1&SdkAppId=3&CallbackCommand=x", `{}`, CodeBadQuery, `"1", "3"`},
		{"no command", "SdkAppid=1", `{}`, CodeBadQuery, "query parameter CallbackCommand (or WebhookCommand) is missing"},
		{"empty command", "SdkAppid=1&CallbackCommand=", `{}`, CodeBadQuery, "CallbackCommand (or WebhookCommand) is missing"},
		{"both command spellings differ", "SdkAppid=1&CallbackCommand=A&WebhookCommand=B", `{}`, CodeBadQuery, `CallbackCommand (or WebhookCommand) is given more than once with different values: "A", "B"`},
		{"ClientIP twice", "SdkAppid=1&CallbackCommand=x&ClientIP=1.1.1.1&clientip=2.2.2.2", `{}`, CodeBadQuery, `ClientIP is given more than once`},
		{"contenttype not json", "SdkAppid=1&CallbackCommand=x&contenttype=xml", `{}`, CodeBadQuery, `contenttype must be "json", got "xml"`},
		{"command not UTF-8", "SdkAppid=1&CallbackCommand=Call.%FF", `{}`, CodeBadQuery, `query parameter CallbackCommand is not valid UTF-8: "Call.\xff"`},
		{"ClientIP not UTF-8", "SdkAppid=1&CallbackCommand=x&ClientIP=%C3%28", `{}`, CodeBadQuery, "query parameter ClientIP is not valid UTF-8"},
		{"OptPlatform not UTF-8", "SdkAppid=1&CallbackCommand=x&OptPlatform=\xed\xa0\x80", `{}`, CodeBadQuery, "query parameter OptPlatform is not valid UTF-8"},
		{"contenttype form", "SdkAppid=1&CallbackCommand=x&ContentType=application%2Fjson", `{}`, CodeBadQuery, `got "application/json"`},

		// Empty body.
		{"empty body", start, ``, CodeEmptyBody, "the body is empty"},
		{"whitespace body", start, " \r\n\t ", CodeEmptyBody, "the body is empty"},
		{"empty body of other command", other, ``, CodeEmptyBody, "JSON object"},

		// Invalid UTF-8.
		{"lone continuation byte", start, "\x80", CodeInvalidUTF8, "not valid UTF-8: the first bad byte is byte 1"},
		{"truncated sequence in string", start, "{\"CallId\":\"\xc3\x28\"}", CodeInvalidUTF8, "the first bad byte is byte 12"},
		{"overlong encoding", other, "{\"a\":\"\xc0\xaf\"}", CodeInvalidUTF8, "byte 7"},
		{"UTF-16 surrogate encoded", other, "{\"a\":\"\xed\xa0\x80\"}", CodeInvalidUTF8, "byte 7"},

		// Invalid JSON.
		{"trailing comma", start, `{"a":1,}`, CodeInvalidJSON, "invalid JSON at byte 8: invalid character '}' looking for beginning of object key string (line 1, column 8)"},
		{"comment", live, "{\n\"EventType\":\"Online\", // Online or Offline\n}", CodeInvalidJSON, "invalid JSON at byte 25: invalid character '/' looking for beginning of object key string (line 2, column 23)"},
		{"missing comma", ended, "{\n\"CallRecord\": {}\n\"EventTime\":1}", CodeInvalidJSON, "invalid JSON at byte 20: invalid character '\"' after object key:value pair (line 3, column 1)"},
		{"truncated", start, `{"CallInfo":{`, CodeInvalidJSON, "invalid JSON at byte 13: unexpected end of JSON input"},
		{"trailing data", start, `{} {}`, CodeInvalidJSON, "invalid JSON at byte 4: invalid character '{' after top-level value"},
		{"single quotes", other, `{'a':1}`, CodeInvalidJSON, "at byte 2: invalid character '\\''"},
		{"NaN", other, `{"a":NaN}`, CodeInvalidJSON, "at byte 6: invalid character 'N'"},
		{"byte order mark", start, "\ufeff{}", CodeInvalidJSON, "at byte 1: invalid character"},
		{"nested past the depth limit", other, `{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`, CodeInvalidJSON, "invalid JSON at byte 10005: invalid character '[' exceeded max depth (line 1, column 10005)"},

		// Not an object.
		{"array", start, `[{"CallbackCommand":"Call.CallbackAfterStartCall"}]`, CodeNotObject, "the body is an array, not the JSON object a callback must be"},
		{"string", start, `"{}"`, CodeNotObject, "the body is a string"},
		{"number", other, ` 42 `, CodeNotObject, "the body is a number"},
		{"null", other, `null`, CodeNotObject, "the body is null"},
		{"boolean", other, `true`, CodeNotObject, "the body is a boolean"},

		// Command mismatch.
		{"other known command", start, `{"CallbackCommand":"Call.CallbackAfterEndCall"}`, CodeCommandMismatch, `the body's CallbackCommand "Call.CallbackAfterEndCall" contradicts the URL's "Call.CallbackAfterStartCall"`},
		{"unknown body command for known URL command", changed, `{"CallbackCommand":"Call.CallbackAfterSomething"}`, CodeCommandMismatch, `contradicts the URL's "Call.CallbackAfterMemberChanged"`},
		{"known body command for unknown URL command", other, `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged"}`, CodeCommandMismatch, `contradicts the URL's "Live.CallbackAfterRoomRenamed"`},
		{"two unknown commands", other, `{"CallbackCommand":"Live.CallbackAfterRoomClosed"}`, CodeCommandMismatch, `"Live.CallbackAfterRoomClosed" contradicts`},
		{"command number", start, `{"CallbackCommand":1}`, CodeCommandMismatch, `the body's CallbackCommand must be a string naming the URL's command "Call.CallbackAfterStartCall", got a number`},
		{"command object", other, `{"CallbackCommand":{}}`, CodeCommandMismatch, "got an object"},
		{"last duplicate command wins", start, `{"CallbackCommand":"Call.CallbackAfterStartCall","CallbackCommand":"Call.CallbackAfterEndCall"}`, CodeCommandMismatch, "contradicts"},

		// The live, group and follow commands: the path names the field.
		{"room info not an object", query("Live.CallbackAfterCreateRoom"), `{"RoomInfo":[]}`, CodeBadField, "field RoomInfo: want an object, got an array"},
		{"owner an object", query("Live.CallbackAfterCreateRoom"), `{"RoomInfo":{"Owner_Account":{}}}`, CodeBadField, "field RoomInfo.Owner_Account: want a string or a number, got an object"},
		{"member count a fraction", query("Live.CallbackAfterUpdateRoomInfo"), `{"RoomInfo":{"MaxMemberCount":1.5}}`, CodeBadField, "field RoomInfo.MaxMemberCount: want a whole number that fits 64 bits, got 1.5"},
		{"flag a string", query("Live.CallbackAfterUpdateRoomInfo"), `{"RoomInfo":{"IsMessageDisabled":"yes"}}`, CodeBadField, "field RoomInfo.IsMessageDisabled: want a boolean, got a string"},
		{"category not numbers", query("Live.CallbackAfterCreateRoom"), `{"RoomInfo":{"Category":[1,"x"]}}`, CodeBadField, "field RoomInfo.Category[1]: want a whole number that fits 64 bits"},
		{"create time negative", query("Live.CallbackAfterCreateRoom"), `{"RoomInfo":{"CreateTime":-1}}`, CodeBadField, "field RoomInfo.CreateTime: want a time of 0 Unix seconds or later"},
		{"statistic an array", query("Live.CallbackAfterDestroyRoom"), `{"Statistic":[]}`, CodeBadField, "field Statistic: want an object, got an array"},
		{"statistic count a string", query("Live.CallbackAfterDestroyRoom"), `{"Statistic":{"TotalViewers":"many"}}`, CodeBadField, "field Statistic.TotalViewers: want a whole number that fits 64 bits"},
		{"metadata element a string", query("Live.CallbackAfterSetMetadata"), `{"Metadata":[{"Key":"k","Value":"v"},"x"]}`, CodeBadField, "field Metadata[1]: want an object, got a string"},
		{"metadata value a number", query("Live.CallbackAfterSetMetadata"), `{"Metadata":[{"Key":"k","Value":1}]}`, CodeBadField, "field Metadata[0].Value: want a string, got a number"},
		{"keys not strings", query("Live.CallbackAfterDelMetadata"), `{"Keys":["a",2]}`, CodeBadField, "field Keys[1]: want a string, got a number"},
		{"threshold count a word", query("Live.CallbackAfterCreateRoomReachingThreshold"), `{"CurRoomCount":"four"}`, CodeBadField, "field CurRoomCount: want a whole number that fits 64 bits, got \"four\""},
		{"new owner a boolean", query("Live.CallbackAfterChangeOwner"), `{"CurrentOwner_Account":true}`, CodeBadField, "field CurrentOwner_Account: want a string or a number, got a boolean"},
		{"admin a fraction", query("Live.CallbackAfterModifyAdmin"), `{"Admin_Account":["a",1.5]}`, CodeBadField, "field Admin_Account[1]: want a string or a whole number"},
		{"opType a number", query("Live.CallbackAfterModifyAdmin"), `{"opType":1}`, CodeBadField, "field opType: want a string, got a number"},
		{"seat member an object", query("Mic.CallbackAfterSeatInfoChanged"), `{"SeatList":[{"Index":0},{"Member_Account":{}}]}`, CodeBadField, "field SeatList[1].Member_Account: want a string or a number, got an object"},
		{"seat list an object", query("Mic.CallbackAfterSeatInfoChanged"), `{"SeatList":{}}`, CodeBadField, "field SeatList: want an array, got an object"},
		{"battle timeout negative", query("Live.CallbackAfterCreateBattle"), `{"Timeout":-5}`, CodeBadField, "field Timeout: want a whole number of 0 or more, got -5"},
		{"battle duration too long", query("Live.CallbackAfterStartBattle"), `{"Duration":18446744073709551615}`, CodeBadField, "field Duration: want milliseconds up to 10,000 years"},
		{"battle owner an array", query("Live.CallbackAfterEndBattle"), `{"FromRoomInfo":{"Owner_Account":[]}}`, CodeBadField, "field FromRoomInfo.Owner_Account: want a string or a number, got an array"},
		{"battle room a number", query("Live.CallbackAfterEndBattle"), `{"ToRoomList":[7]}`, CodeBadField, "field ToRoomList[0]: want an object, got a number"},
		{"battle score a fraction", query("Live.CallbackAfterEndBattle"), `{"ToRoomList":[{"Score":0.5}]}`, CodeBadField, "field ToRoomList[0].Score: want a whole number"},
		{"gift receiver an object", query("Live.CallbackBeforeSendGift"), `{"GiftWater":{"To_Account":["a",{}]}}`, CodeBadField, "field GiftWater.To_Account[1]: want a string or a number, got an object"},
		{"gift time a word", query("Live.CallbackBeforeSendGift"), `{"GiftWater":{"Time":"now"}}`, CodeBadField, "field GiftWater.Time: want a whole number of Unix seconds, got now"},
		{"message body element a string", query("Group.CallbackAfterSendMsg"), `{"MsgBody":["hi"]}`, CodeBadField, "field MsgBody[0]: want an object, got a string"},
		{"message type a number", query("Group.CallbackBeforeSendMsg"), `{"MsgBody":[{"MsgType":1}]}`, CodeBadField, "field MsgBody[0].MsgType: want a string, got a number"},
		{"message seq negative", query("Group.CallbackAfterSendMsg"), `{"MsgSeq":-1}`, CodeBadField, "field MsgSeq: want a whole number of 0 or more, got -1"},
		{"follow entry an array", query("Follow.CallbackAfterFollowAdd"), `{"FollowList":[[]]}`, CodeBadField, "field FollowList[0]: want an object, got an array"},
		{"unfollowed a boolean", query("Follow.CallbackAfterFollowDelete"), `{"To_Account":[false]}`, CodeBadField, "field To_Account[0]: want a string or a number, got a boolean"},

		// Envelope fields.
		{"EventTime not digits", start, `{"EventTime":"soon"}`, CodeBadField, "field EventTime: want a whole number of Unix milliseconds, got soon"},
		{"EventTime negative", changed, `{"EventTime":-1}`, CodeBadField, "field EventTime: want a time of 0 Unix milliseconds or later, got -1"},
		{"EventTime fractional", ended, `{"EventTime":1740464128807.5}`, CodeBadField, "field EventTime: want a whole number of Unix milliseconds, got 1740464128807.5"},
		{"EventTime exponent", live, `{"EventTime":1.7e12}`, CodeBadField, "want a whole number of Unix milliseconds, got 1.7e12"},
		{"EventTime overflowing uint64", start, `{"EventTime":99999999999999999999}`, CodeBadField, "field EventTime: want Unix milliseconds from 0 to 253402300799999 (year 9999), got 99999999999999999999"},
		{"EventTime past year 9999", start, `{"EventTime":253402300800000}`, CodeBadField, "got 253402300800000"},

		// Call.CallbackAfterStartCall.
		{"CallInfo array", start, `{"CallInfo":[]}`, CodeBadField, "field CallInfo: want an object, got an array"},
		{"CallInfo.CallId number", start, `{"CallInfo":{"CallId":7}}`, CodeBadField, "field CallInfo.CallId: want a string, got a number"},
		{"CallInfo.CallMediaType boolean", start, `{"CallInfo":{"CallMediaType":true}}`, CodeBadField, "field CallInfo.CallMediaType: want a string, got a boolean"},
		{"CallInfo.MediaType number", start, `{"CallInfo":{"MediaType":1}}`, CodeBadField, "field CallInfo.MediaType: want a string, got a number"},
		{"CallInfo.ChatGroupId array", start, `{"CallInfo":{"ChatGroupId":[]}}`, CodeBadField, "field CallInfo.ChatGroupId: want a string, got an array"},
		{"CallInfo.RoomId fractional", start, `{"CallInfo":{"RoomId":1.5}}`, CodeBadField, "field CallInfo.RoomId: want a string or a whole number without sign or exponent, got 1.5"},
		{"CallInfo.RoomIdType string", start, `{"CallInfo":{"RoomIdType":"2"}}`, CodeBadField, "field CallInfo.RoomIdType: want a number (1 numeric, 2 string), got a string"},
		{"UserList object", start, `{"UserList":{}}`, CodeBadField, "field UserList: want an array, got an object"},
		{"UserList element string", start, `{"UserList":[{"User_Account":"a"},"b"]}`, CodeBadField, "field UserList[1]: want an object, got a string"},
		{"UserList account boolean", start, `{"UserList":[{"User_Account":"a"},{"User_Account":false}]}`, CodeBadField, "field UserList[1].User_Account: want a string or a number, got a boolean"},
		{"UserList account negative", start, `{"UserList":[{"User_Account":-5}]}`, CodeBadField, "field UserList[0].User_Account: want a string or a whole number without sign or exponent, got -5"},
		{"UserList account exponent", start, `{"UserList":[{"User_Account":1.44115212830834855e17}]}`, CodeBadField, "got 1.44115212830834855e17"},
		{"UserList index counts nulls", start, `{"UserList":[null,{"Status":3}]}`, CodeBadField, "field UserList[1].Status: want a string, got a number"},
		{"long value clipped", start, `{"UserList":[{"User_Account":1234567890.12345678901234567890123456789012345}]}`, CodeBadField, "got 1234567890.12345678901234567890123456789…"},

		// Call.CallbackAfterMemberChanged.
		{"CallId number", changed, `{"CallId":123}`, CodeBadField, "field CallId: want a string, got a number"},
		{"member UserList string", changed, `{"UserList":"u1"}`, CodeBadField, "field UserList: want an array, got a string"},
		{"ChangedUserList object", changed, `{"ChangedUserList":{"User_Account":"a"}}`, CodeBadField, "field ChangedUserList: want an array, got an object"},
		{"ChangedUserList action array", changed, `{"ChangedUserList":[{"ActionType":["Answer"]}]}`, CodeBadField, "field ChangedUserList[0].ActionType: want a string, got an array"},
		{"ChangedUserList account object", changed, `{"ChangedUserList":[{},{},{"User_Account":{}}]}`, CodeBadField, "field ChangedUserList[2].User_Account: want a string or a number, got an object"},
		{"ChangedUserList element number", changed, `{"ChangedUserList":[1]}`, CodeBadField, "field ChangedUserList[0]: want an object, got a number"},

		// Call.CallbackAfterEndCall.
		{"CallRecord string", ended, `{"CallRecord":"x"}`, CodeBadField, "field CallRecord: want an object, got a string"},
		{"StartTime not digits", ended, `{"CallRecord":{"StartTime":"noon"}}`, CodeBadField, "field CallRecord.StartTime: want a whole number of Unix seconds, got noon"},
		{"StartTime object", ended, `{"CallRecord":{"StartTime":{}}}`, CodeBadField, "field CallRecord.StartTime: want a number of Unix seconds, got an object"},
		{"EndTime fractional", ended, `{"CallRecord":{"EndTime":1741231296.5}}`, CodeBadField, "field CallRecord.EndTime: want a whole number of Unix seconds, got 1741231296.5"},
		{"AcceptTime negative", ended, `{"CallRecord":{"AcceptTime":-1}}`, CodeBadField, "field CallRecord.AcceptTime: want a time of 0 Unix seconds or later, got -1"},
		{"AcceptTime in milliseconds past year 9999", ended, `{"CallRecord":{"AcceptTime":1741231150000000}}`, CodeBadField, "field CallRecord.AcceptTime: want Unix seconds from 0 to 253402300799 (year 9999)"},
		{"Caller_Account exponent", ended, `{"CallRecord":{"Caller_Account":1e5}}`, CodeBadField, "field CallRecord.Caller_Account: want a string or a whole number"},
		{"MediaType boolean", ended, `{"CallRecord":{"MediaType":false}}`, CodeBadField, "field CallRecord.MediaType: want a string, got a boolean"},
		{"CallType number", ended, `{"CallRecord":{"CallType":1}}`, CodeBadField, "field CallRecord.CallType: want a string, got a number"},
		{"CallResult object", ended, `{"CallRecord":{"CallResult":{}}}`, CodeBadField, "field CallRecord.CallResult: want a string, got an object"},
		{"CalleeList_Account string", ended, `{"CallRecord":{"CalleeList_Account":"u2"}}`, CodeBadField, "field CallRecord.CalleeList_Account: want an array, got a string"},
		{"CalleeList_Account element object", ended, `{"CallRecord":{"CalleeList_Account":["u1",{"User_Account":"u2"}]}}`, CodeBadField, "field CallRecord.CalleeList_Account[1]: want a string or a number, got an object"},
		{"record RoomIdType string", ended, `{"CallRecord":{"RoomIdType":"string"}}`, CodeBadField, "field CallRecord.RoomIdType: want a number (1 numeric, 2 string), got a string"},
		{"record RoomId boolean", ended, `{"CallRecord":{"RoomId":true}}`, CodeBadField, "field CallRecord.RoomId: want a string or a number, got a boolean"},

		// Live.CallbackAfterMemberStateChanged.
		{"live RoomId object", live, `{"RoomId":{}}`, CodeBadField, "field RoomId: want a string or a number, got an object"},
		{"live EventType number", live, `{"EventType":1}`, CodeBadField, "field EventType: want a string, got a number"},
		{"live EventCause boolean", live, `{"EventCause":true}`, CodeBadField, "field EventCause: want a string, got a boolean"},
		{"MemberList object", live, `{"MemberList":{"Member_Account":"a"}}`, CodeBadField, "field MemberList: want an array, got an object"},
		{"MemberList element string", live, `{"MemberList":["jared"]}`, CodeBadField, "field MemberList[0]: want an object, got a string"},
		{"MemberList account array", live, `{"MemberList":[{"Member_Account":"a"},{"Member_Account":["b"]}]}`, CodeBadField, "field MemberList[1].Member_Account: want a string or a number, got an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Decode(q, []byte(tt.body), receivedAt)
			if err == nil {
				t.Fatalf("Decode accepted it: %v", ev)
			}
			if ev != nil {
				t.Errorf("Decode returned an event with its error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %q is not an *Error", err, err)
			}
			if e.Code != tt.code {
				t.Errorf("code = %d, want %d (message %q)", e.Code, tt.code, e.Message)
			}
			if got, want := e.HTTPStatus(), int(tt.code)/100; got != want {
				t.Errorf("HTTP status = %d, want %d", got, want)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tt.msg)
			}
		})
	}
}

// TestDecodeDocSamplesAsPrinted feeds Tencent's sample packets exactly as the
// docs print them: three are not JSON (comments, a missing comma) and must be
// rejected where they break; the start-call sample happens to be valid.
func TestDecodeDocSamplesAsPrinted(t *testing.T) {
	tests := []struct {
		file    string
		command string
		code    Code
		msg     string
	}{
		{"call-callback-after-start-call.txt", CommandStartCall, CodeOK, ""},
		{"call-callback-after-member-changed.txt", CommandMemberChanged, CodeInvalidJSON, "invalid JSON at byte 284: invalid character '/' after object key:value pair (line 17, column 23)"},
		{"call-callback-after-end-call.txt", CommandEndCall, CodeInvalidJSON, "invalid JSON at byte 368: invalid character '\"' after object key:value pair (line 16, column 1)"},
		{"live-callback-after-member-state-changed.txt", CommandLiveMemberStateChangedAlias, CodeInvalidJSON, "invalid JSON at byte 103: invalid character '/' looking for beginning of object key string (line 4, column 23)"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "doc-samples", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			q, _ := url.ParseQuery(query(tt.command))
			_, err = Decode(q, body, receivedAt)
			if tt.code == CodeOK {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			e := AsError(err)
			if e.Code != tt.code || e.HTTPStatus() != 400 || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got code %d status %d message %q, want code %d status 400 and %q", e.Code, e.HTTPStatus(), e.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestDecodeBodyChecksParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		msg  string
	}{
		{"zero SdkAppID", Params{Command: CommandStartCall}, "SdkAppid is missing"},
		{"empty command", Params{SdkAppID: 1}, "CallbackCommand (or WebhookCommand) is missing"},
		{"content type", Params{SdkAppID: 1, Command: "x", ContentType: "form"}, `contenttype must be "json", got "form"`},
		{"Sign not UTF-8", Params{SdkAppID: 1, Command: "x", Sign: "\xff"}, "query parameter Sign is not valid UTF-8"},
		{"RequestTime not UTF-8", Params{SdkAppID: 1, Command: "x", RequestTime: "1\xc0"}, "query parameter RequestTime is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBody(tt.p, []byte(`{}`), receivedAt)
			e := AsError(err)
			if e.Code != CodeBadQuery || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %d %q, want %d containing %q", e.Code, e.Message, CodeBadQuery, tt.msg)
			}
		})
	}
}

// TestDecodeAcceptsCommandSpellings checks which body commands agree with
// which URL commands: the same name in any case, or the live alias.
func TestDecodeAcceptsCommandSpellings(t *testing.T) {
	tests := []struct {
		url, body string
		want      gatewayv1.EventType
	}{
		{CommandStartCall, "call.callbackafterstartcall", gatewayv1.EventType_EVENT_TYPE_CALL_STARTED},
		{"CALL.CALLBACKAFTERENDCALL", CommandEndCall, gatewayv1.EventType_EVENT_TYPE_CALL_ENDED},
		{CommandLiveMemberStateChangedAlias, CommandLiveMemberStateChanged, gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED},
		{CommandLiveMemberStateChanged, CommandLiveMemberStateChangedAlias, gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED},
		{"Live.CallbackAfterRoomRenamed", "live.callbackafterroomrenamed", gatewayv1.EventType_EVENT_TYPE_OTHER},
	}
	for _, tt := range tests {
		t.Run(tt.url+"/"+tt.body, func(t *testing.T) {
			ev := mustDecode(t, query(tt.url), `{"CallbackCommand":"`+tt.body+`"}`)
			if ev.GetType() != tt.want || ev.GetCallbackCommand() != tt.url {
				t.Errorf("got type %v command %q, want %v %q", ev.GetType(), ev.GetCallbackCommand(), tt.want, tt.url)
			}
		})
	}
}

func TestDecodeOther(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		callID   string
		roomID   string
		time     string // RFC 3339, "" for unset
		accounts []string
	}{
		{"nested keys", `{"CallbackCommand":"Live.CallbackAfterRoomRenamed","RoomInfo":{"RoomId":"nested","Owner_Account":"x"}}`, "", "nested", "", []string{"x"}},
		{"top-level RoomId wins", `{"Info":{"RoomId":"inner"},"RoomId":"outer"}`, "", "outer", "", nil},
		{"deep and in arrays", `{"A_Account":"top","EventInfo":{"UserId":144115212830834855,"L":[{"To_Account":["t1",2]},{"RoomId":7}]}}`, "", "7", "", []string{"top", "144115212830834855", "t1", "2"}},
		{"UserId at the top", `{"UserId":"u1","X":{"UserId":"u1"}}`, "", "", "", []string{"u1"}},
		{"deeper than the bound", `{"a":` + strings.Repeat(`{"a":`, maxOtherDepth) + `{"B_Account":"deep"}` + strings.Repeat(`}`, maxOtherDepth) + `}`, "", "", "", nil},
		{"strings", `{"CallId":"c1","RoomId":"r1","EventTime":1703589922780,"Owner_Account":"o1"}`, "c1", "r1", "2023-12-26T11:25:22.78Z", []string{"o1"}},
		{"numbers keep digits", `{"CallId":144115212830834855,"RoomId":18446744073709551616,"Owner_Account":144115212948889925}`, "144115212830834855", "18446744073709551616", "", []string{"144115212948889925"}},
		{"EventTime as digit string", `{"EventTime":"1703589922780"}`, "", "", "2023-12-26T11:25:22.78Z", nil},
		{"odd types skipped", `{"CallId":1.5,"RoomId":-3,"EventTime":-1,"A_Account":true,"B_Account":{"x":"y"},"C_Account":null}`, "", "", "", nil},
		{"EventTime out of range skipped", `{"EventTime":253402300800000}`, "", "", "", nil},
		{"EventTime fractional skipped", `{"EventTime":"17.5"}`, "", "", "", nil},
		{"EventTime zero unset", `{"EventTime":0}`, "", "", "", nil},
		{"arrays of accounts", `{"Admin_Account":["a",2,null,["nested"],"a"],"Owner_Account":"b"}`, "", "", "", []string{"a", "2", "b"}},
		{"order of keys", `{"Z_Account":"z","A_Account":"a","M_Account":["m","z"]}`, "", "", "", []string{"z", "a", "m"}},
		{"last duplicate wins", `{"X_Account":"first","Y_Account":"y","X_Account":"second","CallId":"c1","CallId":"c2"}`, "c2", "", "", []string{"y", "second"}},
		{"duplicate null wins", `{"X_Account":"first","X_Account":null}`, "", "", "", nil},
		{"suffix is case-sensitive", `{"owner_account":"o","Owner_ACCOUNT":"p","Account":"q"}`, "", "", "", nil},
		{"empty accounts skipped", `{"A_Account":"","B_Account":[""]}`, "", "", "", nil},
		{"escaped key and value", `{"Owner\u005fAccount":"caf\u00e9"}`, "", "", "", []string{"café"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := mustDecode(t, query("Live.CallbackAfterRoomRenamed"), tt.body)
			if ev.GetType() != gatewayv1.EventType_EVENT_TYPE_OTHER {
				t.Fatalf("type = %v, want OTHER", ev.GetType())
			}
			if got := ev.GetOther().GetJson(); got != tt.body {
				t.Errorf("other.json = %q, want the body %q", got, tt.body)
			}
			if ev.GetCallId() != tt.callID || ev.GetRoomId() != tt.roomID {
				t.Errorf("call_id, room_id = %q, %q; want %q, %q", ev.GetCallId(), ev.GetRoomId(), tt.callID, tt.roomID)
			}
			gotTime := ""
			if ev.GetEventTime() != nil {
				gotTime = ev.GetEventTime().AsTime().Format(time.RFC3339Nano)
			}
			if gotTime != tt.time {
				t.Errorf("event_time = %q, want %q", gotTime, tt.time)
			}
			if strings.Join(ev.GetUserAccounts(), ",") != strings.Join(tt.accounts, ",") {
				t.Errorf("user_accounts = %q, want %q", ev.GetUserAccounts(), tt.accounts)
			}
		})
	}
}

func TestDecodeOtherKeepsBodyByteForByte(t *testing.T) {
	body := "\t{ \"CallbackCommand\" : \"Live.CallbackAfterSeatChanged\",\r\n \"N\": 123456789012345678901234567890e-5000, \"S\": \"\\u00e9\\ud83d\\ude00\" }  \n"
	ev := mustDecode(t, query("Live.CallbackAfterSeatChanged"), body)
	if got := ev.GetOther().GetJson(); got != body {
		t.Errorf("other.json = %q, want %q", got, body)
	}
}

func TestDecodeUserAccountsDeduplicated(t *testing.T) {
	// More members than accountList searches linearly, each listed twice.
	var b strings.Builder
	b.WriteString(`{"MemberList":[`)
	var want []string
	for round := 0; round < 2; round++ {
		for i := 0; i < 3*linearAccounts; i++ {
			if b.Len() > len(`{"MemberList":[`) {
				b.WriteByte(',')
			}
			account := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
			if i%2 == 0 {
				account = "1" + strings.Repeat("0", i)
				b.WriteString(`{"Member_Account":` + account + `}`)
			} else {
				b.WriteString(`{"Member_Account":"` + account + `"}`)
			}
			if round == 0 {
				want = append(want, account)
			}
		}
	}
	b.WriteString(`]}`)
	ev := mustDecode(t, query(CommandLiveMemberStateChanged), b.String())
	if got := ev.GetUserAccounts(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("user_accounts =\n%q\nwant\n%q", got, want)
	}
	if got := len(ev.GetLiveMemberStateChanged().GetMemberList()); got != 2*len(want) {
		t.Errorf("member_list has %d members, want all %d", got, 2*len(want))
	}
}

func TestDecodeTimes(t *testing.T) {
	tests := []struct {
		name                    string
		record                  string
		start, end, accept, evt string // RFC 3339, "" for unset
	}{
		{"never connected", `"StartTime":1741231146,"EndTime":1741231296,"AcceptTime":0`, "2025-03-06T03:19:06Z", "2025-03-06T03:21:36Z", "", "2023-12-26T11:25:22.78Z"},
		{"connected", `"StartTime":1741231146,"EndTime":1741231296,"AcceptTime":1741231150`, "2025-03-06T03:19:06Z", "2025-03-06T03:21:36Z", "2025-03-06T03:19:10Z", "2023-12-26T11:25:22.78Z"},
		{"absent and null", `"StartTime":null`, "", "", "", "2023-12-26T11:25:22.78Z"},
		{"all zero", `"StartTime":0,"EndTime":0,"AcceptTime":0`, "", "", "", "2023-12-26T11:25:22.78Z"},
		{"epoch plus one", `"StartTime":1`, "1970-01-01T00:00:01Z", "", "", "2023-12-26T11:25:22.78Z"},
		{"last second a timestamp holds", `"EndTime":253402300799`, "", "9999-12-31T23:59:59Z", "", "2023-12-26T11:25:22.78Z"},
	}
	format := func(ts interface{ AsTime() time.Time }, set bool) string {
		if !set {
			return ""
		}
		return ts.AsTime().Format(time.RFC3339Nano)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := mustDecode(t, query(CommandEndCall), `{"CallRecord":{`+tt.record+`},"EventTime":1703589922780}`)
			r := ev.GetCallEnded().GetCallRecord()
			got := []string{
				format(r.GetStartTime(), r.GetStartTime() != nil),
				format(r.GetEndTime(), r.GetEndTime() != nil),
				format(r.GetAcceptTime(), r.GetAcceptTime() != nil),
				format(ev.GetEventTime(), ev.GetEventTime() != nil),
			}
			want := []string{tt.start, tt.end, tt.accept, tt.evt}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("start|end|accept|event = %q, want %q", got, want)
			}
		})
	}
}
