package gatewayproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

// helperEnv makes the test binary act as a child process (see TestMain).
const helperEnv = "GATEWAYPROC_TEST_CHILD"

// TestMain lets the test binary stand in for a gateway: with helperEnv set to
// "listen" it logs two listening lines and waits for SIGTERM; with "exit" it
// logs a line and exits 3 before listening.
func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "listen":
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		fmt.Fprintln(os.Stderr, `{"msg":"listening","listener":"webhook","addr":"127.0.0.1:1"}`)
		fmt.Fprintln(os.Stderr, `{"msg":"listening","listener":"grpc","addr":"127.0.0.1:2"}`)
		<-sig
		fmt.Fprintln(os.Stderr, `{"msg":"stopped"}`)
		os.Exit(0)
	case "exit":
		fmt.Fprintln(os.Stderr, "cannot start: bad flag")
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func startHelper(t *testing.T, mode string, logs *logbuf.Buffer) (*Process, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return Start(ctx, Options{
		Argv: []string{os.Args[0], "-test.run=^$"},
		Env:  append(CleanEnv(), helperEnv+"="+mode),
		Log:  logs,
		Want: []string{"webhook", "grpc"},
	})
}

func TestStartAndStop(t *testing.T) {
	var logs logbuf.Buffer
	p, err := startHelper(t, "listen", &logs)
	if err != nil {
		t.Fatalf("Start: %v; log:\n%s", err, logs.String())
	}
	if p.Addrs["webhook"] != "127.0.0.1:1" || p.Addrs["grpc"] != "127.0.0.1:2" {
		t.Errorf("Addrs = %v", p.Addrs)
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !p.Cmd.ProcessState.Success() {
		t.Errorf("exited with %v after SIGTERM, want status 0", p.Cmd.ProcessState)
	}
	// The stderr reader has reached EOF before Exited is closed, so the
	// last line is in the log.
	if got := logs.String(); got[len(got)-len(`{"msg":"stopped"}`+"\n"):] != `{"msg":"stopped"}`+"\n" {
		t.Errorf("log does not end with the stop line:\n%s", got)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("stopping a stopped process: %v", err)
	}
}

func TestStartExitsBeforeListening(t *testing.T) {
	var logs logbuf.Buffer
	_, err := startHelper(t, "exit", &logs)
	if !errors.Is(err, ErrExited) {
		t.Fatalf("Start = %v, want ErrExited", err)
	}
	if logs.String() != "cannot start: bad flag\n" {
		t.Errorf("log = %q", logs.String())
	}
}

func TestKill(t *testing.T) {
	p, err := startHelper(t, "listen", &logbuf.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Kill(ctx); err != nil {
		t.Fatal(err)
	}
	if ws, ok := p.Cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("process state %v, want killed by SIGKILL", p.Cmd.ProcessState)
	}
}
