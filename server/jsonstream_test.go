package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestJSONStreamAnswersAtOnce: a live JSON subscription gets its 200 when it
// stands, not with its first event or heartbeat (an hour away here), so a
// client can tell "subscribed, nothing yet" from "still connecting".
func TestJSONStreamAnswersAtOnce(t *testing.T) {
	s := startGateway(t, nil) // heartbeat: 1h
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.HTTPAddr()+"/v1/events:subscribe", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the live stream did not answer before any event: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	postOK(t, s, testApp, cmdStart, sample(t, "start_call"))
	lines := make(chan string, 1)
	go func() {
		buf := make([]byte, 64<<10)
		n, _ := res.Body.Read(buf)
		lines <- string(buf[:n])
	}()
	select {
	case l := <-lines:
		if !strings.Contains(l, `"sequence":"1"`) {
			t.Errorf("first line %q, want event 1", l)
		}
	case <-time.After(waitLimit):
		t.Fatal("no event on the open stream")
	}
}
