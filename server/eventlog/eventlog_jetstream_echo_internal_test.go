package eventlog

import (
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// TestEchoRingHolds checks that holds, which lets Follow skip the id lookup,
// says no only where take would return nil whatever the id.
func TestEchoRingHolds(t *testing.T) {
	var r echoRing
	ev := &gatewayv1.Event{Sequence: 7, Epoch: "e1", Id: "a"}
	r.put(ev)
	for _, tc := range []struct {
		name  string
		seq   uint64
		epoch string
		want  bool
	}{
		{"the appended event", 7, "e1", true},
		{"another epoch", 7, "e2", false},
		{"same slot, one lap on", 7 + echoSlots, "e1", false},
		{"same slot, two laps on", 7 + 2*echoSlots, "e1", false},
		{"empty slot", 8, "e1", false},
	} {
		if got := r.holds(tc.seq, tc.epoch); got != tc.want {
			t.Errorf("%s: holds(%d, %q) = %v, want %v", tc.name, tc.seq, tc.epoch, got, tc.want)
		}
		if !tc.want && r.take(tc.seq, tc.epoch, "a") != nil {
			t.Errorf("%s: take returned an event holds denied", tc.name)
		}
	}
	if got := r.take(7, "e1", "b"); got != nil {
		t.Error("take with another id returned the event")
	}
	if got := r.take(7, "e1", "a"); got != ev {
		t.Errorf("take = %v, want the appended event", got)
	}
	if r.holds(7, "e1") {
		t.Error("holds after take: the slot was not freed")
	}
}
