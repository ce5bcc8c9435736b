// Package api implements the gateway's gRPC services on top of the event log
// and the hub: Subscribe replays from the log, then follows the hub, with no
// gap and no duplicate at the seam. A subscriber that falls behind the hub
// goes back to the log the same way, at its own pace, and rejoins the hub
// once caught up.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
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
	// Queue is each subscriber's live buffer, in events; 0 means 1024. A
	// subscriber whose buffer overflows reads the log instead until it has
	// caught up: it is ended only when retention has dropped its cursor.
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
	// Registerer receives the service's metrics; nil registers none.
	Registerer prometheus.Registerer
}

// EventService implements gatewayv1.EventServiceServer.
type EventService struct {
	gatewayv1.UnimplementedEventServiceServer

	opts     Options
	shutdown chan struct{}
	// prepared encodes each event once for all the streams it goes to.
	prepared preparedCache
	// cutOff counts streams ended because a subscriber fell behind
	// retention (RESOURCE_EXHAUSTED).
	cutOff atomic.Uint64
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
	s := &EventService{opts: opts, shutdown: make(chan struct{})}
	if opts.Registerer != nil {
		err := opts.Registerer.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trtcgw_subscribers_cut_off_total",
			Help: "Streams ended with RESOURCE_EXHAUSTED: the subscriber fell so far behind that retention dropped its cursor.",
		}, func() float64 { return float64(s.cutOff.Load()) }))
		if err != nil {
			return nil, fmt.Errorf("api: registering metrics: %w", err)
		}
	}
	return s, nil
}

// Stats are the service's counters.
type Stats struct {
	// CutOff counts streams ended with RESOURCE_EXHAUSTED because their
	// subscriber fell behind retention.
	CutOff uint64
}

// Stats returns the service's counters.
func (s *EventService) Stats() Stats { return Stats{CutOff: s.cutOff.Load()} }

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
	srv     gatewayv1.EventService_SubscribeServer
	matcher *hub.Matcher // the one predicate of both replay and live delivery
	last    uint64       // the last sequence sent to the client, or the cursor it started after
	// sent says a message went out since sentAt was last set; sentAt is
	// about when the last message went out, taken once per burst of sends
	// so the clock is not read per event. The next heartbeat is due a
	// whole --heartbeat after it.
	sent   bool
	sentAt time.Time
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
		return status.Error(codes.InvalidArgument, err.Error()) // "invalid filter: <field>[i]: …" already
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

	st := &stream{srv: srv, matcher: hub.Compile(f), s: s, sentAt: time.Now()}
	ctx := srv.Context()

	var sub *hub.Subscription
	if req.AfterSequence == nil {
		var last uint64
		sub, last = s.opts.Hub.Subscribe(st.matcher, 0, s.opts.Queue)
		st.last = last
		if err := st.accept(); err != nil {
			sub.Close()
			return err
		}
	} else {
		sub, err = st.replayThenJoin(ctx, req.GetAfterSequence())
		if err != nil {
			return err
		}
	}
	return st.live(ctx, sub)
}

// accept sends the response headers once the request has passed every check
// that can refuse it, before the first event or heartbeat: a client (and
// grpc-gateway, which writes the HTTP status and headers then) learns at once
// that the stream is open, even when nothing matches for a long time.
func (st *stream) accept() error {
	if err := st.srv.SendHeader(metadata.MD{}); err != nil {
		return status.Errorf(codes.Unavailable, "sending the stream's headers: %v", err)
	}
	return nil
}

// replayThenJoin checks the client's cursor against the log, then catches up
// from it and joins the hub. A cursor older than retention is OUT_OF_RANGE;
// after = 0 never is: it is the log's FromStart, every event still retained.
func (st *stream) replayThenJoin(ctx context.Context, after uint64) (*hub.Subscription, error) {
	log := st.s.opts.Log
	var oldest, head uint64
	err := st.retryUnavailable(ctx, func() (err error) {
		oldest, head, err = log.Bounds(ctx)
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
	if after != eventlog.FromStart && after+1 < oldest {
		// Refused before the stream opens, so the JSON API answers it with
		// its own status rather than 200 and an error line.
		return nil, status.Error(codes.OutOfRange, (&eventlog.OutOfRangeError{After: after, Oldest: oldest}).Error())
	}
	st.last = after
	if err := st.accept(); err != nil {
		return nil, err
	}
	sub, err := st.catchUp(ctx)
	var oor *eventlog.OutOfRangeError
	if errors.As(err, &oor) {
		return nil, status.Error(codes.OutOfRange, oor.Error())
	}
	return sub, err
}

// catchUp sends the logged events after st.last, joins the hub once caught
// up, and sends the few events logged between the replay's end and the join,
// so the live part starts exactly after the last replayed event. It is how a
// stream starts from a cursor and how a subscriber that fell behind the hub
// rejoins it. It fails with the log's *eventlog.OutOfRangeError when
// retention dropped st.last+1, and otherwise with a status error.
func (st *stream) catchUp(ctx context.Context) (*hub.Subscription, error) {
	h := st.s.opts.Hub
	// Read the log at the client's pace until the hub has nothing newer.
	for st.last < h.Last() {
		n, err := st.replay(ctx, h.Last())
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
	}
	sub, last := h.Subscribe(st.matcher, st.last, st.s.opts.Queue)
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
// that match; it returns how many events it read. A cursor that left
// retention comes back as the log's *eventlog.OutOfRangeError, for the
// caller to name; other errors are status errors.
func (st *stream) replay(ctx context.Context, until uint64) (int, error) {
	select {
	case <-st.s.shutdown:
		return 0, st.shuttingDown()
	default:
	}
	var evs []*gatewayv1.Event
	err := st.retryUnavailable(ctx, func() (err error) {
		evs, err = st.s.opts.Log.Read(ctx, st.last, st.s.opts.ReplayBatch)
		return err
	})
	if err != nil {
		var oor *eventlog.OutOfRangeError
		if errors.As(err, &oor) {
			return 0, oor
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
		if st.matcher.Match(ev) {
			if err := st.sendEvent(ev); err != nil {
				return 0, err
			}
		}
		st.last = ev.GetSequence()
	}
	st.markSent()
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

// live forwards the hub's events until the client leaves, the hub stops or
// the gateway shuts down, and sends a heartbeat whenever nothing went out for
// a whole --heartbeat. When the subscriber falls behind (its queue
// overflowed), it catches up from the log and rejoins the hub. It closes
// whichever subscription it holds when it returns.
func (st *stream) live(ctx context.Context, sub *hub.Subscription) error {
	defer func() { sub.Close() }()
	beat := time.NewTimer(st.untilHeartbeat())
	defer beat.Stop()
	for {
		select {
		case <-sub.Ready():
			err := st.sendQueued(sub)
			st.markSent()
			if err != nil {
				return err
			}
		case <-sub.Done():
			next, err := st.rejoin(ctx, sub)
			if err != nil {
				return err
			}
			sub = next
		case <-beat.C:
			if wait := st.untilHeartbeat(); wait > 0 {
				beat.Reset(wait) // something went out since the timer was set
				continue
			}
			if err := st.sendHeartbeat(); err != nil {
				return err
			}
			beat.Reset(st.s.opts.Heartbeat)
		case <-st.s.shutdown:
			return st.shuttingDown()
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

// shuttingDown ends a stream at shutdown, naming its cursor.
func (st *stream) shuttingDown() error {
	return status.Errorf(codes.Unavailable,
		"the gateway is shutting down; resume with after_sequence=%d and epoch=%q", st.last, st.s.opts.Log.Epoch())
}

// maxQueuedBurst bounds how many queued events live sends before it checks
// for shutdown and cancellation again; the hub's Ready fires again for the
// rest.
const maxQueuedBurst = 64

// untilHeartbeat is how long until a heartbeat is due: a whole --heartbeat
// after the last message sent.
func (st *stream) untilHeartbeat() time.Duration {
	return st.s.opts.Heartbeat - time.Since(st.sentAt)
}

// markSent records that the messages just sent went out now.
func (st *stream) markSent() {
	if st.sent {
		st.sentAt = time.Now()
		st.sent = false
	}
}

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

// rejoin handles the end of sub: it delivers what is still queued, then, if
// the subscriber fell behind, catches up from the log at the client's pace
// and returns a new subscription to the hub that continues exactly after the
// last event sent. It ends the stream with RESOURCE_EXHAUSTED only when
// retention dropped the events the subscriber had yet to read, and with
// UNAVAILABLE when the hub stopped.
func (st *stream) rejoin(ctx context.Context, sub *hub.Subscription) (*hub.Subscription, error) {
	for ev, ok := sub.Next(); ok; ev, ok = sub.Next() {
		if err := st.sendEvent(ev); err != nil {
			return nil, err
		}
		st.last = ev.GetSequence()
	}
	st.markSent()
	epoch := st.s.opts.Log.Epoch()
	if !errors.Is(sub.Err(), hub.ErrSlowConsumer) {
		return nil, status.Errorf(codes.Unavailable,
			"the event stream stopped (%v); the last sequence delivered was %d: resume with after_sequence=%d and epoch=%q",
			sub.Err(), st.last, st.last, epoch)
	}
	st.s.opts.Logger.Debug("subscriber fell behind its queue; continuing from the log", "after", st.last, "queue", st.s.opts.Queue)
	next, err := st.catchUp(ctx)
	var oor *eventlog.OutOfRangeError
	if errors.As(err, &oor) {
		st.s.cutOff.Add(1)
		return nil, status.Errorf(codes.ResourceExhausted,
			"the subscriber fell so far behind that the log no longer retains the events after sequence %d, the last one delivered; the oldest kept is %d: resume with after_sequence=0 and epoch=%q for everything retained, or subscribe live",
			st.last, oor.Oldest, epoch)
	}
	return next, err
}

func (st *stream) sendEvent(ev *gatewayv1.Event) error {
	p, err := st.s.prepared.get(ev)
	if err != nil {
		return status.Error(codes.Internal, err.Error())
	}
	if err := st.srv.SendMsg(p); err != nil {
		return sendError(err)
	}
	st.sent = true
	return nil
}

func (st *stream) sendHeartbeat() error {
	hb := &gatewayv1.Heartbeat{
		Time:         timestamppb.New(time.Now()),
		HeadSequence: st.s.opts.Hub.Last(),
		Epoch:        st.s.opts.Log.Epoch(),
	}
	if err := st.srv.Send(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: hb}}); err != nil {
		return sendError(err)
	}
	st.sentAt, st.sent = time.Now(), false
	return nil
}

// sendError keeps a status from the transport, and otherwise says the client went away.
func sendError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	return status.Error(codes.Unavailable, fmt.Sprintf("sending to the subscriber: %v", err))
}
