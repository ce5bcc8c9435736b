package server

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// errorMarshaler writes every error of the JSON API listener as a complete
// google.rpc.Status, {"code":…,"message":…,"details":[]}: a client parses one
// shape whatever failed, down to the empty details.
var errorMarshaler = &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{EmitUnpopulated: true}}

// writeError is the mux's error handler: the gRPC status as JSON, with the
// HTTP status grpc-gateway maps its code to (or a runtime.HTTPStatusError's).
func writeError(ctx context.Context, mux *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	runtime.DefaultHTTPErrorHandler(ctx, mux, errorMarshaler, w, r, err)
}

// apiMethods is the Allow header of a 405 from grpc-gateway: every route of
// the JSON API is a GET (proto/trtc/gateway/v1/trtc_gateway_api.yaml; a test
// holds the two together).
const apiMethods = http.MethodGet

// routingError answers a request grpc-gateway has no route for in the same
// Status shape: 404 for an unknown path, 405 with Allow for a known path
// asked with another method (grpc-gateway's default says 501).
func routingError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
	var err error
	switch httpStatus {
	case http.StatusNotFound:
		err = notFound(r)
	case http.StatusMethodNotAllowed:
		err = methodNotAllowed(w, r, apiMethods)
	case http.StatusBadRequest:
		err = status.Errorf(codes.InvalidArgument, "malformed path %q", r.URL.EscapedPath())
	default:
		err = status.Errorf(codes.Internal, "routing %s %s failed with HTTP status %d", r.Method, r.URL.Path, httpStatus)
	}
	writeError(ctx, mux, m, w, r, err)
}

// notFound is the error for a path nothing serves.
func notFound(r *http.Request) error {
	return status.Errorf(codes.NotFound, "no such path %q on the JSON API: it serves GET /v1/… (see the README), /healthz and /metrics", r.URL.Path)
}

// methodNotAllowed sets Allow and returns the 405 error for r.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) error {
	w.Header().Set("Allow", allow)
	return &runtime.HTTPStatusError{
		HTTPStatus: http.StatusMethodNotAllowed,
		Err:        status.Errorf(codes.Unimplemented, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, allow),
	}
}

// notFoundHandler answers every path the listener does not serve.
func notFoundHandler(mux *runtime.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(r.Context(), mux, nil, w, r, notFound(r))
	})
}

// onlyGet serves h for GET and HEAD and answers other methods with a 405.
func onlyGet(mux *runtime.ServeMux, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(r.Context(), mux, nil, w, r, methodNotAllowed(w, r, "GET, HEAD"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// flushStreamHeaders is a forward-response option: grpc-gateway calls it with
// a nil message when a stream's gRPC headers arrive (Subscribe sends them once
// it accepted the request), and it writes the HTTP status and headers then,
// rather than at the first event or heartbeat, so that a client sees the
// stream open even while nothing matches.
//
// A stream refused at once (a bad filter, a cursor out of range) ends
// "trailers-only", without gRPC headers: then nothing is written here and
// grpc-gateway answers with the error's HTTP status.
func flushStreamHeaders(ctx context.Context, w http.ResponseWriter, msg proto.Message) error {
	if msg != nil {
		return nil
	}
	if md, ok := runtime.ServerMetadataFromContext(ctx); !ok || md.HeaderMD == nil {
		return nil
	}
	w.Header().Set("Content-Type", errorMarshaler.ContentType(nil))
	w.WriteHeader(http.StatusOK)
	// A client gone already is noticed by the next write; nothing to answer it.
	_ = http.NewResponseController(w).Flush()
	return nil
}

// refusedStreamAsStatus is a middleware that gives a stream refused before
// it started (trailers-only: a bad filter, a cursor out of range) the same
// body as every other error: grpc-gateway writes such a refusal as a stream
// line, {"error":{…Status…}}, with the error's HTTP status, and this unwraps
// it to the bare Status. Errors inside a started stream (HTTP 200) stay
// stream lines.
func refusedStreamAsStatus(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, pathParams map[string]string) {
		next(&refusalWriter{ResponseWriter: w}, r, pathParams)
	}
}

// refusalWriter rewrites the first body write of an error answer when it is
// a stream's error line.
type refusalWriter struct {
	http.ResponseWriter
	status int  // the status written; 0 before
	wrote  bool // whether any body was written
}

func (rw *refusalWriter) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *refusalWriter) Write(p []byte) (int, error) {
	if rw.wrote || rw.status < http.StatusBadRequest {
		rw.wrote = true
		return rw.ResponseWriter.Write(p)
	}
	rw.wrote = true
	var line map[string]json.RawMessage
	if json.Unmarshal(p, &line) != nil || len(line) != 1 || line["error"] == nil {
		return rw.ResponseWriter.Write(p)
	}
	var st spb.Status
	if protojson.Unmarshal(line["error"], &st) != nil {
		return rw.ResponseWriter.Write(p)
	}
	b, err := errorMarshaler.Marshal(&st)
	if err != nil {
		return rw.ResponseWriter.Write(p)
	}
	if _, err := rw.ResponseWriter.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (rw *refusalWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
