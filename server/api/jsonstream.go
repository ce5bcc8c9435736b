package api

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// The JSON stream (/v1/events:subscribe) is grpc-gateway reading a gRPC
// Subscribe stream over the in-process connection and writing each message
// as a JSON line. Done naively, every JSON subscriber decodes the protobuf
// of every event and encodes it to JSON again: with a hundred of them, a
// hundred decodes and a hundred JSON encodings of the same event. JSONStream
// does each once per event: the gRPC side already sends every stream the
// same prepared bytes (Codec), so the in-process client's codec recognises
// bytes it has decoded before and hands every stream the same decoded
// *Event, and grpc-gateway's response rewriter turns that shared event into
// the JSON line encoded the first time it was written.

// JSONMarshaler is what JSONStream encodes a line with: grpc-gateway's
// runtime.Marshaler, of which only Marshal is needed.
type JSONMarshaler interface {
	Marshal(v any) ([]byte, error)
}

// JSONStream shares the decoding and the JSON encoding of each event among
// the JSON API's subscribers. Use ClientCodec on the in-process connection
// grpc-gateway dials and Rewrite as its ServeMux's forward-response
// rewriter. Safe for concurrent use.
type JSONStream struct {
	marshaler JSONMarshaler
	base      encoding.CodecV2
	slots     [preparedSlots]atomic.Pointer[jsonEvent]
}

// jsonEvent is one event as the JSON streams share it: the wire bytes it
// was decoded from, the decoded event, and its JSON line, encoded once by
// whichever stream writes it first.
type jsonEvent struct {
	wire []byte
	ev   *gatewayv1.Event
	once sync.Once
	line []byte
	err  error
}

// NewJSONStream returns a JSONStream that encodes lines with m, the
// marshaler the ServeMux uses for everything else, so a shared line is
// byte for byte what the mux would have written.
func NewJSONStream(m JSONMarshaler) *JSONStream {
	return &JSONStream{marshaler: m, base: encoding.GetCodecV2(grpcproto.Name)}
}

// ClientCodec is the codec of the in-process connection (with
// grpc.ForceCodecV2): protobuf, except that a SubscribeResponse whose bytes
// equal those of an event decoded before gets that decoded event.
func (j *JSONStream) ClientCodec() encoding.CodecV2 { return jsonStreamCodec{j} }

type jsonStreamCodec struct{ j *JSONStream }

// Name is "proto": the codec speaks the protobuf wire format.
func (c jsonStreamCodec) Name() string { return grpcproto.Name }

// Marshal encodes requests as protobuf.
func (c jsonStreamCodec) Marshal(v any) (mem.BufferSlice, error) { return c.j.base.Marshal(v) }

// Unmarshal decodes protobuf, sharing the events of SubscribeResponses.
func (c jsonStreamCodec) Unmarshal(data mem.BufferSlice, v any) error {
	resp, ok := v.(*gatewayv1.SubscribeResponse)
	if !ok {
		return c.j.base.Unmarshal(data, v)
	}
	var wire []byte
	if len(data) == 1 {
		wire = data[0].ReadOnlyData()
	} else {
		wire = data.Materialize()
	}
	seq, ok := eventSequence(wire)
	if !ok {
		return proto.Unmarshal(wire, resp)
	}
	slot := &c.j.slots[seq%preparedSlots]
	if e := slot.Load(); e != nil && bytes.Equal(e.wire, wire) {
		resp.Kind = &gatewayv1.SubscribeResponse_Event{Event: e.ev}
		return nil
	}
	// The buffers are the transport's and go back to its pool: keep a copy.
	own := bytes.Clone(wire)
	if err := proto.Unmarshal(own, resp); err != nil {
		return err
	}
	if ev := resp.GetEvent(); ev != nil {
		slot.Store(&jsonEvent{wire: own, ev: ev})
	}
	return nil
}

// eventSequence reads the sequence of the event in a SubscribeResponse's
// wire bytes (field 1, the Event, whose field 1 is the sequence); ok is
// false for anything else, such as a heartbeat.
func eventSequence(b []byte) (seq uint64, ok bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num != 1 || typ != protowire.BytesType {
		return 0, false
	}
	ev, n := protowire.ConsumeBytes(b[n:])
	if n < 0 {
		return 0, false
	}
	num, typ, n = protowire.ConsumeTag(ev)
	if n < 0 || num != 1 || typ != protowire.VarintType {
		return 0, false
	}
	seq, n = protowire.ConsumeVarint(ev[n:])
	return seq, n >= 0
}

// Rewrite is the ServeMux's forward-response rewriter
// (runtime.WithForwardResponseRewriter): a SubscribeResponse carrying a
// shared event becomes that event's JSON line, as an HttpBody grpc-gateway
// writes as it is; anything else passes unchanged.
func (j *JSONStream) Rewrite(_ context.Context, resp proto.Message) (any, error) {
	r, ok := resp.(*gatewayv1.SubscribeResponse)
	if !ok {
		return resp, nil
	}
	ev := r.GetEvent()
	if ev == nil {
		return resp, nil
	}
	e := j.slots[ev.GetSequence()%preparedSlots].Load()
	if e == nil || e.ev != ev {
		// Replaced since it was decoded: encode it as usual.
		return resp, nil
	}
	e.once.Do(func() {
		// The same value grpc-gateway marshals for a stream message, so the
		// line is what it would have written.
		e.line, e.err = j.marshaler.Marshal(map[string]any{"result": r})
		if e.err != nil {
			e.err = fmt.Errorf("encoding event %d to JSON: %w", ev.GetSequence(), e.err)
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	return &httpbody.HttpBody{ContentType: "application/json", Data: e.line}, nil
}
