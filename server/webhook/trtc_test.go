package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// Tencent's TRTC signature vector: key 123654 over the exact bytes of
// testdata/trtc-sign-vector-body.json.
const (
	trtcKey        = "123654"
	trtcVectorSign = "kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA="
	trtcEnterBody  = `{"EventGroupId":1,"EventType":103,"CallbackTs":1615554923704,"EventInfo":{"RoomId":12345,"EventTs":1615554922,"UserId":"test","UniqueId":1615554922656,"Role":20,"TerminalType":3,"UserType":3,"Reason":1}}`
)

func trtcVector(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newTRTCHandler is newHandler with a TRTC key for signedApp.
func newTRTCHandler(t testing.TB) (*webhook.Handler, *recorder) {
	t.Helper()
	keys, err := webhookauth.NewTRTC(map[uint32]string{signedApp: trtcKey, testApp + 5: "anotherkey"})
	if err != nil {
		t.Fatal(err)
	}
	return newHandler(t, func(o *webhook.Options) {
		o.TRTCAuth = keys
		o.AllowedApps = append(o.AllowedApps, testApp+5)
	})
}

// trtcAnswer is the body of a TRTC event's answer.
type trtcAnswer struct {
	Code    int     `json:"code"`
	Message *string `json:"message"`
}

func decodeTRTCAnswer(raw []byte) (trtcAnswer, error) {
	var a trtcAnswer
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, fmt.Errorf("not the TRTC answer shape: %w", err)
	}
	return a, nil
}

func postTRTC(h http.Handler, target string, headers map[string]string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestTRTCEvents(t *testing.T) {
	vector := trtcVector(t)
	changed := bytes.Replace(vector, []byte("8489"), []byte("8488"), 1)
	app := func(id uint32) string { return fmt.Sprint(id) }
	tests := []struct {
		name    string
		target  string
		headers map[string]string
		body    []byte
		status  int
		code    callback.Code
		msg     string
		typ     gatewayv1.EventType
	}{
		{"Tencent's vector, signed", "/webhook", map[string]string{"SdkAppId": app(signedApp), "Sign": trtcVectorSign}, vector, 200, 0, "", gatewayv1.EventType_EVENT_TYPE_TRTC_AUDIO_STOPPED},
		{"app without a key, unsigned", "/webhook", map[string]string{"SdkAppId": app(testApp)}, []byte(trtcEnterBody), 200, 0, "", gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ENTERED},
		{"URL with other parameters but no command", "/webhook?token=abc", map[string]string{"SdkAppId": app(testApp)}, []byte(trtcEnterBody), 200, 0, "", gatewayv1.EventType_EVENT_TYPE_TRTC_ROOM_ENTERED},
		{"one changed byte", "/webhook", map[string]string{"SdkAppId": app(signedApp), "Sign": trtcVectorSign}, changed, 401, callback.CodeUnauthenticated, "does not match", 0},
		{"wrong key", "/webhook", map[string]string{"SdkAppId": app(signedApp), "Sign": webhookauth.TRTCSign("654321", vector)}, vector, 401, callback.CodeUnauthenticated, "does not match", 0},
		{"missing Sign header", "/webhook", map[string]string{"SdkAppId": app(signedApp)}, vector, 401, callback.CodeUnauthenticated, "header Sign is missing", 0},
		{"another app's key", "/webhook", map[string]string{"SdkAppId": app(testApp + 5), "Sign": trtcVectorSign}, vector, 401, callback.CodeUnauthenticated, "does not match", 0},
		{"missing SdkAppId header", "/webhook", nil, vector, 400, callback.CodeBadQuery, "header SdkAppId is missing", 0},
		{"bad SdkAppId header", "/webhook", map[string]string{"SdkAppId": "app1"}, vector, 400, callback.CodeBadQuery, "header SdkAppId", 0},
		{"app not allowed", "/webhook", map[string]string{"SdkAppId": app(foreignApp)}, vector, 403, callback.CodeAppNotAllowed, "not served", 0},
		{"bad field", "/webhook", map[string]string{"SdkAppId": app(testApp)}, []byte(`{"EventGroupId":1,"EventType":103,"EventInfo":{"RoomId":[]}}`), 400, callback.CodeBadField, "EventInfo.RoomId", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, rec := newTRTCHandler(t)
			w := postTRTC(h, tt.target, tt.headers, tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tt.status, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			a, err := decodeTRTCAnswer(w.Body.Bytes())
			if err != nil {
				t.Fatalf("%v: %s", err, w.Body)
			}
			if tt.status == 200 {
				if w.Body.String() != `{"code":0}` {
					t.Errorf("body %s, want {\"code\":0}", w.Body)
				}
				if rec.len() != 1 || rec.lastEvent().GetType() != tt.typ {
					t.Fatalf("appended %d events, last %v; want one %v", rec.len(), rec.lastEvent().GetType(), tt.typ)
				}
				return
			}
			if a.Code != int(tt.code) || a.Message == nil || !strings.Contains(*a.Message, tt.msg) {
				t.Errorf("answer %s, want code %d with a message containing %q", w.Body, tt.code, tt.msg)
			}
			if rec.len() != 0 {
				t.Errorf("%d events appended for a refused callback", rec.len())
			}
			if strings.Contains(w.Body.String(), trtcKey) || strings.Contains(w.Body.String(), trtcVectorSign) {
				t.Errorf("answer %s reveals the key or the Sign", w.Body)
			}
		})
	}
}

// TestNoCommandNoEventGroupStaysIM checks that a request naming neither a
// command nor an event group gets the IM family's answer, byte for byte as
// before TRTC events were served.
func TestNoCommandNoEventGroupStaysIM(t *testing.T) {
	for _, body := range []string{startBody, `{"EventGroup":1}`, `not json {"EventGroupId":1}`, ``} {
		h, rec := newTRTCHandler(t)
		w := postTRTC(h, "/webhook?SdkAppid=1400000001", map[string]string{"SdkAppId": "1400000001"}, []byte(body))
		want := `{"ActionStatus":"FAIL","ErrorInfo":"query parameter CallbackCommand (or WebhookCommand) is missing: it names the callback, e.g. Call.CallbackAfterStartCall","ErrorCode":40001}`
		if w.Code != 400 || w.Body.String() != want {
			t.Errorf("body %q: %d %s, want 400 %s", body, w.Code, w.Body, want)
		}
		if rec.len() != 0 {
			t.Errorf("body %q appended an event", body)
		}
	}
}

// TestHybridCloudRecordingIsIM checks Live.CallbackAfterCloudRecordingChanged:
// a command in the URL, the family-2 shape in the body, the IM answer.
func TestHybridCloudRecordingIsIM(t *testing.T) {
	h, rec := newTRTCHandler(t)
	body := `{"CallbackCommand":"Live.CallbackAfterCloudRecordingChanged","EventGroupId":3,"EventType":305,"CallbackTs":1752580150082,"EventInfo":{"RoomId":"635055","EventTs":1752580150,"EventMsTs":1752580150081,"UserId":"user1","TaskId":"t","Payload":{"Status":0}}}`
	w := postTRTC(h, "/webhook?"+query(testApp, callback.CommandLiveCloudRecordingChanged), nil, []byte(body))
	if w.Code != 200 || w.Body.String() != `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	ev := rec.lastEvent()
	if ev.GetType() != gatewayv1.EventType_EVENT_TYPE_LIVE_CLOUD_RECORDING_CHANGED || ev.GetTrtcCloudRecording() == nil || ev.GetRoomId() != "635055" {
		t.Fatalf("event %v", ev)
	}
}
