package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// paddedStart is a start-call callback of exactly size bytes: its CallId
// takes the room, so the event stores that many bytes twice (in call_id and
// in call_started.call_info).
func paddedStart(t *testing.T, size int) []byte {
	t.Helper()
	const head, tail = `{"CallbackCommand":"Call.CallbackAfterStartCall","CallInfo":{"CallId":"`,
		`","CallMediaType":"Audio","ChatGroupId":"","RoomId":"","RoomIdType":1},"UserList":[{"User_Account":"u1","Status":"Calling"}],"EventTime":1740464128807}`
	n := size - len(head) - len(tail)
	if n < 1 {
		t.Fatalf("size %d is too small", size)
	}
	return []byte(head + strings.Repeat("c", n) + tail)
}

// calleeList is an end-call callback of at most size bytes listing distinct
// numeric callees: each is stored in call_record.callee_accounts and again in
// user_accounts, with framing, so the event is larger than twice the body.
func calleeList(size int) []byte {
	const head, tail = `{"CallbackCommand":"Call.CallbackAfterEndCall","CallRecord":{"CallId":"c","Caller_Account":"0","CallType":"MultiCall","CalleeList_Account":[`, `]},"EventTime":1703589922780}`
	var b strings.Builder
	b.WriteString(head)
	for i := 1; b.Len()+len(strconv.Itoa(i))+1+len(tail) <= size; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteString(tail)
	return []byte(b.String())
}

// paddedOther is a callback of a command the gateway does not model, of
// exactly size bytes: the event holds the body byte for byte.
func paddedOther(t *testing.T, size int) []byte {
	t.Helper()
	const head, tail = `{"CallbackCommand":"Call.CallbackFuture","Padding":"`, `","EventTime":1740464128807}`
	n := size - len(head) - len(tail)
	if n < 1 {
		t.Fatalf("size %d is too small", size)
	}
	return []byte(head + strings.Repeat("p", n) + tail)
}

// TestLargeCallbacksSameOnBothStores posts the same large callbacks to a
// gateway on each store with the default --max-body: every body within it is
// stored by both (the JetStream store used to answer 503 forever to a body of
// 1,048,500 bytes, or to half of that in CallId, which is stored twice), and
// a larger one gets the same 413 from both.
func TestLargeCallbacksSameOnBothStores(t *testing.T) {
	maxBody := int(server.DefaultConfig().MaxBody)
	gateways := map[string]*server.Server{
		"memory": startGateway(t, nil),
		"jetstream": startGateway(t, func(c *server.Config) {
			c.Store, c.DataDir = "jetstream", t.TempDir()
		}),
	}
	cases := []struct {
		name    string
		command string
		body    []byte
		status  int
		code    callback.Code
	}{
		{"other callback of 1,048,500 bytes", "Call.CallbackFuture", paddedOther(t, 1_048_500), http.StatusOK, callback.CodeOK},
		{"other callback of --max-body bytes", "Call.CallbackFuture", paddedOther(t, maxBody), http.StatusOK, callback.CodeOK},
		{"CallId of 530 KB", "Call.CallbackAfterStartCall", paddedStart(t, 530_000+300), http.StatusOK, callback.CodeOK},
		{"CallId filling --max-body", "Call.CallbackAfterStartCall", paddedStart(t, maxBody), http.StatusOK, callback.CodeOK},
		{"callee list of short accounts filling --max-body (2.3 times its size as an event)", "Call.CallbackAfterEndCall", calleeList(maxBody), http.StatusOK, callback.CodeOK},
		{"one byte over --max-body", "Call.CallbackAfterStartCall", paddedStart(t, maxBody+1), http.StatusRequestEntityTooLarge, callback.CodeTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, store := range []string{"memory", "jetstream"} {
				status, tr := post(t, gateways[store], webhookQuery(testApp, tc.command), tc.body)
				if status != tc.status || tr.ErrorCode != int(tc.code) {
					t.Errorf("%s store: %d %+v, want %d with ErrorCode %d", store, status, tr, tc.status, tc.code)
				}
			}
		})
	}
}

// TestEventTooLargeForExternalNATS runs the gateway on a NATS server whose
// max_payload is smaller than --max-body needs: a callback whose event cannot
// fit is refused for good with 413 and ErrorCode 41302, saying why, instead of
// 503 (which Tencent would retry in vain); smaller ones are stored.
func TestEventTooLargeForExternalNATS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	const maxPayload = 64 << 10
	nats, err := natsembed.Start(ctx, natsembed.Options{DataDir: t.TempDir(), Listen: "127.0.0.1:0", MaxPayload: maxPayload})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nats.Shutdown)
	s := startGateway(t, func(c *server.Config) {
		c.Store, c.NATSURL = "jetstream", nats.ClientURL()
	})

	postOK(t, s, testApp, "Call.CallbackFuture", paddedOther(t, maxPayload/2))
	for range 2 { // the answer is the same every time: it is not retryable
		status, tr := post(t, s, webhookQuery(testApp, "Call.CallbackFuture"), paddedOther(t, maxPayload))
		if status != http.StatusRequestEntityTooLarge || tr.ErrorCode != int(callback.CodeEventTooLarge) {
			t.Fatalf("an event over max_payload: %d %+v, want 413 with ErrorCode %d", status, tr, callback.CodeEventTooLarge)
		}
		if want := "bytes the event log stores"; !strings.Contains(tr.ErrorInfo, want) || !strings.Contains(tr.ErrorInfo, "never be stored") {
			t.Errorf("ErrorInfo %q does not say why and that it is final", tr.ErrorInfo)
		}
	}
}

// TestMaxBodyTooLargeForEmbeddedStore checks that a --max-body the embedded
// NATS server cannot size its max_payload for is refused before anything
// starts, naming the largest that works, and that other stores are not
// bound by it.
func TestMaxBodyTooLargeForEmbeddedStore(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Store, cfg.DataDir, cfg.MaxBody = "jetstream", t.TempDir(), 40<<20
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "--max-body=41943040 is too large for the embedded NATS server") || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("Validate: %v, want --max-body refused for the embedded store", err)
	}
	cfg.MaxBody = 21 << 20
	if err := cfg.Validate(); err != nil {
		t.Errorf("21 MiB: %v", err)
	}
	cfg.MaxBody = 40 << 20
	cfg.Store = "memory"
	if err := cfg.Validate(); err != nil {
		t.Errorf("memory store: %v", err)
	}
	cfg.Store, cfg.NATSURL = "jetstream", "nats://127.0.0.1:4222"
	if err := cfg.Validate(); err != nil {
		t.Errorf("--nats-url: %v", err)
	}
}

// TestEventSizeBound decodes bodies of the default --max-body built to make
// the event as large as possible for their size (lists of short distinct
// accounts, each stored in its callback message and again in user_accounts
// with two bytes of framing each; ids stored twice) and checks that every
// event fits eventlog.MaxEventBytes of its body, the bound the embedded
// server's max_payload and the memory store's limit are sized by. (A bound
// of twice the body, the first guess, fails on the end-call callee list.)
func TestEventSizeBound(t *testing.T) {
	size := int(server.DefaultConfig().MaxBody)
	// repeatTo repeats item (with %d replaced by a counter, so that the
	// accounts are distinct where wanted) until the body is size bytes.
	repeatTo := func(head, item, sep, tail string) []byte {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; ; i++ {
			next := strings.ReplaceAll(item, "%d", strconv.Itoa(i))
			if b.Len()+len(next)+len(sep)+len(tail) > size {
				break
			}
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(next)
		}
		b.WriteString(tail)
		return []byte(b.String())
	}
	cases := []struct {
		command string
		body    []byte
	}{
		{"Call.CallbackAfterStartCall", repeatTo(`{"CallInfo":{"CallId":"c","RoomId":"r"},"UserList":[`, `{"User_Account":1}`, ",", `]}`)},
		{"Call.CallbackAfterStartCall", repeatTo(`{"CallInfo":{"CallId":"c"},"UserList":[`, `{"User_Account":"a","Status":"Calling"}`, ",", `]}`)},
		{"Call.CallbackAfterMemberChanged", repeatTo(`{"CallId":"c","ChangedUserList":[`, `{"User_Account":"a","ActionType":"Answer"}`, ",", `]}`)},
		{"Call.CallbackAfterMemberChanged", repeatTo(`{"CallId":"c","UserList":[`, `{"User_Account":2}`, ",", `]}`)},
		{"Call.CallbackAfterEndCall", repeatTo(`{"CallRecord":{"CallId":"c","RoomId":"r","CalleeList_Account":[`, `1`, ",", `]}}`)},
		{"Call.CallbackAfterEndCall", repeatTo(`{"CallRecord":{"CallId":"c","RoomId":"r","CalleeList_Account":[`, `%d`, ",", `]}}`)},
		{"Call.CallbackAfterStartCall", repeatTo(`{"CallInfo":{"CallId":"c"},"UserList":[`, `{"User_Account":%d}`, ",", `]}`)},
		{"Call.CallbackAfterMemberChanged", repeatTo(`{"CallId":"c","UserList":[`, `{"User_Account":%d}`, ",", `],"ChangedUserList":[]}`)},
		{"Live.CallbackAfterMemberStateChanged", repeatTo(`{"RoomId":"r","EventType":"Online","MemberList":[`, `{"Member_Account":"%d"}`, ",", `]}`)},
		{"Live.CallbackAfterMemberStateChanged", repeatTo(`{"RoomId":"r","EventType":"Online","MemberList":[`, `{"Member_Account":"m"}`, ",", `]}`)},
		{"Call.CallbackAfterStartCall", paddedStart(t, size)},
		{"Call.CallbackFuture", paddedOther(t, size)},
	}
	for _, tc := range cases {
		q, err := url.ParseQuery(webhookQuery(testApp, tc.command))
		if err != nil {
			t.Fatal(err)
		}
		p, err := callback.ParseParams(q)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := callback.DecodeBody(p, tc.body, time.Unix(1700000000, 0))
		if err != nil {
			t.Fatalf("%s: %v", tc.command, err)
		}
		ev.Sequence, ev.Epoch = 0, ""
		got, limit := int64(proto.Size(ev)), eventlog.MaxEventBytes(int64(len(tc.body)))
		t.Logf("%s: body %d bytes, event %d bytes (%.2f×)", tc.command, len(tc.body), got, float64(got)/float64(len(tc.body)))
		if got > limit {
			t.Errorf("%s: a body of %d bytes decodes to an event of %d bytes, more than MaxEventBytes %d", tc.command, len(tc.body), got, limit)
		}
	}
}

// TestHealthFollowsNATSConnection runs a gateway on a NATS server that goes
// away and comes back: while the gateway cannot reach it, health says
// NOT_SERVING (so a load balancer sends webhooks to replicas that can store
// them) and webhooks get 503; once NATS is back, SERVING and 200 again,
// without a restart.
func TestHealthFollowsNATSConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*waitLimit)
	defer cancel()
	dir := t.TempDir()
	ns, err := natsembed.Start(ctx, natsembed.Options{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	s := startGateway(t, func(c *server.Config) {
		c.Store, c.NATSURL = "jetstream", ns.ClientURL()
	})
	healthz := func() int {
		resp, err := http.Get("http://" + s.HTTPAddr() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitHealth := func(want int) {
		t.Helper()
		for healthz() != want {
			if ctx.Err() != nil {
				t.Fatalf("/healthz never answered %d", want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitHealth(http.StatusOK)
	postOK(t, s, testApp, "Call.CallbackFuture", []byte(`{"n":1}`))

	ns.Shutdown()
	waitHealth(http.StatusServiceUnavailable)
	if status, tr := post(t, s, webhookQuery(testApp, "Call.CallbackFuture"), []byte(`{"n":2}`)); status != http.StatusServiceUnavailable || tr.ErrorCode != int(callback.CodeLogUnavailable) {
		t.Errorf("while NATS is away: %d %+v, want 503 with ErrorCode %d", status, tr, callback.CodeLogUnavailable)
	}

	ns, err = natsembed.Start(ctx, natsembed.Options{DataDir: dir, Listen: u.Host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	waitHealth(http.StatusOK)
	postOK(t, s, testApp, "Call.CallbackFuture", []byte(`{"n":3}`))
}
