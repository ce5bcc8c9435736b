package durability_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

// startTimeout bounds a gateway's start, which on a cluster includes waiting
// for JetStream to elect its leaders.
const startTimeout = 60 * time.Second

// stopTimeout bounds a gateway's graceful shutdown (its own bound is 10s).
const stopTimeout = 20 * time.Second

// logTail is how much of a gateway's log a failure message shows.
const logTail = 48 << 10

// gateway is one trtc-gateway process and the addresses it listens on.
type gateway struct {
	name                string
	webhook, grpc, http string

	proc  *gatewayproc.Process
	logs  *logbuf.Buffer
	raced atomic.Bool // the race detector reported a race (a -race build)
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
	args = append([]string{gatewayBin, "--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0", "--http-addr=127.0.0.1:0",
		"--log-format=json", "--sdk-app-id=" + testAppString}, args...)
	gw := &gateway{name: name, logs: &logbuf.Buffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	proc, err := gatewayproc.Start(ctx, gatewayproc.Options{
		Argv:         args,
		Env:          gatewayproc.CleanEnv(),
		Log:          gw.logs,
		Want:         []string{"webhook", "grpc", "http"},
		StartTimeout: startTimeout,
		Credential:   cred,
		OnLine: func(line []byte) {
			if bytes.Contains(line, []byte("WARNING: DATA RACE")) {
				gw.raced.Store(true)
			}
		},
	})
	if err != nil {
		t.Fatalf("starting %s: %v; log:\n%s", name, err, gw.logs.Tail(logTail))
	}
	gw.proc = proc
	t.Cleanup(func() {
		gw.stop(t)
		if gw.raced.Load() {
			t.Errorf("%s reported a data race", name)
		}
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, gw.logs.Tail(logTail))
		}
	})
	gw.webhook, gw.grpc, gw.http = proc.Addrs["webhook"], proc.Addrs["grpc"], proc.Addrs["http"]
	return gw
}

// kill ends the gateway with SIGKILL, as a crash or the OOM killer would, and
// waits until it is gone.
func (gw *gateway) kill(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := gw.proc.Kill(ctx); err != nil {
		t.Fatalf("%s: %v", gw.name, err)
	}
}

// terminate stops the gateway with SIGTERM, the way an orchestrator does,
// and fails the test unless it exits with status 0.
func (gw *gateway) terminate(t *testing.T) {
	t.Helper()
	if err := gw.proc.Stop(stopTimeout); errors.Is(err, gatewayproc.ErrKilled) {
		t.Fatalf("%s did not stop within %s of SIGTERM; killed it", gw.name, stopTimeout)
	}
	if st := gw.proc.Cmd.ProcessState; !st.Success() {
		t.Fatalf("%s exited with %v after SIGTERM, want status 0", gw.name, st)
	}
}

// stop ends a gateway still running at the end of a test: SIGTERM, then
// SIGKILL when it takes too long.
func (gw *gateway) stop(t *testing.T) {
	if err := gw.proc.Stop(stopTimeout); errors.Is(err, gatewayproc.ErrKilled) {
		t.Errorf("%s did not stop within %s of SIGTERM; killed it", gw.name, stopTimeout)
	}
}
