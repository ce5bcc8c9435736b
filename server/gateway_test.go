package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

const (
	cmdStart  = "Call.CallbackAfterStartCall"
	cmdMember = "Call.CallbackAfterMemberChanged"
	cmdEnd    = "Call.CallbackAfterEndCall"
	cmdLive   = "Live.CallbackAfterMemberStateChanged"
	callID    = "055662e1-bc8a-469c-a334-1126c8c17d58"
)

// fromStart subscribes from the beginning of the log, which (unlike the live
// tail) cannot miss an event posted right after the call returns.
func fromStart(req *gatewayv1.SubscribeRequest) *gatewayv1.SubscribeRequest {
	req.AfterSequence = proto.Uint64(0)
	return req
}

func TestCallbacksArriveTyped(t *testing.T) {
	s := startGateway(t, nil)
	st, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{}))

	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s, testApp, cmdMember, sample(t, "member_changed"))
	postOK(t, s, testApp, cmdEnd, sample(t, "end_call"))
	postOK(t, s, testApp, "Live.CallbackMemberStateChanged", sample(t, "live_member_state_changed"))
	evs := recvEvents(t, st, 4)

	for i, ev := range evs {
		if ev.GetSequence() != uint64(i+1) || ev.GetEpoch() != s.Log().Epoch() || ev.GetSdkAppId() != testApp {
			t.Errorf("event %d envelope: seq %d epoch %q app %d", i, ev.GetSequence(), ev.GetEpoch(), ev.GetSdkAppId())
		}
		if ev.GetClientIp() != "203.0.113.7" || ev.GetOptPlatform() != "iOS" || ev.GetId() == "" || ev.GetReceivedAt() == nil {
			t.Errorf("event %d envelope lost a query parameter: %s", i, eventJSON(ev))
		}
	}
	start := evs[0].GetCallStarted()
	if evs[0].GetType() != gatewayv1.EventType_EVENT_TYPE_CALL_STARTED || start == nil {
		t.Fatalf("first event: %s", eventJSON(evs[0]))
	}
	if got := []string{start.GetUserList()[0].GetUserAccount(), start.GetUserList()[1].GetUserAccount()}; got[0] != "144115212830834855" || got[1] != "144115212948889925" {
		t.Errorf("numeric accounts lost digits: %v", got)
	}
	if start.GetCallInfo().GetMediaType() != gatewayv1.MediaType_MEDIA_TYPE_AUDIO || evs[0].GetEventTime().AsTime().UnixMilli() != 1740464128807 {
		t.Errorf("start call info: %s", eventJSON(evs[0]))
	}
	if ch := evs[1].GetCallMemberChanged().GetChangedUserList(); len(ch) != 1 || ch[0].GetActionType() != gatewayv1.ActionType_ACTION_TYPE_ANSWER || evs[1].GetCallId() != callID {
		t.Errorf("member changed: %s", eventJSON(evs[1]))
	}
	rec := evs[2].GetCallEnded().GetCallRecord()
	if rec.GetCallResult() != gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER || rec.GetAcceptTime() != nil || rec.GetStartTime().AsTime().Unix() != 1741231146 {
		t.Errorf("call record: %s", eventJSON(evs[2]))
	}
	live := evs[3].GetLiveMemberStateChanged()
	if evs[3].GetType() != gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED || live.GetEventCause() != gatewayv1.LiveEventCause_LIVE_EVENT_CAUSE_ENTER || evs[3].GetRoomId() != "room_id" {
		t.Errorf("live: %s", eventJSON(evs[3]))
	}
}

// filterFixture posts a spread of events over two apps, two calls, a room and
// an unknown command, and returns the gateway.
func filterFixture(t *testing.T) *server.Server {
	t.Helper()
	s := startGateway(t, func(c *server.Config) { c.Heartbeat = 100 * time.Millisecond })
	other := strings.ReplaceAll(string(sample(t, "member_changed")), callID, "other-call")
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))                                                          // 1
	postOK(t, s, testApp, cmdMember, sample(t, "member_changed"))                                                     // 2
	postOK(t, s, testApp, cmdMember, []byte(other))                                                                   // 3
	postOK(t, s, 1400000002, cmdEnd, sample(t, "end_call"))                                                           // 4
	postOK(t, s, testApp, cmdLive, sample(t, "live_member_state_changed"))                                            // 5
	postOK(t, s, 1400000002, "Live.CallbackAfterRoomRenamed", []byte(`{"RoomId":"room_id","Owner_Account":"jared"}`)) // 6
	return s
}

func TestSubscribeFilters(t *testing.T) {
	s := filterFixture(t)
	c := dial(t, s)
	tests := []struct {
		name string
		req  *gatewayv1.SubscribeRequest
		want []uint64
	}{
		{"no filter", &gatewayv1.SubscribeRequest{}, []uint64{1, 2, 3, 4, 5, 6}},
		{"event type", &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED}}, []uint64{2, 3}},
		{"event types OR", &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, gatewayv1.EventType_EVENT_TYPE_OTHER}}, []uint64{1, 6}},
		{"callback command", &gatewayv1.SubscribeRequest{CallbackCommands: []string{"Live.CallbackAfterRoomRenamed"}}, []uint64{6}},
		{"sdk app", &gatewayv1.SubscribeRequest{SdkAppIds: []uint32{1400000002}}, []uint64{4, 6}},
		{"call id", &gatewayv1.SubscribeRequest{CallIds: []string{callID}}, []uint64{1, 2, 4}},
		{"room id", &gatewayv1.SubscribeRequest{RoomIds: []string{"room_id"}}, []uint64{5, 6}},
		{"user account", &gatewayv1.SubscribeRequest{UserAccounts: []string{"user2"}}, []uint64{2, 3, 4}},
		{"numeric account", &gatewayv1.SubscribeRequest{UserAccounts: []string{"144115212948889925"}}, []uint64{1}},
		{"call and type", &gatewayv1.SubscribeRequest{CallIds: []string{callID}, EventTypes: []gatewayv1.EventType{gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED}}, []uint64{2}},
		{"app and room", &gatewayv1.SubscribeRequest{SdkAppIds: []uint32{testApp}, RoomIds: []string{"room_id"}}, []uint64{5}},
		{"account and app", &gatewayv1.SubscribeRequest{UserAccounts: []string{"user2", "jared"}, SdkAppIds: []uint32{1400000002}}, []uint64{4, 6}},
		{"nothing matches", &gatewayv1.SubscribeRequest{CallIds: []string{callID}, RoomIds: []string{"room_id"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := subscribe(t, c, fromStart(tt.req))
			var got []uint64
			for _, ev := range recvUntilHeartbeat(t, st) {
				got = append(got, ev.GetSequence())
			}
			if !equalSeqs(got, tt.want) {
				t.Errorf("got sequences %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSubscribeRejectsBadRequests(t *testing.T) {
	s := filterFixture(t)
	c := dial(t, s)
	tests := []struct {
		name string
		req  *gatewayv1.SubscribeRequest
		code codes.Code
		msg  string
	}{
		{"unspecified type", &gatewayv1.SubscribeRequest{EventTypes: []gatewayv1.EventType{0}}, codes.InvalidArgument, "event_types"},
		{"empty call id", &gatewayv1.SubscribeRequest{CallIds: []string{""}}, codes.InvalidArgument, "call_ids"},
		{"cursor beyond head", &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(99)}, codes.OutOfRange, "beyond the newest event 6"},
		{"cursor of another log", &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(3), Epoch: "not-this-one"}, codes.FailedPrecondition, "epoch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := subscribe(t, c, tt.req)
			_, err := st.Recv()
			if status.Code(err) != tt.code || !strings.Contains(status.Convert(err).Message(), tt.msg) {
				t.Errorf("got %v, want %s mentioning %q", err, tt.code, tt.msg)
			}
		})
	}
}

func TestResumeOlderThanRetention(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.Retention = 3 })
	// One at a time, each seen live, so that retention drops events only
	// behind the gateway's own follower, never ahead of it.
	live, _ := subscribe(t, dial(t, s), &gatewayv1.SubscribeRequest{})
	postFollowed(t, s, live, 5)
	st, _ := subscribe(t, dial(t, s), &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(1)})
	_, err := st.Recv()
	if status.Code(err) != codes.OutOfRange || !strings.Contains(status.Convert(err).Message(), "oldest available event is 3") {
		t.Fatalf("got %v, want OUT_OF_RANGE naming the oldest sequence 3", err)
	}
	// From the oldest retained cursor on, it works.
	st, _ = subscribe(t, dial(t, s), &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(2)})
	if evs := recvEvents(t, st, 3); evs[0].GetSequence() != 3 || evs[2].GetSequence() != 5 {
		t.Fatalf("replay from 2: %d..%d", evs[0].GetSequence(), evs[2].GetSequence())
	}
}

func TestJSONStream(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.Heartbeat = 100 * time.Millisecond })
	lines, resp := jsonStream(t, s, "after_sequence=0&call_ids="+callID+"&event_types=EVENT_TYPE_CALL_STARTED&event_types=EVENT_TYPE_CALL_ENDED")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s, testApp, cmdMember, sample(t, "member_changed")) // filtered out by type
	postOK(t, s, testApp, cmdEnd, sample(t, "end_call"))

	var events []map[string]any
	sawHeartbeat := false
	for len(events) < 2 || !sawHeartbeat {
		m := nextLine(t, lines)
		res, ok := m["result"].(map[string]any)
		if !ok {
			t.Fatalf("line without result: %v", m)
		}
		if ev, ok := res["event"].(map[string]any); ok {
			events = append(events, ev)
		} else if _, ok := res["heartbeat"]; ok {
			sawHeartbeat = true
		}
	}
	if events[0]["type"] != "EVENT_TYPE_CALL_STARTED" || events[1]["type"] != "EVENT_TYPE_CALL_ENDED" {
		t.Errorf("types: %v, %v", events[0]["type"], events[1]["type"])
	}
	users := events[0]["callStarted"].(map[string]any)["userList"].([]any)
	if users[0].(map[string]any)["userAccount"] != "144115212830834855" {
		t.Errorf("account digits lost in JSON: %v", users[0])
	}
	if events[0]["sequence"] != "1" || events[1]["sequence"] != "3" {
		t.Errorf("sequences %v, %v", events[0]["sequence"], events[1]["sequence"])
	}
}

func TestJSONStreamRejectsBadFilter(t *testing.T) {
	s := startGateway(t, nil)
	lines, _ := jsonStream(t, s, "event_types=NOT_A_TYPE")
	m := nextLine(t, lines)
	if _, ok := m["code"]; !ok {
		if _, ok := m["error"]; !ok {
			t.Fatalf("want an error object, got %v", m)
		}
	}
}

func TestWebhookRejections(t *testing.T) {
	s := startGateway(t, func(c *server.Config) {
		c.SdkAppIDs = []uint32{testApp}
		c.MaxBody = 4096
	})
	good := sample(t, "start_call")
	q := webhookQuery(testApp, cmdStart)
	base := "http://" + s.WebhookAddr()
	tests := []struct {
		name        string
		method, url string
		contentType string
		body        []byte
		status      int
		code        int
		msg         string
	}{
		{"wrong method", http.MethodGet, base + "/webhook?" + q, "", nil, 405, 40501, "POST"},
		{"put", http.MethodPut, base + "/webhook?" + q, "application/json", good, 405, 40501, "POST"},
		{"wrong path", http.MethodPost, base + "/callback?" + q, "application/json", good, 404, 40401, "/webhook"},
		{"multipart body", http.MethodPost, base + "/webhook?" + q, "multipart/form-data; boundary=x", good, 415, 41501, "application/json"},
		{"latin-1 body", http.MethodPost, base + "/webhook?" + q, "application/json; charset=iso-8859-1", good, 415, 41501, "UTF-8"},
		{"malformed content type", http.MethodPost, base + "/webhook?" + q, "application/json; ;", good, 415, 41501, "malformed"},
		{"no app", http.MethodPost, base + "/webhook?CallbackCommand=" + cmdStart, "application/json", good, 400, 40001, "SdkAppid"},
		{"no command", http.MethodPost, base + "/webhook?SdkAppid=1400000001", "application/json", good, 400, 40001, "ommand"},
		{"malformed query", http.MethodPost, base + "/webhook?" + q + "&x=%zz", "application/json", good, 400, 40001, "malformed"},
		{"app not allowed", http.MethodPost, base + "/webhook?" + webhookQuery(1400000009, cmdStart), "application/json", good, 403, 40301, "1400000009"},
		{"too large", http.MethodPost, base + "/webhook?" + q, "application/json", []byte(`{"x":"` + strings.Repeat("a", 5000) + `"}`), 413, 41301, "4096"},
		{"empty body", http.MethodPost, base + "/webhook?" + q, "application/json", nil, 400, 40003, "empty"},
		{"doc sample with comment", http.MethodPost, base + "/webhook?" + q, "application/json", []byte("{\"EventTime\":1, // c\n}"), 400, 40002, "byte"},
		{"not an object", http.MethodPost, base + "/webhook?" + q, "application/json", []byte(`[1,2]`), 400, 40004, "object"},
		{"command mismatch", http.MethodPost, base + "/webhook?" + q, "application/json", sample(t, "end_call"), 400, 40005, "CallbackCommand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, tr := do(t, tt.method, tt.url, tt.contentType, tt.body)
			if status != tt.status || tr.ErrorCode != tt.code || tr.ActionStatus != "FAIL" || !strings.Contains(tr.ErrorInfo, tt.msg) {
				t.Errorf("got %d %+v, want %d code %d mentioning %q", status, tr, tt.status, tt.code, tt.msg)
			}
		})
	}
	if _, head, _ := s.Log().Bounds(context.Background()); head != 0 {
		t.Errorf("rejected requests appended %d events", head)
	}
	postOK(t, s, testApp, cmdStart, good) // and the gateway still serves
}

// failingLog refuses every append, as a store that is down does.
type failingLog struct{ eventlog.Log }

func (failingLog) Append(context.Context, *gatewayv1.Event) (uint64, error) {
	return 0, eventlog.ErrUnavailable
}

func TestWebhookLogUnavailable(t *testing.T) {
	mem := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})
	s := startGateway(t, func(c *server.Config) { c.Log = failingLog{mem} })
	status, tr := post(t, s, webhookQuery(testApp, cmdStart), sample(t, "start_call"))
	if status != http.StatusServiceUnavailable || tr.ErrorCode != 50301 || tr.ActionStatus != "FAIL" || tr.ErrorInfo == "" {
		t.Fatalf("got %d %+v, want 503 code 50301", status, tr)
	}
}

// outageLog answers the next `outage` reads (Read and Bounds) with an
// ErrUnavailable, as a NATS cluster electing a stream leader does for
// seconds; with recreated set, with the one for a recreated stream.
type outageLog struct {
	eventlog.Log
	outage    atomic.Int32
	recreated bool
}

func (l *outageLog) fail(op string) error {
	if l.outage.Add(-1) < 0 {
		return nil
	}
	if l.recreated {
		return fmt.Errorf("%s: %w: %w", op, eventlog.ErrUnavailable, eventlog.ErrRecreated)
	}
	return fmt.Errorf("%s: %w: no stream leader", op, eventlog.ErrUnavailable)
}

func (l *outageLog) Read(ctx context.Context, after uint64, limit int) ([]*gatewayv1.Event, error) {
	if err := l.fail("read"); err != nil {
		return nil, err
	}
	return l.Log.Read(ctx, after, limit)
}

func (l *outageLog) Bounds(ctx context.Context) (uint64, uint64, error) {
	if err := l.fail("bounds"); err != nil {
		return 0, 0, err
	}
	return l.Log.Bounds(ctx)
}

// waitFollowing waits until the gateway's follower has read the log's head
// and applied the sample call's start, so that failures injected afterwards
// reach the subscriber's replay and not the follower's start.
func waitFollowing(t *testing.T, s *server.Server) {
	t.Helper()
	c := dialState(t, s)
	eventually(t, func() (*gatewayv1.GetCallResponse, error) {
		return c.calls.GetCall(context.Background(), &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
	})
}

// TestReplayRidesOutAShortOutage resumes a subscriber while the log is
// briefly unavailable: the replay waits for it instead of ending the stream.
func TestReplayRidesOutAShortOutage(t *testing.T) {
	log := &outageLog{Log: eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})}
	s := startGateway(t, func(c *server.Config) { c.Log = log })
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s, testApp, cmdMember, sample(t, "member_changed"))
	postOK(t, s, testApp, cmdEnd, sample(t, "end_call"))
	waitFollowing(t, s)
	log.outage.Store(3) // Bounds fails twice, then Read once
	st, _ := subscribe(t, dial(t, s), &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(0)})
	evs := recvEvents(t, st, 3)
	if evs[0].GetSequence() != 1 || evs[2].GetSequence() != 3 {
		t.Fatalf("replay after the outage: %d..%d, want 1..3", evs[0].GetSequence(), evs[2].GetSequence())
	}
	if left := log.outage.Load(); left > 0 {
		t.Fatalf("%d injected failures were never hit", left)
	}
}

// TestReplayDoesNotWaitForARecreatedStream: waiting does not mend a stream
// that was deleted and created again, so the replay ends at once.
func TestReplayDoesNotWaitForARecreatedStream(t *testing.T) {
	log := &outageLog{Log: eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10}), recreated: true}
	s := startGateway(t, func(c *server.Config) { c.Log = log })
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	waitFollowing(t, s)
	log.outage.Store(100)
	st, _ := subscribe(t, dial(t, s), &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(0)})
	if _, err := st.Recv(); status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "recreated") {
		t.Fatalf("got %v, want UNAVAILABLE saying the stream was recreated", err)
	}
	if calls := 100 - log.outage.Load(); calls != 1 {
		t.Fatalf("the log was asked %d times, want once: a recreated stream is not retried", calls)
	}
}

func TestRetriedCallbackIsOneEvent(t *testing.T) {
	s := startGateway(t, nil)
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	if _, head, _ := s.Log().Bounds(context.Background()); head != 1 {
		t.Fatalf("a retried callback became %d events", head)
	}
}

func TestResumeWhileIngesting(t *testing.T) {
	s := startGateway(t, nil)
	c := dial(t, s)
	const total = 600
	ingestDone := make(chan struct{})
	var ingestErr error
	go func() {
		defer close(ingestDone)
		for i := range total {
			if ingestErr = postQuiet(s, testApp, "Call.CallbackAfterSomething", []byte(`{"i":`+itoa(i)+`}`)); ingestErr != nil {
				return
			}
		}
	}()

	st, cancel := subscribe(t, c, fromStart(&gatewayv1.SubscribeRequest{}))
	first := recvEvents(t, st, 150)
	cancel() // the subscriber drops mid-stream while ingest continues
	last := first[len(first)-1].GetSequence()

	st, _ = subscribe(t, c, &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(last), Epoch: first[0].GetEpoch()})
	rest := recvEvents(t, st, total-150)
	<-ingestDone
	if ingestErr != nil {
		t.Fatal(ingestErr)
	}
	all := append(first, rest...)
	for i, ev := range all {
		if ev.GetSequence() != uint64(i+1) {
			t.Fatalf("event %d has sequence %d: a gap or duplicate at the resume seam", i, ev.GetSequence())
		}
	}
}

// gateLog holds the first Append until released, to catch a webhook in flight.
type gateLog struct {
	eventlog.Log
	entered, release chan struct{}
	once             sync.Once
	appended         atomic.Uint64
}

func (g *gateLog) Append(ctx context.Context, ev *gatewayv1.Event) (uint64, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	seq, err := g.Log.Append(ctx, ev)
	if err == nil {
		g.appended.Store(seq)
	}
	return seq, err
}

func TestGracefulShutdown(t *testing.T) {
	gate := &gateLog{Log: eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100}), entered: make(chan struct{}), release: make(chan struct{})}
	s := startGateway(t, func(c *server.Config) { c.Log = gate })
	st, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{}))

	type result struct {
		status int
		tr     tencentResponse
	}
	inflight := make(chan result, 1)
	go func() {
		code, tr := post(t, s, webhookQuery(testApp, cmdStart), sample(t, "start_call"))
		inflight <- result{code, tr}
	}()
	<-gate.entered

	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		shutdownDone <- s.Shutdown(ctx)
	}()
	// Shutdown waits for the in-flight webhook; release it and it completes.
	close(gate.release)
	if r := <-inflight; r.status != http.StatusOK || r.tr.ActionStatus != "OK" {
		t.Fatalf("in-flight webhook during shutdown: %d %+v", r.status, r.tr)
	}
	if err := <-shutdownDone; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if seq := gate.appended.Load(); seq != 1 {
		t.Fatalf("the in-flight webhook was answered OK but its event is not in the log (last append %d)", seq)
	}
	for {
		_, err := st.Recv()
		if err == nil {
			continue
		}
		if status.Code(err) != codes.Unavailable || !strings.Contains(status.Convert(err).Message(), "after_sequence=") {
			t.Fatalf("stream ended with %v, want UNAVAILABLE with a resume cursor", err)
		}
		break
	}
	if _, err := http.Post("http://"+s.WebhookAddr()+"/webhook?"+webhookQuery(testApp, cmdStart), "application/json", nil); err == nil {
		t.Error("the webhook listener still takes requests after shutdown")
	}
}

// equalSeqs compares in order: a subscriber sees events in log order.
func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoa(i int) string { return strconv.Itoa(i) }

// brokenFollowLog is a log whose tail cannot be followed, as when the
// JetStream stream is deleted under a running replica.
type brokenFollowLog struct{ eventlog.Log }

func (brokenFollowLog) Follow(context.Context, uint64, func(*gatewayv1.Event) error) error {
	return errors.New("stream deleted")
}

func TestRunStopsWhenTheLogCannotBeFollowed(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Log = brokenFollowLog{eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	// Run must return on its own (not by ctx) with the follower's error, so
	// that the process exits and is restarted instead of serving no events.
	err := server.Run(ctx, cfg)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "stream deleted") {
		t.Fatalf("Run returned %v (ctx %v), want the follower's error", err, ctx.Err())
	}
}
