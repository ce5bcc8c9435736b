package server

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/trtc-gateway/trtc-gateway/server/checkpoint"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// natsHeaderRoom is what the embedded server's max_payload leaves for a
// message's headers beyond eventlog.MaxEventBytes(--max-body): the
// Nats-Msg-Id header takes 60 bytes.
const natsHeaderRoom = 1 << 10

// eventIDLen is the length of an event's id (callback.EventID: 16 bytes in hex).
const eventIDLen = 32

// embeddedMaxPayload is the embedded NATS server's max_payload for cfg: every
// event a webhook body within --max-body decodes to fits, so that the
// JetStream store takes the same callbacks as the memory store.
func embeddedMaxPayload(maxBody int64) int64 {
	return eventlog.MaxEventBytes(maxBody) + natsHeaderRoom
}

// store is the opened event log and what it runs on.
type store struct {
	log eventlog.Log
	// watch, when not nil, follows whether the log can take events until
	// ctx ends, calling report with each change (an error, or nil once it
	// can again); see Server.watchLog.
	watch func(ctx context.Context, report func(error))
	// release releases the resources under the log once it is closed; nil
	// when there are none.
	release func()
	// checkpoints keeps the projections' checkpoints: the JetStream store
	// with --checkpoint-interval above 0; nil otherwise (the memory log ends
	// with the process, so its projections have nothing to resume).
	checkpoints checkpoint.Store
}

// openStore opens the event log cfg asks for.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (store, error) {
	if cfg.Log != nil {
		return store{log: cfg.Log}, nil
	}
	switch cfg.Store {
	case "memory":
		// No checkpoints either: the projections have no log to resume.
		logger.Warn("--store=memory: events are lost when the gateway stops, and the call and room state with them (no checkpoints)")
		return store{log: eventlog.NewMemory(eventlog.MemoryOptions{
			Retention: cfg.Retention, DedupWindow: cfg.DedupWindow,
			// The limit the embedded JetStream store has, so that both
			// stores take the same callbacks.
			MaxEventBytes: eventlog.MaxEventBytes(cfg.MaxBody),
		})}, nil
	case "jetstream":
		return openJetStream(ctx, cfg, logger)
	default:
		return store{}, fmt.Errorf("--store=%q is not a store", cfg.Store)
	}
}

// openJetStream connects to the NATS cluster of --nats-url, or embeds a NATS
// server storing under --data-dir, and opens the stream on it.
func openJetStream(ctx context.Context, cfg Config, logger *slog.Logger) (_ store, err error) {
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
			return store{}, fmt.Errorf("--data-dir %s: %w", cfg.DataDir, err)
		}
		srv, err = natsembed.Start(ctx, natsembed.Options{
			DataDir: dir, Listen: cfg.NATSListen, SyncAlways: cfg.SyncAlways, SyncInterval: cfg.SyncInterval,
			MaxPayload: embeddedMaxPayload(cfg.MaxBody),
			Logger:     logger.With("component", "nats"),
		})
		if err != nil {
			return store{}, fmt.Errorf("starting the embedded NATS server in %s: %w", dir, err)
		}
		// The connection follows the server when a recovery restarts it
		// (natsembed.Server.Recover): Connect makes it reconnect without
		// limit.
		if nc, err = srv.Connect(nats.Name("trtc-gateway"), natsErrorLog(logger),
			nats.DisconnectErrHandler(func(c *nats.Conn, err error) {
				// Close disconnects too, with no error: nothing to report.
				if !c.IsClosed() {
					logger.Info("disconnected from the embedded NATS server; reconnecting", "err", err)
				}
			}),
			nats.ReconnectHandler(func(*nats.Conn) {
				logger.Info("reconnected to the embedded NATS server")
			}),
		); err != nil {
			return store{}, fmt.Errorf("connecting to the embedded NATS server: %w", err)
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
			natsErrorLog(logger),
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
			return store{}, fmt.Errorf("--nats-url: connecting to NATS: %w", err)
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
		return store{}, fmt.Errorf("opening the JetStream stream %q: %w", cfg.Stream, err)
	}
	if limit, need := js.MaxEventBytes(eventIDLen), eventlog.MaxEventBytes(cfg.MaxBody); limit < need {
		// The NATS servers' max_payload is theirs to set: callbacks whose
		// event does not fit are answered 413 (41302), never stored.
		logger.Warn("--max-body is larger than the NATS servers' max_payload allows: callbacks whose event is larger are refused with 413 (ErrorCode 41302)",
			"max_body", cfg.MaxBody, "max_payload", nc.MaxPayload(), "max_event_bytes", limit,
			"fix", fmt.Sprintf("set max_payload to at least %d on the NATS servers, or lower --max-body to %d", embeddedMaxPayload(cfg.MaxBody), max(0, (limit-eventlog.EventEnvelope)/3)))
	}
	st := store{log: js, release: release}
	if cfg.CheckpointInterval > 0 {
		cp, err := checkpoint.OpenJetStream(nc, checkpoint.JetStreamOptions{
			Stream: cfg.Stream, Replicas: cfg.StreamReplicas, Logger: logger.With("component", "checkpoint"),
		})
		if err != nil {
			_ = js.Close()
			return store{}, err
		}
		st.checkpoints = cp
		logger.Info("checkpoints: JetStream object store", "bucket", cp.Bucket(), "interval", cfg.CheckpointInterval)
	}
	if srv != nil {
		st.watch = func(ctx context.Context, report func(error)) { srv.Watch(ctx, logWatchInterval, report) }
	} else {
		st.watch = func(ctx context.Context, report func(error)) { watchConn(ctx, nc, logWatchInterval, report) }
	}
	return st, nil
}

// natsErrorLog logs a NATS connection's asynchronous errors (a slow
// consumer, a connection cut mid-write) with the gateway's logger; without
// it nats.go writes them to stderr as plain text, in the middle of the JSON
// log lines.
func natsErrorLog(logger *slog.Logger) nats.Option {
	return nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
		attrs := []any{"err", err}
		if sub != nil {
			attrs = append(attrs, "subject", sub.Subject)
		}
		logger.Warn("NATS connection error", attrs...)
	})
}
