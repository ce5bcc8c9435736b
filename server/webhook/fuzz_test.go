package webhook_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// FuzzWebhook drives the whole HTTP handler — method and path checks, query
// parsing, the allowlist, webhook authentication, body limits, decoding and
// the append, and the detection of TRTC events — with fuzzed method, target, Content-Type, one more header,
// body and framing. Whatever comes in, the handler must not panic, must answer
// in its family's JSON shape (Tencent's IM shape, or {"code":…} for a TRTC
// event) with the HTTP status its ErrorCode implies, must
// answer 200 exactly when it appended one event, and must not reveal the token.
func FuzzWebhook(f *testing.F) {
	vector := webhookauth.Sign(testToken, "1669872112")
	for _, seed := range []struct {
		method, target, contentType, headerName, headerValue string
		body                                                 string
		chunked                                              bool
	}{
		{"POST", "/webhook?" + query(testApp, cmdStart), "application/json", "", "", startBody, false},
		{"POST", "/webhook?" + query(testApp, cmdMember), "application/json", "", "", memberBody, true},
		{"POST", "/webhook?" + query(testApp, cmdEnd), "application/json; charset=utf-8", "", "", endBody, false},
		{"POST", "/webhook?" + query(testApp, "Live.CallbackMemberStateChanged"), "", "", "", liveBody, false},
		{"POST", "/webhook?" + query(testApp, "Live.CallbackAfterRoomCreated"), "text/plain", "", "", `{"RoomId":12345,"Owner_Account":["a",7],"EventTime":"1703589922780"}`, false},
		{"POST", "/webhook?" + query(testApp, "Live.CallbackBeforeSendGift"), "application/json", "", "", giftBody, false},
		{"POST", "/webhook?" + query(testApp, "group.callbackbeforesendmsg"), "application/json", "", "", groupBody, true},
		{"POST", "/webhook?" + query(testApp, "Mic.CallbackAfterSeatInfoChanged"), "application/json", "", "", `{"RoomId":"r","SeatList":[{"Index":1},{"Member_Account":144115212830834855}]}`, false},
		{"POST", "/webhook?SdkAppid=1400000002&CallbackCommand=Call.CallbackAfterStartCall&Sign=" + vector + "&RequestTime=1669872112", "application/json", "", "", startBody, false},
		{"POST", "/webhook?SdkAppid=1400000002&CallbackCommand=Call.CallbackAfterStartCall&Sign=00&RequestTime=1", "application/json", "", "", startBody, false},
		{"POST", "/webhook?SdkAppId=1400000001&WebhookCommand=x&sdkappid=1400000001&contenttype=JSON", "application/json", "X-Forwarded-For", "1.2.3.4", `{"a":[{"b":null}]}`, false},
		{"GET", "/webhook?" + query(testApp, cmdStart), "", "", "", "", false},
		{"POST", "/webhook/?" + query(testApp, cmdStart), "multipart/form-data; boundary=x", "", "", startBody, false},
		{"POST", "/webhook?" + query(foreignApp, cmdStart), "application/json", "", "", startBody, false},
		{"POST", "/webhook?" + query(testApp, cmdStart), "application/json", "Content-Encoding", "gzip", "{\"CallInfo\":{\"CallId\":\"\xff\"}}", false},
		{"POST", "/webhook?" + query(testApp, cmdStart), "application/json", "", "", `{"UserList":[{"User_Account":1e400}]`, false},
		{"POST", "/webhook?" + query(testApp, cmdEnd), "application/json", "", "", `{"CallRecord":{"StartTime":-1,"CalleeList_Account":[null,{}]}}`, true},
		{"POST", "/webhook", "application/json", "SdkAppId", "1400000001", trtcEnterBody, false},
		{"POST", "/webhook", "application/json", "SdkAppId", "1400000002", trtcEnterBody, false},
		{"POST", "/webhook", "application/json", "Sign", trtcVectorSign, trtcEnterBody, false},
		{"POST", "/webhook?SdkAppid=1400000001", "application/json", "SdkAppId", "1400000001", `{"EventGroupId":3,"EventType":310,"EventInfo":{"RoomId":"r","Payload":{"FileMessage":[{"UserId":7,"StartTimeStamp":"1"}]}}}`, true},
		{"POST", "/webhook", "", "SdkAppId", "1400000001", `{"EventGroupId":9,"EventType":999,"EventInfo":{"RoomId":1.5}}`, false},
		{"POST", "/webhook?" + query(testApp, "Live.CallbackAfterCloudRecordingChanged"), "application/json", "", "", `{"EventGroupId":3,"EventType":305,"EventInfo":{"RoomId":"1","Payload":{"Status":0}}}`, false},
	} {
		f.Add(seed.method, seed.target, seed.contentType, seed.headerName, seed.headerValue, []byte(seed.body), seed.chunked)
	}

	h, rec := newTRTCHandler(f)
	f.Fuzz(func(t *testing.T, method, target, contentType, headerName, headerValue string, body []byte, chunked bool) {
		var rd io.Reader = bytes.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // hides the length, as a chunked body has none
		}
		req, err := http.NewRequest(method, "http://gateway.test"+target, rd)
		if err != nil {
			t.Skip() // an invalid method or URL never reaches a handler
		}
		req.RemoteAddr = "192.0.2.1:1234"
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if headerName != "" {
			req.Header.Set(headerName, headerValue)
		}
		before := rec.len()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		appended := rec.len() - before

		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type %q", ct)
		}
		if bytes.HasPrefix(w.Body.Bytes(), []byte(`{"code":`)) {
			// A TRTC event (no command in the URL, EventGroupId in the body).
			a, err := decodeTRTCAnswer(w.Body.Bytes())
			if err != nil {
				t.Fatalf("%v: %q", err, w.Body.Bytes())
			}
			if w.Code == http.StatusOK {
				if w.Body.String() != `{"code":0}` || appended != 1 {
					t.Fatalf("200 with %s and %d events appended", w.Body, appended)
				}
			} else if a.Code == 0 || a.Message == nil || *a.Message == "" || callback.Code(a.Code).HTTPStatus() != w.Code || appended != 0 {
				t.Fatalf("status %d with %s and %d events appended", w.Code, w.Body, appended)
			}
			if strings.Contains(w.Body.String(), trtcKey) && !strings.Contains(string(body)+headerValue, trtcKey) {
				t.Fatalf("answer %s reveals the TRTC key", w.Body)
			}
			return
		}
		tr, err := decodeResponse(w.Body.Bytes())
		if err != nil {
			t.Fatalf("%v: %q", err, w.Body.Bytes())
		}
		if w.Code == http.StatusOK {
			if tr != (tencentResponse{ActionStatus: "OK"}) || appended != 1 {
				t.Fatalf("200 with %+v and %d events appended", tr, appended)
			}
		} else {
			if tr.ActionStatus != "FAIL" || tr.ErrorCode == 0 || tr.ErrorInfo == "" || callback.Code(tr.ErrorCode).HTTPStatus() != w.Code {
				t.Fatalf("status %d with %+v", w.Code, tr)
			}
			if appended != 0 {
				t.Fatalf("status %d (%+v) but %d events appended", w.Code, tr, appended)
			}
		}
		sent := method + target + contentType + headerValue + string(body)
		if strings.Contains(tr.ErrorInfo, testToken) && !strings.Contains(sent, testToken) {
			t.Fatalf("ErrorInfo %q reveals the token", tr.ErrorInfo)
		}
	})
}
