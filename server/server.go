// Package server is the gateway's composition root: it opens the event log,
// starts the hub, and serves the webhook, gRPC and JSON listeners, and shuts
// them down in the order that loses nothing.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	"google.golang.org/grpc/test/bufconn"

	"github.com/trtc-gateway/trtc-gateway/server/api"
	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
	"github.com/trtc-gateway/trtc-gateway/server/checkpoint"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/follower"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
	"github.com/trtc-gateway/trtc-gateway/server/rooms"
	"github.com/trtc-gateway/trtc-gateway/server/tlsconfig"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// Server is a running gateway.
type Server struct {
	cfg    Config
	logger *slog.Logger

	log        eventlog.Log
	closeStore func() // releases what the log runs on (NATS connection, embedded server)
	hub        *hub.Hub
	follower   *follower.Follower
	calls      *calls.Projection
	rooms      *rooms.Projection
	callSvc    *calls.Service
	roomSvc    *rooms.Service
	events     *api.EventService
	health     *health.Server
	grpc       *grpc.Server
	grpcIn     *grpc.Server // the same services for grpc-gateway, over inproc
	inproc     *bufconn.Listener
	gwConn     *grpc.ClientConn
	webhook    *http.Server
	httpAPI    *http.Server
	lnWebhk    net.Listener
	lnGRPC     net.Listener
	lnHTTP     net.Listener
	hubStop    context.CancelFunc // stops the follower, and with it the hub
	hubDone    chan error

	// checkpoints is the store's checkpoint store, nil without one; keeper
	// restores and writes the projections' checkpoints in it, and runs
	// until keeperStop (keeperDone is closed then).
	checkpoints checkpoint.Store
	keeper      *checkpoint.Keeper
	keeperStop  context.CancelFunc
	keeperDone  chan struct{}
	// readyAfter is how long the projections took to catch up after
	// start (a time.Duration); 0 until they have.
	readyAfter atomic.Int64
	// stateReady is closed by watchReady once the projections have caught
	// up with the log's head as it was at start.
	stateReady chan struct{}

	// watchStop ends the store's watch (watchLog); watchDone is closed when
	// it has ended. Both are nil for a store without one.
	watchStop context.CancelFunc
	watchDone chan struct{}
	// healthMu guards serving and logFault, which together decide the
	// health status: SERVING once serveAll ran and while the log takes
	// events.
	healthMu sync.Mutex
	serving  bool
	logFault error
	serveErr chan error

	shutdownOnce sync.Once
	shutdownErr  error
}

// Run starts the gateway and serves until ctx ends, then shuts down gracefully.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	limit, source := applyMemoryLimit(cfg.MemoryLimit)
	s, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	if limit == math.MaxInt64 {
		s.logger.Info("memory: no soft limit", "source", source)
	} else {
		s.logger.Info("memory: soft limit", "limit", FormatMemoryLimit(limit), "bytes", limit, "source", source)
	}
	if percent := rebuildGCPlan(limit, gogcEnv()); percent > 0 {
		gcCtx, stopGC := context.WithCancel(ctx)
		gcDone := make(chan struct{})
		go func() {
			defer close(gcDone)
			relaxGCWhileRebuilding(gcCtx, percent, s.stateReady, s.logger)
		}()
		defer func() { stopGC(); <-gcDone }()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-s.serveErr:
		s.logger.Error("the gateway cannot go on; shutting down", "err", runErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return errors.Join(runErr, s.Shutdown(sctx))
}

// Start opens the log, binds every listener and starts serving. The listeners
// are bound when Start returns, so their addresses can be read at once.
func Start(ctx context.Context, cfg Config) (s *Server, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s = &Server{cfg: cfg, logger: logger, serveErr: make(chan error, 1)}
	started := s // `return nil, err` clears s before this defer runs
	defer func() {
		if err != nil {
			started.closeAll()
		}
	}()

	if len(cfg.SdkAppIDs) == 0 {
		logger.Warn("no --sdk-app-id allowlist: callbacks of every SdkAppid are accepted")
	}
	whAuth, err := webhookauth.Load(cfg.WebhookTokens, cfg.WebhookTokenFile, cfg.WebhookAuthWindow)
	if err != nil {
		return nil, err
	}
	trtcAuth, err := webhookauth.LoadTRTC(cfg.TRTCKeys, cfg.TRTCKeyFile)
	if err != nil {
		return nil, err
	}
	apiAuth, err := apiauth.Load(cfg.APITokensFile, apiauth.Options{Logger: logger})
	if err != nil {
		return nil, err
	}
	if apiAuth == nil {
		logger.Warn("no --api-tokens file: every client that reaches the API listeners reads every app's events")
	}
	webhookTLS, err := tlsconfig.New(tlsconfig.Options{CertFile: cfg.WebhookTLSCert, KeyFile: cfg.WebhookTLSKey, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("--webhook-tls-cert: %w", err)
	}
	apiTLS, err := tlsconfig.New(tlsconfig.Options{CertFile: cfg.APITLSCert, KeyFile: cfg.APITLSKey, ClientCAFile: cfg.APIClientCA, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("--api-tls-cert: %w", err)
	}
	logger.Info("security", "webhook_auth_apps", whAuth.Apps(), "trtc_key_apps", trtcAuth.Apps(), "api_tokens", apiAuth != nil, "webhook_tls", webhookTLS != nil,
		"api_tls", apiTLS != nil, "api_client_certs", cfg.APIClientCA != "", "webhook_rate", cfg.WebhookRate)

	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	s.log, s.closeStore, s.checkpoints = st.log, st.release, st.checkpoints
	s.watchLog(st.watch)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := s.startState(ctx, reg); err != nil {
		return nil, err
	}
	registerHubMetrics(reg, s.hub)
	s.registerStateMetrics(reg)

	if s.events, err = api.NewEventService(api.Options{
		Log: s.log, Hub: s.hub, Queue: cfg.Queue, Heartbeat: cfg.Heartbeat, Logger: logger,
		Authorize: narrowApps(apiAuth), Registerer: reg,
	}); err != nil {
		return nil, err
	}
	if err := s.newStateServices(apiAuth); err != nil {
		return nil, err
	}
	wh, err := webhook.New(webhook.Options{
		Log: s.log, AllowedApps: cfg.SdkAppIDs, MaxBody: cfg.MaxBody, Logger: logger, Registerer: reg,
		Auth: whAuth, TRTCAuth: trtcAuth, RateLimit: webhook.RateLimit{Rate: cfg.WebhookRate, Burst: cfg.WebhookBurst},
	})
	if err != nil {
		return nil, err
	}
	s.newGRPC(apiAuth, apiTLS)
	httpAPI, err := s.newGateway(ctx, reg)
	if err != nil {
		return nil, err
	}
	s.newHTTPServers(wh, httpAPI)
	if err := s.bind(ctx, webhookTLS, apiTLS); err != nil {
		return nil, err
	}
	s.serveAll()
	return s, nil
}

// WebhookAddr is the bound address of the webhook listener.
func (s *Server) WebhookAddr() string { return s.lnWebhk.Addr().String() }

// GRPCAddr is the bound address of the gRPC listener.
func (s *Server) GRPCAddr() string { return s.lnGRPC.Addr().String() }

// HTTPAddr is the bound address of the JSON API listener.
func (s *Server) HTTPAddr() string { return s.lnHTTP.Addr().String() }

// Log is the gateway's event log.
func (s *Server) Log() eventlog.Log { return s.log }

// Shutdown stops the gateway without losing an acknowledged callback: it stops
// taking webhooks and lets in-flight ones finish (their events are appended),
// ends every subscription with UNAVAILABLE naming its resume cursor, then
// closes the APIs and the hub, stops the follower, writes the projections'
// checkpoints (JetStream store) and closes the log. When ctx ends first,
// what is left is closed at once, without a checkpoint.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		var errs []error
		s.health.Shutdown()
		if err := s.webhook.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("webhook listener: %w", err))
			_ = s.webhook.Close()
		}
		s.events.Shutdown()
		stopped := make(chan struct{})
		go func() { s.grpc.GracefulStop(); s.grpcIn.GracefulStop(); close(stopped) }()
		if err := s.httpAPI.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http listener: %w", err))
			_ = s.httpAPI.Close()
		}
		select {
		case <-stopped:
		case <-ctx.Done():
			s.grpc.Stop()
			s.grpcIn.Stop()
			<-stopped
			errs = append(errs, fmt.Errorf("grpc listener: %w", ctx.Err()))
		}
		// The projections stand still once the follower has stopped: the
		// checkpoint is then as new as the gateway's state.
		s.stopState()
		s.finalCheckpoint(ctx)
		s.closeAll()
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("stopped")
	})
	return s.shutdownErr
}

// closeAll releases what Start opened, in reverse order; safe on a partial start.
func (s *Server) closeAll() {
	if s.gwConn != nil {
		_ = s.gwConn.Close()
	}
	if s.grpc != nil {
		s.grpc.Stop()
		s.grpcIn.Stop()
	}
	for _, ln := range []net.Listener{s.lnWebhk, s.lnGRPC, s.lnHTTP} {
		if ln != nil {
			_ = ln.Close()
		}
	}
	s.stopState()
	if s.watchStop != nil {
		s.watchStop()
		<-s.watchDone
	}
	if s.log != nil {
		if err := s.log.Close(); err != nil {
			s.logger.Error("closing the event log", "err", err)
		}
	}
	if s.closeStore != nil {
		s.closeStore()
	}
}

// narrowApps returns the EventService's Authorize for a: each subscriber's
// SdkAppid filter narrowed to its token's scope. Without tokens it is nil and
// the API is open.
func narrowApps(a *apiauth.Authenticator) func(context.Context, *hub.Filter) error {
	if a == nil {
		return nil
	}
	return func(ctx context.Context, f *hub.Filter) error {
		apps, err := apiauth.NarrowApps(ctx, f.SdkAppIDs)
		if err != nil {
			return err
		}
		f.SdkAppIDs = apps
		return nil
	}
}
