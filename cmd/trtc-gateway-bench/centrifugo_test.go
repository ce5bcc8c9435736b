package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestUniConnectRequest decodes the hand-written ConnectRequest: field 3 is
// the subs map with one entry, the channel to an empty SubscribeRequest.
func TestUniConnectRequest(t *testing.T) {
	b := uniConnectRequest("trtc")
	num, typ, n := protowire.ConsumeTag(b)
	if num != 3 || typ != protowire.BytesType || n < 0 {
		t.Fatalf("first field %d type %d, want the subs map (3, bytes)", num, typ)
	}
	entry, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		t.Fatalf("subs entry malformed or followed by more fields: % x", b)
	}
	key, err := protoField(entry, 1)
	if err != nil || string(key) != "trtc" {
		t.Errorf("map key %q, %v, want trtc", key, err)
	}
}

// TestUniPushParse reads the Pushes Centrifugo sends on the stream: its
// connect reply, a publication whose data is a callback body, a disconnect.
func TestUniPushParse(t *testing.T) {
	msg := func(fields ...func([]byte) []byte) []byte {
		var b []byte
		for _, f := range fields {
			b = f(b)
		}
		return b
	}
	bytesField := func(num protowire.Number, v []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
		}
	}
	varintField := func(num protowire.Number, v uint64) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
		}
	}
	body := []byte(`{"EventGroupId":2,"EventType":205,"CallbackTs":1740464128807}`)
	for _, tc := range []struct {
		name string
		wire []byte
		want uniPush
	}{
		{"connect", msg(bytesField(pushConnect, msg(bytesField(1, []byte("client-id"))))), uniPush{connect: true}},
		{"publication", msg(bytesField(pushChannel, []byte("trtc")), bytesField(pushPub, msg(bytesField(pubData, body), varintField(6, 0)))),
			uniPush{pub: true, key: bodyKey(body)}},
		{"disconnect", msg(bytesField(pushDisconnect, msg(varintField(disconnectCode, 3008), bytesField(disconnectReason, []byte("slow"))))),
			uniPush{disconnect: true, disconnectCode: 3008, disconnectReason: "slow"}},
		{"ping (empty push)", nil, uniPush{}},
	} {
		var p uniPush
		if err := p.parse(tc.wire); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p != tc.want {
			t.Errorf("%s: parsed %+v, want %+v", tc.name, p, tc.want)
		}
	}
	var p uniPush
	if err := p.parse([]byte{0x22, 0x05, 0x01}); err == nil {
		t.Error("a truncated publication parsed without error")
	}
}

// centrifugoForTest is the binary make bench builds; the tests that run it
// skip without it (CI does not build it).
func centrifugoForTest(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs("../../.bin/centrifugo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("no Centrifugo at %s (make bench builds it)", bin)
	}
	return bin
}

// TestCentrifugoPeer runs the real Centrifugo as the suite does: callbacks
// posted to its /api/publish reach every uni-gRPC subscriber, matched by
// body, and stopping it ends cleanly.
func TestCentrifugoPeer(t *testing.T) {
	bin := centrifugoForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, tgt, err := startCentrifugo(ctx, bin, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.stop()
	r := newSession()
	set, err := dialSubscribers(tgt.grpc, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer set.close()
	subCtx, stopSubs := context.WithCancel(ctx)
	defer stopSubs()
	for range 3 {
		if err := set.openUni(subCtx, r, &subscriber{kind: "all"}); err != nil {
			t.Fatal(err)
		}
	}
	r.startWindow()
	conn := newHTTPConn(tgt.webhook)
	defer conn.close()
	const n = 20
	for i := range n {
		body := fmt.Appendf(nil, `{"EventGroupId":2,"EventType":205,"CallId":"call-%d","UserId":144115212948889925}`, i)
		if !r.sent.put(bodyKey(body), r.clock.now()) {
			t.Fatalf("body %d repeated", i)
		}
		resp, err := conn.postPublish(ctx, body)
		if err != nil || !resp.ok {
			t.Fatalf("publish %d: %v, HTTP %d %s", i, err, resp.status, resp.body)
		}
	}
	for set.received.Load() < 3*n {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			t.Fatalf("received %d of %d deliveries: %v", set.received.Load(), 3*n, err)
		}
	}
	stopSubs()
	set.wait()
	for i, s := range set.subs {
		if s.received != n || s.unmatched != 0 || s.end != nil || s.hist.summary().Count != n {
			t.Errorf("subscriber %d: received %d (want %d), unmatched %d, timed %d, end %v", i, s.received, n, s.unmatched, s.hist.summary().Count, s.end)
		}
	}
}

// TestCentrifugoVersionPinned: the version the reports name is the one
// tools/centrifugo/go.mod pins.
func TestCentrifugoVersionPinned(t *testing.T) {
	b, err := os.ReadFile("../../tools/centrifugo/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := "github.com/centrifugal/centrifugo/v6 " + centrifugoVersion
	if !strings.Contains(string(b), want) {
		t.Errorf("tools/centrifugo/go.mod does not require %q", want)
	}
	if !strings.Contains(string(b), "\ntool github.com/centrifugal/centrifugo/v6\n") {
		t.Error("tools/centrifugo/go.mod has no tool directive for Centrifugo")
	}
}

// TestCentrifugoRows: each Centrifugo row runs right after the bare row
// that opens its group, and every row naming a peer names a Centrifugo
// row with the same subscribers; the peer targets hold only at their
// ratio, without errors, and within the RSS bound.
func TestCentrifugoRows(t *testing.T) {
	rows := standardSuite(suiteConfig{conns: 16, warmup: time.Second, duration: time.Second})
	index := make(map[string]int)
	for i, r := range rows {
		index[r.Name] = i
	}
	for _, tc := range []struct{ peer, bareBefore string }{{"Centrifugo S1", "bare before S1"}, {"Centrifugo S2", "bare before S2"}} {
		i, ok := index[tc.peer]
		if !ok || rows[i].Store != "centrifugo" || i == 0 || rows[i-1].Name != tc.bareBefore {
			t.Errorf("%s: want a centrifugo row right after %q", tc.peer, tc.bareBefore)
		}
	}
	peers := make(map[string]bool)
	for _, r := range rows {
		if r.peer == "" {
			continue
		}
		peers[r.Name] = true
		p := rows[index[r.peer]]
		if p.Store != "centrifugo" || p.SubsAll != r.SubsAll || p.Rate != r.Rate {
			t.Errorf("%s: peer %s is %+v, want Centrifugo under the same load", r.Name, r.peer, p.Scenario)
		}
	}
	for _, name := range []string{"S1", "S1-durable", "S2", "S2-durable", "S2-json"} {
		if !peers[name] {
			t.Errorf("%s has no Centrifugo peer", name)
		}
	}
	if r := rows[index["S2-json"]]; !r.JSON || r.SubsAll != 100 {
		t.Errorf("S2-json: %+v, want 100 subscribers on the JSON stream", r.Scenario)
	}
	s := &suiteResults{byName: map[string]*Result{
		"Centrifugo S1": {WebhooksPerSec: 10_000},
		"Centrifugo S2": {WebhooksPerSec: 5_000, DeliveriesPerSec: 500_000},
	}, peerOf: map[string]string{"S1": "Centrifugo S1", "S1-durable": "Centrifugo S1", "S2-durable": "Centrifugo S2"}}
	for _, tc := range []struct {
		row  string
		res  Result
		want bool
	}{
		{"S1", Result{Scenario: Scenario{Name: "S1"}, WebhooksPerSec: 12_000}, true},
		{"S1", Result{Scenario: Scenario{Name: "S1"}, WebhooksPerSec: 11_000}, false},
		{"S1-durable", Result{Scenario: Scenario{Name: "S1-durable"}, WebhooksPerSec: 10_000, PeakRSS: 100 << 20}, true},
		{"S1-durable", Result{Scenario: Scenario{Name: "S1-durable"}, WebhooksPerSec: 10_000, PeakRSS: 129 << 20}, false},
		{"S2-durable", Result{Scenario: Scenario{Name: "S2-durable"}, DeliveriesPerSec: 750_000}, true},
		{"S2-durable", Result{Scenario: Scenario{Name: "S2-durable"}, DeliveriesPerSec: 700_000}, false},
	} {
		ok, measured := rows[index[tc.row]].target.met(&tc.res, s)
		if ok != tc.want {
			t.Errorf("%s: met = %t for %s, want %t", tc.row, ok, measured, tc.want)
		}
	}
	delete(s.byName, "Centrifugo S1")
	if ok, measured := rows[index["S1"]].target.met(&Result{Scenario: Scenario{Name: "S1"}, WebhooksPerSec: 1e6}, s); ok {
		t.Errorf("S1 met without a Centrifugo row: %s", measured)
	}
}
