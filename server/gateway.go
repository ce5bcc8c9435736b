package server

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/api"
	"github.com/trtc-gateway/trtc-gateway/server/console"
)

// inprocBuffer is the in-process connection's buffer between grpc-gateway and
// the gRPC server, in bytes.
const inprocBuffer = 1 << 20

// newGateway connects grpc-gateway to the in-process gRPC server and returns
// the JSON API listener's handler: /v1/… through grpc-gateway, /healthz and
// /metrics beside it.
func (s *Server) newGateway(ctx context.Context, reg *prometheus.Registry) (http.Handler, error) {
	s.inproc = bufconn.Listen(inprocBuffer)
	marshaler := &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
	}
	// Each event is decoded and encoded to JSON once for all the JSON
	// streams it goes to, not once per stream.
	shared := api.NewJSONStream(marshaler)
	var err error
	s.gwConn, err = grpc.NewClient("passthrough:///in-process",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(shared.ClientCodec())),
	)
	if err != nil {
		return nil, fmt.Errorf("connecting grpc-gateway to the gRPC server: %w", err)
	}
	gw := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, marshaler),
		runtime.WithForwardResponseRewriter(shared.Rewrite),
		// grpc-gateway keeps the query parser in a package variable; every
		// gateway in the process sets the same one.
		runtime.SetQueryParameterParser(&strictQuery{}),
		runtime.WithErrorHandler(writeError),
		runtime.WithRoutingErrorHandler(routingError),
		runtime.WithForwardResponseOption(flushStreamHeaders),
		runtime.WithMiddlewares(refusedStreamAsStatus),
	)
	for _, register := range []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
		gatewayv1.RegisterEventServiceHandler,
		gatewayv1.RegisterCallServiceHandler,
		gatewayv1.RegisterRoomServiceHandler,
	} {
		if err := register(ctx, gw, s.gwConn); err != nil {
			return nil, fmt.Errorf("registering the JSON API: %w", err)
		}
	}
	// Every answer of this listener other than /healthz and /metrics, errors
	// included, is grpc-gateway's JSON: unknown paths and wrong methods too.
	mux := http.NewServeMux()
	mux.Handle("/v1/", gw)
	mux.Handle("/healthz", onlyGet(gw, http.HandlerFunc(s.healthz)))
	mux.Handle("/metrics", onlyGet(gw, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	if s.cfg.Console {
		page, err := console.Handler()
		if err != nil {
			return nil, err
		}
		mux.Handle(console.Path, page)
	}
	mux.Handle("/", notFoundHandler(gw))
	return mux, nil
}

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
