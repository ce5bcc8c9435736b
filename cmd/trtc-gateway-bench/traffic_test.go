package main

import (
	"net/url"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// TestTrafficDecodes checks that every generated callback is one the gateway
// accepts, with a unique id, and that calls run start → members → end.
func TestTrafficDecodes(t *testing.T) {
	tr := &traffic{apps: defaultApps[:4], liveShare: 0.2, activeCalls: 8, runID: 0xbe4c4001}
	ids := make(map[string]bool)
	types := make(map[gatewayv1.EventType]int)
	type callSeen struct{ started, ended bool }
	calls := make(map[string]*callSeen)
	now := time.Unix(1740464128, 0)
	for g := range 4 {
		gen := newGenerator(tr, g, func() time.Time { return now })
		for range 5000 {
			wh := gen.next()
			q, err := url.ParseQuery(webhookQuery(wh.app, wh.command, "203.0.113.7"))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := callback.Decode(q, wh.body, now)
			if err != nil {
				t.Fatalf("generated callback rejected: %v\n%s", err, wh.body)
			}
			if ids[ev.GetId()] {
				t.Fatalf("id %s repeated:\n%s", ev.GetId(), wh.body)
			}
			ids[ev.GetId()] = true
			types[ev.GetType()]++
			if ev.GetSdkAppId() != wh.app {
				t.Errorf("app %d, want %d", ev.GetSdkAppId(), wh.app)
			}
			if wh.call < 0 {
				if ev.GetCallId() != "" || ev.GetRoomId() == "" {
					t.Errorf("live event with call %q room %q", ev.GetCallId(), ev.GetRoomId())
				}
				continue
			}
			if ev.GetCallId() != tr.CallID(wh.call) {
				t.Fatalf("call %d has CallId %q, want %q", wh.call, ev.GetCallId(), tr.CallID(wh.call))
			}
			c := calls[ev.GetCallId()]
			if c == nil {
				c = &callSeen{}
				calls[ev.GetCallId()] = c
			}
			switch ev.GetType() {
			case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED:
				if c.started {
					t.Errorf("call %s started twice", ev.GetCallId())
				}
				c.started = true
			case gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
				if !c.started || c.ended {
					t.Errorf("call %s ended before starting or twice", ev.GetCallId())
				}
				c.ended = true
			default:
				if !c.started || c.ended {
					t.Errorf("call %s changed members outside the call", ev.GetCallId())
				}
			}
		}
	}
	for _, typ := range []gatewayv1.EventType{
		gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED,
		gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED,
	} {
		if types[typ] < 1000 {
			t.Errorf("only %d events of type %s in 20,000", types[typ], typ)
		}
	}
	if tr.IdleCallID(0) == tr.CallID(0) {
		t.Error("idle CallIds collide with the run's")
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 100_000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {0.999, 99900 * time.Microsecond}, {1, 100 * time.Millisecond}} {
		got := h.quantile(tc.q)
		if d := float64(got-tc.want) / float64(tc.want); d < 0 || d > 0.01 {
			t.Errorf("quantile(%v) = %v, want %v within +1%%", tc.q, got, tc.want)
		}
	}
	for v := int64(0); v < 1<<20; v += 7 {
		if b := bucketOf(v); bucketUpper(b) < v || (b > 0 && bucketUpper(b-1) >= v) {
			t.Fatalf("value %d in bucket %d with upper bound %d", v, b, bucketUpper(b))
		}
	}
}

func TestFrameParse(t *testing.T) {
	ev := &gatewayv1.Event{Sequence: 42, Id: "0123456789abcdef0123456789abcdef", CallId: "c", UserAccounts: []string{"a", "b"}}
	b, err := frameCodec{}.Marshal(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}})
	if err != nil {
		t.Fatal(err)
	}
	var f frame
	if err := (frameCodec{}).Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.heartbeat || f.seq != 42 || !f.hasKey || f.key != 0x0123456789abcdef {
		t.Errorf("frame %+v", f)
	}
	hb, _ := frameCodec{}.Marshal(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: &gatewayv1.Heartbeat{HeadSequence: 7}}})
	if err := (frameCodec{}).Unmarshal(hb, &f); err != nil || !f.heartbeat || f.hasKey {
		t.Errorf("heartbeat frame %+v, %v", f, err)
	}
}
