package api

import (
	"context"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// BenchmarkStreamEncoding measures the encoding work of sending one event
// to 100 subscribers: once per subscriber (what a plain Send does), and
// once for all of them through the prepared cache and Codec.
func BenchmarkStreamEncoding(b *testing.B) {
	payload := &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{
		CallId: "055662e1-bc8a-469c-a334-1126c8c17d58",
		UserList: []*gatewayv1.CallMember{
			{UserAccount: "user1", StatusText: "Calling"}, {UserAccount: "144115212948889925", StatusText: "Calling"},
		},
		ChangedUserList: []*gatewayv1.MemberChange{{UserAccount: "144115212948889925", ActionTypeText: "Answer"}},
	}}
	eventTime, receivedAt := timestamppb.New(time.UnixMilli(1740464128807)), timestamppb.Now()
	// Each iteration sends a new event, as a live stream does.
	newEvent := func(seq uint64) *gatewayv1.Event {
		return &gatewayv1.Event{
			Sequence: seq, Epoch: "0123456789abcdef", Id: "5f0c4d2b9a1e8f7c6b5a4d3c2b1a0f9e",
			Type: gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, CallbackCommand: "Call.CallbackAfterMemberChanged",
			SdkAppId: 1400000001, EventTime: eventTime, ReceivedAt: receivedAt,
			ClientIp: "203.0.113.7", OptPlatform: "iOS", ContentType: "json",
			CallId: "055662e1-bc8a-469c-a334-1126c8c17d58", UserAccounts: []string{"user1", "144115212948889925"},
			Payload: payload,
		}
	}
	const subscribers = 100
	codec := Codec()
	b.Run("per-subscriber", func(b *testing.B) {
		b.ReportAllocs()
		for i := uint64(0); b.Loop(); i++ {
			ev := newEvent(i)
			for range subscribers {
				data, err := codec.Marshal(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}})
				if err != nil {
					b.Fatal(err)
				}
				data.Free()
			}
		}
	})
	b.Run("prepared-once", func(b *testing.B) {
		b.ReportAllocs()
		var cache preparedCache
		for i := uint64(0); b.Loop(); i++ {
			ev := newEvent(i)
			for range subscribers {
				p, err := cache.get(ev)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := codec.Marshal(p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkJSONStream measures what the JSON API does per event for 100
// subscribers on /v1/events:subscribe: each stream's in-process client
// decodes the event's protobuf and grpc-gateway encodes it to a JSON line.
// "per-stream" is grpc-gateway's own way (one decode and one JSON encoding
// per stream); "shared" goes through JSONStream, as the gateway does.
func BenchmarkJSONStream(b *testing.B) {
	payload := &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{
		CallId: "055662e1-bc8a-469c-a334-1126c8c17d58",
		UserList: []*gatewayv1.CallMember{
			{UserAccount: "user1", StatusText: "Calling"}, {UserAccount: "144115212948889925", StatusText: "Calling"},
		},
		ChangedUserList: []*gatewayv1.MemberChange{{UserAccount: "144115212948889925", ActionTypeText: "Answer"}},
	}}
	eventTime, receivedAt := timestamppb.New(time.UnixMilli(1740464128807)), timestamppb.Now()
	wireOf := func(seq uint64) mem.BufferSlice {
		var c preparedCache
		p, err := c.get(&gatewayv1.Event{
			Sequence: seq, Epoch: "0123456789abcdef", Id: "5f0c4d2b9a1e8f7c6b5a4d3c2b1a0f9e",
			Type: gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, CallbackCommand: "Call.CallbackAfterMemberChanged",
			SdkAppId: 1400000001, EventTime: eventTime, ReceivedAt: receivedAt,
			ClientIp: "203.0.113.7", OptPlatform: "iOS", ContentType: "json",
			CallId: "055662e1-bc8a-469c-a334-1126c8c17d58", UserAccounts: []string{"user1", "144115212948889925"},
			Payload: payload,
		})
		if err != nil {
			b.Fatal(err)
		}
		return p.data
	}
	const subscribers = 100
	m := &runtime.JSONPb{}
	shared := NewJSONStream(m)
	type way struct {
		name  string
		codec encoding.CodecV2
		line  func(*gatewayv1.SubscribeResponse) ([]byte, error)
	}
	for _, bm := range []way{
		{"per-stream", encoding.GetCodecV2(grpcproto.Name), func(r *gatewayv1.SubscribeResponse) ([]byte, error) {
			return m.Marshal(map[string]any{"result": r})
		}},
		{"shared", shared.ClientCodec(), func(r *gatewayv1.SubscribeResponse) ([]byte, error) {
			out, err := shared.Rewrite(context.Background(), r)
			if err != nil {
				return nil, err
			}
			if body, ok := out.(*httpbody.HttpBody); ok {
				return body.GetData(), nil
			}
			return m.Marshal(map[string]any{"result": out})
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			// Each iteration is a new event, sent to every stream, as a live stream does.
			for i := uint64(0); b.Loop(); i++ {
				wire := wireOf(i)
				for range subscribers {
					// What the generated client's Recv does: a new message per message.
					resp := new(gatewayv1.SubscribeResponse)
					if err := bm.codec.Unmarshal(wire, resp); err != nil {
						b.Fatal(err)
					}
					if _, err := bm.line(resp); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
