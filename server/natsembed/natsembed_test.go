package natsembed_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func start(t *testing.T, opts natsembed.Options) *natsembed.Server {
	t.Helper()
	s, err := natsembed.Start(testContext(t), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connect(t *testing.T, s *natsembed.Server) *nats.Conn {
	t.Helper()
	nc, err := s.Connect()
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// roundTrip checks that nc reaches a working JetStream: it stores a message
// in a stream and reads it back.
func roundTrip(t *testing.T, nc *nats.Conn) {
	t.Helper()
	ctx := testContext(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "PING", Subjects: []string{"ping"}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatalf("create stream: %v", err)
	}
	ack, err := js.Publish(ctx, "ping", []byte("hello"))
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	msg, err := st.GetMsg(ctx, ack.Sequence)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if string(msg.Data) != "hello" {
		t.Fatalf("stored %q, want hello", msg.Data)
	}
}

func TestStartInProcessOnly(t *testing.T) {
	s := start(t, natsembed.Options{DataDir: t.TempDir(), ServerName: "solo"})
	if got := s.ClientURL(); got != "" {
		t.Errorf("ClientURL() = %q with no client port, want empty", got)
	}
	if got := s.ClusterURL(); got != "" {
		t.Errorf("ClusterURL() = %q outside a cluster, want empty", got)
	}
	if got := s.Name(); got != "solo" {
		t.Errorf("Name() = %q, want solo", got)
	}
	roundTrip(t, connect(t, s))
}

func TestStartListensOnRequestedPort(t *testing.T) {
	s := start(t, natsembed.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	u, err := url.Parse(s.ClientURL())
	if err != nil {
		t.Fatalf("ClientURL() = %q: %v", s.ClientURL(), err)
	}
	if u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Port() == "0" || u.Port() == "-1" {
		t.Fatalf("ClientURL() = %q, want nats://127.0.0.1:<a free port>", s.ClientURL())
	}
	// Any NATS client on the network reaches it, not only Connect.
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatalf("connect over TCP: %v", err)
	}
	t.Cleanup(nc.Close)
	roundTrip(t, nc)
}

func TestStartRejectsBadOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts natsembed.Options
		want string
	}{
		{"no data dir", natsembed.Options{}, "data directory"},
		{"listen without port", natsembed.Options{DataDir: dir, Listen: "127.0.0.1"}, "client listen address"},
		{"listen bad port", natsembed.Options{DataDir: dir, Listen: "127.0.0.1:http"}, "port must be a number"},
		{"cluster without server name", natsembed.Options{DataDir: dir, Cluster: &natsembed.ClusterOptions{Name: "c", Listen: "127.0.0.1:0"}}, "server name"},
		{"cluster without name", natsembed.Options{DataDir: dir, ServerName: "a", Cluster: &natsembed.ClusterOptions{Listen: "127.0.0.1:0"}}, "cluster name"},
		{"cluster without listen", natsembed.Options{DataDir: dir, ServerName: "a", Cluster: &natsembed.ClusterOptions{Name: "c"}}, "cluster listen address"},
		{"route without port", natsembed.Options{DataDir: dir, ServerName: "a", Cluster: &natsembed.ClusterOptions{Name: "c", Listen: "127.0.0.1:0", Routes: []string{"nats-route://127.0.0.1"}}}, "a port is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := natsembed.Start(testContext(t), tt.opts)
			if err == nil {
				s.Shutdown()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Start error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestSyncSettings(t *testing.T) {
	tests := []struct {
		name         string
		always       bool
		interval     time.Duration
		wantAlways   bool
		wantInterval time.Duration
	}{
		{"NATS default", false, 0, false, 2 * time.Minute},
		{"interval", false, 10 * time.Second, false, 10 * time.Second},
		{"always", true, 0, true, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := natsembed.Start(testContext(t), natsembed.Options{DataDir: t.TempDir(), SyncAlways: tt.always, SyncInterval: tt.interval})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown()
			if always, interval := s.Sync(); always != tt.wantAlways || interval != tt.wantInterval {
				t.Fatalf("Sync() = %v, %s; want %v, %s", always, interval, tt.wantAlways, tt.wantInterval)
			}
		})
	}
	if _, err := natsembed.Start(testContext(t), natsembed.Options{DataDir: t.TempDir(), SyncInterval: -time.Second}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Fatalf("negative interval: %v, want an error saying so", err)
	}
}

func TestStartFailsClearlyWhenPortIsTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := natsembed.Start(testContext(t), natsembed.Options{DataDir: t.TempDir(), Listen: l.Addr().String()})
	if err == nil {
		s.Shutdown()
		t.Fatal("Start succeeded on a port in use")
	}
	t.Logf("Start error: %v", err)
	if !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("Start error %q does not name the address in use %s", err, l.Addr())
	}
}

func TestStartHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s, err := natsembed.Start(ctx, natsembed.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err == nil {
		s.Shutdown()
		t.Fatal("Start succeeded with an ended context")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start error %q does not wrap context.Canceled", err)
	}
}

func TestServerLogsGoToSlog(t *testing.T) {
	var buf logbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := start(t, natsembed.Options{DataDir: t.TempDir(), Logger: logger})
	s.Shutdown()
	out := buf.String()
	if !strings.Contains(out, "component=nats-server") || !strings.Contains(out, "JetStream") {
		t.Fatalf("server log lines missing from slog output:\n%s", out)
	}
	if strings.Contains(out, "level=INFO") {
		t.Errorf("routine server notices should be logged at debug level:\n%s", out)
	}
}

func TestShutdownTwiceIsHarmless(t *testing.T) {
	s := start(t, natsembed.Options{DataDir: t.TempDir()})
	s.Shutdown()
	s.Shutdown()
	if _, err := s.Connect(nats.MaxReconnects(0)); err == nil {
		t.Fatal("Connect succeeded after Shutdown")
	}
}

// TestRecoverAfterShutdownStartsNothing checks that Recover does not bring
// back a server the gateway shut down: Check fails (the server is down), and
// Recover must say why instead of starting a new one.
func TestRecoverAfterShutdownStartsNothing(t *testing.T) {
	s := start(t, natsembed.Options{DataDir: t.TempDir()})
	s.Shutdown()
	if err := s.Check(); err == nil {
		t.Fatal("Check passed after Shutdown")
	}
	if err := s.Recover(); err == nil || !strings.Contains(err.Error(), "shut down") {
		t.Fatalf("Recover after Shutdown = %v, want an error saying it was shut down", err)
	}
	if conn, err := s.InProcessConn(); err == nil {
		conn.Close()
		t.Fatal("InProcessConn succeeded after Shutdown and Recover: Recover started a server")
	}
}
