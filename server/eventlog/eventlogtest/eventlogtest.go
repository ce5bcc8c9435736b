// Package eventlogtest is the conformance suite every eventlog.Log
// implementation must pass. An implementation's test calls Run (and RunDedup
// when it de-duplicates) with a function that opens a fresh, empty log.
//
// The suite never sleeps or assumes a speed: every wait is bounded only by a
// generous context deadline, so a slow or networked store passes as long as
// it is correct, and a broken one fails instead of hanging.
package eventlogtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// waitLimit bounds every wait in the suite. It is not a performance target:
// it only turns a hang into a failure.
const waitLimit = 2 * time.Minute

// openFunc is Run's open: a fresh, empty log keeping the newest retention events.
type openFunc = func(t *testing.T, retention int) eventlog.Log

// Run runs the conformance suite against the logs open returns.
//
// open must return a fresh, empty log that keeps exactly the newest
// `retention` events, and must arrange for it to be closed with t.Cleanup.
// The suite closes some logs itself, so a second Close must be harmless (its
// error is ignored). Ids within one log are unique, so a log that
// de-duplicates by id may be passed as is.
func Run(t *testing.T, open func(t *testing.T, retention int) eventlog.Log) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, open openFunc)
	}{
		{"AppendAssignsSequencesFromOne", testAppendSequences},
		{"EpochIsStableAndPerLog", testEpoch},
		{"Read", testRead},
		{"ReadAfterRetentionIsOutOfRange", testReadOutOfRange},
		{"Bounds", testBounds},
		{"FollowSeesExistingThenNewEventsUnderConcurrentAppends", testFollowConcurrent},
		{"FollowWaitsAtHead", testFollowWaits},
		{"FollowAfterRetentionIsOutOfRange", testFollowOutOfRange},
		{"FollowFromZeroAfterRetentionIsOutOfRange", testFollowFromZero},
		{"FollowStopsOnContextCancel", testFollowCancel},
		{"FollowReturnsCallbackError", testFollowCallbackError},
		{"CloseMakesCallsUnavailable", testClose},
		{"CloseEndsFollow", testCloseEndsFollow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open) })
	}
}

// RunDedup checks de-duplication by event id. open must return a fresh, empty
// log whose de-duplication window is at least a minute, and arrange for it to
// be closed with t.Cleanup.
func RunDedup(t *testing.T, open func(t *testing.T) eventlog.Log) {
	t.Helper()
	t.Run("SameIDReturnsOriginalSequence", func(t *testing.T) {
		ctx := testContext(t)
		log := open(t)
		a := newEvent("dup-a", 1)
		b := newEvent("dup-b", 2)
		mustAppend(ctx, t, log, a, 1)
		mustAppend(ctx, t, log, b, 2)

		retry := proto.Clone(a).(*gatewayv1.Event)
		retry.Sequence, retry.Epoch = 0, ""
		mustAppend(ctx, t, log, retry, 1)
		if retry.GetEpoch() != log.Epoch() {
			t.Errorf("duplicate's epoch = %q, want the log's %q", retry.GetEpoch(), log.Epoch())
		}
		mustAppend(ctx, t, log, newEvent("dup-c", 3), 3)
		// A retry arriving after other events still finds the original.
		retry2 := newEvent("dup-b", 2)
		mustAppend(ctx, t, log, retry2, 2)

		if _, head := mustBounds(ctx, t, log); head != 3 {
			t.Errorf("head = %d after 3 distinct ids and 2 retries, want 3", head)
		}
		got := mustRead(ctx, t, log, 0, 10)
		if ids := eventIDs(got); !slices.Equal(ids, []string{"dup-a", "dup-b", "dup-c"}) {
			t.Errorf("log holds %q, want each id once", ids)
		}
	})
	t.Run("EmptyIDIsNeverDeduplicated", func(t *testing.T) {
		ctx := testContext(t)
		log := open(t)
		for i := range 3 {
			mustAppend(ctx, t, log, newEvent("", i), uint64(i+1))
		}
	})
	t.Run("DistinctIDsAreAllAppended", func(t *testing.T) {
		ctx := testContext(t)
		log := open(t)
		for i := range 5 {
			mustAppend(ctx, t, log, newEvent(fmt.Sprintf("distinct-%d", i), i), uint64(i+1))
		}
	})
}

func testAppendSequences(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	for i := range 20 {
		ev := newEvent(fmt.Sprintf("seq-%d", i), i)
		seq := mustAppend(ctx, t, log, ev, uint64(i+1))
		if ev.GetSequence() != seq {
			t.Fatalf("append %d: ev.Sequence = %d, returned %d", i, ev.GetSequence(), seq)
		}
	}
}

func testEpoch(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	epoch := log.Epoch()
	if epoch == "" {
		t.Fatal("Epoch() is empty")
	}
	for i := range 3 {
		ev := newEvent(fmt.Sprintf("epoch-%d", i), i)
		mustAppend(ctx, t, log, ev, uint64(i+1))
		if ev.GetEpoch() != epoch {
			t.Errorf("appended event's epoch = %q, want %q", ev.GetEpoch(), epoch)
		}
	}
	if got := log.Epoch(); got != epoch {
		t.Errorf("Epoch() changed from %q to %q across appends", epoch, got)
	}
	for _, ev := range mustRead(ctx, t, log, 0, 10) {
		if ev.GetEpoch() != epoch {
			t.Errorf("read event %d has epoch %q, want %q", ev.GetSequence(), ev.GetEpoch(), epoch)
		}
	}
	other := open(t, 100)
	if other.Epoch() == epoch {
		t.Errorf("two separately opened logs share epoch %q: a cursor from one could be used against the other", epoch)
	}
}

func testRead(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	want := appendN(ctx, t, log, "read", 10)

	tests := []struct {
		name     string
		after    uint64
		limit    int
		wantSeqs []uint64
	}{
		{"from zero", 0, 100, seqRange(1, 10)},
		{"from the middle", 4, 100, seqRange(5, 10)},
		{"limit caps the batch", 0, 3, seqRange(1, 3)},
		{"limit from the middle", 4, 3, seqRange(5, 7)},
		{"limit one", 9, 1, seqRange(10, 10)},
		{"at the head", 10, 100, nil},
		{"beyond the head", 15, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustRead(ctx, t, log, tt.after, tt.limit)
			if seqs := sequences(got); !slices.Equal(seqs, tt.wantSeqs) {
				t.Fatalf("Read(%d, %d) sequences = %v, want %v", tt.after, tt.limit, seqs, tt.wantSeqs)
			}
			for _, ev := range got {
				if w := want[ev.GetSequence()-1]; !proto.Equal(ev, w) {
					t.Errorf("Read returned %v for sequence %d, appended %v", ev, ev.GetSequence(), w)
				}
			}
		})
	}
}

func testReadOutOfRange(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 5)
	appendN(ctx, t, log, "oor", 12) // keeps 8..12

	tests := []struct {
		after    uint64
		wantOOR  bool
		wantSeqs []uint64
	}{
		{after: 0, wantSeqs: seqRange(8, 12)}, // FromStart: all that is retained
		{after: 1, wantOOR: true},
		{after: 6, wantOOR: true},
		{after: 7, wantSeqs: seqRange(8, 12)},
		{after: 10, wantSeqs: seqRange(11, 12)},
		{after: 12},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("after=%d", tt.after), func(t *testing.T) {
			got, err := log.Read(ctx, tt.after, 100)
			if tt.wantOOR {
				var oor *eventlog.OutOfRangeError
				if !errors.As(err, &oor) {
					t.Fatalf("Read(%d) = %d events, %v; want an *OutOfRangeError", tt.after, len(got), err)
				}
				if oor.Oldest != 8 || oor.After != tt.after {
					t.Errorf("OutOfRangeError{After: %d, Oldest: %d}, want {After: %d, Oldest: 8}", oor.After, oor.Oldest, tt.after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read(%d): %v", tt.after, err)
			}
			if seqs := sequences(got); !slices.Equal(seqs, tt.wantSeqs) {
				t.Errorf("Read(%d) sequences = %v, want %v", tt.after, seqs, tt.wantSeqs)
			}
		})
	}
	if oldest, head := mustBounds(ctx, t, log); oldest != 8 || head != 12 {
		t.Errorf("Bounds() = (%d, %d) after 12 appends with retention 5, want (8, 12)", oldest, head)
	}
}

func testBounds(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	if oldest, head := mustBounds(ctx, t, log); oldest != 1 || head != 0 {
		t.Errorf("empty log Bounds() = (%d, %d), want (1, 0)", oldest, head)
	}
	appendN(ctx, t, log, "bounds", 3)
	if oldest, head := mustBounds(ctx, t, log); oldest != 1 || head != 3 {
		t.Errorf("Bounds() after 3 appends = (%d, %d), want (1, 3)", oldest, head)
	}
}

func testFollowConcurrent(t *testing.T, open openFunc) {
	const (
		before  = 20
		writers = 4
		each    = 100
		total   = before + writers*each
	)
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	log := open(t, 10*total)
	appendN(ctx, t, log, "pre", before)

	errDone := errors.New("follower has every event")
	var got []*gatewayv1.Event
	followed := make(chan error, 1)
	go func() {
		followed <- log.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			if want := uint64(len(got) + 1); ev.GetSequence() != want {
				return fmt.Errorf("follower received sequence %d where %d was due", ev.GetSequence(), want)
			}
			got = append(got, ev)
			if len(got) == total {
				return errDone
			}
			return nil
		})
	}()

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		seqOfID = make(map[string]uint64)
	)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				seq, err := log.Append(ctx, newEvent(id, i))
				if err != nil {
					t.Errorf("append %s: %v", id, err)
					cancel() // the follower would otherwise wait for it
					return
				}
				mu.Lock()
				seqOfID[id] = seq
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	if err := <-followed; err != errDone {
		t.Fatalf("Follow returned %v after %d of %d events, want the callback's error", err, len(got), total)
	}
	if seqs := sequences(got); !slices.Equal(seqs, seqRange(1, total)) {
		t.Fatalf("Follow delivered sequences %v, want 1..%d exactly once each in order", seqs, total)
	}
	for _, ev := range got[before:] {
		if want, ok := seqOfID[ev.GetId()]; !ok || want != ev.GetSequence() {
			t.Errorf("Follow delivered id %q at sequence %d, Append returned %d (known: %t)", ev.GetId(), ev.GetSequence(), want, ok)
		}
	}
}

func testFollowWaits(t *testing.T, open openFunc) {
	ctx, cancel := context.WithCancel(testContext(t))
	log := open(t, 100)
	appendN(ctx, t, log, "old", 2)

	seen := make(chan uint64)
	followed := make(chan error, 1)
	go func() {
		followed <- log.Follow(ctx, 2, func(ev *gatewayv1.Event) error {
			select {
			case seen <- ev.GetSequence():
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for _, want := range []uint64{3, 4} {
		mustAppend(ctx, t, log, newEvent(fmt.Sprintf("new-%d", want), int(want)), want)
		select {
		case got := <-seen:
			if got != want {
				t.Fatalf("Follow from the head delivered %d, want %d", got, want)
			}
		case err := <-followed:
			t.Fatalf("Follow returned %v before delivering %d", err, want)
		case <-ctx.Done():
			t.Fatalf("Follow did not deliver %d: %v", want, ctx.Err())
		}
	}
	cancel()
	if err := <-followed; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow returned %v after cancel, want context.Canceled", err)
	}
}

func testFollowOutOfRange(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 5)
	appendN(ctx, t, log, "oor", 12)
	called := 0
	err := log.Follow(ctx, 3, func(*gatewayv1.Event) error { called++; return nil })
	var oor *eventlog.OutOfRangeError
	if !errors.As(err, &oor) {
		t.Fatalf("Follow(after=3) with events 8..12 retained returned %v, want an *OutOfRangeError", err)
	}
	if oor.Oldest != 8 {
		t.Errorf("OutOfRangeError.Oldest = %d, want 8", oor.Oldest)
	}
	if called != 0 {
		t.Errorf("Follow called fn %d times before reporting the gap, want 0", called)
	}
}

// testFollowFromZero checks that Follow, unlike Read, takes cursor 0
// literally: a follower that has seen nothing must not skip the events
// retention dropped without noticing.
func testFollowFromZero(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 5)
	appendN(ctx, t, log, "zero", 12) // keeps 8..12
	called := 0
	err := log.Follow(ctx, 0, func(*gatewayv1.Event) error { called++; return nil })
	var oor *eventlog.OutOfRangeError
	if !errors.As(err, &oor) || oor.Oldest != 8 || called != 0 {
		t.Fatalf("Follow(0) with events 8..12 retained returned %v after %d events, want an *OutOfRangeError naming 8 and none", err, called)
	}
}

func testFollowCancel(t *testing.T, open openFunc) {
	t.Run("after delivering", func(t *testing.T) {
		parent := testContext(t)
		log := open(t, 100)
		appendN(parent, t, log, "cancel", 3)
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
		var got []uint64
		err := log.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			got = append(got, ev.GetSequence())
			if ev.GetSequence() == 3 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow returned %v, want context.Canceled", err)
		}
		if parent.Err() != nil {
			t.Fatalf("Follow did not return on cancel before the test deadline")
		}
		if !slices.Equal(got, seqRange(1, 3)) {
			t.Errorf("Follow delivered %v before cancel, want [1 2 3]", got)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		parent := testContext(t)
		log := open(t, 100)
		ctx, cancel := context.WithCancel(parent)
		cancel()
		err := log.Follow(ctx, 0, func(*gatewayv1.Event) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow with a cancelled context returned %v, want context.Canceled", err)
		}
	})
}

func testFollowCallbackError(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	appendN(ctx, t, log, "fnerr", 5)
	errStop := errors.New("subscriber gone")
	var got []uint64
	err := log.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
		got = append(got, ev.GetSequence())
		if ev.GetSequence() == 2 {
			return errStop
		}
		return nil
	})
	if err != errStop {
		t.Errorf("Follow returned %v, want the callback's error as is", err)
	}
	if !slices.Equal(got, seqRange(1, 2)) {
		t.Errorf("fn saw %v, want [1 2]: no event after fn's error", got)
	}
}

func testClose(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	appendN(ctx, t, log, "close", 2)
	if err := log.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := log.Append(ctx, newEvent("after-close", 0)); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Append after Close = %v, want ErrUnavailable", err)
	}
	if _, err := log.Read(ctx, 0, 10); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Read after Close = %v, want ErrUnavailable", err)
	}
	err := log.Follow(ctx, 0, func(*gatewayv1.Event) error { return nil })
	if !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Follow after Close = %v, want ErrUnavailable", err)
	}
}

func testCloseEndsFollow(t *testing.T, open openFunc) {
	ctx := testContext(t)
	log := open(t, 100)
	seen := make(chan struct{}, 1)
	followed := make(chan error, 1)
	go func() {
		followed <- log.Follow(ctx, 0, func(*gatewayv1.Event) error {
			seen <- struct{}{}
			return nil
		})
	}()
	mustAppend(ctx, t, log, newEvent("before-close", 0), 1)
	select {
	case <-seen:
	case err := <-followed:
		t.Fatalf("Follow returned %v before delivering the first event", err)
	case <-ctx.Done():
		t.Fatalf("Follow did not deliver the first event: %v", ctx.Err())
	}
	if err := log.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-followed; !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Follow returned %v after Close, want ErrUnavailable (a deadline error means it never noticed)", err)
	}
}

// testContext bounds a test's waits; see waitLimit.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// newEvent returns a call event with every routing key and a payload, so a
// store that serialises events is exercised on all of them.
func newEvent(id string, i int) *gatewayv1.Event {
	return &gatewayv1.Event{
		Id:              id,
		Type:            gatewayv1.EventType_EVENT_TYPE_OTHER,
		CallbackCommand: "Call.CallbackConformance",
		SdkAppId:        1400000001,
		ReceivedAt:      timestamppb.New(time.Unix(1_700_000_000+int64(i), 0)),
		CallId:          fmt.Sprintf("call-%d", i%7),
		RoomId:          fmt.Sprintf("room-%d", i%3),
		UserAccounts:    []string{"alice", fmt.Sprintf("user-%d", i)},
		Payload: &gatewayv1.Event_Other{Other: &gatewayv1.OtherCallback{
			Json: fmt.Sprintf(`{"User_Account":144115212830834855,"N":%d}`, i),
		}},
	}
}

// appendN appends n events with ids prefix-0..prefix-(n-1) to an empty log and
// returns them as appended (with sequence and epoch set).
func appendN(ctx context.Context, t *testing.T, log eventlog.Log, prefix string, n int) []*gatewayv1.Event {
	t.Helper()
	evs := make([]*gatewayv1.Event, n)
	for i := range n {
		evs[i] = newEvent(fmt.Sprintf("%s-%d", prefix, i), i)
		mustAppend(ctx, t, log, evs[i], uint64(i+1))
	}
	return evs
}

func mustAppend(ctx context.Context, t *testing.T, log eventlog.Log, ev *gatewayv1.Event, want uint64) uint64 {
	t.Helper()
	seq, err := log.Append(ctx, ev)
	if err != nil {
		t.Fatalf("Append(%q): %v", ev.GetId(), err)
	}
	if seq != want {
		t.Fatalf("Append(%q) = %d, want %d", ev.GetId(), seq, want)
	}
	if ev.GetSequence() != seq {
		t.Fatalf("Append(%q) returned %d but set ev.Sequence = %d", ev.GetId(), seq, ev.GetSequence())
	}
	if ev.GetEpoch() != log.Epoch() {
		t.Fatalf("Append(%q) set ev.Epoch = %q, want the log's %q", ev.GetId(), ev.GetEpoch(), log.Epoch())
	}
	return seq
}

func mustRead(ctx context.Context, t *testing.T, log eventlog.Log, after uint64, limit int) []*gatewayv1.Event {
	t.Helper()
	evs, err := log.Read(ctx, after, limit)
	if err != nil {
		t.Fatalf("Read(%d, %d): %v", after, limit, err)
	}
	return evs
}

func mustBounds(ctx context.Context, t *testing.T, log eventlog.Log) (oldest, head uint64) {
	t.Helper()
	oldest, head, err := log.Bounds(ctx)
	if err != nil {
		t.Fatalf("Bounds: %v", err)
	}
	return oldest, head
}

func sequences(evs []*gatewayv1.Event) []uint64 {
	var seqs []uint64
	for _, ev := range evs {
		seqs = append(seqs, ev.GetSequence())
	}
	return seqs
}

func eventIDs(evs []*gatewayv1.Event) []string {
	var ids []string
	for _, ev := range evs {
		ids = append(ids, ev.GetId())
	}
	return ids
}

// seqRange returns from..to inclusive.
func seqRange[N int | uint64](from, to N) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, uint64(i))
	}
	return s
}
