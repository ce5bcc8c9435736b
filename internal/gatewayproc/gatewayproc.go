// Package gatewayproc owns the readiness protocol of a trtc-gateway started
// as a child process: with --log-format=json the gateway logs on stderr one
// JSON line per bound listener once it is ready,
//
//	{"msg":"listening","listener":"webhook","addr":"127.0.0.1:40123",...}
//
// A Watcher consumes the process's stderr, copies every line to a sink,
// collects the listeners' addresses and lets a caller wait for the ones it
// needs. Build, Start and Process are the rest of the harness every caller
// shares (test/durability, test/sdk, the load tool): build the binary, start
// it in its own process group, wait until it listens, signal and stop it.
package gatewayproc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"sync"
)

// ErrExited is returned by Watcher.Wait when the process exited before it
// logged every wanted listener.
var ErrExited = errors.New("the process exited before listening")

// ParseListening reports whether line is a JSON "listening" record with a
// listener name and an address, and returns them.
func ParseListening(line []byte) (listener, addr string, ok bool) {
	var rec struct{ Msg, Listener, Addr string }
	if json.Unmarshal(line, &rec) != nil || rec.Msg != "listening" || rec.Listener == "" || rec.Addr == "" {
		return "", "", false
	}
	return rec.Listener, rec.Addr, true
}

// Watcher consumes a process's stderr and records the addresses of the
// listeners it reports. Its methods are safe for concurrent use.
type Watcher struct {
	sink   io.Writer
	onLine func(line []byte)

	mu      sync.Mutex
	addrs   map[string]string
	changed chan struct{} // closed, and replaced, when addrs changes
}

// NewWatcher returns a Watcher that writes each line it consumes, newline
// terminated, to sink (when not nil) and then passes the line, without its
// newline, to onLine (when not nil). onLine must not keep the slice.
func NewWatcher(sink io.Writer, onLine func(line []byte)) *Watcher {
	return &Watcher{sink: sink, onLine: onLine, addrs: make(map[string]string), changed: make(chan struct{})}
}

// Consume reads r, a process's stderr, line by line until it ends, and then
// returns. Lines longer than 1 MiB end the line handling; the rest of r is
// still read and discarded so the process never blocks on its logging.
// Call it once, typically in the goroutine that then reaps the process.
func (w *Watcher) Consume(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var out []byte
	for sc.Scan() {
		line := sc.Bytes()
		if w.sink != nil {
			out = append(append(out[:0], line...), '\n')
			_, _ = w.sink.Write(out)
		}
		if w.onLine != nil {
			w.onLine(line)
		}
		if listener, addr, ok := ParseListening(line); ok {
			w.mu.Lock()
			w.addrs[listener] = addr
			close(w.changed)
			w.changed = make(chan struct{})
			w.mu.Unlock()
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// Wait blocks until the process has logged an address for every listener
// in want and returns a copy of all addresses logged so far, keyed by
// listener. It returns ErrExited once exited is closed without that, and
// context.Cause(ctx) when ctx ends first. Close exited only after Consume
// has returned, so that no line logged before the exit is missed.
func (w *Watcher) Wait(ctx context.Context, exited <-chan struct{}, want ...string) (map[string]string, error) {
	for {
		addrs, changed, ok := w.check(want)
		if ok {
			return addrs, nil
		}
		select {
		case <-changed:
		case <-exited:
			if addrs, _, ok := w.check(want); ok {
				return addrs, nil
			}
			return nil, ErrExited
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// check reports whether every listener in want has an address; when so it
// returns a copy of the addresses, otherwise the channel to wait on.
func (w *Watcher) check(want []string) (map[string]string, <-chan struct{}, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range want {
		if w.addrs[l] == "" {
			return nil, w.changed, false
		}
	}
	return maps.Clone(w.addrs), nil, true
}
