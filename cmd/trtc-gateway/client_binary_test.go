package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

// TestSimulateThenTailBinary is the command line's promise, with the built
// binary only: a gateway serves, `simulate --count 100` posts, and `tail`
// in another process prints those 100 events, without colour into a pipe.
func TestSimulateThenTailBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "trtc-gateway")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "NO_COLOR=") // colour must be off in a pipe anyway

	gw := exec.Command(bin, "--store=memory", "--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0",
		"--http-addr=127.0.0.1:0", "--log-format=json", "--webhook-token=1400000001=binary-token")
	gw.Env = env
	stderr, err := gw.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &logbuf.Buffer{}
	watch := gatewayproc.NewWatcher(logs, nil)
	exited := make(chan struct{})
	go func() { watch.Consume(stderr); _ = gw.Wait(); close(exited) }()
	defer func() {
		_ = gw.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	addrs, err := watch.Wait(ctx, exited, "webhook", "grpc")
	if err != nil {
		t.Fatalf("gateway not listening: %v\n%s", err, logs.String())
	}

	sim := exec.CommandContext(ctx, bin, "simulate", "--count", "100", "--rate", "0", "--url", "http://"+addrs["webhook"]+"/webhook")
	sim.Env = append(env, "TRTCGW_WEBHOOK_TOKEN=1400000001=binary-token")
	out, err := sim.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok       100") || strings.Contains(string(out), "\x1b[") {
		t.Fatalf("simulate: %v\n%s", err, out)
	}

	for _, jsonOut := range []bool{false, true} {
		args := []string{"tail", "--from-start", "--addr", addrs["grpc"]}
		if jsonOut {
			args = append(args, "--json")
		}
		tail := exec.CommandContext(ctx, bin, args...)
		tail.Env = env
		tailOut, err := tail.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var tailErr strings.Builder
		tail.Stderr = &tailErr
		if err := tail.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(tailOut)
		sc.Buffer(nil, 1<<20)
		for i := range 100 {
			if !sc.Scan() {
				t.Fatalf("tail ended after %d lines: %v\n%s", i, sc.Err(), tailErr.String())
			}
			line := sc.Text()
			if strings.Contains(line, "\x1b[") {
				t.Fatalf("colour in a pipe: %q", line)
			}
			if jsonOut {
				var ev struct{ Sequence string }
				if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Sequence == "" {
					t.Fatalf("line %d %q: %v", i, line, err)
				}
			} else if !strings.HasPrefix(line, "#") || !strings.Contains(line, "1400000001") {
				t.Fatalf("line %d %q", i, line)
			}
		}
		// Ctrl-C ends a tail cleanly.
		_ = tail.Process.Signal(os.Interrupt)
		err = tail.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		if err != nil {
			t.Errorf("tail exited with %v after SIGINT\n%s", err, tailErr.String())
		}
	}
}
