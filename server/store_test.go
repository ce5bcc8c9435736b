package server_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// TestBadStoreConfigFailsStart checks that a store that cannot be opened
// stops Start with an error naming what to fix, releases what it had opened
// (the same data directory and NATS port can be used again at once), and
// never panics on the way out.
func TestBadStoreConfigFailsStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	single, err := natsembed.Start(ctx, natsembed.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(single.Shutdown)
	closed := closedPort(t)

	tests := []struct {
		name   string
		mutate func(c *server.Config)
		want   string
	}{
		{"embedded store, bad stream name", func(c *server.Config) {
			c.Stream = "trtc.events"
		}, "must not contain"},
		{"embedded store, more replicas than servers", func(c *server.Config) {
			c.StreamReplicas = 3
		}, "replicas"},
		{"external NATS, bad stream name", func(c *server.Config) {
			c.NATSURL, c.NATSListen, c.Stream = single.ClientURL(), "", "trtc events"
		}, "must not contain"},
		{"external NATS, more replicas than servers", func(c *server.Config) {
			c.NATSURL, c.NATSListen, c.StreamReplicas = single.ClientURL(), "", 3
		}, "replicas"},
		{"external NATS unreachable", func(c *server.Config) {
			c.NATSURL, c.NATSListen = "nats://"+closed, ""
		}, "--nats-url"},
		{"unknown store", func(c *server.Config) { c.Store = "redis" }, `--store="redis"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			listen := closedPort(t)
			cfg := jetStreamConfig(dir, listen)
			tt.mutate(&cfg)
			if s, err := server.Start(ctx, cfg); err == nil {
				_ = s.Shutdown(ctx)
				t.Fatal("started")
			} else if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want one mentioning %q", err, tt.want)
			}
			// Whatever the failed start opened is released: a good
			// configuration on the same directory and port starts.
			s, err := server.Start(ctx, jetStreamConfig(dir, listen))
			if err != nil {
				t.Fatalf("start after the failed one: %v", err)
			}
			if err := s.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		})
	}
}

// jetStreamConfig is a gateway on loopback ports with the embedded
// JetStream store in dir, its NATS client port on listen.
func jetStreamConfig(dir, listen string) server.Config {
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = "jetstream"
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.NATSListen = listen
	return cfg
}

// closedPort returns a loopback address nothing listens on (a moment ago).
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
