// Package server is the gateway's composition root: it opens the event log,
// starts the hub, and serves the webhook, gRPC and JSON listeners, and shuts
// them down in the order that loses nothing.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/net/netutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/api"
	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
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
	hubStop    context.CancelFunc
	hubDone    chan error
	serveErr   chan error

	shutdownOnce sync.Once
	shutdownErr  error
}

// Run starts the gateway and serves until ctx ends, then shuts down gracefully.
func Run(ctx context.Context, cfg Config) error {
	s, err := Start(ctx, cfg)
	if err != nil {
		return err
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
	logger.Info("security", "webhook_auth_apps", whAuth.Apps(), "api_tokens", apiAuth != nil, "webhook_tls", webhookTLS != nil,
		"api_tls", apiTLS != nil, "api_client_certs", cfg.APIClientCA != "", "webhook_rate", cfg.WebhookRate)

	if s.log, s.closeStore, err = openStore(ctx, cfg, logger); err != nil {
		return nil, err
	}
	_, head, err := s.log.Bounds(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the event log's head: %w", err)
	}
	s.hub = hub.New(hub.Options{Start: head})
	hubCtx, hubStop := context.WithCancel(context.Background())
	s.hubStop, s.hubDone = hubStop, make(chan error, 1)
	go func() {
		err := s.hub.Run(hubCtx, s.log)
		if err != nil && hubCtx.Err() == nil {
			// Without its follower no subscriber gets a live event again:
			// stop, so that the process is restarted and follows anew.
			select {
			case s.serveErr <- fmt.Errorf("following the event log: %w", err):
			default:
			}
		}
		s.hubDone <- err
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerHubMetrics(reg, s.hub)

	if s.events, err = api.NewEventService(api.Options{
		Log: s.log, Hub: s.hub, Queue: cfg.Queue, Heartbeat: cfg.Heartbeat, Logger: logger,
		Authorize: narrowApps(apiAuth),
	}); err != nil {
		return nil, err
	}
	wh, err := webhook.New(webhook.Options{
		Log: s.log, AllowedApps: cfg.SdkAppIDs, MaxBody: cfg.MaxBody, Logger: logger, Registerer: reg,
		Auth: whAuth, RateLimit: webhook.RateLimit{Rate: cfg.WebhookRate, Burst: cfg.WebhookBurst},
	})
	if err != nil {
		return nil, err
	}

	// gRPC: the public API listener, and an in-process server for grpc-gateway.
	// Both authenticate; only the public one has TLS and the per-connection
	// limits, since the in-process one carries every JSON stream over one connection.
	grpcOpts := []grpc.ServerOption{
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		// Events are encoded once and the bytes shared by every stream.
		grpc.ForceServerCodecV2(api.Codec()),
	}
	if apiAuth != nil {
		grpcOpts = append(grpcOpts, grpc.ChainUnaryInterceptor(apiAuth.UnaryInterceptor()), grpc.ChainStreamInterceptor(apiAuth.StreamInterceptor()))
	}
	s.grpcIn = grpc.NewServer(grpcOpts...)
	grpcOpts = append(grpcOpts, grpc.MaxConcurrentStreams(cfg.GRPCMaxStreams), grpc.MaxHeaderListSize(64<<10))
	if apiTLS != nil {
		grpcOpts = append(grpcOpts, grpc.Creds(credentials.NewTLS(apiTLS)))
	}
	s.grpc = grpc.NewServer(grpcOpts...)
	s.health = health.NewServer()
	for _, srv := range []*grpc.Server{s.grpc, s.grpcIn} {
		gatewayv1.RegisterEventServiceServer(srv, s.events)
		healthpb.RegisterHealthServer(srv, s.health)
	}
	reflection.Register(s.grpc)

	s.inproc = bufconn.Listen(1 << 20)
	s.gwConn, err = grpc.NewClient("passthrough:///in-process",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		return nil, fmt.Errorf("connecting grpc-gateway to the gRPC server: %w", err)
	}
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
		}),
	)
	if err := gatewayv1.RegisterEventServiceHandler(ctx, gw, s.gwConn); err != nil {
		return nil, fmt.Errorf("registering the JSON API: %w", err)
	}
	httpMux := http.NewServeMux()
	httpMux.Handle("/v1/", gw)
	httpMux.HandleFunc("GET /healthz", s.healthz)
	httpMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	s.webhook = &http.Server{
		Handler:           wh,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    webhook.ServerMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	s.httpAPI = &http.Server{
		Handler:           httpMux,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}

	if s.lnWebhk, err = listen(ctx, cfg.WebhookAddr, "--webhook-addr"); err != nil {
		return nil, err
	}
	if s.lnGRPC, err = listen(ctx, cfg.GRPCAddr, "--grpc-addr"); err != nil {
		return nil, err
	}
	if s.lnHTTP, err = listen(ctx, cfg.HTTPAddr, "--http-addr"); err != nil {
		return nil, err
	}
	s.lnWebhk, s.lnGRPC, s.lnHTTP = limitConns(s.lnWebhk, cfg.MaxConns), limitConns(s.lnGRPC, cfg.MaxConns), limitConns(s.lnHTTP, cfg.MaxConns)
	if webhookTLS != nil {
		s.lnWebhk = tls.NewListener(s.lnWebhk, withALPN(webhookTLS, "h2", "http/1.1"))
	}
	if apiTLS != nil {
		s.lnHTTP = tls.NewListener(s.lnHTTP, withALPN(apiTLS, "h2", "http/1.1"))
	}

	go s.serve("grpc", func() error { return s.grpc.Serve(s.lnGRPC) })
	go s.serve("grpc-in-process", func() error { return s.grpcIn.Serve(s.inproc) })
	go s.serve("http", func() error { return s.httpAPI.Serve(s.lnHTTP) })
	go s.serve("webhook", func() error { return s.webhook.Serve(s.lnWebhk) })
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.health.SetServingStatus(gatewayv1.EventService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	for _, l := range []struct {
		name string
		ln   net.Listener
	}{{"webhook", s.lnWebhk}, {"grpc", s.lnGRPC}, {"http", s.lnHTTP}} {
		logger.Info("listening", "listener", l.name, "addr", l.ln.Addr().String())
	}
	return s, nil
}

func listen(ctx context.Context, addr, flag string) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, addr, err)
	}
	return ln, nil
}

// serve runs one listener's loop and reports an unexpected end.
func (s *Server) serve(name string, loop func() error) {
	err := loop()
	if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, grpc.ErrServerStopped) {
		return
	}
	select {
	case s.serveErr <- fmt.Errorf("%s listener: %w", name, err):
	default:
	}
}

// WebhookAddr is the bound address of the webhook listener.
func (s *Server) WebhookAddr() string { return s.lnWebhk.Addr().String() }

// GRPCAddr is the bound address of the gRPC listener.
func (s *Server) GRPCAddr() string { return s.lnGRPC.Addr().String() }

// HTTPAddr is the bound address of the JSON API listener.
func (s *Server) HTTPAddr() string { return s.lnHTTP.Addr().String() }

// Log is the gateway's event log.
func (s *Server) Log() eventlog.Log { return s.log }

// healthz answers 200 while the gateway serves and 503 once it shuts down.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	resp, err := s.health.Check(r.Context(), &healthpb.HealthCheckRequest{})
	w.Header().Set("Content-Type", "application/json")
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"NOT_SERVING"}` + "\n"))
		return
	}
	_, _ = w.Write([]byte(`{"status":"SERVING"}` + "\n"))
}

// Shutdown stops the gateway without losing an acknowledged callback: it stops
// taking webhooks and lets in-flight ones finish (their events are appended),
// ends every subscription with UNAVAILABLE naming its resume cursor, then
// closes the APIs, the hub and the log. When ctx ends first, what is left is
// closed at once.
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
	if s.hubStop != nil {
		s.hubStop()
		<-s.hubDone
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

// limitConns caps ln's open connections at n; 0 is no cap.
func limitConns(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return netutil.LimitListener(ln, n)
}

// withALPN returns cfg offering the application protocols protos.
func withALPN(cfg *tls.Config, protos ...string) *tls.Config {
	cfg = cfg.Clone()
	cfg.NextProtos = protos
	return cfg
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
