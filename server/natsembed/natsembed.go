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
	"net/url"
	"strconv"
	"strings"
	"sync"
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

// Server is a running embedded NATS server with JetStream enabled.
type Server struct {
	ns     *server.Server
	listen bool
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
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("natsembed: configure server: %w", err)
	}
	logs := newLogAdapter(opts.Logger)
	ns.SetLogger(logs, logs.debug, false)

	// Start enables JetStream (recovering the store) synchronously and then
	// starts the listeners in the background.
	ns.Start()
	s := &Server{ns: ns, listen: !sopts.DontListen}
	if err := s.waitReady(ctx, logs); err != nil {
		s.Shutdown()
		return nil, fmt.Errorf("natsembed: start server %q: %w", ns.Name(), err)
	}
	return s, nil
}

// waitReady waits until the server accepts connections and JetStream is on.
func (s *Server) waitReady(ctx context.Context, logs *logAdapter) error {
	start := time.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(DefaultStartTimeout)
	}
	for {
		if msg := logs.fatal(); msg != "" {
			return errors.New(msg)
		}
		if s.ns.ReadyForConnections(min(readyPoll, max(time.Until(deadline), time.Millisecond))) {
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
	if !s.ns.JetStreamEnabled() {
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
// when the server opens no client port (Options.Listen was empty).
func (s *Server) ClientURL() string {
	if !s.listen {
		return ""
	}
	return s.ns.ClientURL()
}

// ClusterURL returns the nats-route:// URL other cluster members route to,
// or "" when the server is not in a cluster.
func (s *Server) ClusterURL() string {
	addr := s.ns.ClusterAddr()
	if addr == nil {
		return ""
	}
	return "nats-route://" + addr.String()
}

// Sync reports when the running server's JetStream syncs its files to disk:
// after every write (always), or every interval.
func (s *Server) Sync() (always bool, interval time.Duration) {
	cfg := s.ns.JetStreamConfig()
	if cfg == nil {
		return false, 0
	}
	return cfg.SyncAlways, cfg.SyncInterval
}

// Name returns the server's name, as JetStream reports stream leaders and
// replicas.
func (s *Server) Name() string { return s.ns.Name() }

// Connect opens a client connection to the server: in-process when no client
// port is open, over its client port otherwise. opts are applied after the
// connection's defaults, so they may override them. The caller closes the
// connection.
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	all := make([]nats.Option, 0, len(opts)+2)
	all = append(all, nats.Name("trtc-gateway"))
	if !s.listen {
		all = append(all, nats.InProcessServer(s.ns))
	}
	all = append(all, opts...)
	// With the in-process option the URL only names the server in errors.
	nc, err := nats.Connect(s.ns.ClientURL(), all...)
	if err != nil {
		return nil, fmt.Errorf("natsembed: connect to %q: %w", s.ns.Name(), err)
	}
	return nc, nil
}

// Shutdown stops the server and returns once it has fully shut down,
// flushing JetStream's store to DataDir. Client connections to it are
// dropped. Calling it more than once is harmless.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
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
