package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
)

// stuckLog is an event log that never takes an event: it waits for the
// caller's deadline (a slow log) or fails at once (a log that is down).
type stuckLog struct{ down bool }

func (l stuckLog) Append(ctx context.Context, _ *gatewayv1.Event) (uint64, error) {
	if l.down {
		return 0, errors.New("log is down")
	}
	<-ctx.Done()
	return 0, ctx.Err()
}

const (
	giftBody  = `{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"op","RoomId":"r1","GiftWater":{"From_Account":"a","To_Account":["b"],"Time":1703589922,"GiftId":"g","Count":1,"Coins":10}}`
	groupBody = `{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"r1","Type":"AVChatRoom","From_Account":"a","MsgBody":[],"EventTime":1670574414123}`
)

// TestBeforeCallbacksAlwaysAllow checks that a "before" callback is answered
// "allow" whatever the log does and whatever type its fields have, that one
// the log did not take or could not type is counted, and that a body which
// is not JSON is still refused; an "after" callback on the same broken log,
// or with the same wrongly typed field, is refused as before.
func TestBeforeCallbacksAlwaysAllow(t *testing.T) {
	tests := []struct {
		name     string
		log      webhook.Appender
		command  string
		body     string
		status   int
		unlogged float64
		untyped  float64
	}{
		{"gift, log takes it", &recorder{}, "Live.CallbackBeforeSendGift", giftBody, http.StatusOK, 0, 0},
		{"gift, log slow", stuckLog{}, "Live.CallbackBeforeSendGift", giftBody, http.StatusOK, 1, 0},
		{"gift, log down", stuckLog{down: true}, "live.callbackbeforesendgift", giftBody, http.StatusOK, 1, 0},
		{"group message, log slow", stuckLog{}, "Group.CallbackBeforeSendMsg", groupBody, http.StatusOK, 1, 0},
		{"after callback, log down", stuckLog{down: true}, cmdStart, startBody, http.StatusServiceUnavailable, 0, 0},
		{"gift with a field of a new type", &recorder{}, "Live.CallbackBeforeSendGift", `{"RoomId":"r1","GiftWater":{"Count":"many"}}`, http.StatusOK, 0, 1},
		{"gift with a new type, log down", stuckLog{down: true}, "Live.CallbackBeforeSendGift", `{"GiftWater":[]}`, http.StatusOK, 1, 1},
		{"gift that is not JSON", &recorder{}, "Live.CallbackBeforeSendGift", `{"GiftWater":`, http.StatusBadRequest, 0, 0},
		{"after callback with a field of a new type", &recorder{}, cmdStart, `{"UserList":{}}`, http.StatusBadRequest, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			h, err := webhook.New(webhook.Options{
				Log:          tt.log,
				Registerer:   reg,
				BeforeBudget: 1, // a slow log is given up on at once; the answer does not depend on timing
			})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodPost, webhook.Path+"?"+query(testApp, tt.command), strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tt.status, w.Body)
			}
			resp, err := decodeResponse(w.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == http.StatusOK && (resp.ActionStatus != "OK" || resp.ErrorCode != 0 || resp.ErrorInfo != "") {
				t.Errorf("answer %+v, want allow", resp)
			}
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			count := func(name string) float64 {
				var n float64
				for _, mf := range mfs {
					if mf.GetName() == name {
						for _, m := range mf.GetMetric() {
							n += m.GetCounter().GetValue()
						}
					}
				}
				return n
			}
			if n := count("trtcgw_before_callbacks_unlogged_total"); n != tt.unlogged {
				t.Errorf("trtcgw_before_callbacks_unlogged_total = %v, want %v", n, tt.unlogged)
			}
			if n := count("trtcgw_before_callbacks_untyped_total"); n != tt.untyped {
				t.Errorf("trtcgw_before_callbacks_untyped_total = %v, want %v", n, tt.untyped)
			}
			if rec, ok := tt.log.(*recorder); ok && tt.untyped > 0 {
				ev := rec.lastEvent()
				if ev.GetType() != gatewayv1.EventType_EVENT_TYPE_OTHER || ev.GetOther().GetJson() != tt.body || ev.GetCallbackCommand() != tt.command {
					t.Errorf("untyped before callback logged as %v", ev)
				}
			}
		})
	}
}
