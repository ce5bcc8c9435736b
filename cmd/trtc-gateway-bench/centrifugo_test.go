package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
