package api

import (
	"fmt"
	"sync/atomic"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// Codec returns the gRPC codec the gateway's server should use (with
// grpc.ForceServerCodecV2): plain protobuf, except that an event prepared by
// the EventService is written as the bytes it was encoded to once and
// shared by every stream it goes to, so the work per subscriber is only the
// copy into its stream. Without it the service still works, encoding each
// event once per stream.
func Codec() encoding.CodecV2 { return preparedCodec{base: encoding.GetCodecV2(grpcproto.Name)} }

type preparedCodec struct{ base encoding.CodecV2 }

// Name is "proto": the codec speaks the protobuf wire format.
func (c preparedCodec) Name() string { return grpcproto.Name }

// Marshal returns a prepared event's shared bytes and encodes anything else.
func (c preparedCodec) Marshal(v any) (mem.BufferSlice, error) {
	if p, ok := v.(*preparedEvent); ok {
		return p.data, nil
	}
	return c.base.Marshal(v)
}

// Unmarshal decodes protobuf.
func (c preparedCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.base.Unmarshal(data, v) }

// preparedEvent is a SubscribeResponse carrying one event, with its
// protobuf encoding. It is a proto.Message (its ProtoReflect is the
// response's), so a server without Codec still sends it correctly.
type preparedEvent struct {
	ev   *gatewayv1.Event
	msg  *gatewayv1.SubscribeResponse
	wire []byte
	// data is wire as gRPC sends it, built once: a SliceBuffer is never
	// returned to a pool and gRPC only reads it, so every stream can share it.
	data mem.BufferSlice
}

// ProtoReflect returns the response's reflection, for codecs other than Codec.
func (p *preparedEvent) ProtoReflect() protoreflect.Message { return p.msg.ProtoReflect() }

// preparedSlots is how many recent events keep their encoding: enough for a
// subscriber a whole default queue behind the newest event.
const preparedSlots = 4096

// preparedCache keeps the encoding of recently sent events, indexed by
// sequence, so that an event matched by many subscribers is encoded once.
// A slot remembers which *Event it was encoded from: another copy of an
// event (a replay read from a durable log) or an event of another epoch
// never gets the wrong bytes, it is just encoded again. Safe for concurrent
// use; two streams missing the same slot at once both encode, harmlessly.
type preparedCache struct {
	slots [preparedSlots]atomic.Pointer[preparedEvent]
}

// get returns ev prepared for sending.
func (c *preparedCache) get(ev *gatewayv1.Event) (*preparedEvent, error) {
	slot := &c.slots[ev.GetSequence()%preparedSlots]
	if p := slot.Load(); p != nil && p.ev == ev {
		return p, nil
	}
	msg := &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}}
	wire, err := proto.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("encoding event %d: %w", ev.GetSequence(), err)
	}
	p := &preparedEvent{ev: ev, msg: msg, wire: wire, data: mem.BufferSlice{mem.SliceBuffer(wire)}}
	slot.Store(p)
	return p, nil
}
