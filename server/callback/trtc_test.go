package callback

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// trtcApp is the SdkAppId header of every TRTC test event.
const trtcApp = 1400000001

// trtcCase is one TRTC event body under testdata/trtc-input.
type trtcCase struct {
	name string
	body []byte
}

func loadTRTCCases(t testing.TB) []trtcCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "trtc-input", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no cases under testdata/trtc-input")
	}
	var cases []trtcCase
	for _, path := range paths {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, trtcCase{name: strings.TrimSuffix(filepath.Base(path), ".json"), body: body})
	}
	return cases
}

// TestTRTCGolden decodes every TRTC sample (Tencent's doc samples made valid
// JSON, plus real-world variants) and compares the event with its golden file.
func TestTRTCGolden(t *testing.T) {
	for _, tc := range loadTRTCCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			if !IsTRTCEvent(tc.body) {
				t.Fatal("IsTRTCEvent = false")
			}
			ev, err := DecodeTRTC(trtcApp, tc.body, receivedAt)
			if err != nil {
				t.Fatalf("DecodeTRTC: %v", err)
			}
			if tc.name != "unknown-group-type" {
				if _, other := ev.GetPayload().(*gatewayv1.Event_Other); other || ev.GetType() == gatewayv1.EventType_EVENT_TYPE_OTHER {
					t.Fatalf("known TRTC event decoded as other: %v", ev.GetType())
				}
			}
			got := render(t, ev)
			path := filepath.Join("testdata", "golden", "trtc-"+tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoded event differs from %s (run go test -update after checking the change)\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}

// TestTRTCEveryRowHasASample keeps the samples in step with the table: every
// TRTC row is decoded from at least one sample.
func TestTRTCEveryRowHasASample(t *testing.T) {
	seen := map[gatewayv1.EventType]bool{}
	for _, tc := range loadTRTCCases(t) {
		ev, err := DecodeTRTC(trtcApp, tc.body, receivedAt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		seen[ev.GetType()] = true
	}
	for _, c := range trtcCommands {
		if c.group != 0 && !seen[c.typ] {
			t.Errorf("no sample under testdata/trtc-input decodes to %v (%s)", c.typ, c.name)
		}
	}
}

func TestTRTCRoutingAndUnits(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		room     string
		users    []string
		command  string
		seconds  int64
		numeric  bool
		wantType gatewayv1.EventType
	}{
		{
			name: "numeric room, ms time wins",
			body: `{"EventGroupId":1,"EventType":103,"CallbackTs":1615554923704,"EventInfo":{"RoomId":12345,"EventTs":1615554922,"EventMsTs":1615554922500,"UserId":"u1"}}`,
			room: "12345", users: []string{"u1"}, command: "TRTC.Room.EnterRoom", seconds: 1615554922, numeric: true,
			wantType: gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ENTERED,
		},
		{
			name: "string room, EventTs as a string",
			body: `{"EventGroupId":3,"EventType":301,"CallbackTs":1622186275913,"EventInfo":{"RoomId":"007","EventTs":"1622186275","UserId":"bot","TaskId":"t","Payload":{"Status":0}}}`,
			room: "007", users: []string{"bot"}, command: "TRTC.Recording.RecorderStart", seconds: 1622186275,
			wantType: gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_STARTED,
		},
		{
			name: "recording file users are routing keys",
			body: `{"EventGroupId":3,"EventType":310,"EventInfo":{"RoomId":"r","UserId":"bot","Payload":{"FileMessage":[{"UserId":"a"},null,{"UserId":"b"},{"UserId":"a"}]}}}`,
			room: "r", users: []string{"bot", "a", "b"}, command: "TRTC.Recording.Mp4Stop",
			wantType: gatewayv1.EventType_EVENT_TYPE_TRTC_RECORDING_MP4_STOPPED,
		},
		{
			name: "unknown pair is other, named by group and type",
			body: `{"EventGroupId":9,"EventType":901,"EventInfo":{"RoomId":"r9","UserId":"u9","EventMsTs":1622186275757}}`,
			room: "r9", users: []string{"u9"}, command: "TRTC.Event.9.901", seconds: 1622186275,
			wantType: gatewayv1.EventType_EVENT_TYPE_OTHER,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := DecodeTRTC(trtcApp, []byte(tt.body), receivedAt)
			if err != nil {
				t.Fatal(err)
			}
			if ev.GetType() != tt.wantType || ev.GetCallbackCommand() != tt.command || ev.GetRoomId() != tt.room {
				t.Errorf("type %v command %q room %q, want %v %q %q", ev.GetType(), ev.GetCallbackCommand(), ev.GetRoomId(), tt.wantType, tt.command, tt.room)
			}
			if strings.Join(ev.GetUserAccounts(), ",") != strings.Join(tt.users, ",") {
				t.Errorf("users %q, want %q", ev.GetUserAccounts(), tt.users)
			}
			if tt.seconds != 0 && ev.GetEventTime().GetSeconds() != tt.seconds {
				t.Errorf("event time %v, want %d s", ev.GetEventTime(), tt.seconds)
			}
			if h := trtcHeader(ev); h != nil && h.GetRoomIdNumeric() != tt.numeric {
				t.Errorf("room_id_numeric %v, want %v", h.GetRoomIdNumeric(), tt.numeric)
			}
			if EventTypeOf(tt.command) != tt.wantType {
				t.Errorf("EventTypeOf(%q) = %v: callback_commands filters would miss it", tt.command, EventTypeOf(tt.command))
			}
		})
	}
}

// trtcHeader returns the header of a typed TRTC payload, or nil.
func trtcHeader(ev *gatewayv1.Event) *gatewayv1.TrtcEventHeader {
	switch p := ev.GetPayload().(type) {
	case *gatewayv1.Event_TrtcRoom:
		return p.TrtcRoom.GetHeader()
	case *gatewayv1.Event_TrtcMedia:
		return p.TrtcMedia.GetHeader()
	case *gatewayv1.Event_TrtcCloudRecording:
		return p.TrtcCloudRecording.GetHeader()
	case *gatewayv1.Event_TrtcWebRecording:
		return p.TrtcWebRecording.GetHeader()
	case *gatewayv1.Event_TrtcTranscription:
		return p.TrtcTranscription.GetHeader()
	}
	return nil
}

func TestTRTCRejections(t *testing.T) {
	tests := []struct {
		name string
		app  uint32
		body string
		code Code
		msg  string
	}{
		{"no app", 0, `{"EventGroupId":1,"EventType":103,"EventInfo":{}}`, CodeBadQuery, "header SdkAppId"},
		{"empty", trtcApp, ``, CodeEmptyBody, "empty"},
		{"invalid JSON", trtcApp, `{"EventGroupId":1,`, CodeInvalidJSON, "invalid JSON"},
		{"group is text", trtcApp, `{"EventGroupId":"one","EventType":103}`, CodeBadField, "EventGroupId"},
		{"type is negative", trtcApp, `{"EventGroupId":1,"EventType":-3}`, CodeBadField, "EventType"},
		{"EventInfo not an object", trtcApp, `{"EventGroupId":1,"EventType":103,"EventInfo":[]}`, CodeBadField, "EventInfo"},
		{"room id is an object", trtcApp, `{"EventGroupId":1,"EventType":103,"EventInfo":{"RoomId":{}}}`, CodeBadField, "EventInfo.RoomId"},
		{"EventTs not digits", trtcApp, `{"EventGroupId":1,"EventType":103,"EventInfo":{"EventTs":"soon"}}`, CodeBadField, "EventInfo.EventTs"},
		{"role is text", trtcApp, `{"EventGroupId":1,"EventType":103,"EventInfo":{"Role":"anchor"}}`, CodeBadField, "EventInfo.Role"},
		{"file message not objects", trtcApp, `{"EventGroupId":3,"EventType":310,"EventInfo":{"Payload":{"FileMessage":[1]}}}`, CodeBadField, "EventInfo.Payload.FileMessage[0]"},
		{"status is text", trtcApp, `{"EventGroupId":8,"EventType":801,"EventInfo":{"Payload":{"Status":"ok"}}}`, CodeBadField, "EventInfo.Payload.Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTRTC(tt.app, []byte(tt.body), receivedAt)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("code %d %q, want %d containing %q", e.Code, e.Message, tt.code, tt.msg)
			}
		})
	}
}

func TestIsTRTCEvent(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"EventGroupId":1}`, true},
		{` {"a":{"EventGroupId":1},"EventGroupId":null}`, true},
		{`{"a":{"EventGroupId":1}}`, false},
		{`{"CallbackCommand":"Call.CallbackAfterStartCall"}`, false},
		{`["EventGroupId"]`, false},
		{`{"EventGroupId":1`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := IsTRTCEvent([]byte(tt.body)); got != tt.want {
			t.Errorf("IsTRTCEvent(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

// TestTRTCExtrasKeptLosslessly checks that members the gateway does not model
// reach the subscriber byte for byte.
func TestTRTCExtrasKeptLosslessly(t *testing.T) {
	body := `{"EventGroupId":1,"EventType":104,"KitType":2,"EventInfo":{"RoomId":1,"New":{"x":[1,2.50,null]},"Big":123456789012345678901234567890},"Extra\u0041":null}`
	ev, err := DecodeTRTC(trtcApp, []byte(body), receivedAt)
	if err != nil {
		t.Fatal(err)
	}
	h := trtcHeader(ev)
	if got, want := h.GetExtraJson(), `{"New":{"x":[1,2.50,null]},"Big":123456789012345678901234567890}`; got != want {
		t.Errorf("extra_json %s, want %s", got, want)
	}
	if got, want := h.GetBodyExtraJson(), `{"KitType":2,"Extra\u0041":null}`; got != want {
		t.Errorf("body_extra_json %s, want %s", got, want)
	}
}

// FuzzDecodeTRTC feeds arbitrary bodies to IsTRTCEvent and DecodeTRTC: no
// panic; an accepted event survives the wire and JSON encodings and decodes
// the same twice; a rejection is an *Error with a 4xx status. The seeds are
// every TRTC sample.
func FuzzDecodeTRTC(f *testing.F) {
	for _, tc := range loadTRTCCases(f) {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = IsTRTCEvent(body)
		ev, err := DecodeTRTC(trtcApp, body, receivedAt)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.HTTPStatus() < 400 || e.HTTPStatus() > 499 || e.Message == "" {
				t.Fatalf("rejection %v is not a 4xx *Error with a message", err)
			}
			return
		}
		if ev.GetType() == gatewayv1.EventType_EVENT_TYPE_UNSPECIFIED || ev.GetPayload() == nil {
			t.Fatalf("accepted event has type %v and payload %v", ev.GetType(), ev.GetPayload())
		}
		wire, err := proto.Marshal(ev)
		if err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		var back gatewayv1.Event
		if err := proto.Unmarshal(wire, &back); err != nil || !proto.Equal(ev, &back) {
			t.Fatalf("event changed through the wire format: %v", err)
		}
		if _, err := protojson.Marshal(ev); err != nil {
			t.Fatalf("protojson.Marshal: %v", err)
		}
		again, err := DecodeTRTC(trtcApp, body, receivedAt)
		if err != nil || !proto.Equal(ev, again) {
			t.Fatalf("decoding twice gave a different result: %v", err)
		}
	})
}
