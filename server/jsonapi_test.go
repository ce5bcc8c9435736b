package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

// headResult is what a client has once the response's status and headers
// arrived.
type headResult struct {
	resp *http.Response
	err  error
}

// requestHead sends method path to the JSON API listener and returns once
// the status and headers have arrived, failing after waitLimit (a deadlock
// guard: with heartbeats an hour apart, a stream whose headers wait for the
// first event or heartbeat never gets there). The body is closed at the end
// of the test.
func requestHead(t *testing.T, s *server.Server, method, path string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.HTTPAddr()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan headResult, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		done <- headResult{resp, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("%s %s: %v", method, path, r.err)
		}
		t.Cleanup(func() { r.resp.Body.Close() })
		return r.resp
	case <-time.After(waitLimit):
		t.Fatalf("%s %s: no status and headers within %s", method, path, waitLimit)
		return nil
	}
}

// TestJSONStreamSendsHeadersAtOnce opens streams that nothing matches, live
// and replaying an empty log, with heartbeats an hour apart: the client gets
// 200 and the headers at once, not at the first event or heartbeat.
func TestJSONStreamSendsHeadersAtOnce(t *testing.T) {
	s := startGateway(t, nil) // Heartbeat: an hour
	for _, query := range []string{"call_ids=no-such-call", "call_ids=no-such-call&after_sequence=0"} {
		t.Run(query, func(t *testing.T) {
			resp := requestHead(t, s, http.MethodGet, "/v1/events:subscribe?"+query)
			if resp.StatusCode != http.StatusOK {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
		})
	}
	// The stream still carries events after its early headers.
	resp := requestHead(t, s, http.MethodGet, "/v1/events:subscribe?call_ids="+callID)
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() {
		t.Fatalf("stream ended: %v", sc.Err())
	}
	if line := sc.Text(); !strings.Contains(line, `"type":"EVENT_TYPE_CALL_STARTED"`) || !strings.Contains(line, callID) {
		t.Errorf("first line %s, want the call's start", line)
	}
}

// TestJSONQueryParameters accepts every field of SubscribeRequest by its
// proto and its JSON name, and refuses anything else with a 400 that names
// the parameter, rather than streaming every event.
func TestJSONQueryParameters(t *testing.T) {
	s := startGateway(t, nil)
	tests := []struct {
		query string
		code  int
		want  []string // in the error message
	}{
		{query: "call_ids=a", code: 200},
		{query: "callIds=a", code: 200},
		{query: "after_sequence=0&epoch=", code: 200},
		{query: "afterSequence=0", code: 200},
		{query: "event_types=EVENT_TYPE_CALL_ENDED&sdk_app_ids=1&room_ids=r&user_accounts=u&callback_commands=c", code: 200},
		{query: "eventTypes=EVENT_TYPE_CALL_STARTED&sdkAppIds=2&roomIds=q&userAccounts=v&callbackCommands=d", code: 200},
		{query: "call_id=a", code: 400, want: []string{`unknown query parameter "call_id"`, "call_ids"}},
		{query: "call_ids=a&type=EVENT_TYPE_CALL_ENDED", code: 400, want: []string{`"type"`}},
		{query: "call_ids.x=a", code: 400, want: []string{`"call_ids.x"`}},
		{query: "CALL_IDS=a", code: 400, want: []string{`"CALL_IDS"`}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := requestHead(t, s, http.MethodGet, "/v1/events:subscribe?"+tt.query)
			if resp.StatusCode != tt.code {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, body)
			}
			if tt.code == 200 {
				return
			}
			st := readStatus(t, resp)
			for _, w := range tt.want {
				if !strings.Contains(st.Message, w) {
					t.Errorf("message %q does not contain %s", st.Message, w)
				}
			}
		})
	}
}

// rpcStatus is google.rpc.Status as JSON.
type rpcStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

// readStatus requires the body to be exactly a JSON google.rpc.Status with
// code, message and details, and returns it.
func readStatus(t *testing.T, resp *http.Response) rpcStatus {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json: %s", ct, body)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, body)
	}
	if len(keys) != 3 || keys["code"] == nil || keys["message"] == nil || string(keys["details"]) != "[]" {
		t.Errorf("body %s, want exactly code, message and details:[]", body)
	}
	var st rpcStatus
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("body is not a google.rpc.Status: %v: %s", err, body)
	}
	return st
}

// TestJSONAPIErrorShape: every error of the JSON API listener is one
// google.rpc.Status with the fitting HTTP status, unknown paths and wrong
// methods included; /healthz and /metrics answer as before.
func TestJSONAPIErrorShape(t *testing.T) {
	s := startGateway(t, nil)
	tests := []struct {
		method, path string
		status       int
		code         int    // gRPC code in the body
		allow        string // Allow header, for 405
		message      *regexp.Regexp
	}{
		{"GET", "/nope", 404, 5, "", regexp.MustCompile(`^no such path "/nope"`)},
		{"GET", "/v1/nope", 404, 5, "", regexp.MustCompile(`^no such path "/v1/nope"`)},
		{"GET", "/v1/events:unsubscribe", 404, 5, "", regexp.MustCompile(`^no such path`)},
		{"POST", "/v1/events:subscribe", 405, 12, "GET", regexp.MustCompile(`^POST is not allowed on /v1/events:subscribe; use GET$`)},
		{"DELETE", "/v1/events:subscribe", 405, 12, "GET", regexp.MustCompile(`^DELETE is not allowed`)},
		{"POST", "/healthz", 405, 12, "GET, HEAD", regexp.MustCompile(`^POST is not allowed on /healthz; use GET, HEAD$`)},
		{"PUT", "/metrics", 405, 12, "GET, HEAD", regexp.MustCompile(`^PUT is not allowed on /metrics`)},
		{"GET", "/v1/events:subscribe?event_types=NOT_A_TYPE", 400, 3, "", regexp.MustCompile(`NOT_A_TYPE`)},
		{"GET", "/v1/events:subscribe?user_accounts=a&user_accounts=", 400, 3, "", regexp.MustCompile(`^invalid filter: user_accounts\[1\]: empty value$`)},
		{"GET", "/v1/events:subscribe?after_sequence=5", 400, 11, "", regexp.MustCompile(`^after_sequence 5 is beyond the newest event 0`)},
		{"GET", "/v1/events:subscribe?call_id=a", 400, 3, "", regexp.MustCompile(`^unknown query parameter "call_id"`)},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp := requestHead(t, s, tt.method, tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			st := readStatus(t, resp)
			if st.Code != tt.code || !tt.message.MatchString(st.Message) {
				t.Errorf("code %d, message %q; want code %d, message matching %s", st.Code, st.Message, tt.code, tt.message)
			}
		})
	}

	t.Run("healthz and metrics", func(t *testing.T) {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp := requestHead(t, s, method, "/healthz")
			body, _ := io.ReadAll(resp.Body)
			if want := `{"status":"SERVING"}` + "\n"; resp.StatusCode != 200 || (method == http.MethodGet && string(body) != want) {
				t.Errorf("%s /healthz: %d %q, want 200 %q", method, resp.StatusCode, body, want)
			}
			resp = requestHead(t, s, method, "/metrics")
			body, _ = io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || (method == http.MethodGet && !strings.Contains(string(body), "trtcgw_")) {
				t.Errorf("%s /metrics: %d, body without trtcgw_ metrics", method, resp.StatusCode)
			}
		}
	})
}

// TestJSONAPIRoutesAreGET holds the 405's Allow header (GET) to the HTTP
// rules: a route with another method needs Allow computed per path.
func TestJSONAPIRoutesAreGET(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "proto", "trtc", "gateway", "v1", "trtc_gateway_api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rules := regexp.MustCompile(`(?m)^\s+(get|put|post|delete|patch|custom):`).FindAllStringSubmatch(string(b), -1)
	if len(rules) == 0 {
		t.Fatal("no HTTP rule found in trtc_gateway_api.yaml")
	}
	for _, r := range rules {
		if r[1] != "get" {
			t.Errorf("an HTTP rule uses %s; the JSON API's 405 answers Allow: GET (server/gateway_errors.go)", r[1])
		}
	}
}

// TestSubscribeSendsHeadersAtOnce: over gRPC too, the response headers come
// once the request is accepted, before any event or heartbeat, live and
// replaying; a refused request still ends without them.
func TestSubscribeSendsHeadersAtOnce(t *testing.T) {
	s := startGateway(t, nil) // Heartbeat: an hour
	c := dial(t, s)
	for _, req := range []*gatewayv1.SubscribeRequest{
		{CallIds: []string{"no-such-call"}},
		{CallIds: []string{"no-such-call"}, AfterSequence: proto.Uint64(0)},
	} {
		st, _ := subscribe(t, c, req)
		if md, err := st.Header(); err != nil || md == nil {
			t.Errorf("%v: Header() = %v, %v; want the headers before any message", req, md, err)
		}
	}
	st, _ := subscribe(t, c, &gatewayv1.SubscribeRequest{UserAccounts: []string{""}})
	if _, err := st.Recv(); status.Code(err) != codes.InvalidArgument || strings.Count(err.Error(), "invalid filter") != 1 {
		t.Errorf("Recv() = %v, want INVALID_ARGUMENT saying \"invalid filter\" once", err)
	}
}
