package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
	"github.com/trtc-gateway/trtc-gateway/server/checkpoint"
	"github.com/trtc-gateway/trtc-gateway/server/follower"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
	"github.com/trtc-gateway/trtc-gateway/server/rooms"
)

// startState starts the gateway's one follower of the log (DESIGN.md,
// "State"): the hub gets the events after the head, so subscribers see only
// new ones live; the call and room projections are restored from their
// checkpoints when the store keeps them (README, "Checkpoints") and are
// otherwise rebuilt from the oldest retained event, and then follow. The
// restore runs in the follower's rebuild, after live delivery has begun. A
// follower that ends on its own stops the gateway, so that it is restarted
// and follows anew.
func (s *Server) startState(ctx context.Context, reg prometheus.Registerer) error {
	began := time.Now()
	oldest, head, err := s.log.Bounds(ctx)
	if err != nil {
		return fmt.Errorf("reading the event log's head: %w", err)
	}
	s.hub = hub.New(hub.Options{Start: head})
	s.calls = calls.New()
	s.rooms = rooms.New(s.cfg.RoomTTL)
	s.follower = follower.New(s.log)
	s.follower.Register("hub", head, follower.ReaderFunc(s.hub.Publish))
	projections := []checkpoint.Projection{{Name: "calls", State: s.calls}, {Name: "rooms", State: s.rooms}}
	readers := map[string]follower.Reader{"calls": s.calls, "rooms": s.rooms}
	if s.checkpoints == nil {
		for _, p := range projections {
			s.follower.RegisterRebuilt(p.Name, oldest-1, readers[p.Name])
		}
	} else {
		if s.keeper, err = checkpoint.New(checkpoint.Options{
			Store: s.checkpoints, Log: s.log, Projections: projections, Position: s.follower.Last,
			Interval: s.cfg.CheckpointInterval, Logger: s.logger, Registerer: reg,
		}); err != nil {
			return err
		}
		for _, p := range projections {
			restore := s.keeper.Restorer(p.Name)
			if hook, inner := restoreHook, restore; hook != nil {
				restore = func(ctx context.Context) uint64 {
					hook(ctx, p.Name)
					return inner(ctx)
				}
			}
			s.follower.RegisterRebuiltFrom(p.Name, restore, s.keeper.Reader(p.Name))
		}
	}

	runCtx, stop := context.WithCancel(context.Background())
	s.hubStop, s.hubDone = stop, make(chan error, 1)
	s.stateReady = make(chan struct{})
	go s.watchReady(runCtx, began)
	if s.keeper != nil {
		kctx, kstop := context.WithCancel(context.Background())
		s.keeperStop, s.keeperDone = kstop, make(chan struct{})
		go func() {
			defer close(s.keeperDone)
			s.keeper.Run(kctx)
		}()
	}
	go func() {
		err := s.follower.Run(runCtx)
		// Without its follower no subscriber gets a live event again: end
		// every subscription with the hub's ErrClosed, as hub.Run did.
		s.hub.Stop()
		if err != nil && runCtx.Err() == nil {
			select {
			case s.serveErr <- err:
			default:
			}
		}
		s.hubDone <- err
	}()
	return nil
}

// restoreHook, when set (by tests, before Start), runs at the start of each
// projection's restore, in the follower's rebuild goroutine.
var restoreHook func(ctx context.Context, projection string)

// readyPoll is how often watchReady asks the follower whether the
// projections have caught up: a log line, a metric and the collector's
// setting (relaxGCWhileRebuilding) wait on it, nothing a client sees.
const readyPoll = 100 * time.Millisecond

// watchReady logs, records for trtcgw_state_rebuild_seconds and closes
// s.stateReady when the projections have caught up with the log's head as
// it was at start; it ends then or with ctx (the follower's).
func (s *Server) watchReady(ctx context.Context, began time.Time) {
	t := time.NewTicker(readyPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if s.follower.Ready() == nil {
			took := time.Since(began)
			s.readyAfter.Store(int64(took))
			s.logger.Info("state: the call and room projections are ready", "sequence", s.follower.Last(),
				"seconds", took.Seconds(), "checkpoints", s.keeper != nil)
			close(s.stateReady)
			return
		}
	}
}

// stopState stops the checkpoints' periodic writer and the follower, and
// waits for both; safe to call again, and on a partial start.
func (s *Server) stopState() {
	if s.keeperStop != nil {
		s.keeperStop()
		<-s.keeperDone
		s.keeperStop = nil
	}
	if s.hubStop != nil {
		s.hubStop()
		<-s.hubDone
		s.hubStop = nil
	}
}

// ErrNoCheckpoints is Checkpoint's answer on a gateway that keeps none: the
// memory store, or --checkpoint-interval=0.
var ErrNoCheckpoints = errors.New("this gateway keeps no checkpoints (--store=memory or --checkpoint-interval=0)")

// Checkpoint writes the checkpoint of each projection that has advanced
// since its newest one, now, as the periodic writer does every
// --checkpoint-interval (and Shutdown once more).
func (s *Server) Checkpoint(ctx context.Context) error {
	if s.keeper == nil {
		return ErrNoCheckpoints
	}
	return s.keeper.Checkpoint(ctx)
}

// finalCheckpoint writes the projections' checkpoints once the follower
// has stopped, within ctx (the shutdown's bound), so that the next start
// replays nothing; a failure is logged and the previous checkpoint stays.
func (s *Server) finalCheckpoint(ctx context.Context) {
	if s.keeper == nil {
		return
	}
	if ctx.Err() != nil {
		s.logger.Warn("state: no checkpoint at shutdown: the shutdown timeout has passed; the previous checkpoint stays")
		return
	}
	_ = s.keeper.Checkpoint(ctx) // failures are logged by the keeper
}

// newStateServices builds the CallService and RoomService over the
// projections; each RPC is scoped to the apps of the caller's token.
func (s *Server) newStateServices(apiAuth *apiauth.Authenticator) (err error) {
	authorize := authorizeApp(apiAuth)
	if s.callSvc, err = calls.NewService(calls.Options{Projection: s.calls, Ready: s.follower.Ready, Authorize: authorize}); err != nil {
		return err
	}
	s.roomSvc, err = rooms.NewService(rooms.Options{Projection: s.rooms, Ready: s.follower.Ready, Authorize: authorize})
	return err
}

// authorizeApp returns the unary services' Authorize for a: the caller's
// token must cover the app asked about. Without tokens it is nil and the API
// is open.
func authorizeApp(a *apiauth.Authenticator) func(context.Context, uint32) error {
	if a == nil {
		return nil
	}
	return func(ctx context.Context, app uint32) error {
		_, err := apiauth.NarrowApps(ctx, []uint32{app})
		return err
	}
}

// registerStateMetrics exposes the follower's position and the projections'
// sizes, read at scrape time: the memory the projections take follows them.
func (s *Server) registerStateMetrics(reg prometheus.Registerer) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_follower_sequence",
			Help: "The last sequence the log's follower handed to the projections (the hub may be ahead while they rebuild).",
		}, func() float64 { return float64(s.follower.Last()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_state_rebuild_seconds",
			Help: "How long after start the projections had caught up with the log's head as it was then (restore from checkpoints and replay); 0 until they have.",
		}, func() float64 { return time.Duration(s.readyAfter.Load()).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_state_calls",
			Help: "Calls the call projection holds (in progress and ended, while their events are retained).",
		}, func() float64 { return float64(s.calls.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_state_rooms",
			Help: "Live rooms the room projection holds, expired ones until an event sweeps them.",
		}, func() float64 { return float64(s.rooms.Len()) }),
	)
}
