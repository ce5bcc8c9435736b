package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// trtcKey is the TRTC callback key of testApp in these tests: the key of
// Tencent's signature vector.
const trtcKey = "123654"

// postTRTC posts a TRTC event as Tencent does: no query string, the app in
// the SdkAppId header and, when sign is not "", the Sign header. It returns
// the status and the answer, which must be that family's JSON shape.
func postTRTC(t testing.TB, s *server.Server, app uint32, sign string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+s.WebhookAddr()+"/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("SdkAppId", fmt.Sprint(app))
	if sign != "" {
		req.Header.Set("Sign", sign)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("answer %q (%s) is not JSON: %v", raw, resp.Header.Get("Content-Type"), err)
	}
	if _, ok := answer["code"]; !ok || len(raw) >= 2000 {
		t.Fatalf("answer %s is not TRTC's {\"code\":…} shape under 2000 bytes", raw)
	}
	return resp.StatusCode, answer
}

// postTRTCSigned posts a TRTC event signed with trtcKey; it must be accepted.
func postTRTCSigned(t testing.TB, s *server.Server, body []byte) {
	t.Helper()
	code, answer := postTRTC(t, s, testApp, webhookauth.TRTCSign(trtcKey, body), body)
	if code != http.StatusOK || answer["code"] != float64(0) || len(answer) != 1 {
		t.Fatalf("post TRTC event: %d %v, want 200 {\"code\":0}", code, answer)
	}
}

// trtcSamples are the TRTC event bodies the decoder's golden tests use:
// Tencent's doc samples made valid JSON and real-world variants.
func trtcSamples(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("callback", "testdata", "trtc-input", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no TRTC samples: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = b
	}
	return out
}

// TestBothFamiliesOnOneStream posts IM callbacks and TRTC events to one
// running gateway and reads the matching ones from one Subscribe stream
// filtered by room, user and command at once.
func TestBothFamiliesOnOneStream(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.TRTCKeys = map[uint32]string{testApp: trtcKey} })
	st, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{
		RoomIds:          []string{"8489", "room_id"},
		UserAccounts:     []string{"user_85034614", "jared"},
		CallbackCommands: []string{"TRTC.Media.StopAudio", "Live.CallbackMemberStateChanged"},
	}))
	vector, err := os.ReadFile(filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if err != nil {
		t.Fatal(err)
	}

	postOK(t, s, testApp, cmdStart, sample(t, "start_call")) // no room: filtered out
	postOK(t, s, testApp, "Live.CallbackMemberStateChanged", sample(t, "live_member_state_changed"))
	postTRTCSigned(t, s, []byte(`{"EventGroupId":1,"EventType":103,"EventInfo":{"RoomId":8490,"UserId":"user_85034614"}}`)) // another room
	if code, answer := postTRTC(t, s, testApp, "kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA=", vector); code != http.StatusOK {
		t.Fatalf("Tencent's signed vector: %d %v", code, answer)
	}

	evs := recvEvents(t, st, 2)
	if evs[0].GetType() != gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED || evs[0].GetSequence() != 2 {
		t.Errorf("first event: %s", eventJSON(evs[0]))
	}
	media := evs[1].GetTrtcMedia()
	if evs[1].GetType() != gatewayv1.EventType_EVENT_TYPE_TRTC_AUDIO_STOPPED || media == nil || evs[1].GetSequence() != 4 ||
		media.GetStream() != gatewayv1.TrtcStream_TRTC_STREAM_AUDIO || media.GetStarted() || evs[1].GetRoomId() != "8489" ||
		evs[1].GetSdkAppId() != testApp || evs[1].GetEventTime().AsTime().UnixMilli() != 1664209748180 {
		t.Errorf("TRTC event: %s", eventJSON(evs[1]))
	}
}

// TestEveryTRTCEventArrivesTyped posts every TRTC sample as Tencent posts it
// and checks that each reaches the gRPC stream and the JSON stream as its own
// typed payload, never as other (but for the one unknown pair).
func TestEveryTRTCEventArrivesTyped(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.TRTCKeys = map[uint32]string{testApp: trtcKey} })
	st, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{}))
	samples := trtcSamples(t)
	var names []string
	for name, body := range samples {
		names = append(names, name)
		postTRTCSigned(t, s, body)
	}
	evs := recvEvents(t, st, len(samples))
	for i, ev := range evs {
		name := names[i]
		_, other := ev.GetPayload().(*gatewayv1.Event_Other)
		if name == "unknown-group-type" {
			if !other || ev.GetCallbackCommand() != "TRTC.Event.9.905" {
				t.Errorf("%s: %s", name, eventJSON(ev))
			}
			continue
		}
		if other || ev.GetType() == gatewayv1.EventType_EVENT_TYPE_OTHER || !strings.HasPrefix(ev.GetCallbackCommand(), "TRTC.") {
			t.Errorf("%s arrived untyped: %s", name, eventJSON(ev))
		}
		if ev.GetRoomId() == "" && !strings.HasPrefix(name, "web-recording") {
			t.Errorf("%s has no room: %s", name, eventJSON(ev))
		}
	}
	// Opened once the log holds events: the JSON stream's headers come with its first line.
	lines, resp := jsonStream(t, s, "after_sequence=0")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON stream status %d", resp.StatusCode)
	}
	for i := 0; i < len(samples); i++ {
		m := nextLine(t, lines)
		ev, _ := m["result"].(map[string]any)["event"].(map[string]any)
		if ev == nil {
			t.Fatalf("JSON line %d: %v", i, m)
		}
		typed := false
		for _, k := range []string{"trtcRoom", "trtcMedia", "trtcCloudRecording", "trtcWebRecording", "trtcTranscription"} {
			if _, ok := ev[k]; ok {
				typed = true
			}
		}
		if !typed && ev["callbackCommand"] != "TRTC.Event.9.905" {
			t.Errorf("JSON event %d is untyped: %v", i, ev)
		}
	}
}

// TestTRTCSignatureEndToEnd checks that a TRTC event signed with the
// configured key is accepted and one signed with another key is refused with
// a JSON error and nothing appended.
func TestTRTCSignatureEndToEnd(t *testing.T) {
	s := startGateway(t, func(c *server.Config) {
		c.TRTCKeys = map[uint32]string{testApp: trtcKey}
		c.TRTCKeyFile = filepath.Join(t.TempDir(), "trtc-keys.json")
		writeFile(t, c.TRTCKeyFile, `{"apps":[{"sdk_app_id":1400000002,"token":"otherkey"}]}`)
	})
	body := []byte(`{"EventGroupId":1,"EventType":104,"CallbackTs":1615554923704,"EventInfo":{"RoomId":"r1","EventTs":1615554922,"UserId":"u1","Reason":1}}`)
	for _, tt := range []struct {
		name string
		app  uint32
		sign string
		msg  string
	}{
		{"another key", testApp, webhookauth.TRTCSign("otherkey", body), "does not match"},
		{"missing Sign", testApp, "", "header Sign is missing"},
		{"key of the other app", 1400000002, webhookauth.TRTCSign(trtcKey, body), "does not match"},
	} {
		code, answer := postTRTC(t, s, tt.app, tt.sign, body)
		if code != http.StatusUnauthorized || answer["code"] != float64(40101) || !strings.Contains(fmt.Sprint(answer["message"]), tt.msg) {
			t.Errorf("%s: %d %v", tt.name, code, answer)
		}
		assertNoSecret(t, "the answer", fmt.Sprint(answer), trtcKey, "otherkey")
	}
	if h := head(t, s); h != 0 {
		t.Fatalf("refused events were appended: head %d", h)
	}
	postTRTCSigned(t, s, body)
	if h := head(t, s); h != 1 {
		t.Fatalf("head %d after the signed event, want 1", h)
	}
}
