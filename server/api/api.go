// Package api implements the gateway's gRPC services on top of the event log
// and the hub: Subscribe replays from the log, then follows the hub, with no
// gap and no duplicate at the seam.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

// DefaultReplayRetry is the default of Options.ReplayRetry.
const DefaultReplayRetry = 15 * time.Second

// Options configure the EventService.
type Options struct {
	// Log is the event log replays read from. Required.
	Log eventlog.Log
	// Hub delivers live events. Required.
	Hub *hub.Hub
	// Queue is each subscriber's live buffer, in events; 0 means 1024.
	Queue int
	// Heartbeat is how long a stream may stay idle before a heartbeat is sent; 0 means 15s.
	Heartbeat time.Duration
	// ReplayBatch is how many events one log read returns during a replay; 0 means 512.
	ReplayBatch int
	// ReplayRetry is how long a replay keeps retrying a log that answers
	// eventlog.ErrUnavailable (a NATS cluster electing a new stream leader
	// takes seconds) before the stream ends with UNAVAILABLE and its
	// cursor; 0 means DefaultReplayRetry, negative does not retry.
	ReplayRetry time.Duration
	// Authorize narrows a subscriber's filter to what its credentials allow;
	// nil allows everything. Its error must be a gRPC status error.
	Authorize func(ctx context.Context, f *hub.Filter) error
	// Logger receives a line per stream that ends abnormally.
	Logger *slog.Logger
	// Now is the clock for heartbeats; nil means time.Now.
	Now func() time.Time
}

// EventService implements gatewayv1.EventServiceServer.
type EventService struct {
	gatewayv1.UnimplementedEventServiceServer

	opts     Options
	shutdown chan struct{}
	// prepared encodes each event once for all the streams it goes to.
	prepared preparedCache
}

// NewEventService returns the service for opts.
func NewEventService(opts Options) (*EventService, error) {
	if opts.Log == nil || opts.Hub == nil {
		return nil, errors.New("api: Options.Log and Options.Hub are required")
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 15 * time.Second
	}
	if opts.ReplayBatch <= 0 {
		opts.ReplayBatch = 512
	}
	if opts.ReplayRetry == 0 {
		opts.ReplayRetry = DefaultReplayRetry
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &EventService{opts: opts, shutdown: make(chan struct{})}, nil
}

// Shutdown ends every open stream with UNAVAILABLE, naming the last sequence
// each received so its client can resume on another replica or after restart.
// Streams opened afterwards fail at once. It is idempotent.
func (s *EventService) Shutdown() {
	select {
	case <-s.shutdown:
	default:
		close(s.shutdown)
	}
}

// stream is one Subscribe call in progress.
type stream struct {
	srv    gatewayv1.EventService_SubscribeServer
	filter hub.Filter
	last   uint64 // the last sequence sent to the client, or the cursor it started after
	busy   bool   // whether anything was sent since the last heartbeat tick
	s      *EventService
}

// Subscribe streams matching events, from after_sequence or the live tail.
func (s *EventService) Subscribe(req *gatewayv1.SubscribeRequest, srv gatewayv1.EventService_SubscribeServer) error {
	select {
	case <-s.shutdown:
		if req.AfterSequence != nil {
			return status.Errorf(codes.Unavailable,
				"the gateway is shutting down; resume with after_sequence=%d and epoch=%q on another replica or shortly", req.GetAfterSequence(), req.GetEpoch())
		}
		return status.Error(codes.Unavailable, "the gateway is shutting down; reconnect to another replica or retry shortly")
	default:
	}
	f, err := hub.FilterFromRequest(req)
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "invalid filter: %v", err)
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(srv.Context(), &f); err != nil {
			return err
		}
	}
	if req.GetEpoch() != "" && req.GetEpoch() != s.opts.Log.Epoch() {
		return status.Errorf(codes.FailedPrecondition,
			"the cursor's epoch %q is not this log's epoch %q: the log was recreated, so its sequences mean other events; subscribe without after_sequence (live) or with after_sequence=0 to read all that is retained",
			req.GetEpoch(), s.opts.Log.Epoch())
	}

	st := &stream{srv: srv, filter: f, s: s}
	ctx := srv.Context()

	var sub *hub.Subscription
	if req.AfterSequence == nil {
		var last uint64
		sub, last = s.opts.Hub.Subscribe(f, 0, s.opts.Queue)
		st.last = last
	} else {
		sub, err = st.replayThenJoin(ctx, req.GetAfterSequence())
		if err != nil {
			return err
		}
	}
	defer sub.Close()
	// Send the headers now rather than with the first event, so that a client
	// of a quiet live tail learns at once that its subscription stands: the
	// JSON API answers its HTTP 200 when they arrive. (busy means a replay
	// already sent events, and the headers with them.)
	if !st.busy {
		if err := srv.SendHeader(nil); err != nil {
			return sendError(err)
		}
	}
	return st.live(ctx, sub)
}

// replayThenJoin sends the logged events after `after`, joins the hub once
// caught up, and sends the few events logged between the replay's end and the
// join, so the live part starts exactly after the last replayed event.
func (st *stream) replayThenJoin(ctx context.Context, after uint64) (*hub.Subscription, error) {
	log := st.s.opts.Log
	var head uint64
	err := st.retryUnavailable(ctx, func() (err error) {
		_, head, err = log.Bounds(ctx)
		return err
	})
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "the event log is unavailable: %v", err)
	}
	if after > head {
		return nil, status.Errorf(codes.OutOfRange,
			"after_sequence %d is beyond the newest event %d of epoch %q; a cursor from another log needs its epoch checked (set epoch) or a fresh subscription",
			after, head, log.Epoch())
	}
	st.last = after
	// Catch up from the log until the hub has nothing newer than the cursor.
	for st.last < st.s.opts.Hub.Last() {
		n, err := st.replay(ctx, st.s.opts.Hub.Last())
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
	}
	sub, last := st.s.opts.Hub.Subscribe(st.filter, st.last, st.s.opts.Queue)
	for st.last < last {
		n, err := st.replay(ctx, last)
		if err != nil {
			sub.Close()
			return nil, err
		}
		if n == 0 {
			sub.Close()
			return nil, status.Errorf(codes.Internal, "the log ends at %d but the hub published up to %d", st.last, last)
		}
	}
	return sub, nil
}

// replay reads one batch after st.last (up to `until`) and sends the events
// that match; it returns how many events it read.
func (st *stream) replay(ctx context.Context, until uint64) (int, error) {
	var evs []*gatewayv1.Event
	err := st.retryUnavailable(ctx, func() (err error) {
		evs, err = st.s.opts.Log.Read(ctx, st.last, st.s.opts.ReplayBatch)
		return err
	})
	if err != nil {
		var oor *eventlog.OutOfRangeError
		if errors.As(err, &oor) {
			return 0, status.Error(codes.OutOfRange, oor.Error())
		}
		if ctx.Err() != nil {
			return 0, status.FromContextError(ctx.Err()).Err()
		}
		return 0, status.Errorf(codes.Unavailable, "reading the event log after %d: %v", st.last, err)
	}
	for _, ev := range evs {
		if ev.GetSequence() > until {
			break
		}
		if st.filter.Match(ev) {
			if err := st.sendEvent(ev); err != nil {
				return 0, err
			}
		}
		st.last = ev.GetSequence()
	}
	return len(evs), nil
}

// retryUnavailable runs op again while it fails with eventlog.ErrUnavailable
// (but not eventlog.ErrRecreated, which waiting does not mend),
// for at most Options.ReplayRetry, pausing 100ms and then twice as long each
// time up to 2s. It stops early when ctx ends or the gateway shuts down, and
// returns op's last error.
func (st *stream) retryUnavailable(ctx context.Context, op func() error) error {
	deadline := time.Now().Add(st.s.opts.ReplayRetry)
	wait := 100 * time.Millisecond
	for {
		err := op()
		if err == nil || !errors.Is(err, eventlog.ErrUnavailable) || errors.Is(err, eventlog.ErrRecreated) ||
			ctx.Err() != nil || time.Now().Add(wait).After(deadline) {
			return err
		}
		st.s.opts.Logger.Debug("event log unavailable during a replay; retrying", "after", st.last, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		case <-st.s.shutdown:
			t.Stop()
			return err
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// live forwards the hub's events until the client leaves, the hub cuts the
// subscriber off, or the gateway shuts down.
func (st *stream) live(ctx context.Context, sub *hub.Subscription) error {
	beat := time.NewTicker(st.s.opts.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-sub.Ready():
			if err := st.sendQueued(sub); err != nil {
				return err
			}
		case <-sub.Done():
			return st.cutOff(sub)
		case <-beat.C:
			// A heartbeat goes out only after a whole idle interval.
			if !st.busy {
				if err := st.sendHeartbeat(); err != nil {
					return err
				}
			}
			st.busy = false
		case <-st.s.shutdown:
			return status.Errorf(codes.Unavailable,
				"the gateway is shutting down; resume with after_sequence=%d and epoch=%q", st.last, st.s.opts.Log.Epoch())
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// maxQueuedBurst bounds how many queued events live sends before it checks
// for shutdown and cancellation again; the hub's Ready fires again for the
// rest.
const maxQueuedBurst = 64

// sendQueued sends the events already waiting in the queue, without the
// cost of the full select per event that live pays to wait for them.
func (st *stream) sendQueued(sub *hub.Subscription) error {
	for range maxQueuedBurst {
		ev, ok := sub.Next()
		if !ok {
			return nil
		}
		if err := st.sendEvent(ev); err != nil {
			return err
		}
		st.last = ev.GetSequence()
	}
	return nil
}

// cutOff delivers what is still queued, then ends the stream with the reason.
func (st *stream) cutOff(sub *hub.Subscription) error {
	for ev, ok := sub.Next(); ok; ev, ok = sub.Next() {
		if err := st.sendEvent(ev); err != nil {
			return err
		}
		st.last = ev.GetSequence()
	}
	epoch := st.s.opts.Log.Epoch()
	if errors.Is(sub.Err(), hub.ErrSlowConsumer) {
		return status.Errorf(codes.ResourceExhausted,
			"the subscriber fell behind and its queue of %d events filled up; the last sequence delivered was %d: resume with after_sequence=%d and epoch=%q",
			st.s.opts.Queue, st.last, st.last, epoch)
	}
	return status.Errorf(codes.Unavailable,
		"the event stream stopped (%v); the last sequence delivered was %d: resume with after_sequence=%d and epoch=%q",
		sub.Err(), st.last, st.last, epoch)
}

func (st *stream) sendEvent(ev *gatewayv1.Event) error {
	p, err := st.s.prepared.get(ev)
	if err != nil {
		return status.Error(codes.Internal, err.Error())
	}
	if err := st.srv.SendMsg(p); err != nil {
		return sendError(err)
	}
	st.busy = true
	return nil
}

func (st *stream) sendHeartbeat() error {
	hb := &gatewayv1.Heartbeat{
		Time:         timestamppb.New(st.s.opts.Now()),
		HeadSequence: st.s.opts.Hub.Last(),
		Epoch:        st.s.opts.Log.Epoch(),
	}
	if err := st.srv.Send(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: hb}}); err != nil {
		return sendError(err)
	}
	return nil
}

// sendError keeps a status from the transport, and otherwise says the client went away.
func sendError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unavailable, fmt.Sprintf("sending to the subscriber: %v", err))
}
