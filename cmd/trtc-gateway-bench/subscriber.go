package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

const subscribeMethod = "/trtc.gateway.v1.EventService/Subscribe"

var subscribeDesc = grpc.StreamDesc{StreamName: "Subscribe", ServerStreams: true}

// frame is what a subscriber keeps of one SubscribeResponse: the event's
// sequence and the key of its id. Decoding only these two fields, straight
// from the wire, keeps the subscribers' CPU cost far below the gateway's.
type frame struct {
	heartbeat bool
	seq       uint64
	key       uint64
	hasKey    bool
}

// frameCodec sends requests as protobuf and reads responses into a frame.
// It is named "proto" so the gateway treats the call as any other.
type frameCodec struct{}

func (frameCodec) Name() string { return "proto" }

func (frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("frameCodec: cannot marshal %T", v)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("frameCodec: cannot unmarshal into %T", v)
	}
	if len(data) == 1 {
		return f.parse(data[0].ReadOnlyData())
	}
	return f.parse(data.Materialize())
}

var errBadFrame = errors.New("malformed SubscribeResponse")

// parse reads a SubscribeResponse: field 1 is the Event (whose field 1 is
// the sequence and field 3 the id), field 2 a Heartbeat.
func (f *frame) parse(b []byte) error {
	*f = frame{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadFrame
		}
		b = b[n:]
		if num == 1 && typ == protowire.BytesType {
			ev, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errBadFrame
			}
			b = b[n:]
			if err := f.parseEvent(ev); err != nil {
				return err
			}
			continue
		}
		if num == 2 {
			f.heartbeat = true
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return errBadFrame
		}
		b = b[n:]
	}
	return nil
}

func (f *frame) parseEvent(b []byte) error {
	// Fields are written in number order, so the rest can be skipped once
	// the id (field 3) is read.
	for len(b) > 0 && !f.hasKey {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadFrame
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errBadFrame
			}
			f.seq, b = v, b[n:]
		case num == 3 && typ == protowire.BytesType:
			id, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errBadFrame
			}
			f.key, f.hasKey = idKey(id)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errBadFrame
			}
			b = b[n:]
		}
	}
	return nil
}

// idKey is the first 64 bits of an event id (lowercase hex): unique enough
// among one run's callbacks, and a cheap map key.
func idKey[S ~string | ~[]byte](id S) (uint64, bool) {
	if len(id) < 16 {
		return 0, false
	}
	var k uint64
	for i := range 16 {
		c := id[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		k = k<<4 | uint64(c)
	}
	return k, true
}

// subscriber is one Subscribe stream and what it measured.
type subscriber struct {
	kind string
	req  *gatewayv1.SubscribeRequest
	// everyEvent says the subscriber's filter takes every event, so each
	// sequence after its first must be the one after the last.
	everyEvent bool
	// pace, when positive, is the most events a second it reads: a client
	// slower than the callbacks arrive.
	pace int

	hist       histogram // send → receipt, for callbacks sent in the window
	received   uint64    // events received in all
	inWindow   uint64    // events received while measuring
	unmatched  uint64    // events whose id this run never sent
	outOfOrder uint64    // events whose sequence was not after the previous one
	gaps       uint64    // with everyEvent, times a sequence was skipped
	last       uint64
	// end is how the stream ended: nil when the benchmark closed it.
	end error
}

// subscriberSet runs subscribers over a few shared gRPC connections.
type subscriberSet struct {
	conns []*grpc.ClientConn
	subs  []*subscriber
	wg    sync.WaitGroup
	// received counts events across subscribers, for draining.
	received atomic.Uint64
}

func dialSubscribers(addr string, n int) (*subscriberSet, error) {
	set := &subscriberSet{}
	for range max(n, 1) {
		cc, err := grpc.NewClient("passthrough:///"+addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodecV2(frameCodec{})),
			// Subscribers read everything: generous windows keep flow
			// control from pacing the gateway.
			grpc.WithInitialWindowSize(1<<20),
			grpc.WithInitialConnWindowSize(8<<20),
		)
		if err != nil {
			set.close()
			return nil, err
		}
		set.conns = append(set.conns, cc)
	}
	return set, nil
}

// open starts a Subscribe stream for s and reads it in a goroutine until
// ctx ends or the stream does.
func (set *subscriberSet) open(ctx context.Context, r *session, s *subscriber) error {
	cc := set.conns[len(set.subs)%len(set.conns)]
	set.subs = append(set.subs, s)
	cs, err := cc.NewStream(ctx, &subscribeDesc, subscribeMethod)
	if err != nil {
		return err
	}
	if err := cs.SendMsg(s.req); err != nil {
		return err
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	set.wg.Add(1)
	go func() {
		defer set.wg.Done()
		s.end = set.read(ctx, r, s, cs)
	}()
	return nil
}

func (set *subscriberSet) read(ctx context.Context, r *session, s *subscriber, cs grpc.ClientStream) error {
	var f frame
	var paceStart time.Time
	for {
		if s.pace > 0 {
			// Read no faster than pace: the stream's flow control then
			// stalls the gateway's sends, as a slow client's does.
			if paceStart.IsZero() {
				paceStart = time.Now()
			}
			due := paceStart.Add(time.Duration(s.received) * time.Second / time.Duration(s.pace))
			if wait := time.Until(due); wait > time.Millisecond {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil
				}
			}
		}
		if err := cs.RecvMsg(&f); err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) || status.Code(err) == codes.Canceled {
				return nil
			}
			return err
		}
		if f.heartbeat {
			continue
		}
		now := r.clock.now()
		s.received++
		set.received.Add(1)
		if f.seq <= s.last {
			s.outOfOrder++
		} else if s.everyEvent && s.last != 0 && f.seq != s.last+1 {
			s.gaps++
		}
		s.last = f.seq
		if r.measuring() {
			s.inWindow++
		}
		sent, ok := int64(0), false
		if f.hasKey {
			sent, ok = r.sent.get(f.key)
		}
		if !ok {
			s.unmatched++
			continue
		}
		if r.inWindow(sent) {
			s.hist.record(durationNs(now - sent))
		}
	}
}

func (set *subscriberSet) wait() { set.wg.Wait() }

func (set *subscriberSet) close() {
	for _, cc := range set.conns {
		_ = cc.Close()
	}
}
