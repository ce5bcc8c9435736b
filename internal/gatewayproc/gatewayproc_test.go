package gatewayproc

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

func TestParseListening(t *testing.T) {
	tests := []struct {
		name           string
		line           string
		listener, addr string
		ok             bool
	}{
		{"valid", `{"time":"2026-01-02T03:04:05Z","level":"INFO","msg":"listening","listener":"grpc","addr":"127.0.0.1:4321"}`, "grpc", "127.0.0.1:4321", true},
		{"other msg", `{"level":"INFO","msg":"starting","listener":"grpc","addr":"127.0.0.1:4321"}`, "", "", false},
		{"missing addr", `{"level":"INFO","msg":"listening","listener":"http"}`, "", "", false},
		{"missing listener", `{"level":"INFO","msg":"listening","addr":"127.0.0.1:80"}`, "", "", false},
		{"non-JSON", `panic: runtime error: index out of range`, "", "", false},
		{"text format", `time=2026-01-02T03:04:05Z level=INFO msg=listening listener=webhook addr=127.0.0.1:8080`, "", "", false},
		{"empty", ``, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			listener, addr, ok := ParseListening([]byte(tt.line))
			if listener != tt.listener || addr != tt.addr || ok != tt.ok {
				t.Errorf("ParseListening(%q) = %q, %q, %v, want %q, %q, %v", tt.line, listener, addr, ok, tt.listener, tt.addr, tt.ok)
			}
		})
	}
}

func TestWatcher(t *testing.T) {
	r, pw := io.Pipe()
	var logs logbuf.Buffer
	var lines []string
	w := NewWatcher(&logs, func(line []byte) { lines = append(lines, string(line)) })
	exited := make(chan struct{})
	go func() {
		w.Consume(r)
		close(exited)
	}()
	go func() {
		for _, l := range []string{
			`{"msg":"starting"}`,
			`{"msg":"listening","listener":"webhook","addr":"127.0.0.1:1"}`,
			`{"msg":"listening","listener":"grpc","addr":"127.0.0.1:2"}`,
			`{"msg":"listening","listener":"http","addr":"127.0.0.1:3"}`,
		} {
			_, _ = io.WriteString(pw, l+"\n")
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := w.Wait(ctx, exited, "webhook", "grpc", "http")
	if err != nil {
		t.Fatal(err)
	}
	if addrs["webhook"] != "127.0.0.1:1" || addrs["grpc"] != "127.0.0.1:2" || addrs["http"] != "127.0.0.1:3" {
		t.Errorf("addrs = %v", addrs)
	}
	pw.Close()
	<-exited
	if got := strings.Count(logs.String(), "\n"); got != 4 || len(lines) != 4 {
		t.Errorf("sink got %d lines, callback %d, want 4:\n%s", got, len(lines), logs.String())
	}
	if _, err := w.Wait(ctx, exited, "nats"); !errors.Is(err, ErrExited) {
		t.Errorf("Wait for a listener never logged after exit = %v, want ErrExited", err)
	}
}

func TestWatcherContext(t *testing.T) {
	w := NewWatcher(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Wait(ctx, nil, "webhook"); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v, want context.Canceled", err)
	}
}
