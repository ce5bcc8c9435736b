package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
)

// child is a process the benchmark started and measures: the gateway or the
// bare handler.
type child struct {
	name  string
	proc  *gatewayproc.Process
	cmd   *exec.Cmd
	pid   int
	addrs map[string]string // listener name to address, set once ready

	mu     sync.Mutex
	tail   []string // the last lines of its stderr, for error reports
	warned int      // log lines at WARN or ERROR
	// dataDir, when set, is removed once the process has stopped.
	dataDir string
	// onStop, when set, runs once the process has stopped: it stops what
	// the process depended on (a gateway's NATS cluster).
	onStop func()
	// logFile, when set, receives every line the process logs.
	logFile *os.File
}

// startChild runs argv, pinned to cpus with taskset when cpus is set, and
// waits until it has logged a "listening" line (the gateway's JSON readiness
// line, which the bare handler and the NATS nodes log too) for every
// listener in want.
func startChild(ctx context.Context, name, cpus string, argv []string, want ...string) (*child, error) {
	return startChildLogged(ctx, name, cpus, "", argv, want...)
}

// startChildLogged is startChild that also writes every line the process
// logs to logPath, when set, kept after the run.
func startChildLogged(ctx context.Context, name, cpus, logPath string, argv []string, want ...string) (*child, error) {
	var logFile *os.File
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return nil, err
		}
		logFile = f
	}
	if cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	c := &child{name: name, logFile: logFile}
	p, err := gatewayproc.Start(ctx, gatewayproc.Options{
		Argv: argv,
		Want: want,
		OnLine: func(line []byte) {
			var l struct {
				Level string `json:"level"`
			}
			_ = json.Unmarshal(line, &l)
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.logFile != nil {
				_, _ = c.logFile.Write(append(line, '\n'))
			}
			if len(c.tail) == 20 {
				c.tail = c.tail[1:]
			}
			c.tail = append(c.tail, string(line))
			if l.Level == "WARN" || l.Level == "ERROR" {
				c.warned++
			}
		},
	})
	if err != nil {
		c.closeLog()
	}
	switch {
	case err == nil:
	case errors.Is(err, gatewayproc.ErrExited), errors.Is(err, gatewayproc.ErrStartTimeout):
		return nil, fmt.Errorf("%s: %w: %s", name, err, c.lastLines())
	default:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// taskset execs the program, so the pid is the gateway's own.
	c.proc, c.cmd, c.pid, c.addrs = p, p.Cmd, p.Pid(), p.Addrs
	return c, nil
}

func (c *child) lastLines() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.tail, "\n")
}

func (c *child) warnings() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.warned
}

// stop asks the process to shut down gracefully and kills it if it has not
// within 15 seconds.
// closeLog closes the log file, once the process has stopped logging.
func (c *child) closeLog() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.logFile != nil {
		_ = c.logFile.Close()
		c.logFile = nil
	}
}

func (c *child) stop() { c.stopWithin(15 * time.Second) }

// stopWithin is stop with a bound of its own on the graceful stop.
func (c *child) stopWithin(bound time.Duration) {
	_ = c.proc.Stop(bound)
	c.closeLog()
	if c.dataDir != "" {
		_ = os.RemoveAll(c.dataDir)
	}
	if c.onStop != nil {
		c.onStop()
		c.onStop = nil
	}
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// cpuSeconds returns the user and system CPU time pid has used.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it are plain.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return float64(utime+stime) / clockTicks, nil
}

// peakRSS returns pid's peak resident set size (VmHWM), in bytes.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// buildGateway builds ./cmd/trtc-gateway into dir once per benchmark run.
func buildGateway(ctx context.Context, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin, err := filepath.Abs(filepath.Join(dir, "trtc-gateway"))
	if err != nil {
		return "", err
	}
	if err := gatewayproc.Build(ctx, bin); err != nil {
		return "", fmt.Errorf("%w (run inside the repository, or pass --gateway-bin)", err)
	}
	return bin, nil
}

// tasksetAvailable reports whether CPU pinning can be used.
func tasksetAvailable() bool {
	_, err := exec.LookPath("taskset")
	return err == nil
}
