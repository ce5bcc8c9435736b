package sdk_test

import (
	"strings"
	"testing"
	"time"
)

// TestReconnectAcrossGatewayRestart runs each example against the real
// gateway through a restart: when the gateway shuts down the stream ends with
// UNAVAILABLE and the example keeps reconnecting; the restarted gateway (memory
// store, so a new log and epoch) refuses the resume cursor of the old epoch with
// FAILED_PRECONDITION, and the example stops with status 1 instead of printing
// other events under the same sequence numbers.
func TestReconnectAcrossGatewayRestart(t *testing.T) {
	requireEnabled(t)
	gw := startGateway(t)

	var subs []*subscriber
	for _, ex := range examples {
		subs = append(subs, startSubscriber(t, ex, ex.name+"-restart", nil,
			"--addr", gw.grpc, "--after-sequence", "0", "--max-backoff", "0.5"))
	}
	gw.post(t, webhooks[0])
	var seq, epoch string
	for _, s := range subs {
		ev := s.events(t, 1, 60*time.Second)[0]
		if got := ev.str("callId"); got != callA {
			t.Fatalf("%s: first event is of call %q, want %q", s.name, got, callA)
		}
		seq, epoch = ev.str("sequence"), ev.str("epoch")
	}

	gw.stop(t)
	for _, s := range subs {
		s.waitStderr(t, "stream broke", 30*time.Second)
		select {
		case <-s.done:
			t.Fatalf("%s exited when the gateway went away instead of reconnecting; stderr:\n%s", s.name, s.stderr.String())
		default:
		}
	}

	// The same gRPC address, a new log: the old cursor must be refused.
	restartGateway(t, "--grpc-addr="+gw.grpc)
	for _, s := range subs {
		if code := s.wait(t, 60*time.Second); code != 1 {
			t.Errorf("%s: exit status %d after its cursor was refused, want 1", s.name, code)
		}
		s.drain(t)
		stderr := s.stderr.String()
		if !strings.Contains(stderr, "after sequence "+seq) {
			t.Errorf("%s never asked to resume after sequence %s; stderr:\n%s", s.name, seq, stderr)
		}
		if !containsAny(stderr, "FAILED_PRECONDITION", "FailedPrecondition") || !strings.Contains(stderr, epoch) {
			t.Errorf("%s: stderr does not report the refused epoch %q with FAILED_PRECONDITION:\n%s", s.name, epoch, stderr)
		}
	}
}
