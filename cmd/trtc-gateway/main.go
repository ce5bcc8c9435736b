// Command trtc-gateway receives Tencent RTC callbacks on one URL and streams
// them, typed and in order, to any number of subscribers over gRPC and JSON.
//
// Every flag can also be set with an environment variable TRTCGW_<FLAG>, the
// flag's name in capitals with dashes as underscores (e.g. TRTCGW_GRPC_ADDR);
// a flag on the command line wins over the environment.
//
// With a subcommand first (tail, send, simulate; see internal/cli) it is a
// client of a gateway instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/cli"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && cli.IsCommand(os.Args[1]) {
		code := cli.Main(ctx, cli.OSEnv(), os.Args[1], os.Args[2:])
		stop()
		os.Exit(code)
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "trtc-gateway:", err)
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, logger, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	return server.Run(ctx, cfg)
}

// parseConfig reads flags, then fills every flag not given on the command
// line from its TRTCGW_* variable.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (server.Config, *slog.Logger, error) {
	cfg := server.DefaultConfig()
	fs := flag.NewFlagSet("trtc-gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: trtc-gateway [flags]            serve: receive callbacks, stream events\n       trtc-gateway <command> [flags]  a client of a gateway (<command> --help):\n%s\nFlags:\n", cli.CommandsHelp())
		fs.PrintDefaults()
	}
	apps := &appIDList{}
	var logLevel, logFormat string
	registerFlags(fs, &cfg, apps, &logLevel, &logFormat)
	webhookTokens, trtcKeys := registerSecurityFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected argument %q: every setting is a flag (see -help)", fs.Arg(0))
	}
	err := cli.ApplyEnv(fs, getenv)
	if err != nil {
		return cfg, nil, err
	}
	cfg.SdkAppIDs = apps.ids
	if cfg.WebhookTokens, err = webhookTokens.Tokens(); err != nil {
		return cfg, nil, err
	}
	if cfg.TRTCKeys, err = trtcKeys.Tokens(); err != nil {
		return cfg, nil, err
	}
	logger, err := newLogger(stderr, logLevel, logFormat)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, logger, cfg.Validate()
}

func registerFlags(fs *flag.FlagSet, cfg *server.Config, apps *appIDList, logLevel, logFormat *string) {
	fs.StringVar(&cfg.WebhookAddr, "webhook-addr", cfg.WebhookAddr, "public listener serving only POST /webhook")
	fs.StringVar(&cfg.GRPCAddr, "grpc-addr", cfg.GRPCAddr, "gRPC API listener (EventService, health, reflection)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "JSON API listener: /v1/…, /healthz, /metrics, /console/")
	fs.BoolVar(&cfg.Console, "console", cfg.Console, "serve the web console at /console/ on --http-addr (it reads the JSON API with the visitor's token); false turns it off")
	fs.Var(apps, "sdk-app-id", "SdkAppid allowed to post callbacks; repeatable or comma-separated; empty allows all")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "event log: jetstream (durable; embedded NATS unless --nats-url) or memory (ephemeral)")
	fs.IntVar(&cfg.Retention, "retention", cfg.Retention, "newest events kept for replay")
	fs.DurationVar(&cfg.RetentionAge, "retention-age", cfg.RetentionAge, "jetstream: drop events older than this; 0 keeps them")
	fs.Int64Var(&cfg.RetentionBytes, "retention-bytes", cfg.RetentionBytes, "jetstream: keep at most this many bytes of events; 0 is no limit")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "jetstream: where the embedded NATS server stores the log")
	fs.Var(&dataSyncFlag{cfg}, "data-sync", "jetstream: when the embedded NATS server syncs the log to disk: always (before each webhook is answered) or every <duration>")
	fs.StringVar(&cfg.NATSURL, "nats-url", cfg.NATSURL, "jetstream: external NATS cluster URLs (comma-separated); nothing is embedded then")
	fs.StringVar(&cfg.NATSCreds, "nats-creds", cfg.NATSCreds, "jetstream: NATS credentials file for --nats-url")
	fs.StringVar(&cfg.NATSTLSCA, "nats-tls-ca", cfg.NATSTLSCA, "jetstream: CA file to verify --nats-url servers")
	fs.StringVar(&cfg.NATSTLSCert, "nats-tls-cert", cfg.NATSTLSCert, "jetstream: client certificate for --nats-url")
	fs.StringVar(&cfg.NATSTLSKey, "nats-tls-key", cfg.NATSTLSKey, "jetstream: client key for --nats-url")
	fs.StringVar(&cfg.NATSListen, "nats-listen", cfg.NATSListen, "jetstream: open the embedded NATS server's client port at host:port; empty keeps it in-process")
	fs.StringVar(&cfg.Stream, "stream", cfg.Stream, "jetstream: stream name, the same on every replica")
	fs.IntVar(&cfg.StreamReplicas, "stream-replicas", cfg.StreamReplicas, "jetstream: NATS servers storing each event (1-5; 3 on a 3-node cluster)")
	fs.DurationVar(&cfg.DedupWindow, "dedup-window", cfg.DedupWindow, "a retried callback (same SdkAppid, command and body) within this window is not logged twice; 0 disables it (memory store only; jetstream needs at least 100ms)")
	fs.Int64Var(&cfg.MaxBody, "max-body", cfg.MaxBody, "largest webhook body accepted, in bytes")
	fs.IntVar(&cfg.Queue, "queue", cfg.Queue, "per-subscriber buffer, in events; a subscriber that falls this far behind reads the log until it has caught up")
	fs.DurationVar(&cfg.Heartbeat, "heartbeat", cfg.Heartbeat, "idle interval after which a stream gets a heartbeat")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long a graceful shutdown may take")
	fs.DurationVar(&cfg.RoomTTL, "room-ttl", cfg.RoomTTL, "a live room with no event for this long is no longer live (RoomService)")
	fs.DurationVar(&cfg.CheckpointInterval, "checkpoint-interval", cfg.CheckpointInterval, "jetstream: save the call and room state to the NATS object store this often (and at shutdown), so that a restart replays only the events after it; 0 turns checkpoints off")
	fs.Func("memory-limit", "the Go runtime's soft memory limit: the collector works harder near it, trading CPU for RSS; auto is 90% of the container's cgroup limit unless GOMEMLIMIT is set, none sets none, or a size such as 512MiB (default auto)", func(v string) error {
		n, err := server.ParseMemoryLimit(v)
		if err != nil {
			return err
		}
		cfg.MemoryLimit = n
		return nil
	})
	fs.StringVar(logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(logFormat, "log-format", "text", "text or json")
}

// registerSecurityFlags registers the authentication, TLS and limit flags
// (README, "Security") and returns the --webhook-token and --trtc-key flags,
// parsed after the environment is applied so that a bad value is reported
// without echoing a token or key.
func registerSecurityFlags(fs *flag.FlagSet, cfg *server.Config) (tokens, keys *webhookauth.Flag) {
	tokens = &webhookauth.Flag{}
	keys = &webhookauth.Flag{Name: "--trtc-key"}
	fs.Var(keys, "trtc-key", "SdkAppId=key: require TRTC events of that app to carry Sign = base64(HMAC-SHA256(key, body)); repeatable or comma-separated (prefer --trtc-key-file: flags show in ps)")
	fs.StringVar(&cfg.TRTCKeyFile, "trtc-key-file", cfg.TRTCKeyFile, `JSON file of TRTC callback keys: {"apps":[{"sdk_app_id":1400000001,"token":"…"}]}`)
	fs.Var(tokens, "webhook-token", "SdkAppid=token: require Tencent's Sign/RequestTime for that app; repeatable or comma-separated (prefer --webhook-token-file: flags show in ps)")
	fs.StringVar(&cfg.WebhookTokenFile, "webhook-token-file", cfg.WebhookTokenFile, `JSON file of webhook tokens: {"apps":[{"sdk_app_id":1400000001,"token":"…"}]}`)
	fs.DurationVar(&cfg.WebhookAuthWindow, "webhook-auth-window", cfg.WebhookAuthWindow, "how far RequestTime may be from the gateway's clock")
	fs.Float64Var(&cfg.WebhookRate, "webhook-rate", cfg.WebhookRate, "webhook requests per second allowed per source IP (IPv6: per /64); 0 is no limit")
	fs.IntVar(&cfg.WebhookBurst, "webhook-burst", cfg.WebhookBurst, "webhook requests a source IP may send at once; 0 is --webhook-rate rounded up")
	fs.StringVar(&cfg.APITokensFile, "api-tokens", cfg.APITokensFile, "JSON file of subscriber bearer tokens scoped to SdkAppids; empty leaves the API open")
	fs.StringVar(&cfg.WebhookTLSCert, "webhook-tls-cert", cfg.WebhookTLSCert, "PEM certificate chain: serve the webhook over HTTPS (reloaded when the file changes)")
	fs.StringVar(&cfg.WebhookTLSKey, "webhook-tls-key", cfg.WebhookTLSKey, "PEM private key of --webhook-tls-cert")
	fs.StringVar(&cfg.APITLSCert, "api-tls-cert", cfg.APITLSCert, "PEM certificate chain: serve the gRPC and JSON API listeners over TLS (reloaded when the file changes)")
	fs.StringVar(&cfg.APITLSKey, "api-tls-key", cfg.APITLSKey, "PEM private key of --api-tls-cert")
	fs.StringVar(&cfg.APIClientCA, "api-client-ca", cfg.APIClientCA, "PEM CA certificates: the API listeners require a client certificate they signed (mTLS)")
	fs.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "open connections allowed per listener; 0 is no cap")
	fs.Func("grpc-max-streams", fmt.Sprintf("concurrent streams allowed per gRPC connection (default %d)", cfg.GRPCMaxStreams), func(v string) error {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return errors.New("want a positive whole number")
		}
		cfg.GRPCMaxStreams = uint32(n)
		return nil
	})
	return tokens, keys
}

// dataSyncFlag is --data-sync: "always", or the interval between syncs.
type dataSyncFlag struct{ cfg *server.Config }

func (f *dataSyncFlag) String() string {
	switch {
	case f.cfg == nil || (!f.cfg.SyncAlways && f.cfg.SyncInterval == 0):
		return "2m"
	case f.cfg.SyncAlways:
		return "always"
	default:
		return f.cfg.SyncInterval.String()
	}
}

func (f *dataSyncFlag) Set(v string) error {
	if strings.EqualFold(v, "always") {
		f.cfg.SyncAlways, f.cfg.SyncInterval = true, 0
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither always nor a positive duration such as 30s", v)
	}
	f.cfg.SyncAlways, f.cfg.SyncInterval = false, d
	return nil
}
