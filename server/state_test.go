package server_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

// The call of testdata/samples: start, member changed and end share its id.
const sampleCallID = "055662e1-bc8a-469c-a334-1126c8c17d58"

// stateClients are the generated clients of the unary services.
type stateClients struct {
	calls gatewayv1.CallServiceClient
	rooms gatewayv1.RoomServiceClient
}

func dialState(t *testing.T, s *server.Server) stateClients {
	t.Helper()
	conn, err := grpc.NewClient(s.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return stateClients{calls: gatewayv1.NewCallServiceClient(conn), rooms: gatewayv1.NewRoomServiceClient(conn)}
}

// postCallAndRoom posts the sample call's three callbacks and two members
// coming online in room_id.
func postCallAndRoom(t *testing.T, s *server.Server, app uint32) {
	t.Helper()
	postOK(t, s, app, cmdStart, sample(t, "start_call"))
	postOK(t, s, app, cmdMember, sample(t, "member_changed"))
	postOK(t, s, app, cmdEnd, sample(t, "end_call"))
	postOK(t, s, app, cmdLive, sample(t, "live_member_state_changed"))
}

// eventually retries f until it succeeds: the projections follow the log
// asynchronously. The bound is a deadlock guard, not a speed check.
func eventually[T any](t *testing.T, f func() (T, error)) T {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		v, err := f()
		if err == nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after %s: %v", waitLimit, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCallAndRoomServicesEndToEnd(t *testing.T) {
	s := startGateway(t, nil)
	c := dialState(t, s)
	ctx := context.Background()
	postCallAndRoom(t, s, testApp)

	rec := eventually(t, func() (*gatewayv1.GetCallRecordResponse, error) {
		return c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: testApp, CallId: sampleCallID})
	})
	if got := rec.GetCallRecord(); got.GetCallResult() != gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER || got.GetCallerAccount() != "10001" || rec.GetSequence() != 3 {
		t.Errorf("GetCallRecord = %v", rec)
	}
	call, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
	if err != nil {
		t.Fatal(err)
	}
	cov := call.GetCall().GetCoverage()
	if call.GetCall().GetState() != gatewayv1.CallState_CALL_STATE_ENDED || len(call.GetCall().GetTimeline()) != 3 ||
		!cov.GetComplete() || cov.GetFirstSequence() != 1 || cov.GetLastSequence() != 3 {
		t.Errorf("GetCall = %v", call)
	}
	list, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, CallResult: gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER})
	if err != nil || len(list.GetCallRecords()) != 1 || list.GetTotalSize() != 1 {
		t.Errorf("ListCallRecords = %v, %v", list, err)
	}
	room := eventually(t, func() (*gatewayv1.GetRoomResponse, error) {
		return c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp, RoomId: "room_id"})
	})
	if room.GetRoom().GetOnlineMemberCount() != 2 || strings.Join(room.GetOnlineMembers(), ",") != "jared,tommy" {
		t.Errorf("GetRoom = %v", room)
	}
	rooms, err := c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: testApp})
	if err != nil || len(rooms.GetRooms()) != 1 || rooms.GetTotalSize() != 1 {
		t.Errorf("ListRooms = %v, %v", rooms, err)
	}
	// The follower stores its position after every reader has the event.
	eventually(t, func() (any, error) {
		resp, err := http.Get("http://" + s.HTTPAddr() + "/metrics")
		if err != nil {
			return nil, err
		}
		metrics, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"trtcgw_state_calls 1\n", "trtcgw_state_rooms 1\n", "trtcgw_follower_sequence 4\n"} {
			if !strings.Contains(string(metrics), want) {
				return nil, fmt.Errorf("/metrics lacks %q", want)
			}
		}
		return nil, nil
	})
	_, err = c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: testApp, CallId: "no-such-call"})
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), `"no-such-call"`) || !strings.Contains(err.Error(), "101050") {
		t.Errorf("GetCallRecord of an unknown call: %v, want NOT_FOUND naming it and Tencent's 101050", err)
	}
}

// getJSON fetches a JSON API path and decodes the answer.
func getJSON(t *testing.T, s *server.Server, path string, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+s.HTTPAddr()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("GET %s: %d %q is not a JSON object: %v", path, resp.StatusCode, raw, err)
	}
	return resp.StatusCode, m
}

// TestStateJSONMapping checks every HTTP rule of the two services through the
// real grpc-gateway, and that errors are google.rpc.Status with the right
// HTTP status.
func TestStateJSONMapping(t *testing.T) {
	s := startGateway(t, nil)
	postCallAndRoom(t, s, testApp)
	app := fmt.Sprint(testApp)
	eventually(t, func() (any, error) {
		if code, _ := getJSON(t, s, "/v1/apps/"+app+"/rooms/room_id", nil); code != http.StatusOK {
			return nil, fmt.Errorf("GET room: %d", code)
		}
		return nil, nil
	})
	for _, tc := range []struct {
		name, path string
		code       int
		want       string // a JSON path's expected value, "a.b=v"
	}{
		{"record", "/v1/apps/" + app + "/calls/" + sampleCallID + "/record", 200, "callRecord.callResult=CALL_RESULT_NOT_ANSWER"},
		{"call", "/v1/apps/" + app + "/calls/" + sampleCallID, 200, "call.state=CALL_STATE_ENDED"},
		{"records", "/v1/apps/" + app + "/call-records?callResult=CALL_RESULT_NOT_ANSWER&calleeAccount=user2&startTime=2025-03-01T00:00:00Z", 200, "totalSize=1"},
		{"records by enum number", "/v1/apps/" + app + "/call-records?callType=1&pageSize=1", 200, "totalSize=1"},
		{"room", "/v1/apps/" + app + "/rooms/room_id", 200, "room.onlineMemberCount=2"},
		{"rooms", "/v1/apps/" + app + "/rooms?pageSize=10", 200, "totalSize=1"},
		{"no record", "/v1/apps/" + app + "/calls/nope/record", 404, "code=5"},
		{"no call", "/v1/apps/" + app + "/calls/nope", 404, "code=5"},
		{"no room", "/v1/apps/" + app + "/rooms/nope", 404, "code=5"},
		{"page too large", "/v1/apps/" + app + "/call-records?pageSize=5000", 400, "code=3"},
		{"window backwards", "/v1/apps/" + app + "/call-records?startTime=2025-03-02T00:00:00Z&endTime=2025-03-01T00:00:00Z", 400, "code=3"},
		{"bad token", "/v1/apps/" + app + "/rooms?pageToken=garbage", 400, "code=3"},
		{"app zero", "/v1/apps/0/rooms", 400, "code=3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, m := getJSON(t, s, tc.path, nil)
			if code != tc.code {
				t.Fatalf("GET %s: HTTP %d, want %d (%v)", tc.path, code, tc.code, m)
			}
			path, want, _ := strings.Cut(tc.want, "=")
			if got := fmt.Sprint(lookup(m, path)); got != want {
				t.Errorf("GET %s: %s = %s, want %s (%v)", tc.path, path, got, want, m)
			}
			if code != 200 {
				if msg, _ := m["message"].(string); msg == "" {
					t.Errorf("GET %s: error without a message: %v", tc.path, m)
				}
			}
		})
	}
	// NOT_FOUND of a record carries Tencent's code in its ErrorInfo.
	_, m := getJSON(t, s, "/v1/apps/"+app+"/calls/nope/record", nil)
	if raw, _ := json.Marshal(m["details"]); !strings.Contains(string(raw), `"tencent_error_code":"101050"`) {
		t.Errorf("NOT_FOUND details = %s, want an ErrorInfo with tencent_error_code 101050", raw)
	}
}

// lookup follows a dotted path through decoded JSON.
func lookup(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestStateInvalidArguments(t *testing.T) {
	s := startGateway(t, nil)
	c := dialState(t, s)
	ctx := context.Background()
	later, earlier := timestamppb.New(time.Unix(1741300000, 0)), timestamppb.New(time.Unix(1741200000, 0))
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"record without app", func() error {
			_, err := c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{CallId: "x"})
			return err
		}, "sdk_app_id is required"},
		{"record without call", func() error {
			_, err := c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: testApp})
			return err
		}, "call_id is required"},
		{"call id too long", func() error {
			_, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: strings.Repeat("x", 2000)})
			return err
		}, "at most 1024"},
		{"call without app", func() error {
			_, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{CallId: "x"})
			return err
		}, "sdk_app_id is required"},
		{"list without app", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{})
			return err
		}, "sdk_app_id is required"},
		{"negative page size", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, PageSize: -1})
			return err
		}, "page_size=-1"},
		{"window backwards", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, StartTime: later, EndTime: earlier})
			return err
		}, "must be after start_time"},
		{"invalid time", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, StartTime: &timestamppb.Timestamp{Nanos: -1}})
			return err
		}, "start_time is not a valid time"},
		{"unknown result", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, CallResult: 99})
			return err
		}, "call_result=99"},
		{"unknown type", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, CallType: 7})
			return err
		}, "call_type=7"},
		{"foreign token", func() error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, PageToken: "AQ"})
			return err
		}, "page_token is not one this gateway issued"},
		{"token of other filters", func() error {
			// A token from a page of one filter, replayed with another.
			for i := range 3 {
				postOK(t, s, testApp, cmdEnd, []byte(fmt.Sprintf(`{"CallbackCommand":"Call.CallbackAfterEndCall","CallRecord":{"CallId":"tok-%d","Caller_Account":"u","MediaType":"Audio","CallType":"SingleCall","StartTime":%d,"EndTime":%d,"AcceptTime":0,"CallResult":"Cancel","CalleeList_Account":["u","v"],"RoomId":"r","RoomIdType":2},"EventTime":1}`, i, 1741231146+i, 1741231150+i)))
			}
			page := eventually(t, func() (*gatewayv1.ListCallRecordsResponse, error) {
				p, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, PageSize: 1, CallerAccount: "u"})
				if err == nil && p.GetNextPageToken() == "" {
					err = fmt.Errorf("no next page yet: %v", p)
				}
				return p, err
			})
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, PageSize: 1, CallerAccount: "v", PageToken: page.GetNextPageToken()})
			return err
		}, "belongs to a request with other filters"},
		{"room without id", func() error {
			_, err := c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp})
			return err
		}, "room_id is required"},
		{"room without app", func() error {
			_, err := c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{RoomId: "r"})
			return err
		}, "sdk_app_id is required"},
		{"member page too large", func() error {
			_, err := c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp, RoomId: "r", MemberPageSize: 1001})
			return err
		}, "member_page_size=1001"},
		{"rooms without app", func() error {
			_, err := c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{})
			return err
		}, "sdk_app_id is required"},
		{"rooms page token of a room's members", func() error {
			_, err := c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: testApp, PageToken: "!"})
			return err
		}, "page_token is not one this gateway issued"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(status.Convert(err).Message(), tc.want) {
				t.Fatalf("got %v, want INVALID_ARGUMENT mentioning %q", err, tc.want)
			}
		})
	}
}

// TestStateTokenScopes checks every new RPC against the subscriber tokens:
// a token of app A reads app A, is refused app B, and no token is refused.
func TestStateTokenScopes(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.APITokensFile = apiTokens(t) })
	c := dialState(t, s)
	postCallAndRoom(t, s, appA)
	postCallAndRoom(t, s, appB)
	as := func(token string) context.Context {
		if token == "" {
			return context.Background()
		}
		return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
	}
	rpcs := []struct {
		name string
		call func(ctx context.Context, app uint32) error
	}{
		{"GetCallRecord", func(ctx context.Context, app uint32) error {
			_, err := c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: app, CallId: sampleCallID})
			return err
		}},
		{"ListCallRecords", func(ctx context.Context, app uint32) error {
			_, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: app})
			return err
		}},
		{"GetCall", func(ctx context.Context, app uint32) error {
			_, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: app, CallId: sampleCallID})
			return err
		}},
		{"GetRoom", func(ctx context.Context, app uint32) error {
			_, err := c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: app, RoomId: "room_id"})
			return err
		}},
		{"ListRooms", func(ctx context.Context, app uint32) error {
			_, err := c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: app})
			return err
		}},
	}
	for _, rpc := range rpcs {
		t.Run(rpc.name, func(t *testing.T) {
			eventually(t, func() (any, error) { return nil, rpc.call(as(tokenA), appA) })
			// App B's callbacks came after app A's: wait for them too.
			eventually(t, func() (any, error) { return nil, rpc.call(as(tokenOps), appB) })
			if err := rpc.call(as(tokenA), appB); status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), fmt.Sprint(appB)) {
				t.Errorf("token of app A on app B: %v, want PERMISSION_DENIED naming app B", err)
			}
			if err := rpc.call(as(""), appA); status.Code(err) != codes.Unauthenticated {
				t.Errorf("no token: %v, want UNAUTHENTICATED", err)
			}
		})
	}
	// The JSON API applies the same scopes, as HTTP 403 in google.rpc.Status.
	code, m := getJSON(t, s, fmt.Sprintf("/v1/apps/%d/calls/%s/record", appB, sampleCallID), bearer(tokenA))
	if code != http.StatusForbidden || fmt.Sprint(m["code"]) != "7" {
		t.Errorf("JSON, token of app A on app B: %d %v, want 403 with code 7", code, m)
	}
}

// TestStateSurvivesRestart rebuilds the projections from the embedded
// JetStream store after a restart and expects identical answers.
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := jetStreamConfig(dir, "")
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	answers := func(s *server.Server) []string {
		c := dialState(t, s)
		var out []string
		for _, f := range []func() (proto.Message, error){
			func() (proto.Message, error) {
				return c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: testApp, CallId: sampleCallID})
			},
			func() (proto.Message, error) {
				return c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
			},
			func() (proto.Message, error) {
				return c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp})
			},
			func() (proto.Message, error) {
				return c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp, RoomId: "room_id"})
			},
			func() (proto.Message, error) {
				return c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: testApp})
			},
		} {
			m := eventually(t, f)
			out = append(out, protojson.Format(m))
		}
		return out
	}

	s1, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	postCallAndRoom(t, s1, testApp)
	before := answers(s1)
	if err := s1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s2, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Shutdown(context.Background()) })
	after := answers(s2)
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("answer %d differs after the restart:\n--- before\n%s\n--- after\n%s", i, before[i], after[i])
		}
	}
}

// TestStateOverMutualTLS reads a call record over the API listeners' TLS
// with a client certificate, as Subscribe does, and is refused without one.
func TestStateOverMutualTLS(t *testing.T) {
	f := newTLSFiles(t)
	s := startGateway(t, func(c *server.Config) {
		c.APITLSCert, c.APITLSKey, c.APIClientCA = f.apiCert, f.apiKey, f.clientCAPEM
	})
	postCallAndRoom(t, s, testApp)
	dialTLS := func(cert *tls.Certificate) gatewayv1.CallServiceClient {
		cfg := &tls.Config{RootCAs: f.serverCA.Pool()}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{*cert}
		}
		conn, err := grpc.NewClient(s.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return gatewayv1.NewCallServiceClient(conn)
	}
	client := f.clientCA.Client(t, "billing").TLS
	req := &gatewayv1.GetCallRecordRequest{SdkAppId: testApp, CallId: sampleCallID}
	eventually(t, func() (*gatewayv1.GetCallRecordResponse, error) {
		return dialTLS(&client).GetCallRecord(context.Background(), req)
	})
	if _, err := dialTLS(nil).GetCallRecord(context.Background(), req); status.Code(err) != codes.Unavailable {
		t.Errorf("without a client certificate: %v, want the handshake refused (UNAVAILABLE)", err)
	}
	withCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{client}}}}
	resp, err := withCert.Get("https://" + s.HTTPAddr() + "/v1/apps/" + fmt.Sprint(testApp) + "/calls/" + sampleCallID + "/record")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("JSON over mutual TLS: HTTP %d, want 200", resp.StatusCode)
	}
}

// TestReplicasGiveIdenticalAnswers runs two gateways on one JetStream stream
// (the second connects to the first's NATS server, as replicas connect to a
// cluster), posts a call's callbacks to both in turn, and expects the same
// answers from each: the projections are functions of the shared log.
func TestReplicasGiveIdenticalAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	natsAddr := closedPort(t)
	s1, err := server.Start(ctx, jetStreamConfig(t.TempDir(), natsAddr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s1.Shutdown(context.Background()) })
	cfg2 := server.DefaultConfig()
	cfg2.WebhookAddr, cfg2.GRPCAddr, cfg2.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg2.NATSURL = "nats://" + natsAddr
	s2, err := server.Start(ctx, cfg2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Shutdown(context.Background()) })

	postOK(t, s1, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s2, testApp, cmdMember, sample(t, "member_changed"))
	postOK(t, s1, testApp, cmdEnd, sample(t, "end_call"))
	postOK(t, s2, testApp, cmdLive, sample(t, "live_member_state_changed"))

	answers := func(s *server.Server) []string {
		c := dialState(t, s)
		call := eventually(t, func() (*gatewayv1.GetCallResponse, error) {
			r, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
			if err == nil && r.GetCall().GetCoverage().GetEventCount() != 3 {
				err = fmt.Errorf("%d of the call's 3 events so far", r.GetCall().GetCoverage().GetEventCount())
			}
			return r, err
		})
		room := eventually(t, func() (*gatewayv1.GetRoomResponse, error) {
			return c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp, RoomId: "room_id"})
		})
		return []string{protojson.Format(call), protojson.Format(room)}
	}
	a1, a2 := answers(s1), answers(s2)
	for i := range a1 {
		if a1[i] != a2[i] {
			t.Errorf("replicas disagree:\n--- replica 1\n%s\n--- replica 2\n%s", a1[i], a2[i])
		}
	}
}

// TestLiveRoomEndToEnd posts a live room's creation, a member coming online
// and its anchor entering TRTC and publishing video through the webhook,
// and reads the room back through the JSON API.
func TestLiveRoomEndToEnd(t *testing.T) {
	s := startGateway(t, nil)
	postOK(t, s, testApp, "Live.CallbackAfterCreateRoom", []byte(`{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","RoomInfo":{"RoomId":"stage","RoomName":"Stage","RoomType":"Live","Owner_Account":"anchor","CreateTime":1739954000},"EventTime":1739954000000}`))
	postOK(t, s, testApp, cmdLive, []byte(`{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"stage","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":"viewer1"}],"EventTime":1739954002000}`))
	for _, body := range []string{
		`{"EventGroupId":1,"EventType":103,"CallbackTs":1739954012100,"EventInfo":{"RoomId":"stage","EventTs":1739954012,"UserId":"anchor","Role":20,"TerminalType":3,"UserType":3,"Reason":1,"EventMsTs":1739954012000}}`,
		`{"EventGroupId":2,"EventType":201,"CallbackTs":1739954013100,"EventInfo":{"RoomId":"stage","EventTs":1739954013,"EventMsTs":1739954013000,"UserId":"anchor","Reason":0}}`,
	} {
		if code, answer := postTRTC(t, s, testApp, "", []byte(body)); code != http.StatusOK {
			t.Fatalf("post TRTC event: %d %v", code, answer)
		}
	}
	path := fmt.Sprintf("/v1/apps/%d/rooms/stage", testApp)
	room := eventually(t, func() (map[string]any, error) {
		code, m := getJSON(t, s, path, nil)
		if code != http.StatusOK || lookup(m, "room.trtcUserCount") == nil {
			return nil, fmt.Errorf("GET %s: %d %v", path, code, m)
		}
		return m, nil
	})
	users, _ := room["trtcUsers"].([]any)
	for _, tc := range []struct {
		path string
		want any
	}{
		{"room.info.roomName", "Stage"},
		{"room.ownerAccount", "anchor"},
		{"room.onlineMemberCount", float64(1)},
		{"room.coverage.complete", true},
	} {
		if got := lookup(room, tc.path); got != tc.want {
			t.Errorf("%s = %v, want %v (%v)", tc.path, got, tc.want, room)
		}
	}
	if len(users) != 1 || lookup(users[0], "userId") != "anchor" || lookup(users[0], "publishingVideo") != true {
		t.Errorf("trtcUsers = %v, want anchor publishing video", users)
	}
}
