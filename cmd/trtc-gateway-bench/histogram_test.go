package main

import (
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

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
