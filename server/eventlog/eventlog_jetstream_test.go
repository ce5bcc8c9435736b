package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog/eventlogtest"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// Each conformance log gets its own embedded server and data directory.
func TestJetStreamConformance(t *testing.T) {
	eventlogtest.Run(t, func(t *testing.T, retention int) eventlog.Log {
		l, _ := newJS(t, eventlog.JetStreamOptions{MaxMsgs: int64(retention)})
		return l
	})
}

func TestJetStreamConformanceDedup(t *testing.T) {
	eventlogtest.RunDedup(t, func(t *testing.T) eventlog.Log {
		l, _ := newJS(t, eventlog.JetStreamOptions{})
		return l
	})
}

// testCtx bounds a test's calls so a regression fails instead of hanging.
func testCtx(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// startNATS starts an embedded server on dir, shut down when the test ends.
func startNATS(tb testing.TB, dir string) *natsembed.Server {
	tb.Helper()
	s, err := natsembed.Start(testCtx(tb), natsembed.Options{DataDir: dir})
	if err != nil {
		tb.Fatalf("start NATS: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

func connectNATS(tb testing.TB, s *natsembed.Server) *nats.Conn {
	tb.Helper()
	nc, err := s.Connect()
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

func openJS(tb testing.TB, nc *nats.Conn, opts eventlog.JetStreamOptions) *eventlog.JetStream {
	tb.Helper()
	l, err := eventlog.OpenJetStream(testCtx(tb), nc, opts)
	if err != nil {
		tb.Fatalf("OpenJetStream: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// newJS returns a JetStream log on a fresh embedded server, and a JetStream
// client on the same connection for looking behind the log's back.
func newJS(tb testing.TB, opts eventlog.JetStreamOptions) (*eventlog.JetStream, jetstream.JetStream) {
	tb.Helper()
	nc := connectNATS(tb, startNATS(tb, tb.TempDir()))
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return openJS(tb, nc, opts), js
}

// event returns a call-started event with a stable id derived from i.
func event(i int) *gatewayv1.Event {
	callID := fmt.Sprintf("call-%d", i)
	return &gatewayv1.Event{
		Id:              fmt.Sprintf("ev-%d", i),
		Type:            gatewayv1.EventType_EVENT_TYPE_CALL_STARTED,
		CallbackCommand: "Call.CallbackAfterStartCall",
		SdkAppId:        1400000001,
		ClientIp:        "203.0.113.7",
		OptPlatform:     "iOS",
		ContentType:     "json",
		CallId:          callID,
		RoomId:          "room-1",
		UserAccounts:    []string{"alice", "144115212830834855"},
		Payload: &gatewayv1.Event_CallStarted{CallStarted: &gatewayv1.CallStarted{
			CallInfo: &gatewayv1.CallInfo{CallId: callID, RoomId: "room-1"},
			UserList: []*gatewayv1.CallMember{{UserAccount: "alice"}, {UserAccount: "144115212830834855"}},
		}},
	}
}

func appendN(tb testing.TB, l eventlog.Log, from, n int) []*gatewayv1.Event {
	tb.Helper()
	evs := make([]*gatewayv1.Event, 0, n)
	for i := from; i < from+n; i++ {
		ev := event(i)
		if _, err := l.Append(testCtx(tb), ev); err != nil {
			tb.Fatalf("Append #%d: %v", i, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// sameEvents fails unless got and want hold the same events in order,
// positions included.
func sameEvents(t *testing.T, got, want []*gatewayv1.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Fatalf("event %d:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
}

func wantBounds(t *testing.T, l eventlog.Log, oldest, head uint64) {
	t.Helper()
	o, h, err := l.Bounds(testCtx(t))
	if err != nil {
		t.Fatalf("Bounds: %v", err)
	}
	if o != oldest || h != head {
		t.Fatalf("Bounds() = (%d, %d), want (%d, %d)", o, h, oldest, head)
	}
}

// consumers returns how many consumers the stream has.
func consumers(t *testing.T, js jetstream.JetStream, stream string) int {
	t.Helper()
	s, err := js.Stream(testCtx(t), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

func TestJetStreamAppendAndRead(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	ctx := testCtx(t)
	if len(l.Epoch()) != 16 {
		t.Fatalf("Epoch() = %q, want 16 hex digits", l.Epoch())
	}
	wantBounds(t, l, 1, 0)
	if evs, err := l.Read(ctx, 0, 10); err != nil || len(evs) != 0 {
		t.Fatalf("Read of an empty log = %v, %v; want nothing", evs, err)
	}

	want := appendN(t, l, 1, 25)
	for i, ev := range want {
		if ev.Sequence != uint64(i+1) || ev.Epoch != l.Epoch() {
			t.Fatalf("appended event %d has position (%d, %q), want (%d, %q)", i, ev.Sequence, ev.Epoch, i+1, l.Epoch())
		}
	}
	wantBounds(t, l, 1, 25)

	tests := []struct {
		after       uint64
		limit       int
		first, last int // indexes into want, last exclusive
	}{
		{0, 100, 0, 25},
		{0, 10, 0, 10},
		{10, 10, 10, 20},
		{20, 10, 20, 25},
		{24, 1, 24, 25},
		{25, 10, 25, 25}, // at the head
		{40, 10, 25, 25}, // past the head
	}
	for _, tt := range tests {
		got, err := l.Read(ctx, tt.after, tt.limit)
		if err != nil {
			t.Fatalf("Read(%d, %d): %v", tt.after, tt.limit, err)
		}
		sameEvents(t, got, want[tt.first:tt.last])
	}
	if _, err := l.Read(ctx, 0, 0); err == nil {
		t.Fatal("Read with limit 0 succeeded, want an error")
	}
	if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
		t.Fatalf("%d consumers left behind by Read, want 0", n)
	}
}

func TestJetStreamReadsLargeBatches(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{})
	want := appendN(t, l, 1, 2500)
	got, err := l.Read(testCtx(t), 100, 3000)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, got, want[100:])
}

func TestJetStreamSubjectsCarryRoutingKeys(t *testing.T) {
	nc := connectNATS(t, startNATS(t, t.TempDir()))
	l := openJS(t, nc, eventlog.JetStreamOptions{SubjectPrefix: "acme.trtc"})

	// A plain NATS subscriber sees every event on its routing subject.
	sub, err := nc.SubscribeSync("acme.trtc.>")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ  gatewayv1.EventType
		app  uint32
		want string
	}{
		{gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, 1400000001, "acme.trtc.1400000001.call_started"},
		{gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, 1400000001, "acme.trtc.1400000001.call_member_changed"},
		{gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, 7, "acme.trtc.7.call_ended"},
		{gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED, 20000, "acme.trtc.20000.live_member_state_changed"},
		{gatewayv1.EventType_EVENT_TYPE_OTHER, 0, "acme.trtc.0.other"},
		{gatewayv1.EventType_EVENT_TYPE_UNSPECIFIED, 1, "acme.trtc.1.unspecified"},
		{gatewayv1.EventType(99), 1, "acme.trtc.1.99"},
	}
	for _, tt := range tests {
		ev := &gatewayv1.Event{Type: tt.typ, SdkAppId: tt.app}
		if got := l.Subject(ev); got != tt.want {
			t.Errorf("Subject(%v, %d) = %q, want %q", tt.typ, tt.app, got, tt.want)
		}
		seq, err := l.Append(testCtx(t), ev)
		if err != nil {
			t.Fatalf("Append(%v): %v", tt.typ, err)
		}
		msg, err := sub.NextMsgWithContext(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		if msg.Subject != tt.want {
			t.Errorf("event %v published on %q, want %q", tt.typ, msg.Subject, tt.want)
		}
		// The payload is the protobuf Event, without its position.
		var stored gatewayv1.Event
		if err := proto.Unmarshal(msg.Data, &stored); err != nil {
			t.Fatalf("message data is not an Event: %v", err)
		}
		if stored.Sequence != 0 || stored.Epoch != "" || stored.Type != tt.typ || stored.SdkAppId != tt.app {
			t.Errorf("stored event = %v, want type %v app %d and no position", &stored, tt.typ, tt.app)
		}
		if ev.Sequence != seq {
			t.Errorf("Append set Sequence %d, returned %d", ev.Sequence, seq)
		}
	}
}

func TestJetStreamFollow(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	want := appendN(t, l, 1, 10)

	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	got := make(chan *gatewayv1.Event, 100)
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(ctx, 3, func(ev *gatewayv1.Event) error {
			got <- ev
			return nil
		})
	}()
	// The backlog after the cursor, then events appended while following.
	want = append(want, appendN(t, l, 11, 10)...)
	for i, w := range want[3:] {
		ev := <-got
		if !proto.Equal(ev, w) {
			t.Fatalf("Follow event %d:\n got %v\nwant %v", i, ev, w)
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v, want context.Canceled", err)
	}
	if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
		t.Fatalf("%d consumers left behind by Follow, want 0", n)
	}
}

func TestJetStreamFollowReplacesLostConsumer(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	got := make(chan uint64, 100)
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			got <- ev.Sequence
			return nil
		})
	}()
	expect := func(from, to uint64) {
		t.Helper()
		for want := from; want <= to; want++ {
			select {
			case seq := <-got:
				if seq != want {
					t.Fatalf("Follow delivered %d, want %d", seq, want)
				}
			case err := <-done:
				t.Fatalf("Follow ended with %v before %d", err, want)
			}
		}
	}
	appendN(t, l, 1, 3)
	expect(1, 3)

	// An operator (or a server failure) removes Follow's consumer.
	s, err := js.Stream(ctx, eventlog.DefaultStreamName)
	if err != nil {
		t.Fatal(err)
	}
	names := s.ConsumerNames(ctx)
	for name := range names.Name() {
		if err := s.DeleteConsumer(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	appendN(t, l, 4, 3)
	expect(4, 6)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v", err)
	}
}

func TestJetStreamFollowReturnsCallbackError(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{})
	appendN(t, l, 1, 5)
	stop := errors.New("stop here")
	var seen []uint64
	err := l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
		seen = append(seen, ev.Sequence)
		if ev.Sequence == 3 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("Follow = %v, want the callback's error as is", err)
	}
	if fmt.Sprint(seen) != "[1 2 3]" {
		t.Fatalf("Follow delivered %v, want [1 2 3]", seen)
	}
}

func TestJetStreamRetention(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{MaxMsgs: 5})
	ctx := testCtx(t)
	want := appendN(t, l, 1, 12)
	wantBounds(t, l, 8, 12)

	_, err := l.Read(ctx, 3, 10)
	var out *eventlog.OutOfRangeError
	if !errors.As(err, &out) || out.After != 3 || out.Oldest != 8 {
		t.Fatalf("Read(3) = %v, want OutOfRangeError{After: 3, Oldest: 8}", err)
	}
	got, err := l.Read(ctx, 7, 10)
	if err != nil {
		t.Fatalf("Read(7): %v", err)
	}
	sameEvents(t, got, want[7:])

	err = l.Follow(ctx, 0, func(*gatewayv1.Event) error { return errors.New("delivered a dropped event") })
	if !errors.As(err, &out) || out.After != 0 || out.Oldest != 8 {
		t.Fatalf("Follow(0) = %v, want OutOfRangeError{After: 0, Oldest: 8}", err)
	}
	// Read takes 0 as FromStart: "everything still retained", never out of range.
	got, err = l.Read(ctx, eventlog.FromStart, 10)
	if err != nil {
		t.Fatalf("Read(FromStart): %v", err)
	}
	sameEvents(t, got, want[7:])

	// A purge empties the stream but keeps counting: everything before the
	// next sequence is gone.
	s, err := js.Stream(ctx, eventlog.DefaultStreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	wantBounds(t, l, 13, 12)
	if _, err := l.Read(ctx, 10, 10); !errors.As(err, &out) || out.Oldest != 13 {
		t.Fatalf("Read(10) after purge = %v, want OutOfRangeError{Oldest: 13}", err)
	}
	if evs, err := l.Read(ctx, 12, 10); err != nil || len(evs) != 0 {
		t.Fatalf("Read(12) after purge = %v, %v; want nothing", evs, err)
	}
	if evs, err := l.Read(ctx, eventlog.FromStart, 10); err != nil || len(evs) != 0 {
		t.Fatalf("Read(FromStart) after purge = %v, %v; want nothing", evs, err)
	}
	seq, err := l.Append(ctx, event(13))
	if err != nil || seq != 13 {
		t.Fatalf("Append after purge = %d, %v; want 13", seq, err)
	}
}

func TestJetStreamFollowFallsBehindRetention(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{MaxMsgs: 5})
	ctx := testCtx(t)
	appendN(t, l, 1, 5)
	var seen []uint64
	err := l.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
		if ev.Sequence == 1 {
			// While this follower is busy, many more events arrive than
			// Follow buffers and retention drops all but the last 5.
			appendN(t, l, 6, 2000)
		}
		seen = append(seen, ev.Sequence)
		return nil
	})
	var out *eventlog.OutOfRangeError
	if !errors.As(err, &out) {
		t.Fatalf("Follow = %v, want an OutOfRangeError", err)
	}
	// Whatever was delivered is gap-free, and the error says where the
	// follower stopped and what is left.
	for i, seq := range seen {
		if seq != uint64(i+1) {
			t.Fatalf("Follow delivered %v, not a gap-free run from 1", seen)
		}
	}
	if out.After != uint64(len(seen)) || out.Oldest != 2001 {
		t.Fatalf("OutOfRangeError = %+v after delivering %d events, want After %d Oldest 2001", *out, len(seen), len(seen))
	}
}

func TestJetStreamDedupWithinWindow(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{})
	ctx := testCtx(t)
	first := event(1)
	seq1, err := l.Append(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	retry := event(1) // a retried callback: same id, fresh struct
	seq2, err := l.Append(ctx, retry)
	if err != nil {
		t.Fatal(err)
	}
	if seq2 != seq1 || retry.Sequence != seq1 || retry.Epoch != l.Epoch() {
		t.Fatalf("retry got (%d, %d, %q), want the original sequence %d and epoch %q", seq2, retry.Sequence, retry.Epoch, seq1, l.Epoch())
	}
	other := event(2)
	if seq, err := l.Append(ctx, other); err != nil || seq != seq1+1 {
		t.Fatalf("Append of another id = %d, %v; want %d", seq, err, seq1+1)
	}
	// Events without an id are never de-duplicated.
	for range 2 {
		ev := event(3)
		ev.Id = ""
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	wantBounds(t, l, 1, 4)
}

func TestJetStreamDedupConcurrentRetries(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{})
	ctx := testCtx(t)
	const retries = 8
	seqs := make(chan uint64, retries)
	var wg sync.WaitGroup
	for range retries {
		wg.Go(func() {
			seq, err := l.Append(ctx, event(1))
			if err != nil {
				t.Error(err)
			}
			seqs <- seq
		})
	}
	wg.Wait()
	close(seqs)
	for seq := range seqs {
		if seq != 1 {
			t.Fatalf("a concurrent retry got sequence %d, want 1", seq)
		}
	}
	wantBounds(t, l, 1, 1)
}

func TestJetStreamDedupWindowExpires(t *testing.T) {
	const window = 200 * time.Millisecond
	l, _ := newJS(t, eventlog.JetStreamOptions{DuplicateWindow: window})
	ctx := testCtx(t)
	start := time.Now()
	if seq, err := l.Append(ctx, event(1)); err != nil || seq != 1 {
		t.Fatalf("first Append = %d, %v", seq, err)
	}
	seq, err := l.Append(ctx, event(1))
	if err != nil {
		t.Fatal(err)
	}
	// JetStream forgets an id no earlier than the window after storing it,
	// which was after start.
	if time.Since(start) < window && seq != 1 {
		t.Fatalf("retry within the window got sequence %d, want 1", seq)
	}
	// Once JetStream's timer has forgotten the id, the same id is a new event.
	time.Sleep(window)
	for seq == 1 {
		if seq, err = l.Append(ctx, event(1)); err != nil {
			t.Fatal(err)
		}
		if seq == 1 {
			time.Sleep(window / 4)
		}
	}
	if seq != 2 {
		t.Fatalf("Append after the window = %d, want 2", seq)
	}
}

func TestJetStreamRestartKeepsEventsAndEpoch(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	nc := connectNATS(t, srv)
	l := openJS(t, nc, eventlog.JetStreamOptions{})
	want := appendN(t, l, 1, 50)
	epoch := l.Epoch()
	l.Close()
	nc.Close()
	srv.Shutdown()

	l2 := openJS(t, connectNATS(t, startNATS(t, dir)), eventlog.JetStreamOptions{})
	if l2.Epoch() != epoch {
		t.Fatalf("epoch after restart = %q, want %q", l2.Epoch(), epoch)
	}
	wantBounds(t, l2, 1, 50)
	got, err := l2.Read(testCtx(t), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, got, want)
	// The duplicate window survives the restart too.
	if seq, err := l2.Append(testCtx(t), event(50)); err != nil || seq != 50 {
		t.Fatalf("retry of event 50 after restart = %d, %v; want 50", seq, err)
	}
	if seq, err := l2.Append(testCtx(t), event(51)); err != nil || seq != 51 {
		t.Fatalf("Append after restart = %d, %v; want 51", seq, err)
	}

	// A wiped data directory is a new log: a new epoch, numbering from 1.
	l3 := openJS(t, connectNATS(t, startNATS(t, t.TempDir())), eventlog.JetStreamOptions{})
	if l3.Epoch() == epoch {
		t.Fatalf("a fresh data directory kept epoch %q", epoch)
	}
	wantBounds(t, l3, 1, 0)
}

func TestJetStreamDetectsRecreatedStream(t *testing.T) {
	nc := connectNATS(t, startNATS(t, t.TempDir()))
	l := openJS(t, nc, eventlog.JetStreamOptions{})
	appendN(t, l, 1, 3)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(testCtx(t), eventlog.DefaultStreamName); err != nil {
		t.Fatal(err)
	}
	l2 := openJS(t, nc, eventlog.JetStreamOptions{})
	if l2.Epoch() == l.Epoch() {
		t.Fatalf("recreated stream kept epoch %q", l.Epoch())
	}
	appendN(t, l2, 1, 3)
	if _, err := l.Read(testCtx(t), 0, 10); !errors.Is(err, eventlog.ErrUnavailable) || !errors.Is(err, eventlog.ErrRecreated) {
		t.Fatalf("Read on the old log = %v, want ErrUnavailable saying the stream was recreated", err)
	}
	if err := l.Follow(testCtx(t), 0, func(*gatewayv1.Event) error { return nil }); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Follow on the old log = %v, want ErrUnavailable", err)
	}
}

func TestJetStreamReportsUndecodableMessages(t *testing.T) {
	nc := connectNATS(t, startNATS(t, t.TempDir()))
	l := openJS(t, nc, eventlog.JetStreamOptions{})
	appendN(t, l, 1, 1)
	// Someone else publishes into the stream with plain NATS tools.
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(testCtx(t), "trtc.1.other", []byte{0xff, 0xff, 0xff}); err != nil {
		t.Fatal(err)
	}
	_, err = l.Read(testCtx(t), 0, 10)
	if err == nil || !strings.Contains(err.Error(), "sequence 2") {
		t.Fatalf("Read = %v, want an error naming sequence 2", err)
	}
	var delivered []uint64
	err = l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
		delivered = append(delivered, ev.Sequence)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "sequence 2") || fmt.Sprint(delivered) != "[1]" {
		t.Fatalf("Follow = %v after %v, want an error naming sequence 2 after [1]", err, delivered)
	}
}

func TestJetStreamClose(t *testing.T) {
	l, js := newJS(t, eventlog.JetStreamOptions{})
	appendN(t, l, 1, 2)
	following := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(testCtx(t), 0, func(ev *gatewayv1.Event) error {
			if ev.Sequence == 2 {
				close(following)
			}
			return nil
		})
	}()
	<-following
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waited for Follow to delete its consumer.
	if n := consumers(t, js, eventlog.DefaultStreamName); n != 0 {
		t.Fatalf("%d consumers left after Close, want 0", n)
	}
	if err := <-done; !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Follow after Close = %v, want ErrUnavailable", err)
	}
	ctx := testCtx(t)
	if _, err := l.Append(ctx, event(3)); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Append after Close = %v, want ErrUnavailable", err)
	}
	if _, err := l.Read(ctx, 0, 1); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Read after Close = %v, want ErrUnavailable", err)
	}
	if _, _, err := l.Bounds(ctx); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Bounds after Close = %v, want ErrUnavailable", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestJetStreamAppendFailsUnavailable(t *testing.T) {
	srv := startNATS(t, t.TempDir())
	nc := connectNATS(t, srv)
	l := openJS(t, nc, eventlog.JetStreamOptions{PublishTimeout: 500 * time.Millisecond})
	srv.Shutdown()
	_, err := l.Append(testCtx(t), event(1))
	if !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Append with the server down = %v, want ErrUnavailable", err)
	}
}

func TestJetStreamOptions(t *testing.T) {
	nc := connectNATS(t, startNATS(t, t.TempDir()))
	bad := []struct {
		name string
		opts eventlog.JetStreamOptions
		want string
	}{
		{"stream name with a dot", eventlog.JetStreamOptions{Stream: "a.b"}, "stream name"},
		{"wildcard prefix", eventlog.JetStreamOptions{SubjectPrefix: "trtc.*"}, "subject prefix"},
		{"empty prefix token", eventlog.JetStreamOptions{SubjectPrefix: "trtc..x"}, "subject prefix"},
		{"short window", eventlog.JetStreamOptions{DuplicateWindow: 50 * time.Millisecond}, "minimum"},
		{"window over max age", eventlog.JetStreamOptions{MaxAge: time.Minute, DuplicateWindow: time.Hour}, "max age"},
		{"negative age", eventlog.JetStreamOptions{MaxAge: -time.Second}, "max age"},
		{"too many replicas", eventlog.JetStreamOptions{Replicas: 7}, "replicas"},
		{"replicas beyond the cluster", eventlog.JetStreamOptions{Replicas: 3}, "replicas"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			l, err := eventlog.OpenJetStream(testCtx(t), nc, tt.opts)
			if err == nil {
				l.Close()
				t.Fatal("OpenJetStream succeeded, want an error")
			}
			if !strings.Contains(strings.ToLower(err.Error()), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
	if _, err := eventlog.OpenJetStream(testCtx(t), nil, eventlog.JetStreamOptions{}); err == nil {
		t.Fatal("OpenJetStream with a nil connection succeeded")
	}

	// Reopening with other limits updates the stream in place.
	l := openJS(t, nc, eventlog.JetStreamOptions{Stream: "EV", MaxMsgs: 5, MaxAge: time.Hour})
	appendN(t, l, 1, 3)
	l2 := openJS(t, nc, eventlog.JetStreamOptions{Stream: "EV", MaxMsgs: 10, MaxBytes: 1 << 20})
	if l2.Epoch() != l.Epoch() {
		t.Fatalf("reopening changed the epoch from %q to %q", l.Epoch(), l2.Epoch())
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(testCtx(t), "EV")
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.CachedInfo().Config
	if cfg.MaxMsgs != 10 || cfg.MaxBytes != 1<<20 || cfg.MaxAge != 0 || cfg.Duplicates != eventlog.DefaultDuplicateWindow ||
		cfg.Storage != jetstream.FileStorage || !cfg.DenyDelete || fmt.Sprint(cfg.Subjects) != "[trtc.*.*]" {
		t.Fatalf("stream config after reopen = %+v", cfg)
	}
	wantBounds(t, l2, 1, 3)
}

func TestOpenJetStreamWithoutJetStream(t *testing.T) {
	ns, err := server.NewServer(&server.Options{DontListen: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(time.Minute) {
		t.Fatal("plain NATS server not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	_, err = eventlog.OpenJetStream(testCtx(t), nc, eventlog.JetStreamOptions{})
	if err == nil || !strings.Contains(err.Error(), "JetStream is not enabled") {
		t.Fatalf("OpenJetStream on a server without JetStream = %v, want an error saying so", err)
	}
}
