package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// openStore opens the event log cfg asks for and returns, besides it, what
// releases the resources under it once the log is closed.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (eventlog.Log, func(), error) {
	if cfg.Log != nil {
		return cfg.Log, nil, nil
	}
	switch cfg.Store {
	case "memory":
		logger.Warn("--store=memory: events are lost when the gateway stops")
		return eventlog.NewMemory(eventlog.MemoryOptions{Retention: cfg.Retention, DedupWindow: cfg.DedupWindow}), nil, nil
	case "jetstream":
		return openJetStream(ctx, cfg, logger)
	default:
		return nil, nil, fmt.Errorf("--store=%q is not a store", cfg.Store)
	}
}

// openJetStream connects to the NATS cluster of --nats-url, or embeds a NATS
// server storing under --data-dir, and opens the stream on it.
func openJetStream(ctx context.Context, cfg Config, logger *slog.Logger) (_ eventlog.Log, _ func(), err error) {
	var (
		nc  *nats.Conn
		srv *natsembed.Server
	)
	// release is a local, not the named result: the error returns below set
	// the results to nil before the deferred call runs.
	release := func() {
		if nc != nil {
			nc.Close()
		}
		if srv != nil {
			srv.Shutdown()
		}
	}
	defer func() {
		if err != nil {
			release()
		}
	}()
	if cfg.NATSURL == "" {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, nil, fmt.Errorf("--data-dir %s: %w", cfg.DataDir, err)
		}
		srv, err = natsembed.Start(ctx, natsembed.Options{
			DataDir: dir, Listen: cfg.NATSListen, SyncAlways: cfg.SyncAlways, SyncInterval: cfg.SyncInterval,
			Logger: logger.With("component", "nats"),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("starting the embedded NATS server in %s: %w", dir, err)
		}
		if nc, err = srv.Connect(nats.Name("trtc-gateway")); err != nil {
			return nil, nil, fmt.Errorf("connecting to the embedded NATS server: %w", err)
		}
		sync := "always"
		if always, interval := srv.Sync(); !always {
			sync = interval.String()
		}
		logger.Info("event log: embedded JetStream", "data_dir", dir, "nats_listen", cfg.NATSListen, "data_sync", sync)
	} else {
		opts := []nats.Option{
			nats.Name("trtc-gateway"),
			nats.MaxReconnects(-1), // a replica keeps trying while the cluster recovers
			nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
				logger.Warn("disconnected from NATS", "err", err)
			}),
			nats.ReconnectHandler(func(c *nats.Conn) {
				logger.Info("reconnected to NATS", "server", c.ConnectedUrlRedacted())
			}),
		}
		if cfg.NATSCreds != "" {
			opts = append(opts, nats.UserCredentials(cfg.NATSCreds))
		}
		if cfg.NATSTLSCA != "" {
			opts = append(opts, nats.RootCAs(cfg.NATSTLSCA))
		}
		if cfg.NATSTLSCert != "" {
			opts = append(opts, nats.ClientCert(cfg.NATSTLSCert, cfg.NATSTLSKey))
		}
		if nc, err = nats.Connect(cfg.NATSURL, opts...); err != nil {
			return nil, nil, fmt.Errorf("--nats-url: connecting to NATS: %w", err)
		}
		logger.Info("event log: JetStream on an external NATS cluster", "server", nc.ConnectedUrlRedacted(), "stream", cfg.Stream)
	}
	js, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{
		Stream:          cfg.Stream,
		MaxMsgs:         int64(cfg.Retention),
		MaxAge:          cfg.RetentionAge,
		MaxBytes:        cfg.RetentionBytes,
		Replicas:        cfg.StreamReplicas,
		DuplicateWindow: cfg.DedupWindow,
		Logger:          logger.With("component", "eventlog"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("opening the JetStream stream %q: %w", cfg.Stream, err)
	}
	return js, release, nil
}
