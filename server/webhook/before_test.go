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
// "allow" whatever the log does, and that one the log did not take is
// counted; an "after" callback on the same broken log is refused as before.
func TestBeforeCallbacksAlwaysAllow(t *testing.T) {
	tests := []struct {
		name     string
		log      webhook.Appender
		command  string
		body     string
		status   int
		unlogged float64
	}{
		{"gift, log takes it", &recorder{}, "Live.CallbackBeforeSendGift", giftBody, http.StatusOK, 0},
		{"gift, log slow", stuckLog{}, "Live.CallbackBeforeSendGift", giftBody, http.StatusOK, 1},
		{"gift, log down", stuckLog{down: true}, "live.callbackbeforesendgift", giftBody, http.StatusOK, 1},
		{"group message, log slow", stuckLog{}, "Group.CallbackBeforeSendMsg", groupBody, http.StatusOK, 1},
		{"after callback, log down", stuckLog{down: true}, cmdStart, startBody, http.StatusServiceUnavailable, 0},
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
			var unlogged float64
			for _, mf := range mfs {
				if mf.GetName() == "trtcgw_before_callbacks_unlogged_total" {
					for _, m := range mf.GetMetric() {
						unlogged += m.GetCounter().GetValue()
					}
				}
			}
			if unlogged != tt.unlogged {
				t.Errorf("trtcgw_before_callbacks_unlogged_total = %v, want %v", unlogged, tt.unlogged)
			}
		})
	}
}
