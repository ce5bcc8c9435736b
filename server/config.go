package server

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
	"github.com/trtc-gateway/trtc-gateway/server/rooms"
)

// Config is everything the gateway needs to run; cmd/trtc-gateway fills it
// from flags and TRTCGW_* environment variables.
type Config struct {
	// WebhookAddr is the public listener serving only POST /webhook.
	WebhookAddr string
	// GRPCAddr is the gRPC API listener (EventService, health, reflection).
	GRPCAddr string
	// HTTPAddr is the JSON API listener (/v1/…, /healthz, /metrics, /console/).
	HTTPAddr string
	// Console serves the web console at /console/ on HTTPAddr: a page that
	// reads the JSON API with the visitor's own token (see README, Console).
	Console bool
	// SdkAppIDs is the SdkAppid allowlist; empty accepts every app.
	SdkAppIDs []uint32
	// Store selects the event log: "jetstream" (durable, the default) or
	// "memory" (ephemeral, for tests and benchmarks).
	Store string
	// Retention is how many of the newest events the log keeps for replay.
	Retention int
	// RetentionAge, when positive, drops events older than it (jetstream).
	RetentionAge time.Duration
	// RetentionBytes, when positive, caps the bytes of events kept (jetstream).
	RetentionBytes int64
	// DataDir is where the embedded NATS server keeps its file store.
	DataDir string
	// SyncAlways makes the embedded NATS server sync each event to disk
	// before the webhook is answered (--data-sync=always).
	SyncAlways bool
	// SyncInterval is how often the embedded NATS server syncs its files
	// otherwise (--data-sync=<duration>); zero is NATS's default of 2m.
	SyncInterval time.Duration
	// NATSURL, when set, is an external NATS cluster (comma-separated URLs,
	// credentials may be inline) the log lives in; nothing is embedded then.
	NATSURL string
	// NATSCreds is a NATS credentials file (JWT and seed) for NATSURL.
	NATSCreds string
	// NATSTLSCA, NATSTLSCert and NATSTLSKey configure TLS to NATSURL.
	NATSTLSCA, NATSTLSCert, NATSTLSKey string
	// NATSListen, when set, opens the embedded NATS server's client port
	// there (e.g. for `nats` CLI tools); empty keeps it in-process only.
	NATSListen string
	// Stream is the JetStream stream's name; every replica must use the same.
	Stream string
	// StreamReplicas is how many NATS servers store each event (1–5).
	StreamReplicas int
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
	// MemoryLimit is the Go runtime's soft memory limit in bytes
	// (--memory-limit): the collector works harder as the process's memory
	// nears it, trading CPU for a smaller RSS. MemoryLimitAuto (0, the
	// default) takes AutoMemoryLimitShare of a container's cgroup limit
	// unless GOMEMLIMIT is set; MemoryLimitNone (-1) sets none. Run applies
	// it to the whole process; Start leaves the runtime alone.
	MemoryLimit int64
	// RoomTTL is how long a live room stays live without an event (a
	// destroy callback may never come); 0 is DefaultRoomTTL. See the README,
	// "Calls and rooms".
	RoomTTL time.Duration
	// CheckpointInterval is how often the JetStream store saves the call
	// and room projections as checkpoints, which a restart restores instead
	// of replaying the whole log (see README, "Checkpoints"); 0 turns
	// checkpoints off, both writing and restoring. The memory store has
	// none: its log ends with the process.
	CheckpointInterval time.Duration

	// WebhookTokens maps an SdkAppid to its Tencent webhook authentication
	// token: that app's callbacks must carry a valid Sign and RequestTime.
	WebhookTokens map[uint32]string
	// WebhookTokenFile is a JSON file of more webhook tokens (see README, Security).
	WebhookTokenFile string
	// TRTCKeys maps an SdkAppId to the key set in the TRTC console's callback
	// configuration: that app's TRTC events (room, media, recording) must carry
	// a Sign header equal to base64(HMAC-SHA256(key, body)).
	TRTCKeys map[uint32]string
	// TRTCKeyFile is a JSON file of more TRTC callback keys (see README, TRTC events).
	TRTCKeyFile string
	// WebhookAuthWindow is how far RequestTime may be from the gateway's clock.
	WebhookAuthWindow time.Duration
	// WebhookRate is each source IP's sustained webhook requests per second; 0 is no limit.
	WebhookRate float64
	// WebhookBurst is how many webhook requests a source IP may send at once; 0 is WebhookRate rounded up.
	WebhookBurst int
	// APITokensFile is the JSON file of subscriber bearer tokens; empty leaves the API open.
	APITokensFile string
	// WebhookTLSCert and WebhookTLSKey are PEM files; set, the webhook listener serves HTTPS.
	WebhookTLSCert, WebhookTLSKey string
	// APITLSCert and APITLSKey are PEM files; set, the gRPC and JSON API listeners serve TLS.
	APITLSCert, APITLSKey string
	// APIClientCA is a PEM file of CAs; set, the API listeners require a client certificate they signed.
	APIClientCA string
	// MaxConns caps each listener's open connections; 0 is no cap.
	MaxConns int
	// GRPCMaxStreams caps the concurrent streams of one gRPC connection.
	GRPCMaxStreams uint32
	// Logger receives the gateway's structured logs; nil discards them.
	Logger *slog.Logger
	// Log, when set, is used instead of opening Store (for embedding the
	// gateway in another program, and for tests); Shutdown closes it.
	Log eventlog.Log
}

// The defaults of a plain `trtc-gateway` run, one named constant each; the
// flags of cmd/trtc-gateway show them and Validate checks whatever replaces them.
const (
	// DefaultWebhookAddr is where Tencent posts its callbacks.
	DefaultWebhookAddr = ":8080"
	// DefaultGRPCAddr is the gRPC API listener.
	DefaultGRPCAddr = ":9090"
	// DefaultHTTPAddr is the JSON API listener.
	DefaultHTTPAddr = ":8081"
	// DefaultStore is the durable, embedded JetStream log.
	DefaultStore = "jetstream"
	// DefaultRetention is how many of the newest events are kept for replay.
	DefaultRetention = 100000
	// DefaultDataDir is where the embedded NATS server keeps its files.
	DefaultDataDir = "./data"
	// DefaultStreamReplicas stores each event on one NATS server.
	DefaultStreamReplicas = 1
	// DefaultDedupWindow is how long a retried callback is recognised as a
	// duplicate (JetStream's own default, so the two never disagree).
	DefaultDedupWindow = 2 * time.Minute
	// DefaultMaxBody is the largest webhook body accepted, in bytes.
	DefaultMaxBody = 1 << 20
	// DefaultQueue is each subscriber's live buffer, in events.
	DefaultQueue = 1024
	// DefaultHeartbeat is the idle interval after which a stream gets a heartbeat.
	DefaultHeartbeat = 15 * time.Second
	// DefaultShutdownTimeout bounds the graceful part of shutdown.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultRoomTTL is how long a live room stays live without an event.
	DefaultRoomTTL = rooms.DefaultTTL
	// DefaultCheckpointInterval is how often the projections are saved:
	// a restart replays at most this long's events on top of the newest
	// checkpoint, and a gateway uploads its state a few times an hour.
	DefaultCheckpointInterval = 5 * time.Minute
	// MinCheckpointInterval is the shortest checkpoint interval: each
	// checkpoint encodes and uploads the whole state.
	MinCheckpointInterval = time.Second
	// DefaultWebhookAuthWindow is how far a signed callback's RequestTime may
	// be from the gateway's clock.
	DefaultWebhookAuthWindow = time.Minute
	// DefaultMaxConns caps each listener's open connections.
	DefaultMaxConns = 4096
	// DefaultGRPCMaxStreams caps the concurrent streams of one gRPC connection.
	DefaultGRPCMaxStreams = 100
)

// DefaultConfig returns the configuration of a plain `trtc-gateway` run.
func DefaultConfig() Config {
	return Config{
		WebhookAddr:     DefaultWebhookAddr,
		GRPCAddr:        DefaultGRPCAddr,
		HTTPAddr:        DefaultHTTPAddr,
		Console:         true,
		Store:           DefaultStore,
		Retention:       DefaultRetention,
		DataDir:         DefaultDataDir,
		Stream:          eventlog.DefaultStreamName,
		StreamReplicas:  DefaultStreamReplicas,
		DedupWindow:     DefaultDedupWindow,
		MaxBody:         DefaultMaxBody,
		Queue:           DefaultQueue,
		Heartbeat:       DefaultHeartbeat,
		ShutdownTimeout: DefaultShutdownTimeout,
		RoomTTL:         DefaultRoomTTL,

		CheckpointInterval: DefaultCheckpointInterval,

		WebhookAuthWindow: DefaultWebhookAuthWindow,
		MaxConns:          DefaultMaxConns,
		GRPCMaxStreams:    DefaultGRPCMaxStreams,
	}
}

// Validate reports the first setting that cannot work, naming its flag.
func (c *Config) Validate() error {
	var errs []error
	if c.WebhookAddr == "" {
		errs = append(errs, errors.New("--webhook-addr is required"))
	}
	if c.MemoryLimit < MemoryLimitNone {
		errs = append(errs, fmt.Errorf("--memory-limit=%d: use auto, none, or a positive size such as 512MiB", c.MemoryLimit))
	}
	if c.GRPCAddr == "" {
		errs = append(errs, errors.New("--grpc-addr is required"))
	}
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("--http-addr is required"))
	}
	switch {
	case c.Log != nil, c.Store == "memory":
	case c.Store == "jetstream":
		if c.NATSURL == "" && c.DataDir == "" {
			errs = append(errs, errors.New("--data-dir is required for the embedded JetStream store (or give --nats-url)"))
		}
		if c.NATSURL == "" && c.MaxBody > 0 && embeddedMaxPayload(c.MaxBody) > natsembed.MaxPayloadLimit {
			errs = append(errs, fmt.Errorf("--max-body=%d is too large for the embedded NATS server: its max_payload, three times the body and %d bytes, "+
				"is at most %d bytes, so --max-body is at most %d", c.MaxBody, eventlog.EventEnvelope+natsHeaderRoom, natsembed.MaxPayloadLimit,
				(natsembed.MaxPayloadLimit-eventlog.EventEnvelope-natsHeaderRoom)/3))
		}
		if c.NATSURL != "" && c.NATSListen != "" {
			errs = append(errs, errors.New("--nats-listen opens the embedded NATS server's port; with --nats-url nothing is embedded"))
		}
		if c.NATSURL != "" && (c.SyncAlways || c.SyncInterval != 0) {
			errs = append(errs, errors.New("--data-sync applies to the embedded NATS server; with --nats-url set sync_interval in the NATS servers' own configuration"))
		}
		if c.SyncInterval < 0 {
			errs = append(errs, fmt.Errorf("--data-sync=%s must not be negative", c.SyncInterval))
		}
		if (c.NATSTLSCert == "") != (c.NATSTLSKey == "") {
			errs = append(errs, errors.New("--nats-tls-cert and --nats-tls-key go together"))
		}
		if c.Stream == "" {
			errs = append(errs, errors.New("--stream must name the JetStream stream"))
		}
		if c.StreamReplicas < 1 || c.StreamReplicas > 5 {
			errs = append(errs, fmt.Errorf("--stream-replicas=%d must be from 1 to 5", c.StreamReplicas))
		}
		if c.RetentionAge < 0 || c.RetentionBytes < 0 {
			errs = append(errs, errors.New("--retention-age and --retention-bytes must not be negative"))
		}
		if c.DedupWindow == 0 {
			// JetStream cannot switch de-duplication off: a zero window
			// would silently become its default of 2m.
			errs = append(errs, fmt.Errorf("--dedup-window=0 does not disable de-duplication with --store=jetstream; give a window of at least %s", eventlog.MinDuplicateWindow))
		}
		if c.DedupWindow > 0 && c.DedupWindow < eventlog.MinDuplicateWindow {
			errs = append(errs, fmt.Errorf("--dedup-window=%s is below JetStream's minimum %s", c.DedupWindow, eventlog.MinDuplicateWindow))
		}
		if c.RetentionAge > 0 && c.DedupWindow > c.RetentionAge {
			errs = append(errs, fmt.Errorf("--dedup-window=%s must not exceed --retention-age=%s", c.DedupWindow, c.RetentionAge))
		}
	default:
		errs = append(errs, fmt.Errorf("--store=%q is not a store: use jetstream or memory", c.Store))
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
	if c.RoomTTL < 0 {
		errs = append(errs, fmt.Errorf("--room-ttl=%s must be positive (0 is the default, %s)", c.RoomTTL, DefaultRoomTTL))
	}
	if c.CheckpointInterval != 0 && c.CheckpointInterval < MinCheckpointInterval {
		errs = append(errs, fmt.Errorf("--checkpoint-interval=%s must be 0 (off) or at least %s", c.CheckpointInterval, MinCheckpointInterval))
	}
	if c.Heartbeat <= 0 {
		errs = append(errs, fmt.Errorf("--heartbeat=%s must be positive", c.Heartbeat))
	}
	errs = append(errs, c.validateSecurity()...)
	return errors.Join(errs...)
}

// validateSecurity checks the authentication, TLS and limit settings.
func (c *Config) validateSecurity() []error {
	var errs []error
	if c.WebhookAuthWindow < time.Second {
		errs = append(errs, fmt.Errorf("--webhook-auth-window=%s must be at least 1s: RequestTime counts whole seconds", c.WebhookAuthWindow))
	}
	if c.WebhookRate < 0 || c.WebhookRate != c.WebhookRate {
		errs = append(errs, fmt.Errorf("--webhook-rate=%v must be 0 (off) or positive", c.WebhookRate))
	}
	if c.WebhookBurst < 0 {
		errs = append(errs, fmt.Errorf("--webhook-burst=%d must not be negative", c.WebhookBurst))
	}
	if (c.WebhookTLSCert == "") != (c.WebhookTLSKey == "") {
		errs = append(errs, errors.New("--webhook-tls-cert and --webhook-tls-key go together"))
	}
	if (c.APITLSCert == "") != (c.APITLSKey == "") {
		errs = append(errs, errors.New("--api-tls-cert and --api-tls-key go together"))
	}
	if c.APIClientCA != "" && c.APITLSCert == "" {
		errs = append(errs, errors.New("--api-client-ca needs --api-tls-cert and --api-tls-key: client certificates are checked during the TLS handshake"))
	}
	if c.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("--max-conns=%d must be 0 (no cap) or positive", c.MaxConns))
	}
	if c.GRPCMaxStreams == 0 {
		errs = append(errs, errors.New("--grpc-max-streams must be positive"))
	}
	return errs
}
