package server

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
)

// logWatchInterval is how often the store is checked: a data disk that filled
// up or turned read-only, or a lost connection to the NATS cluster, shows in
// health within it.
const logWatchInterval = time.Second

// watchLog runs the store's watch until Shutdown: while the log cannot take
// events the gateway's health says NOT_SERVING, so that load balancers send
// webhooks to replicas that can store them and supervisors see it. The
// embedded NATS server is brought back by its watch once the disk has room
// again (natsembed.Server.Watch); a NATS connection reconnects by itself. A
// store without a watch (memory) always takes events.
func (s *Server) watchLog(watch func(ctx context.Context, report func(error))) {
	if watch == nil {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.watchStop, s.watchDone = stop, make(chan struct{})
	go func() {
		defer close(s.watchDone)
		watch(ctx, func(err error) {
			if err != nil {
				s.logger.Error("the event log cannot take events: webhooks are answered 503 and health is NOT_SERVING until it can again; "+
					"the gateway recovers by itself once the cause is gone", "err", err)
			} else {
				s.logger.Info("the event log takes events again: health is SERVING")
			}
			s.healthMu.Lock()
			defer s.healthMu.Unlock()
			s.logFault = err
			s.applyHealthLocked()
		})
	}()
}

// watchConn checks every interval, until ctx ends, that nc is connected to
// the NATS cluster, and reports each change as watchLog's watch does. While
// nc reconnects, no publish reaches JetStream.
func watchConn(ctx context.Context, nc *nats.Conn, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	failing := false
	for {
		var err error
		if st := nc.Status(); st != nats.CONNECTED {
			err = fmt.Errorf("not connected to the NATS cluster (connection %s): JetStream cannot be reached", st)
		}
		if (err != nil) != failing {
			report(err)
			failing = err != nil
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
