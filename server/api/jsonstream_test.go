package api

import (
	"bytes"
	"context"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// jsonPb is the marshaler the gateway's ServeMux uses.
func jsonPb() *runtime.JSONPb { return &runtime.JSONPb{} }

func wireOf(t testing.TB, resp *gatewayv1.SubscribeResponse) mem.BufferSlice {
	t.Helper()
	b, err := proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}
}

func eventResponse(ev *gatewayv1.Event) *gatewayv1.SubscribeResponse {
	return &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}}
}

// TestJSONStreamSharesOneLine: two streams receiving the same event bytes get
// one decoded event and one JSON line, and the line is exactly what the
// marshaler writes for a stream message.
func TestJSONStreamSharesOneLine(t *testing.T) {
	m := jsonPb()
	j := NewJSONStream(m)
	codec := j.ClientCodec()
	ev := &gatewayv1.Event{Sequence: 42, Id: "abc", CallId: "call-1", UserAccounts: []string{"144115212830834855"}}
	wire := wireOf(t, eventResponse(ev))
	want, err := m.Marshal(map[string]any{"result": eventResponse(ev)})
	if err != nil {
		t.Fatal(err)
	}
	var a, b gatewayv1.SubscribeResponse
	if err := codec.Unmarshal(wire, &a); err != nil {
		t.Fatal(err)
	}
	if err := codec.Unmarshal(wire, &b); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(a.GetEvent(), ev) {
		t.Fatalf("decoded %v, want %v", a.GetEvent(), ev)
	}
	if a.GetEvent() != b.GetEvent() {
		t.Error("the second stream decoded the same bytes again instead of sharing the event")
	}
	var lines [][]byte
	for _, r := range []*gatewayv1.SubscribeResponse{&a, &b} {
		out, err := j.Rewrite(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		body, ok := out.(*httpbody.HttpBody)
		if !ok {
			t.Fatalf("rewrote to %T, want *httpbody.HttpBody", out)
		}
		if !bytes.Equal(body.GetData(), want) {
			t.Errorf("line %s, want %s", body.GetData(), want)
		}
		lines = append(lines, body.GetData())
	}
	if &lines[0][0] != &lines[1][0] {
		t.Error("the event was encoded to JSON twice")
	}
}

// TestJSONStreamSharesOnlyTheSameBytes: another event with the same
// sequence (another epoch, a slot reused preparedSlots later) is decoded
// and encoded on its own, and heartbeats and other messages pass unchanged.
func TestJSONStreamSharesOnlyTheSameBytes(t *testing.T) {
	m := jsonPb()
	j := NewJSONStream(m)
	codec := j.ClientCodec()
	first := &gatewayv1.Event{Sequence: 9, Id: "first"}
	var a gatewayv1.SubscribeResponse
	if err := codec.Unmarshal(wireOf(t, eventResponse(first)), &a); err != nil {
		t.Fatal(err)
	}
	for _, other := range []*gatewayv1.Event{{Sequence: 9, Id: "second"}, {Sequence: 9 + preparedSlots, Id: "later"}} {
		var b gatewayv1.SubscribeResponse
		if err := codec.Unmarshal(wireOf(t, eventResponse(other)), &b); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(b.GetEvent(), other) {
			t.Errorf("decoded %v, want %v", b.GetEvent(), other)
		}
		out, err := j.Rewrite(context.Background(), &b)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := m.Marshal(map[string]any{"result": eventResponse(other)})
		if body, ok := out.(*httpbody.HttpBody); !ok || !bytes.Equal(body.GetData(), want) {
			t.Errorf("rewrote %v to %v, want the line %s", other, out, want)
		}
	}
	// The first stream's event was replaced in its slot: it is encoded as usual.
	if out, err := j.Rewrite(context.Background(), &a); err != nil || out != proto.Message(&a) {
		t.Errorf("a replaced event rewrote to %v, %v; want it unchanged", out, err)
	}
	hb := &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: &gatewayv1.Heartbeat{HeadSequence: 5}}}
	var back gatewayv1.SubscribeResponse
	if err := codec.Unmarshal(wireOf(t, hb), &back); err != nil || !proto.Equal(&back, hb) {
		t.Errorf("heartbeat decoded to %v, %v", &back, err)
	}
	if out, err := j.Rewrite(context.Background(), &back); err != nil || out != proto.Message(&back) {
		t.Errorf("heartbeat rewrote to %v, %v; want it unchanged", out, err)
	}
	req := &gatewayv1.SubscribeRequest{CallIds: []string{"c"}}
	var reqBack gatewayv1.SubscribeRequest
	enc, err := codec.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := codec.Unmarshal(enc, &reqBack); err != nil || !proto.Equal(&reqBack, req) {
		t.Errorf("request round trip %v, %v", &reqBack, err)
	}
}
