// Command go-subscriber is a complete trtc-gateway consumer in Go: it
// subscribes with a filter, prints each event as one JSON line, and after a
// dropped stream resumes right after the last event it printed.
//
//	go run ./examples/go-subscriber -addr localhost:9090 -call-id 055662e1-bc8a-469c-a334-1126c8c17d58 -after-sequence 0
//
// Without -after-sequence it starts at the live tail: only events logged after
// it subscribed are printed. -after-sequence 0 first replays every event the
// log still holds.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

func main() {
	addr := flag.String("addr", "localhost:9090", "the gateway's gRPC address")
	callIDs := flag.String("call-id", "", "only these calls (comma-separated)")
	types := flag.String("type", "", "only these event types, e.g. EVENT_TYPE_CALL_ENDED (comma-separated)")
	max := flag.Int("n", 0, "exit after this many events (0: run until interrupted)")
	epoch := flag.String("epoch", "", "the epoch -after-sequence belongs to")
	req := &gatewayv1.SubscribeRequest{}
	flag.Func("after-sequence", "start by replaying the events after sequence `N` (0: all retained; default: live tail)", func(v string) error {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return errors.New("want a sequence number, 0 or more")
		}
		req.AfterSequence = proto.Uint64(n)
		return nil
	})
	flag.Parse()

	req.CallIds, req.Epoch = split(*callIDs), *epoch
	for _, t := range split(*types) {
		v, ok := gatewayv1.EventType_value[t]
		if !ok {
			log.Fatalf("unknown event type %q", t)
		}
		req.EventTypes = append(req.EventTypes, gatewayv1.EventType(v))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if token := os.Getenv("TRTCGW_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	if err := follow(ctx, gatewayv1.NewEventServiceClient(conn), req, *max); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// follow prints events until ctx ends or max events were printed, resuming
// after the last printed sequence whenever the stream drops.
func follow(ctx context.Context, client gatewayv1.EventServiceClient, req *gatewayv1.SubscribeRequest, max int) error {
	printed, backoff := 0, 100*time.Millisecond
	for {
		stream, err := client.Subscribe(ctx, req)
		for err == nil {
			var msg *gatewayv1.SubscribeResponse
			if msg, err = stream.Recv(); err != nil {
				break
			}
			ev := msg.GetEvent()
			if ev == nil {
				continue // a heartbeat: the stream is alive and idle
			}
			line, _ := protojson.Marshal(ev) // canonical JSON keeps 64-bit numbers exact
			fmt.Println(string(line))
			req.AfterSequence, req.Epoch = proto.Uint64(ev.GetSequence()), ev.GetEpoch()
			backoff = 100 * time.Millisecond
			if printed++; max > 0 && printed >= max {
				return nil
			}
		}
		switch status.Code(err) {
		case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.OutOfRange, codes.FailedPrecondition:
			return err // retrying cannot help
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Printf("stream ended (%v); resuming in %s", err, backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
