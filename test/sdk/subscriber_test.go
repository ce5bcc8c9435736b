// Package sdk_test runs the Node and Python subscriber examples, built on the
// generated TypeScript and Python SDKs, against a stand-in EventService and
// against the real gateway, and checks what they print.
//
// The tests need Node, the example's node_modules and Debian's Python runtime,
// which `make sdk-deps` installs; they run only when TRTCGW_SDK_TESTS=1, as
// `make test-sdk` sets it, and skip otherwise.
package sdk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

// enableEnv names the variable that turns these tests on.
const enableEnv = "TRTCGW_SDK_TESTS"

// systemPython is Debian's interpreter, the one python3-grpcio and
// python3-protobuf are installed for.
const systemPython = "/usr/bin/python3"

var (
	// repoRoot is the checkout's top directory, found from the test's directory.
	repoRoot string
	// scratch holds the Python venv shared by every test; removed by TestMain.
	scratch string

	venvOnce   sync.Once
	venvPython string
	venvErr    error
)

func TestMain(m *testing.M) {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))
	scratch, err = os.MkdirTemp("", "trtc-sdk-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(scratch)
	os.Exit(code)
}

// requireEnabled skips the test unless the SDK tests were asked for.
func requireEnabled(t *testing.T) {
	t.Helper()
	if os.Getenv(enableEnv) != "1" {
		t.Skipf("set %s=1 (make test-sdk) to run the SDK examples", enableEnv)
	}
}

// example is one of the subscriber examples and how to start it.
type example struct {
	name string
	// command returns the program and leading arguments that run the example.
	command func(t *testing.T) []string
}

var examples = []example{
	{name: "node", command: nodeCommand},
	{name: "python", command: pythonCommand},
}

func nodeCommand(t *testing.T) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found: %v", err)
	}
	dir := filepath.Join(repoRoot, "examples", "node-subscriber")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@trtc-gateway", "sdk", "package.json")); err != nil {
		t.Fatalf("examples/node-subscriber has no installed SDK (run make sdk-deps): %v", err)
	}
	return []string{node, filepath.Join(dir, "subscribe.js")}
}

func pythonCommand(t *testing.T) []string {
	t.Helper()
	venvOnce.Do(func() { venvPython, venvErr = installPythonSDK() })
	if venvErr != nil {
		t.Fatalf("installing gen/python: %v", venvErr)
	}
	return []string{venvPython, filepath.Join(repoRoot, "examples", "python-subscriber", "subscribe.py")}
}

// installPythonSDK makes a venv over Debian's Python packages and installs
// gen/python into it the way its README says, offline. It installs from a copy
// so the build leaves nothing behind in the source tree.
func installPythonSDK() (string, error) {
	venv := filepath.Join(scratch, "venv")
	src := filepath.Join(scratch, "gen-python")
	if err := os.CopyFS(src, os.DirFS(filepath.Join(repoRoot, "gen", "python"))); err != nil {
		return "", fmt.Errorf("copying gen/python: %w", err)
	}
	python := filepath.Join(venv, "bin", "python")
	steps := [][]string{
		// Debian's pip, seen through the system site-packages, saves seeding one.
		{systemPython, "-m", "venv", "--system-site-packages", "--without-pip", venv},
		{python, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-index", src},
		// The SDK must resolve from the venv, and import Timestamp from the runtime.
		{python, "-c",
			"from trtc.gateway.v1 import event_service_pb2_grpc, events_pb2; " +
				"from google.protobuf import timestamp_pb2; " +
				"assert events_pb2.Event.DESCRIPTOR.fields_by_name['event_time'].message_type is timestamp_pb2.Timestamp.DESCRIPTOR"},
	}
	for _, args := range steps {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		cancel()
		if err != nil {
			return "", fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return python, nil
}

// subscriber is a running example process. Its stdout lines arrive on lines;
// its stderr is kept for failure messages.
type subscriber struct {
	name   string
	cmd    *exec.Cmd
	lines  chan string
	stderr *logbuf.Buffer
	done   chan struct{}
	err    error // Wait's result, valid after done is closed
}

// startSubscriber starts ex with args and env (KEY=VALUE, added to the test's
// environment). The process is killed at the end of the test if still running.
func startSubscriber(t *testing.T, ex example, name string, env []string, args ...string) *subscriber {
	t.Helper()
	argv := append(ex.command(t), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &subscriber{
		name:   name,
		cmd:    cmd,
		lines:  make(chan string, 1024),
		stderr: &logbuf.Buffer{},
		done:   make(chan struct{}),
	}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("%s stderr:\n%s", name, s.stderr.String())
		}
	})
	return s
}

// next returns the next stdout line, failing t when none comes within
// timeout or the process exits first.
func (s *subscriber) next(t *testing.T, timeout time.Duration) string {
	t.Helper()
	select {
	case line, ok := <-s.lines:
		if !ok {
			<-s.done
			t.Fatalf("%s exited (%v) before printing the next event; stderr:\n%s", s.name, s.err, s.stderr.String())
		}
		return line
	case <-time.After(timeout):
		t.Fatalf("%s printed nothing for %v; stderr:\n%s", s.name, timeout, s.stderr.String())
	}
	return ""
}

// events reads n lines and decodes each as one JSON event.
func (s *subscriber) events(t *testing.T, n int, timeout time.Duration) []jsonEvent {
	t.Helper()
	deadline := time.Now().Add(timeout)
	out := make([]jsonEvent, 0, n)
	for range n {
		line := s.next(t, time.Until(deadline))
		ev, err := decodeEvent(line)
		if err != nil {
			t.Fatalf("%s printed a line that is not one JSON event: %v\n%s", s.name, err, line)
		}
		out = append(out, ev)
	}
	return out
}

// wait waits for the process to exit by itself and returns its exit code.
func (s *subscriber) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %v; stderr:\n%s", s.name, timeout, s.stderr.String())
	}
	return exitCode(t, s.name, s.err)
}

// terminate sends SIGTERM and returns the exit code, failing when the process
// does not stop within timeout.
func (s *subscriber) terminate(t *testing.T, timeout time.Duration) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("signalling %s: %v", s.name, err)
	}
	return s.wait(t, timeout)
}

// waitStderr waits until the process has written text to stderr.
func (s *subscriber) waitStderr(t *testing.T, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.stderr.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within %v; stderr:\n%s", s.name, text, timeout, s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// drain fails the test when the process printed more lines than were read.
func (s *subscriber) drain(t *testing.T) {
	t.Helper()
	for line := range s.lines {
		t.Errorf("%s printed an unexpected extra line: %s", s.name, line)
	}
}

func exitCode(t *testing.T, name string, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("%s was killed by %v", name, ws.Signal())
		}
		return ee.ExitCode()
	}
	t.Fatalf("%s: %v", name, err)
	return -1
}

// jsonEvent is an event as an example printed it: the raw line and the decoded
// object, with numbers kept as json.Number so no digit is lost in the test.
type jsonEvent struct {
	raw string
	obj map[string]any
}

func decodeEvent(line string) (jsonEvent, error) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return jsonEvent{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jsonEvent{}, fmt.Errorf("trailing data after the JSON object")
	}
	return jsonEvent{raw: line, obj: obj}, nil
}

// get walks a path of object keys and array indexes ("callRecord", "calleeAccounts", 1).
func (e jsonEvent) get(path ...any) (any, bool) {
	var cur any = e.obj
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				return nil, false
			}
			cur = a[k]
		default:
			panic(fmt.Sprintf("bad path element %T", p))
		}
	}
	return cur, true
}

// str returns the string at path, or "<absent>" / "<not a string: …>" so that a
// comparison against the expected value fails with a readable message.
func (e jsonEvent) str(path ...any) string {
	v, ok := e.get(path...)
	if !ok {
		return "<absent>"
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("<not a string: %v>", v)
	}
	return s
}
