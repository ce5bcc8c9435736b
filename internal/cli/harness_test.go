package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server"
)

const testApp = 1400000001

// waitLimit bounds every wait in these tests; it is a deadlock guard, not a speed check.
const waitLimit = 30 * time.Second

// startGateway runs a real gateway on loopback ports with a memory store.
func startGateway(t *testing.T, mutate func(*server.Config)) *server.Server {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = "memory"
	cfg.Heartbeat = time.Hour
	cfg.ShutdownTimeout = 5 * time.Second
	if mutate != nil {
		mutate(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start gateway: %v", err)
	}
	t.Cleanup(func() { shutdown(t, s) })
	return s
}

func shutdown(t *testing.T, s *server.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_ = s.Shutdown(ctx)
}

// result is how one subcommand run ended.
type result struct {
	code           int
	stdout, stderr string
}

// testEnv is an environment of the given variables, no terminal, and stdin.
func testEnv(vars map[string]string, stdin string, stdout, stderr io.Writer) Env {
	return Env{
		Stdin: strings.NewReader(stdin), Stdout: stdout, Stderr: stderr,
		Getenv:     func(k string) string { return vars[k] },
		IsTerminal: func(any) bool { return false },
	}
}

// runCmd runs a subcommand to its end.
func runCmd(t *testing.T, vars map[string]string, stdin, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var out, errb bytes.Buffer
	code := Main(ctx, testEnv(vars, stdin, &out, &errb), name, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// tailRun is a tail running in the background; its stdout is read line by line.
type tailRun struct {
	t      *testing.T
	cancel context.CancelFunc
	lines  chan string
	done   chan int
	stderr *syncBuffer
}

// startTail runs `tail args...` until stop.
func startTail(t *testing.T, vars map[string]string, args ...string) *tailRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	tr := &tailRun{t: t, cancel: cancel, lines: make(chan string, 10000), done: make(chan int, 1), stderr: &syncBuffer{}}
	go func() {
		code := Main(ctx, testEnv(vars, "", pw, tr.stderr), "tail", args)
		pw.Close()
		tr.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			tr.lines <- sc.Text()
		}
		close(tr.lines)
	}()
	t.Cleanup(func() { tr.stop() })
	return tr
}

// next returns the next line, failing the test after waitLimit.
func (tr *tailRun) next() string {
	tr.t.Helper()
	select {
	case l, ok := <-tr.lines:
		if !ok {
			tr.t.Fatalf("tail ended early; stderr:\n%s", tr.stderr)
		}
		return l
	case <-time.After(waitLimit):
		tr.t.Fatalf("no line from tail within %s; stderr:\n%s", waitLimit, tr.stderr)
	}
	return ""
}

// events reads n JSON lines.
func (tr *tailRun) events(n int) []map[string]any {
	tr.t.Helper()
	evs := make([]map[string]any, n)
	for i := range evs {
		l := tr.next()
		if err := json.Unmarshal([]byte(l), &evs[i]); err != nil {
			tr.t.Fatalf("tail --json line %q: %v", l, err)
		}
	}
	return evs
}

// stop ends the tail (as Ctrl-C does) and returns its exit status.
func (tr *tailRun) stop() int {
	tr.cancel()
	select {
	case code := <-tr.done:
		tr.done <- code
		return code
	case <-time.After(waitLimit):
		tr.t.Fatal("tail did not stop")
	}
	return -1
}

// exit waits for the tail to end on its own.
func (tr *tailRun) exit() int {
	tr.t.Helper()
	select {
	case code := <-tr.done:
		tr.done <- code
		return code
	case <-time.After(waitLimit):
		tr.t.Fatalf("tail did not exit; stderr:\n%s", tr.stderr)
	}
	return -1
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds, failing after waitLimit: for state the
// gateway derives from its log asynchronously.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", waitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
