package hub_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

// waitLimit turns a hang into a failure; it is not a speed requirement.
const waitLimit = 2 * time.Minute

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// drain returns the sequences queued on sub without waiting.
func drain(sub *hub.Subscription) []uint64 {
	var seqs []uint64
	for {
		ev, ok := sub.Next()
		if !ok {
			return seqs
		}
		seqs = append(seqs, ev.GetSequence())
	}
}

// next waits for sub's next event; once sub has ended and its queue is
// empty, it returns sub's Err.
func next(ctx context.Context, sub *hub.Subscription) (*gatewayv1.Event, error) {
	for {
		if ev, ok := sub.Next(); ok {
			return ev, nil
		}
		select {
		case <-sub.Ready():
		case <-sub.Done():
			if ev, ok := sub.Next(); ok {
				return ev, nil
			}
			return nil, sub.Err()
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func seqs(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func callEvent(seq uint64, callID string, users ...string) *gatewayv1.Event {
	return &gatewayv1.Event{
		Sequence: seq, Type: started, CallbackCommand: "Call.CallbackAfterStartCall",
		SdkAppId: 1400000001, CallId: callID, UserAccounts: users,
	}
}

func TestSubscribeDeliversMatchingEventsAfterCursor(t *testing.T) {
	tests := []struct {
		name     string
		start    uint64
		filter   hub.Filter
		after    uint64
		publish  []*gatewayv1.Event
		wantLast uint64
		want     []uint64
	}{
		{
			name: "live tail gets every later event", filter: hub.Filter{},
			publish: []*gatewayv1.Event{callEvent(1, "a"), callEvent(2, "b"), callEvent(3, "c")},
			want:    seqs(1, 3),
		},
		{
			name: "a cursor ahead of Last skips up to the cursor", after: 2,
			publish: []*gatewayv1.Event{callEvent(1, "a"), callEvent(2, "b"), callEvent(3, "c")},
			want:    []uint64{3},
		},
		{
			name: "Last ahead of the cursor skips up to Last", start: 10, after: 4, wantLast: 10,
			publish: []*gatewayv1.Event{callEvent(9, "old"), callEvent(10, "old"), callEvent(11, "a"), callEvent(12, "b")},
			want:    []uint64{11, 12},
		},
		{
			name: "only matching events", filter: hub.Filter{CallIDs: []string{"a"}},
			publish: []*gatewayv1.Event{callEvent(1, "a"), callEvent(2, "b"), callEvent(3, "a"), callEvent(4, "")},
			want:    []uint64{1, 3},
		},
		{
			name: "an event naming two listed accounts is delivered once", filter: hub.Filter{UserAccounts: []string{"bob", "alice"}},
			publish: []*gatewayv1.Event{callEvent(1, "a", "alice", "bob", "alice"), callEvent(2, "a", "carol"), callEvent(3, "a", "bob")},
			want:    []uint64{1, 3},
		},
		{
			name: "filter indexed by a weak field still checks the others",
			filter: hub.Filter{EventTypes: []gatewayv1.EventType{started}, SdkAppIDs: []uint32{1400000001},
				CallIDs: []string{"a", "b"}, UserAccounts: []string{"bob"}},
			publish: []*gatewayv1.Event{callEvent(1, "a", "bob"), callEvent(2, "b", "alice"), callEvent(3, "c", "bob"), callEvent(4, "b", "bob")},
			want:    []uint64{1, 4},
		},
		{
			name:    "events not after Last and nil are ignored",
			publish: []*gatewayv1.Event{callEvent(1, "a"), callEvent(2, "a"), callEvent(2, "dup"), nil, callEvent(1, "old"), callEvent(3, "a")},
			want:    seqs(1, 3),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hub.New(hub.Options{Start: tt.start})
			sub, last := h.Subscribe(hub.Compile(tt.filter), tt.after, 100)
			defer sub.Close()
			if last != tt.wantLast {
				t.Errorf("Subscribe returned Last %d, want %d", last, tt.wantLast)
			}
			for _, ev := range tt.publish {
				h.Publish(ev)
			}
			if got := drain(sub); !slices.Equal(got, tt.want) {
				t.Errorf("received %v, want %v", got, tt.want)
			}
			if sub.Err() != nil {
				t.Errorf("live subscription has Err %v", sub.Err())
			}
		})
	}
}

// The property every index shortcut must keep: a subscription receives
// exactly what a brute-force Match over every published event selects.
func TestIndexAgreesWithBruteForceMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 7))
	types := []gatewayv1.EventType{started, gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, ended, live, other}
	// Several spellings of one command, so the index and Match must agree on CommandKey.
	commands := []string{"Call.CallbackAfterStartCall", "call.callbackafterstartcall", "Call.CallbackAfterEndCall", "Live.CallbackMemberStateChanged", "Live.CallbackAfterMemberStateChanged", "Call.Unknown", "CALL.UNKNOWN"}
	apps := []uint32{1400000001, 1400000002, 1400000003}
	pool := func(prefix string, n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return s
	}
	calls, rooms, users := pool("call-", 6), pool("room-", 4), pool("user-", 8)

	pick := func(from []string) []string {
		if rng.IntN(3) != 0 {
			return nil
		}
		n := 1 + rng.IntN(3)
		if rng.IntN(15) == 0 {
			n = 12 // long enough to be compiled into a set
		}
		var out []string
		for range n {
			out = append(out, from[rng.IntN(len(from))])
		}
		if n == 12 {
			out = append(out, "not-in-any-event")
		}
		return out
	}
	randFilter := func() hub.Filter {
		var f hub.Filter
		if rng.IntN(4) == 0 {
			for range 1 + rng.IntN(2) {
				f.EventTypes = append(f.EventTypes, types[rng.IntN(len(types))])
			}
		}
		if rng.IntN(5) == 0 {
			f.SdkAppIDs = append(f.SdkAppIDs, apps[rng.IntN(len(apps))])
		}
		f.CallbackCommands = pick(commands)
		f.CallIDs, f.RoomIDs, f.UserAccounts = pick(calls), pick(rooms), pick(users)
		return f
	}
	maybe := func(from []string) string {
		if rng.IntN(4) == 0 {
			return ""
		}
		return from[rng.IntN(len(from))]
	}
	randEvent := func(seq uint64) *gatewayv1.Event {
		ev := &gatewayv1.Event{
			Sequence: seq, Type: types[rng.IntN(len(types))],
			CallbackCommand: commands[rng.IntN(len(commands))], SdkAppId: apps[rng.IntN(len(apps))],
			CallId: maybe(calls), RoomId: maybe(rooms),
		}
		for range rng.IntN(4) {
			ev.UserAccounts = append(ev.UserAccounts, users[rng.IntN(len(users))])
		}
		return ev
	}

	type tracked struct {
		filter   hub.Filter
		sub      *hub.Subscription
		floor    uint64
		closedAt uint64 // Last when it was closed; 0 while open
	}
	const rounds, subsPerRound, eventsPerRound = 4, 150, 250
	h := hub.New(hub.Options{})
	var (
		all       []*tracked
		published []*gatewayv1.Event
		seq       uint64
	)
	for range rounds {
		for range subsPerRound {
			f := randFilter()
			after := uint64(rng.IntN(int(seq) + 20))
			sub, last := h.Subscribe(hub.Compile(f), after, rounds*eventsPerRound)
			all = append(all, &tracked{filter: f, sub: sub, floor: max(after, last)})
		}
		for range eventsPerRound {
			seq++
			ev := randEvent(seq)
			published = append(published, ev)
			h.Publish(ev)
		}
		for _, tr := range all {
			if tr.closedAt == 0 && rng.IntN(10) == 0 {
				tr.sub.Close()
				tr.closedAt = h.Last()
			}
		}
	}

	delivered := 0
	for i, tr := range all {
		var want []uint64
		for _, ev := range published {
			s := ev.GetSequence()
			if s > tr.floor && (tr.closedAt == 0 || s <= tr.closedAt) && hub.Compile(tr.filter).Match(ev) {
				want = append(want, s)
			}
		}
		got := drain(tr.sub)
		if !slices.Equal(got, want) {
			t.Errorf("subscription %d with filter %+v after %d: received %v, brute force selects %v", i, tr.filter, tr.floor, got, want)
		}
		delivered += len(got)
	}
	if delivered == 0 {
		t.Fatal("no subscription matched anything: the generator is broken")
	}
	if st := h.Stats(); st.Delivered != uint64(delivered) || st.Overflowed != 0 {
		t.Errorf("Stats = %+v, want Delivered %d and no overflow", st, delivered)
	}
}

func TestOverflowEndsOnlyTheSlowSubscription(t *testing.T) {
	h := hub.New(hub.Options{})
	slow, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, 2)
	fast, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, 100)
	other, _ := h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{"b"}}), 0, 1)
	var fastGot []uint64
	for seq := uint64(1); seq <= 10; seq++ {
		h.Publish(callEvent(seq, "a"))
		fastGot = append(fastGot, drain(fast)...)
	}

	select {
	case <-slow.Done():
	default:
		t.Fatal("slow subscriber's Done is not closed after its queue overflowed")
	}
	if !errors.Is(slow.Err(), hub.ErrSlowConsumer) {
		t.Errorf("slow Err = %v, want ErrSlowConsumer", slow.Err())
	}
	if got := drain(slow); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("slow subscriber's queue holds %v, want the gapless prefix [1 2]", got)
	}
	if !slices.Equal(fastGot, seqs(1, 10)) {
		t.Errorf("fast subscriber received %v, want 1..10", fastGot)
	}
	if other.Err() != nil {
		t.Errorf("a subscriber that matched nothing was ended: %v", other.Err())
	}
	st := h.Stats()
	want := hub.Stats{Subscribers: 2, Delivered: 12, Overflowed: 1, Last: 10}
	if st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
	// Closing an overflowed subscription keeps its reason.
	slow.Close()
	if !errors.Is(slow.Err(), hub.ErrSlowConsumer) {
		t.Errorf("Err after Close of an overflowed subscription = %v, want ErrSlowConsumer", slow.Err())
	}
}

func TestCloseIsIdempotentAndStopsDelivery(t *testing.T) {
	h := hub.New(hub.Options{})
	sub, _ := h.Subscribe(hub.Compile(hub.Filter{UserAccounts: []string{"a", "b"}}), 0, 10)
	h.Publish(callEvent(1, "c", "a"))
	if sub.Err() != nil {
		t.Fatalf("Err before Close = %v", sub.Err())
	}
	sub.Close()
	sub.Close()
	<-sub.Done()
	if !errors.Is(sub.Err(), hub.ErrClosed) {
		t.Errorf("Err after Close = %v, want ErrClosed", sub.Err())
	}
	h.Publish(callEvent(2, "c", "b"))
	if got := drain(sub); !slices.Equal(got, []uint64{1}) {
		t.Errorf("queue after Close holds %v, want only [1]", got)
	}
	if n := h.Stats().Subscribers; n != 0 {
		t.Errorf("Subscribers = %d after Close, want 0", n)
	}
}

func TestDefaultQueue(t *testing.T) {
	for _, q := range []int{0, -5} {
		h := hub.New(hub.Options{})
		sub, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, q)
		for seq := uint64(1); seq <= hub.DefaultQueue; seq++ {
			h.Publish(callEvent(seq, "a"))
		}
		if err := sub.Err(); err != nil {
			t.Fatalf("queue %d: cut off with DefaultQueue %d events queued: %v", q, hub.DefaultQueue, err)
		}
		h.Publish(callEvent(hub.DefaultQueue+1, "a"))
		if !errors.Is(sub.Err(), hub.ErrSlowConsumer) {
			t.Errorf("queue %d: Err with DefaultQueue+1 events published = %v, want ErrSlowConsumer", q, sub.Err())
		}
		if got := drain(sub); !slices.Equal(got, seqs(1, hub.DefaultQueue)) {
			t.Errorf("queue %d: queue holds %d events, want 1..%d", q, len(got), hub.DefaultQueue)
		}
	}
}

// The queue grows and shrinks as events come and go; against a model it
// keeps order, holds exactly its bound, and cuts off at the first event
// beyond it.
func TestQueueGrowsAndShrinksInOrder(t *testing.T) {
	for _, bound := range []int{1, 2, 7, 8, 9, 100, 1000} {
		h := hub.New(hub.Options{})
		sub, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, bound)
		rng := rand.New(rand.NewPCG(uint64(bound), 1))
		var model []uint64
		seq := uint64(0)
		for range max(200, 100_000/bound) {
			// Bursts of publishing and reading, so the queue swings between
			// empty and full and its ring wraps at every size.
			if rng.IntN(2) == 0 {
				for range rng.IntN(2 * bound) {
					if len(model) == bound {
						break
					}
					seq++
					h.Publish(callEvent(seq, "a"))
					model = append(model, seq)
				}
			} else {
				for range rng.IntN(2 * bound) {
					ev, ok := sub.Next()
					if ok != (len(model) > 0) {
						t.Fatalf("bound %d: Next reported %v with %d events queued", bound, ok, len(model))
					}
					if !ok {
						break
					}
					if ev.GetSequence() != model[0] {
						t.Fatalf("bound %d: Next returned %d, want %d", bound, ev.GetSequence(), model[0])
					}
					model = model[1:]
				}
			}
		}
		if err := sub.Err(); err != nil {
			t.Fatalf("bound %d: cut off within its bound: %v", bound, err)
		}
		for len(model) < bound {
			seq++
			h.Publish(callEvent(seq, "a"))
			model = append(model, seq)
		}
		h.Publish(callEvent(seq+1, "a"))
		if !errors.Is(sub.Err(), hub.ErrSlowConsumer) {
			t.Errorf("bound %d: Err beyond the bound = %v, want ErrSlowConsumer", bound, sub.Err())
		}
		if got := drain(sub); !slices.Equal(got, model) {
			t.Errorf("bound %d: cut-off queue holds %v, want %v", bound, got, model)
		}
	}
}

// Ready keeps receiving while events are queued, even when the reader takes
// fewer than are there.
func TestReadyRearmsWhileEventsRemain(t *testing.T) {
	h := hub.New(hub.Options{})
	sub, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, 10)
	select {
	case <-sub.Ready():
		t.Fatal("Ready received on an empty queue")
	default:
	}
	for seq := uint64(1); seq <= 3; seq++ {
		h.Publish(callEvent(seq, "a"))
	}
	for want := uint64(1); want <= 3; want++ {
		select {
		case <-sub.Ready():
		default:
			t.Fatalf("Ready did not receive with %d..3 queued", want)
		}
		if ev, ok := sub.Next(); !ok || ev.GetSequence() != want {
			t.Fatalf("Next = %v, %v; want %d", ev.GetSequence(), ok, want)
		}
	}
	if _, ok := sub.Next(); ok {
		t.Fatal("Next returned an event from an empty queue")
	}
}

// A reader waiting on Ready and taking bursts of random size receives every
// event of a concurrent publisher, in order; a lost wake-up would hang it.
func TestConcurrentReaderMissesNothing(t *testing.T) {
	const total = 200_000
	ctx := testContext(t)
	h := hub.New(hub.Options{})
	sub, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, total)
	done := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewPCG(3, 3))
		want := uint64(1)
		for want <= total {
			select {
			case <-sub.Ready():
			case <-ctx.Done():
				done <- fmt.Errorf("waiting for %d: %w", want, ctx.Err())
				return
			}
			for range 1 + rng.IntN(8) {
				ev, ok := sub.Next()
				if !ok {
					break
				}
				if ev.GetSequence() != want {
					done <- fmt.Errorf("received %d, want %d", ev.GetSequence(), want)
					return
				}
				want++
			}
		}
		done <- nil
	}()
	for seq := uint64(1); seq <= total; seq++ {
		h.Publish(callEvent(seq, "a"))
		if seq%64 == 0 {
			runtime.Gosched()
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// An idle subscription holds no queue slots, whatever its bound.
func TestIdleSubscriptionHoldsNoQueue(t *testing.T) {
	const (
		n     = 1000
		bound = 1 << 16 // 512 KiB of slots per subscription if allocated up front
		limit = 4 << 10 // bytes per idle subscription: its index entries and channels
	)
	h := hub.New(hub.Options{})
	subs := make([]*hub.Subscription, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range subs {
		subs[i], _ = h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{fmt.Sprintf("call-%d", i)}}), 0, bound)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	if per > limit {
		t.Errorf("an idle subscription holds %d bytes, want at most %d", per, limit)
	}
	t.Logf("%d bytes per idle subscription", per)
	for _, s := range subs {
		s.Close()
	}
}

// Subscribe and Close race with Publish from many goroutines; run with -race.
func TestSubscribeAndCloseDuringPublish(t *testing.T) {
	const total = 4000
	h := hub.New(hub.Options{})
	keeper, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, total)
	filters := []hub.Filter{
		{},
		{CallIDs: []string{"c0", "c1", "c2"}},
		{UserAccounts: []string{"u1", "u3"}},
		{EventTypes: []gatewayv1.EventType{started}, RoomIDs: []string{"r0"}},
		{SdkAppIDs: []uint32{1400000001}},
	}
	var (
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		churned  [4]int
		failures = make(chan string, 4)
	)
	for w := range churned {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				sub, last := h.Subscribe(hub.Compile(filters[(w+i)%len(filters)]), 0, 1+i%4)
				var prev uint64
				for _, s := range drain(sub) {
					if s <= last || s <= prev {
						failures <- fmt.Sprintf("subscription at Last %d received %d after %d", last, s, prev)
						return
					}
					prev = s
				}
				sub.Close()
				<-sub.Done()
				if err := sub.Err(); !errors.Is(err, hub.ErrClosed) && !errors.Is(err, hub.ErrSlowConsumer) {
					failures <- fmt.Sprintf("ended subscription has Err %v", err)
					return
				}
				churned[w]++
			}
		})
	}
	for seq := uint64(1); seq <= total; seq++ {
		h.Publish(&gatewayv1.Event{
			Sequence: seq, Type: started, SdkAppId: 1400000001,
			CallId: fmt.Sprintf("c%d", seq%5), RoomId: fmt.Sprintf("r%d", seq%2),
			UserAccounts: []string{fmt.Sprintf("u%d", seq%4), fmt.Sprintf("u%d", (seq+1)%4)},
		})
	}
	close(stop)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	if got := drain(keeper); !slices.Equal(got, seqs(1, total)) {
		t.Errorf("the long-lived subscriber received %d events, want 1..%d in order", len(got), total)
	}
	if n := h.Stats().Subscribers; n != 1 {
		t.Errorf("Subscribers = %d after the churn, want 1", n)
	}
}

// Subscribe is atomic with a concurrent Publish: the first event a
// match-all subscription receives is always Last+1, never a later one.
func TestSubscribeIsAtomicWithPublish(t *testing.T) {
	const total = 100_000
	ctx := testContext(t)
	h := hub.New(hub.Options{})
	published := make(chan struct{})
	var (
		wg     sync.WaitGroup
		checks [2]int
	)
	for w := range checks {
		wg.Go(func() {
			for {
				sub, last := h.Subscribe(hub.Compile(hub.Filter{}), 0, 64)
			wait:
				for {
					select {
					case <-sub.Ready():
						ev, ok := sub.Next()
						if !ok {
							continue
						}
						if ev.GetSequence() != last+1 {
							t.Errorf("subscribed at Last %d, first event is %d", last, ev.GetSequence())
						}
						checks[w]++
						break wait
					case <-published:
						sub.Close()
						return
					case <-ctx.Done():
						t.Error(ctx.Err())
						return
					}
				}
				sub.Close()
			}
		})
	}
	for seq := uint64(1); seq <= total; seq++ {
		h.Publish(callEvent(seq, "a"))
		runtime.Gosched() // let subscribers interleave with publishing
	}
	close(published)
	wg.Wait()
	t.Logf("checked %v subscriptions", checks)
}

// The API's resume sequence, exactly: replay the log from the cursor until
// near Last, Subscribe, read the gap (cursor, last] from the log, then take
// the live queue. Run publishes while resumers join at different points.
func TestResumeFromCursorHasNoGapOrDuplicate(t *testing.T) {
	const (
		preloaded = 200
		total     = 3000 // data events; total+1 is the end marker
		producers = 2
		resumers  = 8
	)
	ctx := testContext(t)
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 2 * total})
	defer log.Close()
	event := func(rng *rand.Rand, id string) *gatewayv1.Event {
		return &gatewayv1.Event{
			Id: id, Type: []gatewayv1.EventType{started, ended, live}[rng.IntN(3)],
			SdkAppId: 1400000001, CallId: fmt.Sprintf("c%d", rng.IntN(6)),
			UserAccounts: []string{fmt.Sprintf("u%d", rng.IntN(5))},
		}
	}
	seed := rand.New(rand.NewPCG(42, 42))
	for i := range preloaded {
		if _, err := log.Append(ctx, event(seed, fmt.Sprintf("pre-%d", i))); err != nil {
			t.Fatal(err)
		}
	}

	h := hub.New(hub.Options{Start: preloaded})
	runCtx, stopHub := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- h.Run(runCtx, log) }()

	filters := []hub.Filter{
		{},
		{CallIDs: []string{"c1"}},
		{UserAccounts: []string{"u2", "u4"}},
		{EventTypes: []gatewayv1.EventType{ended}},
		{EventTypes: []gatewayv1.EventType{started}, CallIDs: []string{"c0", "c3"}},
		{SdkAppIDs: []uint32{1400000001}, UserAccounts: []string{"u0"}},
		{RoomIDs: []string{"never"}},
		{CallIDs: []string{"c5"}, UserAccounts: []string{"u1"}},
	}
	type result struct {
		cursor uint64
		got    []uint64
		err    error
	}
	results := make([]chan result, resumers)
	for r := range resumers {
		results[r] = make(chan result, 1)
		// The clock sees every event; the resumer starts once it has seen
		// startAt, and knows everything up to total is queued once the clock
		// delivers the marker (Publish of total+1 follows that of total).
		clock, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, total+10)
		rng := rand.New(rand.NewPCG(uint64(r), 99))
		startAt := uint64(preloaded + rng.IntN(total-preloaded))
		go func() {
			defer clock.Close()
			res := result{}
			res.cursor, res.got, res.err = resumeLikeTheAPI(ctx, log, h, clock, filters[r], startAt, rng, total)
			results[r] <- res
		}()
	}

	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 7))
			for i := range (total - preloaded) / producers {
				if _, err := log.Append(ctx, event(rng, fmt.Sprintf("p%d-%d", p, i))); err != nil {
					t.Errorf("append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if seq, err := log.Append(ctx, &gatewayv1.Event{Id: "marker"}); err != nil || seq != total+1 {
		t.Fatalf("marker appended at %d (%v), want %d", seq, err, total+1)
	}

	logged, err := log.Read(ctx, 0, total)
	if err != nil || len(logged) != total {
		t.Fatalf("reading the log back: %d events, %v", len(logged), err)
	}
	for r := range resumers {
		res := <-results[r]
		if res.err != nil {
			t.Errorf("resumer %d: %v", r, res.err)
			continue
		}
		var want []uint64
		for _, ev := range logged[res.cursor:] {
			if hub.Compile(filters[r]).Match(ev) {
				want = append(want, ev.GetSequence())
			}
		}
		if !slices.Equal(res.got, want) {
			t.Errorf("resumer %d (filter %+v) from cursor %d received %d events, want %d: first difference at %d",
				r, filters[r], res.cursor, len(res.got), len(want), firstDiff(res.got, want))
		}
	}

	stopHub()
	if err := <-ran; err != nil {
		t.Errorf("Run returned %v after its context was cancelled, want nil", err)
	}
}

// resumeLikeTheAPI waits for the clock to reach startAt, picks a cursor at
// or before it, and resumes from there; it returns the cursor and every
// sequence it received up to total.
func resumeLikeTheAPI(ctx context.Context, log eventlog.Log, h *hub.Hub, clock *hub.Subscription, f hub.Filter, startAt uint64, rng *rand.Rand, total uint64) (uint64, []uint64, error) {
	if err := awaitClock(ctx, clock, startAt); err != nil {
		return 0, nil, err
	}
	start := uint64(rng.IntN(int(startAt) + 1))
	cursor := start
	var got []uint64
	readUntil := func(until uint64) (int, error) {
		evs, err := log.Read(ctx, cursor, 64)
		if err != nil {
			return 0, err
		}
		for _, ev := range evs {
			if ev.GetSequence() > until {
				break
			}
			if hub.Compile(f).Match(ev) {
				got = append(got, ev.GetSequence())
			}
			cursor = ev.GetSequence()
		}
		return len(evs), nil
	}
	for cursor < h.Last() {
		if n, err := readUntil(h.Last()); err != nil || n == 0 {
			return start, got, err
		}
	}
	sub, last := h.Subscribe(hub.Compile(f), cursor, int(total)+10)
	defer sub.Close()
	for cursor < last {
		n, err := readUntil(last)
		if err != nil {
			return start, got, err
		}
		if n == 0 {
			return start, got, fmt.Errorf("the log ends at %d but the hub published %d", cursor, last)
		}
	}
	for {
		select {
		case <-sub.Ready():
			got = append(got, drain(sub)...)
		case <-sub.Done():
			return start, got, fmt.Errorf("live subscription ended: %w", sub.Err())
		case <-clock.Ready():
			if ticks := drain(clock); len(ticks) == 0 || ticks[len(ticks)-1] <= total {
				continue
			}
			got = append(got, drain(sub)...)
			// The marker itself is not part of the comparison.
			got = slices.DeleteFunc(got, func(s uint64) bool { return s > total })
			return start, got, nil
		case <-ctx.Done():
			return start, got, fmt.Errorf("waiting for live events: %w", ctx.Err())
		}
	}
}

func awaitClock(ctx context.Context, clock *hub.Subscription, seq uint64) error {
	for {
		ev, err := next(ctx, clock)
		if err != nil {
			return fmt.Errorf("clock subscription, waiting for sequence %d: %w", seq, err)
		}
		if ev.GetSequence() >= seq {
			return nil
		}
	}
}

func firstDiff(a, b []uint64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestRun(t *testing.T) {
	ctx := testContext(t)
	appendAll := func(log eventlog.Log, n int) {
		for range n {
			if _, err := log.Append(ctx, callEvent(0, "a")); err != nil {
				t.Fatal(err)
			}
		}
	}
	receive := func(sub *hub.Subscription) (uint64, error) {
		ev, err := next(ctx, sub)
		return ev.GetSequence(), err
	}

	t.Run("publishes the log after Start, ends subscriptions on cancel", func(t *testing.T) {
		log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
		defer log.Close()
		appendAll(log, 5)
		h := hub.New(hub.Options{Start: 3})
		sub, last := h.Subscribe(hub.Compile(hub.Filter{}), 0, 10)
		if last != 3 {
			t.Errorf("Last before Run = %d, want Start 3", last)
		}
		runCtx, cancel := context.WithCancel(ctx)
		ran := make(chan error, 1)
		go func() { ran <- h.Run(runCtx, log) }()
		appendAll(log, 1)
		for want := uint64(4); want <= 6; want++ {
			got, err := receive(sub)
			if err != nil || got != want {
				t.Fatalf("received %d (%v), want %d", got, err, want)
			}
		}
		if err := h.Run(ctx, log); err == nil {
			t.Error("a second Run succeeded")
		}
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run after cancel = %v, want nil", err)
		}
		<-sub.Done()
		if !errors.Is(sub.Err(), hub.ErrClosed) {
			t.Errorf("subscription Err after Run ended = %v, want ErrClosed", sub.Err())
		}
		late, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, 10)
		select {
		case <-late.Done():
			if !errors.Is(late.Err(), hub.ErrClosed) {
				t.Errorf("late subscription Err = %v, want ErrClosed", late.Err())
			}
		default:
			t.Error("a subscription on a stopped hub is live")
		}
		if n := h.Stats().Subscribers; n != 0 {
			t.Errorf("Subscribers = %d on a stopped hub, want 0", n)
		}
	})

	t.Run("returns the log's failure and ends subscriptions", func(t *testing.T) {
		log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
		h := hub.New(hub.Options{})
		sub, _ := h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{"a"}}), 0, 10)
		ran := make(chan error, 1)
		go func() { ran <- h.Run(ctx, log) }()
		appendAll(log, 1)
		if got, err := receive(sub); err != nil || got != 1 {
			t.Fatalf("received %d (%v), want 1", got, err)
		}
		_ = log.Close()
		if err := <-ran; !errors.Is(err, eventlog.ErrUnavailable) {
			t.Errorf("Run after the log closed = %v, want an error wrapping ErrUnavailable", err)
		}
		<-sub.Done()
		if !errors.Is(sub.Err(), hub.ErrClosed) {
			t.Errorf("subscription Err = %v, want ErrClosed", sub.Err())
		}
	})
}

func benchmarkPublish(b *testing.B, subs []*hub.Subscription, h *hub.Hub, next func(seq uint64) *gatewayv1.Event) {
	const drainEvery = 512 // below every queue's length, so nobody is cut off
	b.ReportAllocs()
	for seq := uint64(1); b.Loop(); seq++ {
		h.Publish(next(seq))
		if seq%drainEvery == 0 {
			b.StopTimer()
			for _, s := range subs {
				for _, ok := s.Next(); ok; _, ok = s.Next() {
				}
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	if st := h.Stats(); st.Overflowed != 0 {
		b.Fatalf("%d subscribers were cut off during the benchmark", st.Overflowed)
	}
}

func BenchmarkPublish(b *testing.B) {
	ev := callEvent(0, "call-0", "alice", "bob")
	next := func(seq uint64) *gatewayv1.Event { ev.Sequence = seq; return ev }

	b.Run("1-subscriber-all", func(b *testing.B) {
		h := hub.New(hub.Options{})
		sub, _ := h.Subscribe(hub.Compile(hub.Filter{}), 0, 1024)
		benchmarkPublish(b, []*hub.Subscription{sub}, h, next)
	})
	b.Run("10000-subscribers-one-call-each", func(b *testing.B) {
		h := hub.New(hub.Options{})
		subs := make([]*hub.Subscription, 10_000)
		events := make([]*gatewayv1.Event, len(subs))
		for i := range subs {
			id := fmt.Sprintf("call-%d", i)
			subs[i], _ = h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{id}}), 0, 1024)
			events[i] = callEvent(0, id, "alice", "bob")
		}
		benchmarkPublish(b, subs, h, func(seq uint64) *gatewayv1.Event {
			ev := events[seq%uint64(len(events))]
			ev.Sequence = seq
			return ev
		})
		if st := h.Stats(); st.Delivered == 0 {
			b.Fatal("nothing was delivered")
		}
	})
	// The same index, with every event for one call: the difference from the
	// case above is cache misses from touching a different subscriber and
	// event each time, not index work.
	b.Run("10000-subscribers-one-call-each-hot", func(b *testing.B) {
		h := hub.New(hub.Options{})
		subs := make([]*hub.Subscription, 10_000)
		for i := range subs {
			subs[i], _ = h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{fmt.Sprintf("call-%d", i)}}), 0, 1024)
		}
		benchmarkPublish(b, subs, h, next)
	})
	b.Run("100-subscribers-all", func(b *testing.B) {
		h := hub.New(hub.Options{})
		subs := make([]*hub.Subscription, 100)
		for i := range subs {
			subs[i], _ = h.Subscribe(hub.Compile(hub.Filter{}), 0, 1024)
		}
		benchmarkPublish(b, subs, h, next)
	})
}

// What a subscriber that receives nothing costs: the heap 10,000 of them
// hold, per subscription, with the API's default queue bound of 1,024.
func BenchmarkIdleSubscriptions(b *testing.B) {
	const n = 10_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("call-%d", i)
	}
	h := hub.New(hub.Options{})
	subs := make([]*hub.Subscription, n)
	var (
		held          int64
		before, after runtime.MemStats
	)
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for i := range subs {
			subs[i], _ = h.Subscribe(hub.Compile(hub.Filter{CallIDs: []string{ids[i]}}), 0, 1024)
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		held += int64(after.HeapAlloc) - int64(before.HeapAlloc)
		for _, s := range subs {
			s.Close()
		}
		clear(subs)
		b.StartTimer()
	}
	b.ReportMetric(float64(held)/float64(b.N*n), "heap-B/sub")
}
