// Package natsembed runs a NATS server with JetStream inside the gateway's
// process, so the default single-binary deployment has a durable log with
// nothing else to install.
//
// The embedded server stores JetStream data under Options.DataDir and, unless
// Options.Listen is set, opens no network port at all: the gateway reaches it
// through an in-process connection. Setting Options.Cluster joins it to other
// servers over routes, which is how tests build a three-node cluster on
// loopback.
package natsembed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// DefaultStartTimeout bounds how long Start waits for the server to accept
// connections when ctx carries no deadline.
const DefaultStartTimeout = 30 * time.Second

// readyPoll is how long one readiness probe may block before Start looks at
// ctx and the server's fatal errors again.
const readyPoll = 100 * time.Millisecond

// Options configures an embedded NATS server.
type Options struct {
	// DataDir is the directory JetStream keeps its file store in (the
	// server's StoreDir). It is created when missing and must not be shared
	// with another running server. Required.
	DataDir string
	// Listen is the host:port for NATS clients, e.g. "127.0.0.1:4222"; a
	// port of 0 or -1 picks a free one. Empty opens no client port: only
	// in-process connections from Connect reach the server.
	Listen string
	// ServerName names the server in logs, monitoring and the JetStream
	// cluster. Every member of a cluster needs its own stable name, so it is
	// required when Cluster is set; otherwise it defaults to a random id.
	ServerName string
	// Cluster, when set, joins the server to a NATS cluster over routes.
	Cluster *ClusterOptions
	// SyncAlways makes JetStream sync every write to disk before it
	// acknowledges it, so that a power cut loses no acknowledged message;
	// each publish then waits for an fsync.
	SyncAlways bool
	// SyncInterval is how often JetStream syncs its files to disk when
	// SyncAlways is off; zero means nats-server's default of two minutes.
	// A process crash loses nothing either way (the writes are in the
	// operating system's cache); a power cut can lose what was written
	// since the last sync.
	SyncInterval time.Duration
	// MaxPayload is the largest message the server accepts, in bytes
	// (nats-server's max_payload); zero means nats-server's default of
	// 1 MiB. It must not be larger than MaxPayloadLimit.
	MaxPayload int64
	// Logger receives the server's own log lines: notices and debug lines at
	// debug level, warnings at warn level, errors and fatal errors at error
	// level. Nil discards them.
	Logger *slog.Logger
}

// ClusterOptions joins an embedded server to a NATS cluster.
type ClusterOptions struct {
	// Name is the cluster's name; every member uses the same one. Required.
	Name string
	// Listen is the host:port this server accepts routes from other members
	// on; a port of 0 or -1 picks a free one. Required.
	Listen string
	// Routes are the route addresses of the cluster's members, as host:port
	// or nats-route://host:port. Listing every member, this server included,
	// lets JetStream know the cluster's size from the start.
	Routes []string
}

// MaxPayloadLimit is the largest Options.MaxPayload: nats-server refuses a
// max_payload above its max_pending, 64 MiB by default.
const MaxPayloadLimit = server.MAX_PENDING_SIZE

// Server is a running embedded NATS server with JetStream enabled.
//
// Recover may replace the nats-server inside it with a new one on the same
// DataDir (see Recover); every method reaches the current one, and the
// connections Connect opens follow it by reconnecting.
type Server struct {
	// cur is the current nats-server. Recover swaps it under mu.
	cur atomic.Pointer[server.Server]
	// opts are the options Start was given, for a restart.
	opts   Options
	listen bool
	// name is the server's name, and port its client port when listen is
	// set, as Start got them: a restart keeps both.
	name string
	port int
	// storeDir is Options.DataDir as nats-server was given it.
	storeDir string
	// probeSize is how many bytes Recover writes to see that DataDir has
	// room again: a largest message and some.
	probeSize int
	// recoverMu serialises Recover.
	recoverMu sync.Mutex
	// mu guards closed and the swap of cur, so that a Shutdown during a
	// restart also stops the server the restart started.
	mu     sync.Mutex
	closed bool
}

// Start starts a NATS server with JetStream file storage under opts.DataDir
// and returns once it accepts connections. It fails when the options are
// invalid, when the server or JetStream reports a fatal error, or when the
// server is not ready before ctx ends (or DefaultStartTimeout passes, when
// ctx has no deadline); a server that did not become ready is shut down.
//
// In a cluster, Start returns before the JetStream meta group has a leader:
// that needs a quorum of members, which may not be started yet.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("natsembed: start: %w", err)
	}
	sopts, err := serverOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	ns, err := startServer(ctx, sopts, opts.Logger)
	if err != nil {
		return nil, fmt.Errorf("natsembed: %w", err)
	}
	s := &Server{opts: opts, listen: !sopts.DontListen, storeDir: sopts.StoreDir, name: ns.Name()}
	if s.listen {
		addr, ok := ns.Addr().(*net.TCPAddr)
		if !ok {
			ns.Shutdown()
			ns.WaitForShutdown()
			return nil, fmt.Errorf("natsembed: server %q listens for clients on %v, not a TCP address", ns.Name(), ns.Addr())
		}
		s.port = addr.Port
	}
	s.cur.Store(ns)
	s.probeSize = int(sopts.MaxPayload) + 64<<10
	if sopts.MaxPayload == 0 {
		s.probeSize += server.MAX_PAYLOAD_SIZE
	}
	return s, nil
}

// startServer starts a nats-server with sopts and waits until it is ready
// (see Start); one that does not become ready is shut down.
func startServer(ctx context.Context, sopts *server.Options, logger *slog.Logger) (*server.Server, error) {
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("configure server: %w", err)
	}
	logs := newLogAdapter(logger)
	ns.SetLogger(logs, logs.debug, false)

	// Start enables JetStream (recovering the store) synchronously and then
	// starts the listeners in the background.
	ns.Start()
	if err := waitReady(ctx, ns, logs); err != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("start server %q: %w", ns.Name(), err)
	}
	return ns, nil
}

// waitReady waits until ns accepts connections and JetStream is on.
func waitReady(ctx context.Context, ns *server.Server, logs *logAdapter) error {
	start := time.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(DefaultStartTimeout)
	}
	for {
		if msg := logs.fatal(); msg != "" {
			return errors.New(msg)
		}
		if ns.ReadyForConnections(min(readyPoll, max(time.Until(deadline), time.Millisecond))) {
			break
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("not ready for connections: %w", err)
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("not ready for connections after %s", time.Since(start).Round(time.Millisecond))
		}
	}
	if msg := logs.fatal(); msg != "" {
		return errors.New(msg)
	}
	if !ns.JetStreamEnabled() {
		return errors.New("JetStream is not enabled")
	}
	return nil
}

// serverOptions translates opts into nats-server options.
func serverOptions(opts Options) (*server.Options, error) {
	if opts.DataDir == "" {
		return nil, errors.New("a data directory is required")
	}
	sopts := &server.Options{
		ServerName: opts.ServerName,
		JetStream:  true,
		StoreDir:   opts.DataDir,
		// The gateway owns the process: the server must not install signal
		// handlers.
		NoSigs:       true,
		SyncAlways:   opts.SyncAlways,
		SyncInterval: opts.SyncInterval,
	}
	if opts.SyncInterval < 0 {
		return nil, fmt.Errorf("sync interval %s must not be negative", opts.SyncInterval)
	}
	if opts.MaxPayload < 0 || opts.MaxPayload > MaxPayloadLimit {
		return nil, fmt.Errorf("max payload %d must be between 0 and %d bytes", opts.MaxPayload, MaxPayloadLimit)
	}
	sopts.MaxPayload = int32(opts.MaxPayload)
	if opts.Listen == "" {
		sopts.DontListen = true
	} else {
		host, port, err := splitHostPort(opts.Listen)
		if err != nil {
			return nil, fmt.Errorf("client listen address: %w", err)
		}
		sopts.Host, sopts.Port = host, port
	}
	if c := opts.Cluster; c != nil {
		if opts.ServerName == "" {
			return nil, errors.New("a server name is required in a cluster")
		}
		if c.Name == "" {
			return nil, errors.New("a cluster name is required")
		}
		host, port, err := splitHostPort(c.Listen)
		if err != nil {
			return nil, fmt.Errorf("cluster listen address: %w", err)
		}
		sopts.Cluster.Name, sopts.Cluster.Host, sopts.Cluster.Port = c.Name, host, port
		for _, r := range c.Routes {
			u, err := routeURL(r)
			if err != nil {
				return nil, err
			}
			sopts.Routes = append(sopts.Routes, u)
		}
	}
	return sopts, nil
}

// splitHostPort parses host:port, mapping port 0 to nats-server's "any free
// port" (-1) because 0 means "the default port" to nats-server.
func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: port must be a number from -1 to 65535", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// routeURL parses a route address given as host:port or as a URL.
func routeURL(r string) (*url.URL, error) {
	if !strings.Contains(r, "://") {
		r = "nats-route://" + r
	}
	u, err := url.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("route %q: %w", r, err)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("route %q: a port is required", r)
	}
	return u, nil
}

// ClientURL returns the nats:// URL clients on the network connect to, or ""
// when the server opens no client port (Options.Listen was empty). A restart
// by Recover keeps it.
func (s *Server) ClientURL() string {
	if !s.listen {
		return ""
	}
	return s.cur.Load().ClientURL()
}

// ClusterURL returns the nats-route:// URL other cluster members route to,
// or "" when the server is not in a cluster.
func (s *Server) ClusterURL() string {
	addr := s.cur.Load().ClusterAddr()
	if addr == nil {
		return ""
	}
	return "nats-route://" + addr.String()
}

// Sync reports when the running server's JetStream syncs its files to disk:
// after every write (always), or every interval.
func (s *Server) Sync() (always bool, interval time.Duration) {
	cfg := s.cur.Load().JetStreamConfig()
	if cfg == nil {
		return false, 0
	}
	return cfg.SyncAlways, cfg.SyncInterval
}

// Name returns the server's name, as JetStream reports stream leaders and
// replicas. A restart by Recover keeps it.
func (s *Server) Name() string { return s.cur.Load().Name() }

// InProcessConn opens an in-process client connection to the current
// nats-server, which makes Server a nats.InProcessConnProvider: a connection
// opened with nats.InProcessServer(s) reconnects to the server a restart by
// Recover started. It fails while that restart is under way; the client tries
// again.
func (s *Server) InProcessConn() (net.Conn, error) {
	ns := s.cur.Load()
	if !ns.Running() {
		return nil, fmt.Errorf("natsembed: server %q is not running", ns.Name())
	}
	conn, err := ns.InProcessConn()
	if err != nil {
		return nil, fmt.Errorf("natsembed: connect in-process to %q: %w", ns.Name(), err)
	}
	return conn, nil
}

var _ nats.InProcessConnProvider = (*Server)(nil)

// reconnectWait is how long a connection from Connect waits between two
// attempts to reconnect: a restart by Recover takes about as long as the
// gateway takes to start its store, and every attempt in-process is cheap.
const reconnectWait = 100 * time.Millisecond

// Connect opens a client connection to the server: in-process when no client
// port is open, over its client port otherwise. The connection reconnects
// without limit, every reconnectWait, so that it follows a restart by
// Recover, and buffers what is published meanwhile (nats.go's reconnect
// buffer); a JetStream publish gets its ack once the new server runs. opts
// are applied after the connection's defaults, so they may override them.
// The caller closes the connection.
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	all := make([]nats.Option, 0, len(opts)+5)
	all = append(all, nats.Name("trtc-gateway"), nats.MaxReconnects(-1), nats.ReconnectWait(reconnectWait),
		nats.ReconnectJitter(reconnectWait, reconnectWait))
	if !s.listen {
		all = append(all, nats.InProcessServer(s))
	}
	all = append(all, opts...)
	ns := s.cur.Load()
	// With the in-process option the URL only names the server in errors.
	nc, err := nats.Connect(ns.ClientURL(), all...)
	if err != nil {
		return nil, fmt.Errorf("natsembed: connect to %q: %w", ns.Name(), err)
	}
	return nc, nil
}

// Check returns nil while JetStream can take messages: the server runs,
// JetStream is enabled, and every stream in DataDir was recovered and has had
// no write error. A disk that filled up or turned read-only makes nats-server
// disable JetStream (permission denied, out of space in a cluster) or mark
// the stream with a write error that stays until the stream is reloaded;
// either way every publish fails until Recover or a restart.
//
// It also fails when JetStream's storage limit leaves no room for a largest
// message: nats-server sizes that limit from the disk space free when
// JetStream starts (three quarters of it and of what the streams hold), and
// refuses every message over it as "insufficient resources", even once
// the disk has room again.
func (s *Server) Check() error {
	_, err := s.check()
	return err
}

// check is Check, and also reports whether the storage limit is all that
// fails.
func (s *Server) check() (limitOnly bool, err error) {
	ns := s.cur.Load()
	if !ns.Running() {
		return false, fmt.Errorf("natsembed: JetStream on %q cannot take messages: the server is shut down", ns.Name())
	}
	h := ns.Healthz(nil)
	if h.Error != "" || h.StatusCode != http.StatusOK {
		msg := h.Error
		if msg == "" {
			msg = h.Status
		}
		return false, fmt.Errorf("natsembed: JetStream on %q cannot take messages: %s", ns.Name(), msg)
	}
	if info, err := ns.Jsz(nil); err == nil && !info.Disabled && info.Config.MaxStore > 0 &&
		int64(info.Store)+int64(s.probeSize) > info.Config.MaxStore {
		return true, fmt.Errorf("natsembed: JetStream on %q cannot take messages: its streams hold %d bytes of its storage limit of %d, "+
			"which nats-server sized from the disk space free in %s when JetStream started", ns.Name(), info.Store, info.Config.MaxStore, s.storeDir)
	}
	return false, nil
}

// Recover restarts the nats-server when Check fails, as a restart of the
// process would: once DataDir takes a test write of a largest message again,
// it shuts the server down (dropping its client connections and its
// consumers, which live in memory) and starts a new one with the same
// options, name and client port on the same DataDir, which reloads the
// streams from their files (keeping their creation time, hence the event
// log's epoch), clears their write errors and sizes the storage limit from
// the disk space free now; then it returns Check's verdict. The connections
// Connect opened reconnect to the new server by themselves.
//
// The whole server restarts, rather than only JetStream, because nats-server
// does not support enabling JetStream again under live traffic: its API
// queue is replaced while in-flight requests read it.
//
// While the disk is still full or read-only, or (when only the storage limit
// fails) its free space would still leave the limit too small, it returns why
// and leaves the server as it is; call it again later. When the new
// server fails to start, it returns why and Check fails until a later
// Recover starts one. It does nothing to a healthy server, nothing to a
// server in a cluster (its peers keep the streams; restart it instead), and
// nothing after Shutdown.
func (s *Server) Recover() error {
	s.recoverMu.Lock()
	defer s.recoverMu.Unlock()
	limitOnly, err := s.check()
	old := s.cur.Load()
	if err == nil || old.JetStreamIsClustered() || s.opts.Cluster != nil {
		return err
	}
	if perr := s.probe(); perr != nil {
		return fmt.Errorf("%w; not recovering yet: %w", err, perr)
	}
	// A restart sizes the storage limit to three quarters of the space free
	// and of what the streams hold: while that leaves no room for a largest
	// message, restarting would only drop every client again.
	if limitOnly {
		if stored, limit, ok := s.wouldFit(old); !ok {
			return fmt.Errorf("%w; not recovering yet: a restart would size the storage limit to %d bytes from the space free in %s, "+
				"leaving no room for a largest message beside the %d bytes the streams hold", err, limit, s.storeDir, stored)
		}
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("%w; not recovering: the server was shut down", err)
	}
	sopts, serr := s.restartOptions()
	if serr != nil {
		return fmt.Errorf("natsembed: restart server %q: %w", s.name, serr)
	}
	if l := s.opts.Logger; l != nil {
		l.Warn("natsembed: restarting the NATS server to recover JetStream", slog.String("server", old.Name()),
			slog.String("data_dir", s.storeDir), slog.Any("err", err))
	}
	// A full shutdown flushes and closes the old server's files before the
	// new one opens them.
	old.Shutdown()
	old.WaitForShutdown()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultStartTimeout)
	defer cancel()
	ns, serr := startServer(ctx, sopts, s.opts.Logger)
	if serr != nil {
		return fmt.Errorf("natsembed: recover JetStream in %s: %w", s.storeDir, serr)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ns.Shutdown()
		ns.WaitForShutdown()
		return fmt.Errorf("%w; not recovering: the server was shut down", err)
	}
	s.cur.Store(ns)
	s.mu.Unlock()
	return s.Check()
}

// wouldFit reports whether a server started now would size its storage limit
// (nats-server's formula: three quarters of the space free in DataDir plus
// of what the streams hold) with room for a largest message beside what the
// streams hold. It says yes when it cannot tell.
func (s *Server) wouldFit(ns *server.Server) (stored, limit int64, ok bool) {
	free, known := freeBytes(s.storeDir)
	info, err := ns.Jsz(nil)
	if !known || err != nil {
		return 0, 0, true
	}
	stored = int64(info.Store)
	limit = (free + stored) / 4 * 3
	return stored, limit, stored+int64(s.probeSize) <= limit
}

// restartOptions returns the options for a server replacing the current
// one: Start's, with the name (a random one when Options.ServerName was
// empty) and client port (a free one picked when Options.Listen had port 0)
// the first server got, so that JetStream and clients on the network see the
// same server again.
func (s *Server) restartOptions() (*server.Options, error) {
	sopts, err := serverOptions(s.opts)
	if err != nil {
		return nil, err
	}
	sopts.ServerName = s.name
	if s.listen {
		sopts.Port = s.port
	}
	return sopts, nil
}

// probe writes, syncs and removes a file of probeSize bytes in DataDir.
func (s *Server) probe() (err error) {
	f, err := os.CreateTemp(s.storeDir, ".trtc-gateway-probe-*")
	if err != nil {
		return fmt.Errorf("the data directory is not writable: %w", err)
	}
	defer func() {
		if rerr := os.Remove(f.Name()); rerr != nil && err == nil {
			err = fmt.Errorf("the data directory is not writable: %w", rerr)
		}
	}()
	if _, err := f.Write(make([]byte, s.probeSize)); err != nil {
		_ = f.Close()
		return fmt.Errorf("the data directory has no room for a message: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("the data directory has no room for a message: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("the data directory has no room for a message: %w", err)
	}
	return nil
}

// Watch calls Check every interval until ctx ends, and report with each
// change of its verdict: the error as soon as a check fails, nil once a check
// or a recovery passes again (nothing while the first checks pass). While
// Check fails it calls Recover, at first at once and then every twice as long
// as the time before, up to a minute apart, so that a disk that stays full is
// not hammered; the pause starts from interval again once JetStream has
// stayed healthy for a minute.
func (s *Server) Watch(ctx context.Context, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var (
		failing      bool
		nextTry      time.Time
		backoff      = interval
		healthySince = time.Now()
	)
	for {
		err := s.Check()
		now := time.Now()
		if err != nil {
			if !failing {
				report(err)
				failing = true
			}
			if !now.Before(nextTry) {
				err = s.Recover()
				nextTry = now.Add(backoff)
				backoff = min(2*backoff, time.Minute)
			}
		}
		if err == nil && failing {
			report(nil)
			failing = false
			healthySince = now
		}
		if !failing && now.Sub(healthySince) >= time.Minute {
			backoff = interval
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Shutdown stops the server and returns once it has fully shut down,
// flushing JetStream's store to DataDir. Client connections to it are
// dropped, and a Recover under way or later starts no new server. Calling it
// more than once is harmless.
func (s *Server) Shutdown() {
	s.mu.Lock()
	s.closed = true
	ns := s.cur.Load()
	s.mu.Unlock()
	ns.Shutdown()
	ns.WaitForShutdown()
}

// logAdapter passes nats-server's log lines to slog and remembers the first
// fatal error, which nats-server reports through its logger instead of
// returning it.
type logAdapter struct {
	log   *slog.Logger
	debug bool

	mu       sync.Mutex
	fatalMsg string
}

var _ server.Logger = (*logAdapter)(nil)

func newLogAdapter(l *slog.Logger) *logAdapter {
	a := &logAdapter{log: l}
	a.debug = l != nil && l.Enabled(context.Background(), slog.LevelDebug)
	return a
}

func (a *logAdapter) fatal() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fatalMsg
}

func (a *logAdapter) emit(level slog.Level, format string, v []any) {
	if a.log == nil || !a.log.Enabled(context.Background(), level) {
		return
	}
	a.log.Log(context.Background(), level, fmt.Sprintf(format, v...), slog.String("component", "nats-server"))
}

// Noticef logs a notice at debug level: nats-server's notices are its
// start-up banner and routine state changes.
func (a *logAdapter) Noticef(format string, v ...any) { a.emit(slog.LevelDebug, format, v) }

// Warnf logs a warning.
func (a *logAdapter) Warnf(format string, v ...any) { a.emit(slog.LevelWarn, format, v) }

// Fatalf logs a fatal error and records it so Start can return it; unlike
// nats-server's own logger it never exits the process.
func (a *logAdapter) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.mu.Lock()
	if a.fatalMsg == "" {
		a.fatalMsg = msg
	}
	a.mu.Unlock()
	a.emit(slog.LevelError, "%s", []any{msg})
}

// Errorf logs an error.
func (a *logAdapter) Errorf(format string, v ...any) { a.emit(slog.LevelError, format, v) }

// Debugf logs a debug line.
func (a *logAdapter) Debugf(format string, v ...any) { a.emit(slog.LevelDebug, format, v) }

// Tracef logs a protocol trace line at debug level; traces are only produced
// when enabled, which Start never does.
func (a *logAdapter) Tracef(format string, v ...any) { a.emit(slog.LevelDebug-4, format, v) }
