package server

import (
	"context"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"
)

// openStream answers a JSON stream's HTTP status as soon as the gRPC stream
// behind it has sent its headers, instead of with the first message: the
// EventService sends them once a subscription stands, so a client of a quiet
// live tail (the console's connection indicator, `curl -i`) knows at once that
// it is subscribed. A stream refused before that (a bad token, filter or
// cursor) has no headers and keeps its 4xx status.
//
// grpc-gateway calls it with a nil message before a stream's first one; for
// unary answers msg is never nil.
func openStream(ctx context.Context, w http.ResponseWriter, msg proto.Message) error {
	if msg != nil {
		return nil
	}
	md, ok := runtime.ServerMetadataFromContext(ctx)
	if !ok || md.HeaderMD == nil {
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	// A failed flush means the client is gone; the stream's next write notices.
	_ = http.NewResponseController(w).Flush()
	return nil
}
