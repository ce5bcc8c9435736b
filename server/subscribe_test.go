package server_test

import (
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

// stores are the event logs every test here runs on.
var stores = []struct {
	name string
	use  func(t *testing.T, c *server.Config)
}{
	{"memory", func(*testing.T, *server.Config) {}},
	{"jetstream", func(t *testing.T, c *server.Config) {
		c.Store = "jetstream"
		c.DataDir = t.TempDir()
	}},
}

// postFollowed posts n distinct callbacks and receives each on the live
// stream before posting the next, so that even with a tiny retention the
// gateway's own follower never falls behind it.
func postFollowed(t *testing.T, s *server.Server, live gatewayv1.EventService_SubscribeClient, n int) {
	t.Helper()
	for i := range n {
		postOK(t, s, testApp, "Live.CallbackAfterAnything", []byte(`{"n":`+strconv.Itoa(i+1)+`}`))
		recvEvents(t, live, 1)
	}
}

// TestReplayFromZeroAfterRetention: after_sequence=0 replays everything still
// retained, on both stores and both APIs, even once retention dropped events
// (it used to be OUT_OF_RANGE, a 400 on the JSON API). A non-zero cursor
// older than retention still is.
func TestReplayFromZeroAfterRetention(t *testing.T) {
	for _, store := range stores {
		t.Run(store.name, func(t *testing.T) {
			s := startGateway(t, func(c *server.Config) { c.Retention = 3; store.use(t, c) })
			c := dial(t, s)
			live, _ := subscribe(t, c, &gatewayv1.SubscribeRequest{})
			postFollowed(t, s, live, 5) // keeps 3..5

			st, _ := subscribe(t, c, &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(0)})
			if evs := recvEvents(t, st, 3); evs[0].GetSequence() != 3 || evs[2].GetSequence() != 5 {
				t.Errorf("gRPC after_sequence=0 replayed %d..%d, want 3..5", evs[0].GetSequence(), evs[2].GetSequence())
			}

			lines, resp := jsonStream(t, s, "after_sequence=0")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("JSON after_sequence=0: status %d, want 200", resp.StatusCode)
			}
			for _, want := range []string{"3", "4", "5"} {
				m := nextLine(t, lines)
				ev, _ := m["result"].(map[string]any)["event"].(map[string]any)
				if ev["sequence"] != want {
					t.Fatalf("JSON after_sequence=0: line %v, want the event of sequence %s", m, want)
				}
			}

			st, _ = subscribe(t, c, &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(1)})
			if _, err := st.Recv(); status.Code(err) != codes.OutOfRange || !strings.Contains(err.Error(), "oldest available event is 3") {
				t.Errorf("after_sequence=1: %v, want OUT_OF_RANGE naming 3", err)
			}
			// Refused before the stream opens: the JSON API answers with the status, not 200.
			if _, resp := jsonStream(t, s, "after_sequence=1"); resp.StatusCode != http.StatusBadRequest {
				t.Errorf("JSON after_sequence=1: status %d, want 400 (OUT_OF_RANGE)", resp.StatusCode)
			}
		})
	}
}

// TestSlowConsumerFallsBackToTheLog: a subscriber whose client stops reading
// while a burst far larger than --queue goes by is not cut off. Its stream
// reads the log at the client's pace once it reads again, with every event
// once and in order, then rejoins the live tail; a fast subscriber meanwhile
// gets the whole burst without waiting for it.
func TestSlowConsumerFallsBackToTheLog(t *testing.T) {
	for _, store := range stores {
		t.Run(store.name, func(t *testing.T) {
			s := startGateway(t, func(c *server.Config) { c.Queue = 256; store.use(t, c) })
			// Small fixed flow-control windows, so a client that does not read stalls the server's sends.
			slowClient := dial(t, s, grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
			slow, _ := subscribe(t, slowClient, fromStart(&gatewayv1.SubscribeRequest{}))
			fast, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{}))

			const total = 3000
			body := []byte(`{"Padding":"` + strings.Repeat("x", 400) + `","i":`)
			var fastErr error
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < total; {
					m, err := fast.Recv()
					if err != nil {
						fastErr = err
						return
					}
					if ev := m.GetEvent(); ev != nil {
						n++
						if ev.GetSequence() != uint64(n) {
							fastErr = errors.New("fast subscriber saw a gap")
							return
						}
					}
				}
			}()
			for i := range total {
				postOK(t, s, testApp, "Call.CallbackAfterSomething", append(append([]byte{}, body...), []byte(itoa(i)+"}")...))
			}
			wg.Wait() // the slow client has not read anything yet
			if fastErr != nil {
				t.Fatalf("fast subscriber: %v", fastErr)
			}
			evs := recvEvents(t, slow, total)
			for i, ev := range evs {
				if ev.GetSequence() != uint64(i+1) {
					t.Fatalf("slow subscriber: event %d has sequence %d: a gap or duplicate", i, ev.GetSequence())
				}
			}
			if n := metric(t, s, "trtcgw_subscriber_fallbacks_total"); n == 0 {
				t.Fatal("no subscriber fell back to the log: the test did not make the slow one slow")
			}
			// Still open, and back on the live tail.
			postOK(t, s, testApp, "Call.CallbackAfterSomething", []byte(`{"after":"the burst"}`))
			if ev := recvEvents(t, slow, 1)[0]; ev.GetSequence() != total+1 {
				t.Fatalf("slow subscriber: after the burst got %d, want %d", ev.GetSequence(), total+1)
			}
			if n := metric(t, s, "trtcgw_subscribers_cut_off_total"); n != 0 {
				t.Errorf("trtcgw_subscribers_cut_off_total = %d, want 0", n)
			}
		})
	}
}

// TestFilterOnALongCallID: a 300-byte CallId is stored, and a filter on it
// finds it (filter values were capped at 256 bytes).
func TestFilterOnALongCallID(t *testing.T) {
	s := startGateway(t, nil)
	long := strings.Repeat("c", 300)
	postOK(t, s, testApp, cmdStart, []byte(strings.ReplaceAll(string(sample(t, "start_call")), callID, long)))
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))

	st, _ := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{CallIds: []string{long}}))
	if ev := recvEvents(t, st, 1)[0]; ev.GetCallId() != long || ev.GetSequence() != 1 {
		t.Errorf("filtered on the 300-byte call id, got sequence %d with a %d-byte call id", ev.GetSequence(), len(ev.GetCallId()))
	}
	lines, resp := jsonStream(t, s, "after_sequence=0&call_ids="+long)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON: status %d", resp.StatusCode)
	}
	m := nextLine(t, lines)
	if ev, _ := m["result"].(map[string]any)["event"].(map[string]any); ev["callId"] != long {
		t.Errorf("JSON: first line %v, want the event with the 300-byte call id", m)
	}
}

// metric reads one counter or gauge from /metrics.
func metric(t *testing.T, s *server.Server, name string) int {
	t.Helper()
	resp, err := http.Get("http://" + s.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(raw)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return int(v)
}
