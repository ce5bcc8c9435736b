package durability_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
)

// startTimeout bounds a gateway's start, which on a cluster includes waiting
// for JetStream to elect its leaders.
const startTimeout = 60 * time.Second

// stopTimeout bounds a gateway's graceful shutdown (its own bound is 10s).
const stopTimeout = 20 * time.Second

// gateway is one trtc-gateway process and the addresses it listens on.
type gateway struct {
	name                string
	webhook, grpc, http string

	cmd    *exec.Cmd
	logs   *logBuffer
	exited chan struct{} // closed once the process is reaped
	raced  atomic.Bool   // the race detector reported a race (a -race build)
}

// startGateway runs the gateway binary in its own process group on loopback
// ports the kernel picks, with args after the defaults (the last of a flag
// wins), and waits for its three "listening" log lines. It is stopped at the
// end of the test if still running; its log is printed when the test failed.
func startGateway(t *testing.T, name string, args ...string) *gateway {
	t.Helper()
	return startGatewayAs(t, name, nil, args...)
}

// startGatewayAs is startGateway with the process running as the user and
// group of cred (nil: as the test).
func startGatewayAs(t *testing.T, name string, cred *syscall.Credential, args ...string) *gateway {
	t.Helper()
	args = append([]string{"--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0", "--http-addr=127.0.0.1:0",
		"--log-format=json", "--sdk-app-id=" + testAppString}, args...)
	cmd := exec.Command(gatewayBin, args...)
	// A developer's TRTCGW_* settings must not change the gateway under test.
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TRTCGW_") })
	cmd.SysProcAttr = procAttr()
	cmd.SysProcAttr.Credential = cred
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	gw := &gateway{name: name, cmd: cmd, logs: &logBuffer{}, exited: make(chan struct{})}
	watch := gatewayproc.NewWatcher(gw.logs, func(line []byte) {
		if bytes.Contains(line, []byte("WARNING: DATA RACE")) {
			gw.raced.Store(true)
		}
	})
	go func() {
		watch.Consume(stderr)
		_ = cmd.Wait()
		close(gw.exited)
	}()
	t.Cleanup(func() {
		gw.stop(t)
		if gw.raced.Load() {
			t.Errorf("%s reported a data race", name)
		}
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, gw.logs.tail(48<<10))
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	addrs, err := watch.Wait(ctx, gw.exited, "webhook", "grpc", "http")
	switch {
	case errors.Is(err, gatewayproc.ErrExited):
		t.Fatalf("%s exited before listening (%v); log:\n%s", name, cmd.ProcessState, gw.logs.tail(48<<10))
	case err != nil:
		t.Fatalf("%s did not log its three listening addresses within %s; log:\n%s", name, startTimeout, gw.logs.tail(48<<10))
	}
	gw.webhook, gw.grpc, gw.http = addrs["webhook"], addrs["grpc"], addrs["http"]
	return gw
}

// signal sends sig to the gateway's process group.
func (gw *gateway) signal(sig syscall.Signal) {
	_ = syscall.Kill(-gw.cmd.Process.Pid, sig)
}

// kill ends the gateway with SIGKILL, as a crash or the OOM killer would, and
// waits until it is gone.
func (gw *gateway) kill(t *testing.T) {
	t.Helper()
	gw.signal(syscall.SIGKILL)
	select {
	case <-gw.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("%s still running %s after SIGKILL", gw.name, stopTimeout)
	}
}

// terminate stops the gateway with SIGTERM, the way an orchestrator does,
// and fails the test unless it exits with status 0.
func (gw *gateway) terminate(t *testing.T) {
	t.Helper()
	gw.signal(syscall.SIGTERM)
	select {
	case <-gw.exited:
	case <-time.After(stopTimeout):
		gw.signal(syscall.SIGKILL)
		<-gw.exited
		t.Fatalf("%s did not stop within %s of SIGTERM; killed it", gw.name, stopTimeout)
	}
	if !gw.cmd.ProcessState.Success() {
		t.Fatalf("%s exited with %v after SIGTERM, want status 0", gw.name, gw.cmd.ProcessState)
	}
}

// stop ends a gateway still running at the end of a test: SIGTERM, then
// SIGKILL when it takes too long.
func (gw *gateway) stop(t *testing.T) {
	select {
	case <-gw.exited:
		return
	default:
	}
	gw.signal(syscall.SIGTERM)
	select {
	case <-gw.exited:
	case <-time.After(stopTimeout):
		t.Errorf("%s did not stop within %s of SIGTERM; killing it", gw.name, stopTimeout)
		gw.signal(syscall.SIGKILL)
		<-gw.exited
	}
}

// logBuffer collects a process's log lines for failure messages.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p; it never fails.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// tail returns the last n bytes of the log, from a line start.
func (b *logBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "…\n" + s
}
