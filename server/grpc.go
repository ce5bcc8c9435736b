package server

import (
	"crypto/tls"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/api"
	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
)

// The gRPC servers' fixed settings.
const (
	// grpcKeepaliveTime is how long a connection may be idle before the
	// server pings it, so that dead subscribers are noticed.
	grpcKeepaliveTime = 30 * time.Second
	// grpcKeepaliveTimeout is how long a ping may go unanswered.
	grpcKeepaliveTimeout = 10 * time.Second
	// grpcMinPingInterval is the most often a client may ping.
	grpcMinPingInterval = 10 * time.Second
	// grpcMaxHeaderBytes caps a request's metadata on the public listener.
	grpcMaxHeaderBytes = 64 << 10
)

// newGRPC builds the public gRPC server and the in-process one grpc-gateway
// talks to, and registers every service on both. Both authenticate; only the
// public one has TLS and the per-connection limits, since the in-process one
// carries every JSON stream over one connection.
func (s *Server) newGRPC(apiAuth *apiauth.Authenticator, apiTLS *tls.Config) {
	opts := []grpc.ServerOption{
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: grpcKeepaliveTime, Timeout: grpcKeepaliveTimeout}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: grpcMinPingInterval, PermitWithoutStream: true}),
		// Events are encoded once and the bytes shared by every stream.
		grpc.ForceServerCodecV2(api.Codec()),
	}
	if apiAuth != nil {
		opts = append(opts, grpc.ChainUnaryInterceptor(apiAuth.UnaryInterceptor()), grpc.ChainStreamInterceptor(apiAuth.StreamInterceptor()))
	}
	s.grpcIn = grpc.NewServer(opts...)
	opts = append(opts, grpc.MaxConcurrentStreams(s.cfg.GRPCMaxStreams), grpc.MaxHeaderListSize(grpcMaxHeaderBytes))
	if apiTLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(apiTLS)))
	}
	s.grpc = grpc.NewServer(opts...)
	s.health = health.NewServer()
	for _, srv := range []*grpc.Server{s.grpc, s.grpcIn} {
		gatewayv1.RegisterEventServiceServer(srv, s.events)
		gatewayv1.RegisterCallServiceServer(srv, s.callSvc)
		gatewayv1.RegisterRoomServiceServer(srv, s.roomSvc)
		healthpb.RegisterHealthServer(srv, s.health)
	}
	reflection.Register(s.grpc)
}

// setServing marks the gateway and each of its services as serving, unless
// the event log cannot take events (see watchLog).
func (s *Server) setServing() {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	s.serving = true
	s.applyHealthLocked()
}

// applyHealthLocked sets the health status from serving and logFault; it is
// called with healthMu held. After Shutdown the health server ignores it.
func (s *Server) applyHealthLocked() {
	if s.health == nil || !s.serving {
		return
	}
	status := healthpb.HealthCheckResponse_SERVING
	if s.logFault != nil {
		status = healthpb.HealthCheckResponse_NOT_SERVING
	}
	s.health.SetServingStatus("", status)
	for _, name := range []string{
		gatewayv1.EventService_ServiceDesc.ServiceName,
		gatewayv1.CallService_ServiceDesc.ServiceName,
		gatewayv1.RoomService_ServiceDesc.ServiceName,
	} {
		s.health.SetServingStatus(name, status)
	}
}
