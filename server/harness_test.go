package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

const testApp = 1400000001

// waitLimit bounds every wait in these tests; it is a deadlock guard, not a speed check.
const waitLimit = 20 * time.Second

// startGateway runs a gateway on loopback ports with a memory store.
func startGateway(t *testing.T, mutate func(*server.Config)) *server.Server {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = "memory"
	cfg.Heartbeat = time.Hour
	cfg.ShutdownTimeout = 5 * time.Second
	if mutate != nil {
		mutate(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start gateway: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

// sample returns a callback body from testdata/samples.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "samples", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// webhookQuery is the query Tencent appends, for app and command.
func webhookQuery(app uint32, command string) string {
	return url.Values{
		"SdkAppid": {fmt.Sprint(app)}, "CallbackCommand": {command}, "contenttype": {"json"},
		"ClientIP": {"203.0.113.7"}, "OptPlatform": {"iOS"},
	}.Encode()
}

// tencentResponse is the body the webhook answers with.
type tencentResponse struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
}

// post sends one callback and decodes the answer, which must always be Tencent's JSON shape.
func post(t testing.TB, s *server.Server, query string, body []byte) (int, tencentResponse) {
	t.Helper()
	return do(t, http.MethodPost, "http://"+s.WebhookAddr()+"/webhook?"+query, "application/json", body)
}

func do(t testing.TB, method, u, contentType string, body []byte) (int, tencentResponse) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json (body %s)", method, u, ct, raw)
	}
	var tr tencentResponse
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tr); err != nil {
		t.Fatalf("%s %s: body %q is not Tencent's response shape: %v", method, u, raw, err)
	}
	return resp.StatusCode, tr
}

// postOK posts a callback that must be accepted.
func postOK(t testing.TB, s *server.Server, app uint32, command string, body []byte) {
	t.Helper()
	code, tr := post(t, s, webhookQuery(app, command), body)
	if code != http.StatusOK || tr != (tencentResponse{ActionStatus: "OK"}) {
		t.Fatalf("post %s: %d %+v, want 200 OK", command, code, tr)
	}
}

// postQuiet posts a callback from any goroutine and reports a non-OK answer as an error.
func postQuiet(s *server.Server, app uint32, command string, body []byte) error {
	resp, err := http.Post("http://"+s.WebhookAddr()+"/webhook?"+webhookQuery(app, command), "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post %s: %d %s", command, resp.StatusCode, raw)
	}
	return nil
}

// dial connects a generated client to the gateway's gRPC listener.
func dial(t *testing.T, s *server.Server, opts ...grpc.DialOption) gatewayv1.EventServiceClient {
	t.Helper()
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(s.GRPCAddr(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return gatewayv1.NewEventServiceClient(conn)
}

// subscribe opens a stream and waits until the gateway has registered it
// (the first message or an error arrives only after registration, so the
// caller sends a heartbeat-triggering pause or an event afterwards).
func subscribe(t *testing.T, c gatewayv1.EventServiceClient, req *gatewayv1.SubscribeRequest) (gatewayv1.EventService_SubscribeClient, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	st, err := c.Subscribe(ctx, req)
	if err != nil {
		cancel()
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(cancel)
	// The gateway sends the stream's headers once the subscription stands
	// (or the stream ends refused, when this returns too): waiting for them
	// means that an event posted next reaches a live subscriber.
	_, _ = st.Header()
	return st, cancel
}

// recvEvents reads n events, skipping heartbeats.
func recvEvents(t *testing.T, st gatewayv1.EventService_SubscribeClient, n int) []*gatewayv1.Event {
	t.Helper()
	var evs []*gatewayv1.Event
	for len(evs) < n {
		m, err := st.Recv()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(evs), n, err)
		}
		if ev := m.GetEvent(); ev != nil {
			evs = append(evs, ev)
		}
	}
	return evs
}

// recvUntilHeartbeat reads events until the first heartbeat, which the
// gateway sends only after a whole idle interval: by then everything that
// matched was delivered.
func recvUntilHeartbeat(t *testing.T, st gatewayv1.EventService_SubscribeClient) []*gatewayv1.Event {
	t.Helper()
	var evs []*gatewayv1.Event
	for {
		m, err := st.Recv()
		if err != nil {
			t.Fatalf("after %d events: %v", len(evs), err)
		}
		if m.GetHeartbeat() != nil {
			return evs
		}
		evs = append(evs, m.GetEvent())
	}
}

// jsonStream opens the grpc-gateway stream and returns its lines as they come.
func jsonStream(t *testing.T, s *server.Server, query string) (<-chan map[string]any, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.HTTPAddr()+"/v1/events:subscribe?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	lines := make(chan map[string]any, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"unparsable": sc.Text()}
			}
			lines <- m
		}
	}()
	return lines, resp
}

func nextLine(t *testing.T, lines <-chan map[string]any) map[string]any {
	t.Helper()
	select {
	case m, ok := <-lines:
		if !ok {
			t.Fatal("JSON stream ended")
		}
		if u, bad := m["unparsable"]; bad {
			t.Fatalf("JSON stream line is not JSON: %v", u)
		}
		return m
	case <-time.After(waitLimit):
		t.Fatal("no JSON line")
		return nil
	}
}

// eventJSON renders an event for failure messages.
func eventJSON(ev *gatewayv1.Event) string {
	return protojson.Format(ev)
}
