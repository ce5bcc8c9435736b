// Command trtc-gateway receives Tencent RTC callbacks on one URL and streams
// them, typed and in order, to any number of subscribers over gRPC and JSON.
//
// Every flag can also be set with an environment variable TRTCGW_<FLAG>, the
// flag's name in capitals with dashes as underscores (e.g. TRTCGW_GRPC_ADDR);
// a flag on the command line wins over the environment.
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
	"syscall"

	"github.com/trtc-gateway/trtc-gateway/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	apps := &appIDList{}
	var logLevel, logFormat string
	registerFlags(fs, &cfg, apps, &logLevel, &logFormat)
	if err := fs.Parse(args); err != nil {
		return cfg, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected argument %q: every setting is a flag (see -help)", fs.Arg(0))
	}
	if err := applyEnv(fs, getenv); err != nil {
		return cfg, nil, err
	}
	cfg.SdkAppIDs = apps.ids
	logger, err := newLogger(stderr, logLevel, logFormat)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, logger, cfg.Validate()
}

func registerFlags(fs *flag.FlagSet, cfg *server.Config, apps *appIDList, logLevel, logFormat *string) {
	fs.StringVar(&cfg.WebhookAddr, "webhook-addr", cfg.WebhookAddr, "public listener serving only POST /webhook")
	fs.StringVar(&cfg.GRPCAddr, "grpc-addr", cfg.GRPCAddr, "gRPC API listener (EventService, health, reflection)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", cfg.HTTPAddr, "JSON API listener: /v1/…, /healthz, /metrics")
	fs.Var(apps, "sdk-app-id", "SdkAppid allowed to post callbacks; repeatable or comma-separated; empty allows all")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "event log: memory")
	fs.IntVar(&cfg.Retention, "retention", cfg.Retention, "events kept for replay by the memory store")
	fs.DurationVar(&cfg.DedupWindow, "dedup-window", cfg.DedupWindow, "a retried callback (same SdkAppid, command and body) within this window is not logged twice; 0 disables")
	fs.Int64Var(&cfg.MaxBody, "max-body", cfg.MaxBody, "largest webhook body accepted, in bytes")
	fs.IntVar(&cfg.Queue, "queue", cfg.Queue, "per-subscriber buffer, in events; a subscriber that falls this far behind is cut off")
	fs.DurationVar(&cfg.Heartbeat, "heartbeat", cfg.Heartbeat, "idle interval after which a stream gets a heartbeat")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long a graceful shutdown may take")
	fs.StringVar(logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(logFormat, "log-format", "text", "text or json")
}
