package sdk_test

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// standIn is an EventService that plays a script per Subscribe call and
// records what each call asked for, so the examples' client side (filters,
// token, heartbeats, resume, exit) is tested without the gateway.
type standIn struct {
	gatewayv1.UnimplementedEventServiceServer

	// script[i] serves the i-th call; calls beyond the script fail the test.
	script []func(req *gatewayv1.SubscribeRequest, stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error

	mu    sync.Mutex
	calls []recordedCall
	t     *testing.T
}

type recordedCall struct {
	req  *gatewayv1.SubscribeRequest
	auth []string
}

func (s *standIn) Subscribe(req *gatewayv1.SubscribeRequest, stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
	md, _ := metadata.FromIncomingContext(stream.Context())
	s.mu.Lock()
	n := len(s.calls)
	s.calls = append(s.calls, recordedCall{req: proto.Clone(req).(*gatewayv1.SubscribeRequest), auth: md.Get("authorization")})
	s.mu.Unlock()
	if n >= len(s.script) {
		if n == len(s.script) { // report the first one; the rest are the same loop
			s.t.Errorf("unexpected Subscribe call #%d: %v", n+1, req)
		}
		return status.Error(codes.Internal, "stand-in: no more scripted calls")
	}
	return s.script[n](req, stream)
}

func (s *standIn) recorded() []recordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// serve starts s on a loopback port and returns its address.
func (s *standIn) serve(t *testing.T) string {
	t.Helper()
	s.t = t
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	gatewayv1.RegisterEventServiceServer(srv, s)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

func standInEvent(seq uint64, callID string) *gatewayv1.SubscribeResponse {
	return &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: &gatewayv1.Event{
		Sequence:        seq,
		Epoch:           "epoch-1",
		Id:              fmt.Sprintf("id-%d", seq),
		Type:            gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED,
		CallbackCommand: "Call.CallbackAfterMemberChanged",
		SdkAppId:        1400000001,
		EventTime:       timestamppb.New(time.UnixMilli(1740464128807)),
		CallId:          callID,
		UserAccounts:    []string{"144115212830834855"},
		Payload: &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{
			CallId: callID,
			ChangedUserList: []*gatewayv1.MemberChange{{
				UserAccount:    "144115212830834855",
				ActionType:     gatewayv1.ActionType_ACTION_TYPE_HANGUP,
				ActionTypeText: "Hang Up",
			}},
		}},
	}}}
}

func standInHeartbeat(head uint64) *gatewayv1.SubscribeResponse {
	return &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Heartbeat{Heartbeat: &gatewayv1.Heartbeat{
		Time: timestamppb.Now(), HeadSequence: head, Epoch: "epoch-1",
	}}}
}

// sendAll sends msgs in order.
func sendAll(stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse], msgs ...*gatewayv1.SubscribeResponse) error {
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			return err
		}
	}
	return nil
}

// TestExampleResumesAfterStreamError: the first stream carries heartbeats and
// two events and then breaks with UNAVAILABLE; the example must have printed
// only the events, reconnect with the same filter and token, ask for the events
// after the last sequence in the same epoch, print what follows, and stop
// cleanly on SIGTERM.
func TestExampleResumesAfterStreamError(t *testing.T) {
	requireEnabled(t)
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			s := &standIn{script: []func(*gatewayv1.SubscribeRequest, grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error{
				func(_ *gatewayv1.SubscribeRequest, stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
					if err := sendAll(stream, standInHeartbeat(6), standInEvent(7, "call-a"), standInHeartbeat(7), standInEvent(8, "call-a")); err != nil {
						return err
					}
					return status.Error(codes.Unavailable, "stand-in: going away")
				},
				func(_ *gatewayv1.SubscribeRequest, stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
					if err := sendAll(stream, standInEvent(9, "call-a"), standInHeartbeat(9)); err != nil {
						return err
					}
					<-stream.Context().Done() // hold the stream open until the example leaves
					return nil
				},
			}}
			addr := s.serve(t)
			sub := startSubscriber(t, ex, ex.name+"-subscriber", []string{"TRTCGW_TOKEN=s3cret"},
				"--addr", addr,
				"--event-type", "CALL_MEMBER_CHANGED,event_type_call_ended",
				"--callback-command", "Call.CallbackAfterMemberChanged",
				"--sdk-app-id", "1400000001", "--sdk-app-id", "4294967295",
				"--call-id", "call-a",
				"--room-id", "room-1",
				"--user-account", "144115212830834855",
				"--max-backoff", "0.3",
			)
			evs := sub.events(t, 3, 60*time.Second)
			for i, want := range []string{"7", "8", "9"} {
				if got := evs[i].str("sequence"); got != want {
					t.Errorf("event %d: sequence %s, want %s (uint64 as a JSON string)", i, got, want)
				}
				if got := evs[i].str("epoch"); got != "epoch-1" {
					t.Errorf("event %d: epoch %q, want epoch-1", i, got)
				}
				if got := evs[i].str("callMemberChanged", "changedUserList", 0, "actionType"); got != "ACTION_TYPE_HANGUP" {
					t.Errorf("event %d: actionType %s, want ACTION_TYPE_HANGUP", i, got)
				}
				if got := evs[i].str("userAccounts", 0); got != "144115212830834855" {
					t.Errorf("event %d: userAccounts[0] %s, want the exact digits", i, got)
				}
				if got := evs[i].str("eventTime"); got != "2025-02-25T06:15:28.807Z" {
					t.Errorf("event %d: eventTime %s", i, got)
				}
			}
			if code := sub.terminate(t, 20*time.Second); code != 0 {
				t.Errorf("exit status after SIGTERM = %d, want 0", code)
			}
			sub.drain(t)

			calls := s.recorded()
			if len(calls) != 2 {
				t.Fatalf("got %d Subscribe calls, want 2 (one reconnect)", len(calls))
			}
			wantFilter := &gatewayv1.SubscribeRequest{
				EventTypes:       []gatewayv1.EventType{gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, gatewayv1.EventType_EVENT_TYPE_CALL_ENDED},
				CallbackCommands: []string{"Call.CallbackAfterMemberChanged"},
				SdkAppIds:        []uint32{1400000001, 4294967295},
				CallIds:          []string{"call-a"},
				RoomIds:          []string{"room-1"},
				UserAccounts:     []string{"144115212830834855"},
			}
			if !proto.Equal(calls[0].req, wantFilter) {
				t.Errorf("first request:\n got %v\nwant %v (live tail, no cursor)", calls[0].req, wantFilter)
			}
			wantResume := proto.Clone(wantFilter).(*gatewayv1.SubscribeRequest)
			wantResume.AfterSequence = proto.Uint64(8)
			wantResume.Epoch = "epoch-1"
			if !proto.Equal(calls[1].req, wantResume) {
				t.Errorf("resume request:\n got %v\nwant %v", calls[1].req, wantResume)
			}
			for i, c := range calls {
				if !slices.Equal(c.auth, []string{"Bearer s3cret"}) {
					t.Errorf("call %d: authorization metadata %q, want [Bearer s3cret]", i+1, c.auth)
				}
			}
		})
	}
}

// TestExampleStartsFromCursorAndStopsAfterMaxEvents: --after-sequence/--epoch
// go into the first request, no token means no authorization metadata, and
// --max-events ends the example by itself with status 0.
func TestExampleStartsFromCursorAndStopsAfterMaxEvents(t *testing.T) {
	requireEnabled(t)
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			s := &standIn{script: []func(*gatewayv1.SubscribeRequest, grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error{
				func(_ *gatewayv1.SubscribeRequest, stream grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
					if err := sendAll(stream, standInEvent(41, "c"), standInEvent(42, "c"), standInEvent(43, "c")); err != nil {
						return err
					}
					<-stream.Context().Done()
					return nil
				},
			}}
			addr := s.serve(t)
			sub := startSubscriber(t, ex, ex.name+"-subscriber", []string{"TRTCGW_TOKEN="},
				"--addr", addr, "--after-sequence", "40", "--epoch", "epoch-1", "--max-events", "2")
			evs := sub.events(t, 2, 60*time.Second)
			if code := sub.wait(t, 20*time.Second); code != 0 {
				t.Errorf("exit status after --max-events = %d, want 0", code)
			}
			sub.drain(t)
			if got := []string{evs[0].str("sequence"), evs[1].str("sequence")}; !slices.Equal(got, []string{"41", "42"}) {
				t.Errorf("sequences %v, want [41 42]", got)
			}
			calls := s.recorded()
			if len(calls) != 1 {
				t.Fatalf("got %d Subscribe calls, want 1", len(calls))
			}
			want := &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(40), Epoch: "epoch-1"}
			if !proto.Equal(calls[0].req, want) {
				t.Errorf("request:\n got %v\nwant %v", calls[0].req, want)
			}
			if len(calls[0].auth) != 0 {
				t.Errorf("authorization metadata %q sent without a token", calls[0].auth)
			}
		})
	}
}

// TestExampleStopsOnPermanentError: an error that a retry cannot fix (here a
// cursor from another epoch) ends the example with status 1 and the reason on
// stderr instead of a reconnect loop.
func TestExampleStopsOnPermanentError(t *testing.T) {
	requireEnabled(t)
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			s := &standIn{script: []func(*gatewayv1.SubscribeRequest, grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error{
				func(*gatewayv1.SubscribeRequest, grpc.ServerStreamingServer[gatewayv1.SubscribeResponse]) error {
					return status.Error(codes.FailedPrecondition, "epoch epoch-0 is not this log's epoch epoch-1")
				},
			}}
			addr := s.serve(t)
			sub := startSubscriber(t, ex, ex.name+"-subscriber", nil,
				"--addr", addr, "--after-sequence", "5", "--epoch", "epoch-0")
			if code := sub.wait(t, 30*time.Second); code != 1 {
				t.Errorf("exit status = %d, want 1", code)
			}
			sub.drain(t)
			if !containsAny(sub.stderr.String(), "FailedPrecondition", "FAILED_PRECONDITION") {
				t.Errorf("stderr does not name the status code:\n%s", sub.stderr.String())
			}
			if n := len(s.recorded()); n != 1 {
				t.Errorf("got %d Subscribe calls, want 1 (no retry)", n)
			}
		})
	}
}

// containsAny reports whether s contains any of the spellings (the Node and
// Python examples name status codes the way their libraries do).
func containsAny(s string, spellings ...string) bool {
	return slices.ContainsFunc(spellings, func(sp string) bool { return strings.Contains(s, sp) })
}
