package server

import (
	"context"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// logWatchInterval is how often the embedded NATS server's JetStream is
// checked (natsembed.Server.Watch): a disk that filled up or turned read-only
// shows in health within it.
const logWatchInterval = time.Second

// watchLog follows the embedded NATS server's health until Shutdown: while
// its JetStream cannot take events (the data directory's disk is full or
// read-only) the gateway's health says NOT_SERVING, so that load balancers
// and supervisors see it, and the server is brought back without a restart
// once the disk has room again. Without an embedded server it does nothing.
func (s *Server) watchLog(srv *natsembed.Server) {
	if srv == nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.watchStop, s.watchDone = stop, make(chan struct{})
	go func() {
		defer close(s.watchDone)
		srv.Watch(ctx, logWatchInterval, func(err error) {
			if err != nil {
				s.logger.Error("the event log cannot take events: webhooks are answered 503 and health is NOT_SERVING until the data directory "+
					"has room and is writable again; the gateway then recovers by itself", "data_dir", s.cfg.DataDir, "err", err)
			} else {
				s.logger.Info("the event log takes events again: health is SERVING", "data_dir", s.cfg.DataDir)
			}
			s.healthMu.Lock()
			defer s.healthMu.Unlock()
			s.logFault = err
			s.applyHealthLocked()
		})
	}()
}
