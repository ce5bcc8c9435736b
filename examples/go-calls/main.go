// Command go-calls asks a trtc-gateway about calls and live rooms over the
// unary CallService and RoomService, and prints each answer as JSON:
//
//	go run ./examples/go-calls record 1400000001 055662e1-bc8a-469c-a334-1126c8c17d58   # get call record
//	go run ./examples/go-calls call 1400000001 055662e1-bc8a-469c-a334-1126c8c17d58     # members and timeline
//	go run ./examples/go-calls records 1400000001 -result CALL_RESULT_NORMAL_END -n 20   # newest first, every page
//	go run ./examples/go-calls room 1400000001 room_id                                  # who is online
//	go run ./examples/go-calls rooms 1400000001                                         # live rooms, every page
//
// -addr names the gateway's gRPC address; TRTCGW_TOKEN, when set, is sent as
// the bearer token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

const usage = `usage: go-calls [-addr host:port] <command> <sdk_app_id> [args]

commands:
  record  <app> <call-id>   the call's record (get call record)
  call    <app> <call-id>   the call's members, timeline and record
  records <app> [-result CALL_RESULT_…] [-type CALL_TYPE_…] [-caller A] [-callee B] [-room R] [-since 24h] [-n 50]
  room    <app> <room-id>   the live room and its online members
  rooms   <app>             the live rooms`

func main() {
	addr := flag.String("addr", "localhost:9090", "the gateway's gRPC address")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, usage) }
	flag.Parse()
	if err := run(*addr, flag.Args()); err != nil {
		if st, ok := status.FromError(err); ok {
			fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

func run(addr string, args []string) error {
	if len(args) < 2 {
		return errors.New(usage)
	}
	app, err := strconv.ParseUint(args[1], 10, 32)
	if err != nil {
		return fmt.Errorf("sdk_app_id %q: %w", args[1], err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if token := os.Getenv("TRTCGW_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	calls, rooms := gatewayv1.NewCallServiceClient(conn), gatewayv1.NewRoomServiceClient(conn)
	id := func() (string, error) {
		if len(args) != 3 {
			return "", fmt.Errorf("%s needs an id after the app\n%s", args[0], usage)
		}
		return args[2], nil
	}
	switch args[0] {
	case "record":
		callID, err := id()
		if err != nil {
			return err
		}
		return show(calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: uint32(app), CallId: callID}))
	case "call":
		callID, err := id()
		if err != nil {
			return err
		}
		return show(calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: uint32(app), CallId: callID}))
	case "records":
		req, err := recordsRequest(uint32(app), args[2:])
		if err != nil {
			return err
		}
		for {
			page, err := calls.ListCallRecords(ctx, req)
			if err := show(page, err); err != nil {
				return err
			}
			if req.PageToken = page.GetNextPageToken(); req.PageToken == "" {
				return nil
			}
		}
	case "room":
		roomID, err := id()
		if err != nil {
			return err
		}
		return show(rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: uint32(app), RoomId: roomID}))
	case "rooms":
		req := &gatewayv1.ListRoomsRequest{SdkAppId: uint32(app)}
		for {
			page, err := rooms.ListRooms(ctx, req)
			if err := show(page, err); err != nil {
				return err
			}
			if req.PageToken = page.GetNextPageToken(); req.PageToken == "" {
				return nil
			}
		}
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// recordsRequest parses the records command's filter flags.
func recordsRequest(app uint32, args []string) (*gatewayv1.ListCallRecordsRequest, error) {
	fs := flag.NewFlagSet("records", flag.ContinueOnError)
	result := fs.String("result", "", "only this CallResult, e.g. CALL_RESULT_NORMAL_END")
	typ := fs.String("type", "", "only this CallType, e.g. CALL_TYPE_MULTI_CALL")
	caller := fs.String("caller", "", "only calls this account started")
	callee := fs.String("callee", "", "only calls this account was in")
	room := fs.String("room", "", "only calls in this TRTC room")
	since := fs.Duration("since", 0, "only calls started this long ago or later")
	n := fs.Int("n", 0, "records per page (0: the gateway's default)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	req := &gatewayv1.ListCallRecordsRequest{
		SdkAppId: app, CallerAccount: *caller, CalleeAccount: *callee, RoomId: *room, PageSize: int32(*n),
	}
	if *result != "" {
		v, ok := gatewayv1.CallResult_value[*result]
		if !ok {
			return nil, fmt.Errorf("-result %q is not a CallResult", *result)
		}
		req.CallResult = gatewayv1.CallResult(v)
	}
	if *typ != "" {
		v, ok := gatewayv1.CallType_value[*typ]
		if !ok {
			return nil, fmt.Errorf("-type %q is not a CallType", *typ)
		}
		req.CallType = gatewayv1.CallType(v)
	}
	if *since > 0 {
		req.StartTime = timestamppb.New(time.Now().Add(-*since))
	}
	return req, nil
}

// show prints an answer as one JSON line, or returns the call's error.
func show[M proto.Message](m M, err error) error {
	if err != nil {
		return err
	}
	b, err := protojson.Marshal(m)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
