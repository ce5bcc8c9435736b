package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// natsNode is how the benchmark re-executes itself as one member of a NATS
// cluster (--nats-node and the --nats-node-* flags).
type natsNode struct {
	name    string
	dataDir string
	listen  string // client host:port; port 0 picks a free one
	cluster string // route host:port every member knows in advance
	routes  string // comma-separated route addresses of every member
	// logFile, when set, receives the node's log at debug level (leader
	// elections, lost routes, raft state changes), kept after the run to
	// explain stalls.
	logFile string
	// profileDir, when set, gets the node's CPU profile of the measured
	// window as <name>.cpu.prof: SIGUSR1 starts it, SIGUSR2 writes it, the
	// signals the benchmark sends a profiled gateway.
	profileDir string
}

// serveNATSNode runs one embedded NATS server with JetStream as a member of
// a cluster, logs a "listening" line with its client address (the same JSON
// line the gateway logs) and serves until SIGINT or SIGTERM.
func serveNATSNode(n natsNode) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if n.name == "" || n.dataDir == "" || n.cluster == "" || n.routes == "" {
		return errors.New("--nats-node needs --nats-node-dir, --nats-node-cluster and --nats-node-routes")
	}
	var logOut io.Writer = os.Stderr
	level := slog.LevelWarn
	if n.logFile != "" {
		f, err := os.Create(n.logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		// Warnings still reach stderr, where the benchmark counts them.
		logOut, level = io.MultiWriter(f, warnOnly{os.Stderr}), slog.LevelDebug
	}
	logger := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))
	if n.profileDir != "" {
		stopProfile, err := profileOnSignal(filepath.Join(n.profileDir, n.name+".cpu.prof"), logger)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	srv, err := natsembed.Start(ctx, natsembed.Options{
		DataDir:    n.dataDir,
		Listen:     n.listen,
		ServerName: n.name,
		Cluster:    &natsembed.ClusterOptions{Name: "trtc-bench", Listen: n.cluster, Routes: strings.Split(n.routes, ",")},
		Logger:     logger,
	})
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	// The line startChild waits for; Info is below the logger's level.
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Info("listening", "listener", "nats", "addr", strings.TrimPrefix(srv.ClientURL(), "nats://"))
	<-ctx.Done()
	return nil
}

// warnOnly passes on the JSON log lines at WARN or ERROR level.
type warnOnly struct{ w io.Writer }

func (w warnOnly) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"level":"WARN"`)) || bytes.Contains(p, []byte(`"level":"ERROR"`)) {
		if _, err := w.w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// profileOnSignal writes a CPU profile to path from SIGUSR1 to SIGUSR2.
// The returned function stops listening (and a profile still running).
func profileOnSignal(path string, logger *slog.Logger) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var f *os.File
		stop := func() {
			if f == nil {
				return
			}
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				logger.Error("profile", "err", err)
			}
			f = nil
		}
		defer stop()
		for sig := range sigs {
			switch {
			case sig == syscall.SIGUSR1 && f == nil:
				out, err := os.Create(path)
				if err == nil {
					err = pprof.StartCPUProfile(out)
				}
				if err != nil {
					logger.Error("profile", "err", err)
					continue
				}
				f = out
			case sig == syscall.SIGUSR2:
				stop()
			}
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(sigs)
		<-done
	}, nil
}

// natsCluster is a NATS cluster of child processes the benchmark started
// for one gateway, each with its own data directory under dir.
type natsCluster struct {
	nodes []*child
	dir   string
	urls  []string
}

// startNATSCluster starts an n-node NATS cluster on loopback, each node a
// re-execution of this binary pinned to cpus, and returns once JetStream
// answers through it (its meta group has a leader). Each node logs at debug
// level to logDir/<name>.log, kept after the run. With profileDir set each
// node profiles its CPU into it between SIGUSR1 and SIGUSR2 (see signal).
// On error it stops what it started and removes its data directories.
func startNATSCluster(ctx context.Context, cpus, outDir, logDir, profileDir string, n int) (_ *natsCluster, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(outDir, "nats-cluster-")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	c := &natsCluster{dir: dir}
	defer func() {
		if err != nil {
			c.stop()
		}
	}()
	// Every member must know every route before it starts, so the route
	// ports are picked here (free a moment ago) rather than by the nodes.
	routes, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	for i := range n {
		name := fmt.Sprintf("nats-%d", i)
		node, err := startChild(ctx, "NATS node "+name, cpus, []string{self,
			"--nats-node=" + name,
			"--nats-node-dir=" + filepath.Join(dir, name),
			"--nats-node-listen=127.0.0.1:0",
			"--nats-node-cluster=" + routes[i],
			"--nats-node-routes=" + strings.Join(routes, ","),
			"--nats-node-log=" + filepath.Join(logDir, name+".log"),
			"--profile=" + profileDir,
		}, "nats")
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, node)
		c.urls = append(c.urls, "nats://"+node.addrs["nats"])
	}
	if err := waitJetStream(ctx, c.urls, time.Minute); err != nil {
		return nil, fmt.Errorf("NATS cluster: %w (last log lines: %s)", err, c.nodes[0].lastLines())
	}
	return c, nil
}

// waitJetStream waits until JetStream answers an account request through
// the cluster, which it does once the meta group has elected a leader and
// can place a stream.
func waitJetStream(ctx context.Context, urls []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc, err := nats.Connect(strings.Join(urls, ","), nats.Name("trtc-gateway-bench"), nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	for {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.AccountInfo(actx)
		acancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("JetStream not available after %s: %w", timeout, err)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("JetStream not available after %s: %w", timeout, err)
		}
	}
}

// natsURL is the gateway's --nats-url for the cluster.
func (c *natsCluster) natsURL() string { return strings.Join(c.urls, ",") }

// pids returns the nodes' process ids.
func (c *natsCluster) pids() []int {
	pids := make([]int, len(c.nodes))
	for i, n := range c.nodes {
		pids[i] = n.pid
	}
	return pids
}

// signal sends sig to every node.
func (c *natsCluster) signal(sig os.Signal) {
	for _, n := range c.nodes {
		_ = n.cmd.Process.Signal(sig)
	}
}

// stop stops every node and removes the cluster's data directories.
func (c *natsCluster) stop() {
	for _, n := range c.nodes {
		n.stop()
	}
	_ = os.RemoveAll(c.dir)
}

// freePorts returns n loopback host:port addresses that were free a moment ago.
func freePorts(n int) ([]string, error) {
	addrs := make([]string, n)
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		addrs[i] = l.Addr().String()
	}
	return addrs, nil
}
