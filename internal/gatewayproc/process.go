package gatewayproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Package is the gateway's main package, built by Build.
const Package = "github.com/trtc-gateway/trtc-gateway/cmd/trtc-gateway"

// DefaultStartTimeout is how long Start waits for the listening lines when
// Options.StartTimeout is zero; a gateway on a NATS cluster first waits for
// JetStream to elect its leaders.
const DefaultStartTimeout = 60 * time.Second

// ErrStartTimeout is the cause Start reports when the listening lines did
// not come within Options.StartTimeout.
var ErrStartTimeout = errors.New("the process did not log its listening lines in time")

// ErrKilled is returned by Process.Stop when the process had to be killed.
var ErrKilled = errors.New("the process did not stop in time and was killed")

// Build builds the gateway binary to out, passing flags (e.g. -race) to
// `go build`. It works from any directory inside the module.
func Build(ctx context.Context, out string, flags ...string) error {
	args := append(append([]string{"build", "-o", out}, flags...), Package)
	if b, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", Package, err, b)
	}
	return nil
}

// CleanEnv is this process's environment without TRTCGW_* settings, so a
// developer's shell cannot change the gateway under test.
func CleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TRTCGW_") })
}

// Options say how Start runs a process.
type Options struct {
	// Argv is the program and its arguments. Required.
	Argv []string
	// Env is the process's environment; nil inherits this one's.
	Env []string
	// Log receives every stderr line (see NewWatcher); nil discards them.
	Log io.Writer
	// OnLine sees every stderr line (see NewWatcher); may be nil.
	OnLine func(line []byte)
	// Want names the listeners whose "listening" lines make the process ready.
	Want []string
	// StartTimeout bounds the wait for Want; 0 means DefaultStartTimeout.
	StartTimeout time.Duration
	// Credential, when set, runs the process as that user and group (the
	// caller must be allowed to, e.g. root starting a gateway as nobody).
	Credential *syscall.Credential
}

// Process is a child process started by Start: in its own process group,
// so that it and whatever it starts are signalled together, and on Linux
// killed by the kernel when the parent dies first (a test timeout, ^C).
type Process struct {
	// Cmd is the started command; its ProcessState is set once Exited is closed.
	Cmd *exec.Cmd
	// Addrs are the listeners' addresses the process logged, by listener.
	Addrs map[string]string

	exited chan struct{}
}

// Start runs o.Argv and waits until it has logged a listening line for
// every listener in o.Want. When it exits first the error wraps ErrExited;
// when o.StartTimeout passes first it wraps ErrStartTimeout and the process
// is stopped; when ctx ends first, the error is ctx's cause and the process
// is stopped.
func Start(ctx context.Context, o Options) (*Process, error) {
	if len(o.Argv) == 0 {
		return nil, errors.New("gatewayproc: Options.Argv is empty")
	}
	cmd := exec.Command(o.Argv[0], o.Argv[1:]...)
	cmd.Env = o.Env
	cmd.SysProcAttr = procAttr()
	if o.Credential != nil {
		if cmd.SysProcAttr == nil {
			return nil, errors.New("gatewayproc: Options.Credential is not supported on this system")
		}
		cmd.SysProcAttr.Credential = o.Credential
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", o.Argv[0], err)
	}
	p := &Process{Cmd: cmd, exited: make(chan struct{})}
	watch := NewWatcher(o.Log, o.OnLine)
	go func() {
		watch.Consume(stderr)
		_ = cmd.Wait()
		close(p.exited)
	}()
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrStartTimeout)
	defer cancel()
	addrs, err := watch.Wait(wctx, p.exited, o.Want...)
	switch {
	case err == nil:
		p.Addrs = addrs
		return p, nil
	case errors.Is(err, ErrExited):
		return nil, fmt.Errorf("%w (%v)", ErrExited, cmd.ProcessState)
	case errors.Is(err, ErrStartTimeout):
		_ = p.Stop(15 * time.Second)
		return nil, fmt.Errorf("%w (%s)", ErrStartTimeout, timeout)
	default:
		_ = p.Stop(15 * time.Second)
		return nil, err
	}
}

// Exited is closed once the process has been reaped.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Pid is the process's id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Signal sends sig to the process's group.
func (p *Process) Signal(sig syscall.Signal) { signalGroup(p.Cmd.Process, sig) }

// Kill ends the process group with SIGKILL, as a crash or the OOM killer
// would, and waits until the process is reaped or ctx ends.
func (p *Process) Kill(ctx context.Context) error {
	p.Signal(syscall.SIGKILL)
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("still running after SIGKILL: %w", context.Cause(ctx))
	}
}

// Stop asks the process to shut down with SIGTERM, as an orchestrator does,
// and kills it when it has not exited within grace (returning ErrKilled).
// Stopping a process that has exited does nothing.
func (p *Process) Stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	p.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
		return nil
	case <-t.C:
		p.Signal(syscall.SIGKILL)
		<-p.exited
		return ErrKilled
	}
}
