package checkpoint

import (
	"bytes"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
)

// TestApplyStallWhileEncoding measures how long the follower waits to
// apply a call event while a checkpoint of a call projection of
// TRTCGW_CHECKPOINT_STALL calls is encoded: the projection encodes under
// its read lock, and Apply takes the write lock; through the Keeper's gate
// the event is queued instead. A measurement, run only when the variable
// is set.
func TestApplyStallWhileEncoding(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TRTCGW_CHECKPOINT_STALL"))
	if n <= 0 {
		t.Skip("set TRTCGW_CHECKPOINT_STALL to a number of calls to measure")
	}
	p := calls.New()
	model := &traffic.Model{Apps: []uint32{1400000001}, ActiveCalls: 8, RunID: 1}
	model.Mix[traffic.Calls] = 1
	at := time.Now().Add(-time.Hour)
	g := traffic.NewGenerator(model, 0, func() time.Time { at = at.Add(time.Millisecond); return at })
	var seq uint64
	var last *gatewayv1.Event
	for {
		wh := g.Next()
		if wh.Call >= int64(n) {
			break
		}
		q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {wh.Command}, "contenttype": {"json"}}
		ev, err := callback.Decode(q, wh.Body, at)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		ev.Sequence, ev.Id = seq, callback.EventID(wh.App, wh.Command, wh.Body)
		p.Apply(ev)
		last = ev
	}
	t.Logf("%d calls, %d events", p.Len(), seq)
	gt := newGate(p)
	for round := range 4 {
		gated := round%2 == 1
		started := make(chan struct{})
		encoded := make(chan time.Duration, 1)
		go func() {
			var buf bytes.Buffer
			if gated {
				gt.hold()
				defer gt.release()
			}
			close(started)
			began := time.Now()
			if _, err := p.WriteSnapshot(&buf); err != nil {
				t.Error(err)
			}
			encoded <- time.Since(began)
		}()
		<-started
		time.Sleep(time.Millisecond) // let the encoding take its lock
		// A retry of the last call event: Apply takes the write lock and
		// then skips it as a duplicate.
		began := time.Now()
		if gated {
			gt.Apply(last)
		} else {
			p.Apply(last)
		}
		stall := time.Since(began)
		t.Logf("round %d, gate %v: WriteSnapshot %s; an Apply issued 1ms into it waited %s", round, gated, <-encoded, stall)
	}
}
