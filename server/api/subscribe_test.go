package api

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

// waitLimit bounds every wait in these tests; it is a deadlock guard, not a
// speed check.
const waitLimit = 20 * time.Second

// fakeStream is the server side of one Subscribe call: it hands every message
// the service sends to onSend, which may block like a client that does not
// read.
type fakeStream struct {
	grpc.ServerStream // nil: only the methods below are used
	ctx               context.Context
	onSend            func(*gatewayv1.SubscribeResponse) error
}

func (f *fakeStream) Context() context.Context { return f.ctx }

// SendHeader accepts the stream's headers; these tests look only at messages.
func (f *fakeStream) SendHeader(metadata.MD) error { return nil }

func (f *fakeStream) Send(m *gatewayv1.SubscribeResponse) error { return f.onSend(m) }

func (f *fakeStream) SendMsg(m any) error {
	switch v := m.(type) {
	case *preparedEvent:
		return f.onSend(v.msg)
	case *gatewayv1.SubscribeResponse:
		return f.onSend(v)
	default:
		return fmt.Errorf("fakeStream: unexpected message %T", m)
	}
}

// fixture is a memory log, a hub following it, and the service on both.
type fixture struct {
	log *eventlog.Memory
	hub *hub.Hub
	svc *EventService
}

// newFixture starts a hub on a memory log keeping retention events; the hub
// stops when the test ends.
func newFixture(t *testing.T, retention int, opts Options) *fixture {
	t.Helper()
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: retention})
	h := hub.New(hub.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- h.Run(ctx, log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("hub.Run: %v", err)
		}
		log.Close()
	})
	opts.Log, opts.Hub = log, h
	svc, err := NewEventService(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{log: log, hub: h, svc: svc}
}

// appendEvents appends n events whose call id alternates "even"/"odd" by sequence.
func (fx *fixture) appendEvents(t testing.TB, n int) {
	t.Helper()
	for range n {
		if _, err := fx.log.Append(context.Background(), newEvent(fx)); err != nil {
			t.Error(err)
			return
		}
	}
}

// appendFollowed appends n events step at a time, each step once the hub
// has published the previous one, so that on a log with a small retention
// only subscribers fall behind it, never the hub.
func (fx *fixture) appendFollowed(t *testing.T, n, step int) {
	t.Helper()
	_, head, _ := fx.log.Bounds(context.Background())
	for done := 0; done < n; done += step {
		fx.appendEvents(t, min(step, n-done))
		awaitLast(t, fx.hub, head+uint64(min(done+step, n)))
	}
}

func newEvent(fx *fixture) *gatewayv1.Event {
	_, head, _ := fx.log.Bounds(context.Background())
	call := "odd"
	if (head+1)%2 == 0 {
		call = "even"
	}
	return &gatewayv1.Event{SdkAppId: 1400000001, CallbackCommand: "Call.Test", CallId: call, UserAccounts: []string{"alice"}}
}

// subscribe runs Subscribe for req in the background; the stream's messages
// go to onSend. It returns a cancel that ends the call and the call's result.
func (fx *fixture) subscribe(req *gatewayv1.SubscribeRequest, onSend func(*gatewayv1.SubscribeResponse) error) (context.CancelFunc, <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fx.svc.Subscribe(req, &fakeStream{ctx: ctx, onSend: onSend}) }()
	return cancel, done
}

// recorder collects the sequences a stream receives and says when it has a given one.
type recorder struct {
	mu   sync.Mutex
	seqs []uint64
	want uint64
	got  chan struct{}
}

func newRecorder(want uint64) *recorder { return &recorder{want: want, got: make(chan struct{})} }

func (r *recorder) send(m *gatewayv1.SubscribeResponse) error {
	if ev := m.GetEvent(); ev != nil {
		r.mu.Lock()
		r.seqs = append(r.seqs, ev.GetSequence())
		if ev.GetSequence() == r.want {
			close(r.got)
		}
		r.mu.Unlock()
	}
	return nil
}

func (r *recorder) sequences() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seqs)
}

func (r *recorder) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(waitLimit):
		seqs := r.sequences()
		t.Fatalf("%s: sequence %d never arrived; got %d events, last %v", what, r.want, len(seqs), seqs[max(0, len(seqs)-3):])
	}
}

// awaitSubscribers waits until the hub counts n subscriptions.
func awaitSubscribers(t *testing.T, h *hub.Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for h.Stats().Subscribers != n {
		if time.Now().After(deadline) {
			t.Fatalf("the hub has %d subscribers, want %d", h.Stats().Subscribers, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkRun says where seqs is not exactly want.
func checkRun(t *testing.T, what string, seqs, want []uint64) {
	t.Helper()
	if slices.Equal(seqs, want) {
		return
	}
	for i := range min(len(seqs), len(want)) {
		if seqs[i] != want[i] {
			t.Fatalf("%s: event %d is sequence %d, want %d (a gap or duplicate); %d events, want %d", what, i, seqs[i], want[i], len(seqs), len(want))
		}
	}
	t.Fatalf("%s: %d events, want %d", what, len(seqs), len(want))
}

// TestReplayToLiveHandover resumes from a cursor while events are appended
// concurrently, in small replay batches, so the hand-over from the log to
// the hub happens while the head moves: every matching event arrives once,
// in order.
func TestReplayToLiveHandover(t *testing.T) {
	const (
		before = 300 // in the log when the stream starts
		during = 700 // appended while it replays
		total  = before + during
	)
	tests := []struct {
		name   string
		after  uint64
		filter []string // call ids
		want   func(seq uint64) bool
	}{
		{"everything from the start", 0, nil, func(uint64) bool { return true }},
		{"after a cursor", 50, nil, func(seq uint64) bool { return seq > 50 }},
		{"filtered", 10, []string{"even"}, func(seq uint64) bool { return seq > 10 && seq%2 == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newFixture(t, total, Options{ReplayBatch: 8, Queue: 16, Heartbeat: time.Hour})
			fx.appendEvents(t, before)
			var want []uint64
			for seq := uint64(1); seq <= total; seq++ {
				if tt.want(seq) {
					want = append(want, seq)
				}
			}
			rec := newRecorder(want[len(want)-1])
			var appender sync.WaitGroup
			appender.Add(1)
			go func() {
				defer appender.Done()
				for range during {
					fx.appendEvents(t, 1)
					runtime.Gosched()
				}
			}()
			cancel, done := fx.subscribe(&gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(tt.after), CallIds: tt.filter}, rec.send)
			rec.wait(t, tt.name)
			appender.Wait()
			cancel()
			if err := <-done; status.Code(err) != codes.Canceled {
				t.Errorf("Subscribe ended with %v, want CANCELED", err)
			}
			checkRun(t, tt.name, rec.sequences(), want)
		})
	}
}

// TestSlowSubscriberFallsBackToTheLog blocks one subscriber while a burst
// far larger than its queue is published: a fast subscriber gets the whole
// burst meanwhile, and the slow one, once it reads again, gets every event
// in order from the log and then rejoins the live tail. Neither is cut off.
func TestSlowSubscriberFallsBackToTheLog(t *testing.T) {
	const burst = 500
	fx := newFixture(t, 100_000, Options{Queue: 4, ReplayBatch: 32, Heartbeat: time.Hour})

	gate := make(chan struct{})
	slow := newRecorder(burst + 1)
	slowSend := func(m *gatewayv1.SubscribeResponse) error {
		<-gate // a client that does not read until the gate opens
		return slow.send(m)
	}
	fast := newRecorder(burst)
	cancelSlow, slowDone := fx.subscribe(&gatewayv1.SubscribeRequest{}, slowSend)
	cancelFast, fastDone := fx.subscribe(&gatewayv1.SubscribeRequest{}, fast.send)
	awaitSubscribers(t, fx.hub, 2)

	fx.appendEvents(t, burst)
	fast.wait(t, "fast subscriber while the slow one is blocked")
	if got := fx.hub.Stats().Overflowed; got == 0 {
		t.Fatal("the slow subscriber's queue never overflowed: the test did not make it slow")
	}

	close(gate)
	// One more event after the burst: the slow stream must have rejoined
	// the hub to see it.
	waitFor(t, func() bool { return len(slow.sequences()) >= burst && fx.hub.Stats().Subscribers == 2 })
	fx.appendEvents(t, 1)
	slow.wait(t, "slow subscriber")
	checkRun(t, "slow subscriber", slow.sequences(), seqRange(1, burst+1))

	cancelSlow()
	cancelFast()
	for _, done := range []<-chan error{slowDone, fastDone} {
		if err := <-done; status.Code(err) != codes.Canceled {
			t.Errorf("a stream ended with %v, want CANCELED (never RESOURCE_EXHAUSTED)", err)
		}
	}
	if got := fx.svc.Stats().CutOff; got != 0 {
		t.Errorf("CutOff = %d, want 0", got)
	}
}

// TestSlowSubscriberBehindRetentionIsCutOff: a subscriber that falls so far
// behind that retention dropped what it had yet to read ends with
// RESOURCE_EXHAUSTED naming the oldest event kept.
func TestSlowSubscriberBehindRetentionIsCutOff(t *testing.T) {
	fx := newFixture(t, 20, Options{Queue: 4, Heartbeat: time.Hour})
	gate := make(chan struct{})
	var seen recorder
	cancel, done := fx.subscribe(&gatewayv1.SubscribeRequest{}, func(m *gatewayv1.SubscribeResponse) error {
		<-gate
		return seen.send(m)
	})
	defer cancel()
	awaitSubscribers(t, fx.hub, 1)
	fx.appendFollowed(t, 100, 10) // keeps 81..100
	waitFor(t, func() bool { return fx.hub.Stats().Overflowed > 0 })
	close(gate)
	var err error
	select {
	case err = <-done:
	case <-time.After(waitLimit):
		t.Fatalf("the stream did not end; it received %v; hub %+v", seen.sequences(), fx.hub.Stats())
	}
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "the oldest kept is 81") {
		t.Fatalf("stream ended with %v, want RESOURCE_EXHAUSTED naming the oldest event 81", err)
	}
	seqs := seen.sequences()
	checkRun(t, "before the cut-off", seqs, seqRange(1, uint64(len(seqs))))
	if !strings.Contains(err.Error(), fmt.Sprintf("after sequence %d,", len(seqs))) {
		t.Errorf("the error %q does not name the last sequence delivered, %d", err, len(seqs))
	}
	if got := fx.svc.Stats().CutOff; got != 1 {
		t.Errorf("CutOff = %d, want 1", got)
	}
}

// TestHeartbeatOneIntervalAfterTheLastMessage runs the stream on a fake
// clock (synctest): the first heartbeat comes exactly --heartbeat after the
// last event, not at the next tick of a fixed ticker (up to twice that).
func TestHeartbeatOneIntervalAfterTheLastMessage(t *testing.T) {
	const beat = 10 * time.Second
	synctest.Test(t, func(t *testing.T) {
		fx := newFixture(t, 100, Options{Heartbeat: beat})
		start := time.Now()
		var (
			mu  sync.Mutex
			log []string // "event@7s", "heartbeat@17s"
		)
		cancel, done := fx.subscribe(&gatewayv1.SubscribeRequest{}, func(m *gatewayv1.SubscribeResponse) error {
			mu.Lock()
			defer mu.Unlock()
			at := time.Since(start)
			if m.GetHeartbeat() != nil {
				log = append(log, fmt.Sprintf("heartbeat@%v", at))
			} else {
				log = append(log, fmt.Sprintf("event%d@%v", m.GetEvent().GetSequence(), at))
			}
			return nil
		})
		synctest.Wait()

		time.Sleep(7 * time.Second)
		fx.appendEvents(t, 1)
		synctest.Wait()
		time.Sleep(beat + 15*time.Second) // up to 32s: heartbeats at 17s and 27s
		synctest.Wait()
		cancel()
		if err := <-done; status.Code(err) != codes.Canceled {
			t.Errorf("Subscribe ended with %v, want CANCELED", err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := []string{"event1@7s", "heartbeat@17s", "heartbeat@27s"}
		if !slices.Equal(log, want) {
			t.Errorf("stream sent %v, want %v", log, want)
		}
	})
}

// TestHeartbeatWhenIdleFromTheStart: a stream that never gets an event has
// its first heartbeat one interval after it opened.
func TestHeartbeatWhenIdleFromTheStart(t *testing.T) {
	const beat = 10 * time.Second
	synctest.Test(t, func(t *testing.T) {
		fx := newFixture(t, 100, Options{Heartbeat: beat})
		start := time.Now()
		beats := make(chan time.Duration, 4)
		cancel, done := fx.subscribe(&gatewayv1.SubscribeRequest{}, func(m *gatewayv1.SubscribeResponse) error {
			if m.GetHeartbeat() != nil {
				beats <- time.Since(start)
			}
			return nil
		})
		if at := <-beats; at != beat {
			t.Errorf("first heartbeat at %v, want %v", at, beat)
		}
		cancel()
		if err := <-done; status.Code(err) != codes.Canceled {
			t.Errorf("Subscribe ended with %v, want CANCELED", err)
		}
	})
}

// TestReplayFromZeroAfterRetention: after_sequence=0 is every event still
// retained, even once retention dropped some; only a non-zero cursor older
// than retention is OUT_OF_RANGE.
func TestReplayFromZeroAfterRetention(t *testing.T) {
	fx := newFixture(t, 5, Options{Heartbeat: time.Hour})
	fx.appendFollowed(t, 12, 4) // keeps 8..12

	rec := newRecorder(12)
	cancel, done := fx.subscribe(&gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(0)}, rec.send)
	rec.wait(t, "after_sequence=0")
	cancel()
	<-done
	checkRun(t, "after_sequence=0", rec.sequences(), seqRange(8, 12))

	_, done = fx.subscribe(&gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(1)}, func(*gatewayv1.SubscribeResponse) error { return nil })
	err := <-done
	if status.Code(err) != codes.OutOfRange || !strings.Contains(err.Error(), "oldest available event is 8") {
		t.Errorf("after_sequence=1 ended with %v, want OUT_OF_RANGE naming 8", err)
	}
}

func awaitLast(t *testing.T, h *hub.Hub, seq uint64) {
	t.Helper()
	waitFor(t, func() bool { return h.Last() >= seq })
}

// waitFor polls cond; the deadline only guards against a hang.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}
