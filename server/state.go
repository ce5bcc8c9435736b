package server

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
	"github.com/trtc-gateway/trtc-gateway/server/follower"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
	"github.com/trtc-gateway/trtc-gateway/server/rooms"
)

// startState starts the gateway's one follower of the log (DESIGN.md,
// "State"): the hub gets the events after the head, so subscribers see only
// new ones live; the call and room projections are rebuilt from the oldest
// retained event and then follow. A follower that ends on its own stops the
// gateway, so that it is restarted and follows anew.
func (s *Server) startState(ctx context.Context) error {
	oldest, head, err := s.log.Bounds(ctx)
	if err != nil {
		return fmt.Errorf("reading the event log's head: %w", err)
	}
	s.hub = hub.New(hub.Options{Start: head})
	s.calls = calls.New()
	s.rooms = rooms.New(s.cfg.RoomTTL)
	s.follower = follower.New(s.log)
	s.follower.Register("hub", head, follower.ReaderFunc(s.hub.Publish))
	s.follower.RegisterRebuilt("calls", oldest-1, s.calls)
	s.follower.RegisterRebuilt("rooms", oldest-1, s.rooms)

	runCtx, stop := context.WithCancel(context.Background())
	s.hubStop, s.hubDone = stop, make(chan error, 1)
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
			Name: "trtcgw_state_calls",
			Help: "Calls the call projection holds (in progress and ended, while their events are retained).",
		}, func() float64 { return float64(s.calls.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "trtcgw_state_rooms",
			Help: "Live rooms the room projection holds, expired ones until an event sweeps them.",
		}, func() float64 { return float64(s.rooms.Len()) }),
	)
}
