package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// serveProfiledGateway runs a gateway with store (and, for jetstream, its
// files under dataDir) in this process, from
// the same package server the trtc-gateway binary runs, so that it can be
// profiled: SIGUSR1 starts a CPU profile and snapshots allocations, SIGUSR2
// stops the CPU profile and writes the allocations since SIGUSR1 (compare
// allocs.prof against allocs-start.prof with pprof -base). The benchmark
// sends them at the start and end of the measured window.
//
// natsURL and replicas, when set, are the gateway's --nats-url and
// --stream-replicas (an external NATS cluster); trtcKey, when set, is every
// app's TRTC callback key.
func serveProfiledGateway(dir, store, dataDir, natsURL string, replicas int, trtcKey string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = store
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	if natsURL != "" {
		cfg.NATSURL = natsURL
	}
	if replicas > 0 {
		cfg.StreamReplicas = replicas
	}
	if trtcKey != "" {
		// As trtcKeyFlag gives the gateway binary: every app the load sends for.
		cfg.TRTCKeys = make(map[uint32]string, len(defaultApps))
		for _, app := range defaultApps {
			cfg.TRTCKeys[app] = trtcKey
		}
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	go func() {
		var cpu *os.File
		for sig := range sigs {
			switch {
			case sig == syscall.SIGUSR1 && cpu == nil:
				if err := writeAllocs(filepath.Join(dir, "allocs-start.prof")); err != nil {
					cfg.Logger.Error("profile", "err", err)
				}
				f, err := os.Create(filepath.Join(dir, "cpu.prof"))
				if err == nil {
					err = pprof.StartCPUProfile(f)
				}
				if err != nil {
					cfg.Logger.Error("profile", "err", err)
					continue
				}
				cpu = f
			case sig == syscall.SIGUSR2 && cpu != nil:
				pprof.StopCPUProfile()
				if err := cpu.Close(); err != nil {
					cfg.Logger.Error("profile", "err", err)
				}
				cpu = nil
				if err := writeAllocs(filepath.Join(dir, "allocs.prof")); err != nil {
					cfg.Logger.Error("profile", "err", err)
				}
			}
		}
	}()
	return server.Run(ctx, cfg)
}

func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// profileSelf profiles the load generator's CPU into path until the
// returned function is called.
func profileSelf(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
