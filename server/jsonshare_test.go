package server_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// rawJSONStream opens /v1/events:subscribe and returns its lines as written.
func rawJSONStream(t *testing.T, addr, query string) <-chan []byte {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v1/events:subscribe?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	lines := make(chan []byte, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- bytes.Clone(sc.Bytes())
		}
	}()
	return lines
}

// TestJSONStreamsShareEachLine: several JSON subscribers of the same events
// get the same lines, byte for byte what grpc-gateway writes for each event
// on its own, whether the event is shared among streams or not.
func TestJSONStreamsShareEachLine(t *testing.T) {
	s := startGateway(t, nil)
	grpcStream, cancel := subscribe(t, dial(t, s), fromStart(&gatewayv1.SubscribeRequest{}))
	defer cancel()
	const streams = 3
	var all [streams]<-chan []byte
	for i := range all {
		all[i] = rawJSONStream(t, s.HTTPAddr(), "after_sequence=0")
	}
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	postOK(t, s, testApp, cmdMember, sample(t, "member_changed"))
	postOK(t, s, testApp, cmdEnd, sample(t, "end_call"))
	events := recvEvents(t, grpcStream, 3)
	// The gateway's marshaler, as configured on its JSON listener.
	m := &runtime.JSONPb{MarshalOptions: protojson.MarshalOptions{}}
	for _, ev := range events {
		want, err := m.Marshal(map[string]any{"result": &gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}}})
		if err != nil {
			t.Fatal(err)
		}
		for i, lines := range all {
			got, ok := <-lines
			if !ok {
				t.Fatalf("stream %d ended before event %d", i, ev.GetSequence())
			}
			if !bytes.Equal(got, want) {
				t.Errorf("stream %d, event %d:\n got %s\nwant %s", i, ev.GetSequence(), got, want)
			}
		}
	}
}
