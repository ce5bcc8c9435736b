package main

import (
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// TestParseJSONLine reads lines as the gateway's JSON listener writes them
// (its grpc-gateway marshaler, the stream's {"result": …} chunks, and the
// error chunk that ends a stream).
func TestParseJSONLine(t *testing.T) {
	m := &runtime.JSONPb{}
	line := func(resp *gatewayv1.SubscribeResponse) []byte {
		b, err := m.Marshal(map[string]any{"result": resp})
		if err != nil {
			t.Fatal(err)
		}
		return append(b, '\n')
	}
	const id = "5f0c4d2b9a1e8f7c6b5a4d3c2b1a0f9e"
	key, _ := idKey(id)
	ev := &gatewayv1.Event{
		Sequence: 18446744073709551615, Epoch: "0123456789abcdef", Id: id, CallId: "call-1",
		Payload: &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{CallId: "call-1"}},
	}
	for _, tc := range []struct {
		name string
		line []byte
		want jsonLine
		code codes.Code
	}{
		{"event", line(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}}),
			jsonLine{event: true, seq: 18446744073709551615, key: key, hasKey: true}, codes.OK},
		{"heartbeat", line(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: &gatewayv1.Heartbeat{HeadSequence: 4}}}),
			jsonLine{}, codes.OK},
		{"cut off", []byte(`{"error":{"code":8,"message":"the subscriber fell behind","details":[]}}` + "\n"), jsonLine{}, codes.ResourceExhausted},
	} {
		got, err := parseJSONLine(tc.line)
		if status.Code(err) != tc.code {
			t.Errorf("%s: error %v, want code %v", tc.name, err, tc.code)
		}
		if got != tc.want {
			t.Errorf("%s: parsed %+v from %s, want %+v", tc.name, got, tc.line, tc.want)
		}
	}
	if _, err := parseJSONLine([]byte(`{"result":{"event":{"epoch":"x"}}}`)); err == nil {
		t.Error("an event line without a sequence parsed without error")
	}
}
