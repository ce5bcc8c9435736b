package api

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

func TestPreparedEventWire(t *testing.T) {
	ev := &gatewayv1.Event{Sequence: 7, Id: "abc", CallId: "call-1", UserAccounts: []string{"144115212830834855"}}
	want, err := proto.Marshal(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}})
	if err != nil {
		t.Fatal(err)
	}
	var c preparedCache
	p, err := c.get(ev)
	if err != nil {
		t.Fatal(err)
	}
	for name, codec := range map[string]encoding.CodecV2{
		"Codec":         Codec(),
		"default proto": encoding.GetCodecV2(grpcproto.Name), // a server without Codec
	} {
		got, err := codec.Marshal(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Materialize(), want) {
			t.Errorf("%s: wire %x, want %x", name, got.Materialize(), want)
		}
		var back gatewayv1.SubscribeResponse
		if err := Codec().Unmarshal(got, &back); err != nil || !proto.Equal(back.GetEvent(), ev) {
			t.Errorf("%s: decoded %v, %v", name, &back, err)
		}
	}
}

func TestPreparedCacheSharesOnlyTheSameEvent(t *testing.T) {
	var c preparedCache
	ev := &gatewayv1.Event{Sequence: 9, Id: "first"}
	p1, _ := c.get(ev)
	p2, _ := c.get(ev)
	if p1 != p2 {
		t.Error("the same event was encoded twice")
	}
	// Another event with the same sequence (another epoch, or a copy read
	// back from a durable log) must not get the first one's bytes.
	other := &gatewayv1.Event{Sequence: 9, Id: "second"}
	p3, _ := c.get(other)
	var back gatewayv1.SubscribeResponse
	if err := proto.Unmarshal(p3.wire, &back); err != nil || back.GetEvent().GetId() != "second" {
		t.Errorf("sequence 9 again decoded to %v, %v", &back, err)
	}
	// A sequence preparedSlots later shares the slot and replaces it.
	later := &gatewayv1.Event{Sequence: 9 + preparedSlots, Id: "later"}
	p4, _ := c.get(later)
	if p4.ev != later {
		t.Error("slot reuse returned another event")
	}
}
