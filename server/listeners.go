package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
	"google.golang.org/grpc"

	"github.com/trtc-gateway/trtc-gateway/server/webhook"
)

// The HTTP listeners' fixed timeouts and limits.
const (
	// httpReadHeaderTimeout bounds a request's headers on both HTTP listeners.
	httpReadHeaderTimeout = 5 * time.Second
	// httpIdleTimeout closes a keep-alive connection idle this long.
	httpIdleTimeout = 120 * time.Second
	// webhookReadTimeout and webhookWriteTimeout bound one callback; the JSON
	// API has none, since its event streams are long-lived.
	webhookReadTimeout  = 30 * time.Second
	webhookWriteTimeout = 30 * time.Second
	// apiMaxHeaderBytes caps a JSON API request's headers.
	apiMaxHeaderBytes = 64 << 10
)

// newHTTPServers builds the webhook and JSON API HTTP servers.
func (s *Server) newHTTPServers(wh, api http.Handler) {
	errLog := slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)
	s.webhook = &http.Server{
		Handler:           wh,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       webhookReadTimeout,
		WriteTimeout:      webhookWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    webhook.ServerMaxHeaderBytes,
		ErrorLog:          errLog,
	}
	s.httpAPI = &http.Server{
		Handler:           api,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    apiMaxHeaderBytes,
		ErrorLog:          errLog,
	}
}

// bind opens the three TCP listeners with their connection caps and TLS, so
// that their addresses can be read before anything is served.
func (s *Server) bind(ctx context.Context, webhookTLS, apiTLS *tls.Config) (err error) {
	if s.lnWebhk, err = listen(ctx, s.cfg.WebhookAddr, "--webhook-addr"); err != nil {
		return err
	}
	if s.lnGRPC, err = listen(ctx, s.cfg.GRPCAddr, "--grpc-addr"); err != nil {
		return err
	}
	if s.lnHTTP, err = listen(ctx, s.cfg.HTTPAddr, "--http-addr"); err != nil {
		return err
	}
	n := s.cfg.MaxConns
	s.lnWebhk, s.lnGRPC, s.lnHTTP = limitConns(s.lnWebhk, n), limitConns(s.lnGRPC, n), limitConns(s.lnHTTP, n)
	if webhookTLS != nil {
		s.lnWebhk = tls.NewListener(s.lnWebhk, withALPN(webhookTLS, "h2", "http/1.1"))
	}
	if apiTLS != nil {
		s.lnHTTP = tls.NewListener(s.lnHTTP, withALPN(apiTLS, "h2", "http/1.1"))
	}
	return nil
}

// serveAll starts every listener's loop and logs the bound addresses.
func (s *Server) serveAll() {
	go s.serve("grpc", func() error { return s.grpc.Serve(s.lnGRPC) })
	go s.serve("grpc-in-process", func() error { return s.grpcIn.Serve(s.inproc) })
	go s.serve("http", func() error { return s.httpAPI.Serve(s.lnHTTP) })
	go s.serve("webhook", func() error { return s.webhook.Serve(s.lnWebhk) })
	s.setServing()
	for _, l := range []struct {
		name string
		ln   net.Listener
	}{{"webhook", s.lnWebhk}, {"grpc", s.lnGRPC}, {"http", s.lnHTTP}} {
		s.logger.Info("listening", "listener", l.name, "addr", l.ln.Addr().String())
	}
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
