package server

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// Config is everything the gateway needs to run; cmd/trtc-gateway fills it
// from flags and TRTCGW_* environment variables.
type Config struct {
	// WebhookAddr is the public listener serving only POST /webhook.
	WebhookAddr string
	// GRPCAddr is the gRPC API listener (EventService, health, reflection).
	GRPCAddr string
	// HTTPAddr is the JSON API listener (/v1/…, /healthz, /metrics).
	HTTPAddr string
	// SdkAppIDs is the SdkAppid allowlist; empty accepts every app.
	SdkAppIDs []uint32
	// Store selects the event log: "memory" (ephemeral) or "jetstream" (durable).
	Store string
	// Retention is how many events the memory log keeps for replay.
	Retention int
	// DedupWindow is how long a retried callback is recognised as a duplicate.
	DedupWindow time.Duration
	// MaxBody is the largest webhook body accepted, in bytes.
	MaxBody int64
	// Queue is each subscriber's live buffer, in events.
	Queue int
	// Heartbeat is the idle interval after which a stream gets a heartbeat.
	Heartbeat time.Duration
	// ShutdownTimeout bounds the graceful part of shutdown.
	ShutdownTimeout time.Duration
	// Logger receives the gateway's structured logs; nil discards them.
	Logger *slog.Logger
	// Log, when set, is used instead of opening Store (for embedding the
	// gateway in another program, and for tests); Shutdown closes it.
	Log eventlog.Log
}

// DefaultConfig returns the configuration of a plain `trtc-gateway` run.
func DefaultConfig() Config {
	return Config{
		WebhookAddr:     ":8080",
		GRPCAddr:        ":9090",
		HTTPAddr:        ":8081",
		Store:           "memory",
		Retention:       100000,
		DedupWindow:     2 * time.Minute,
		MaxBody:         1 << 20,
		Queue:           1024,
		Heartbeat:       15 * time.Second,
		ShutdownTimeout: 10 * time.Second,
	}
}

// Validate reports the first setting that cannot work, naming its flag.
func (c *Config) Validate() error {
	var errs []error
	if c.WebhookAddr == "" {
		errs = append(errs, errors.New("--webhook-addr is required"))
	}
	if c.GRPCAddr == "" {
		errs = append(errs, errors.New("--grpc-addr is required"))
	}
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("--http-addr is required"))
	}
	switch {
	case c.Log != nil, c.Store == "memory":
	default:
		errs = append(errs, fmt.Errorf("--store=%q is not a store: use memory", c.Store))
	}
	if c.Retention <= 0 {
		errs = append(errs, fmt.Errorf("--retention=%d must be positive", c.Retention))
	}
	if c.DedupWindow < 0 {
		errs = append(errs, fmt.Errorf("--dedup-window=%s must not be negative", c.DedupWindow))
	}
	if c.MaxBody <= 0 {
		errs = append(errs, fmt.Errorf("--max-body=%d must be positive", c.MaxBody))
	}
	if c.Queue <= 0 {
		errs = append(errs, fmt.Errorf("--queue=%d must be positive", c.Queue))
	}
	if c.Heartbeat <= 0 {
		errs = append(errs, fmt.Errorf("--heartbeat=%s must be positive", c.Heartbeat))
	}
	return errors.Join(errs...)
}
