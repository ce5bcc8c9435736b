package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/natscluster"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// The tests here cover Append's pipeline: many callers publishing on one
// connection at once, each waiting for its own ack.

// TestJetStreamConcurrentAppends has many callers append at once, some of
// them retrying an id another caller already stored: every new event gets a
// sequence of its own, the sequences are 1…n without a gap, every retry gets
// its original's sequence, and the stream holds each event at the sequence
// its caller was told.
func TestJetStreamConcurrentAppends(t *testing.T) {
	l, _ := newJS(t, eventlog.JetStreamOptions{})
	testConcurrentAppends(t, l)
}

// TestJetStreamClusterConcurrentAppends is TestJetStreamConcurrentAppends on
// a three-replica stream, appending through a node that may not lead it.
func TestJetStreamClusterConcurrentAppends(t *testing.T) {
	nodes := natscluster.Start(testCtx(t), t, 3)
	nc, err := nats.Connect(nodes[0].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	l := openJS(t, nc, eventlog.JetStreamOptions{Replicas: 3})
	testConcurrentAppends(t, l)
}

func testConcurrentAppends(t *testing.T, l *eventlog.JetStream) {
	ctx := testCtx(t)
	const (
		callers = 32
		each    = 20
		retryOf = 5 // every retryOf-th append of a caller retries its previous event
	)
	type result struct {
		id    string
		seq   uint64
		retry bool
	}
	results := make(chan result, callers*each)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			prev := -1
			for i := range each {
				n := c*each + i
				retry := i%retryOf == retryOf-1 && prev >= 0
				if retry {
					n = prev
				}
				ev := event(n)
				seq, err := l.Append(ctx, ev)
				if err != nil {
					t.Errorf("Append %s: %v", ev.Id, err)
					return
				}
				if ev.Sequence != seq || ev.Epoch != l.Epoch() {
					t.Errorf("Append %s returned %d but set (%d, %q)", ev.Id, seq, ev.Sequence, ev.Epoch)
				}
				results <- result{id: ev.Id, seq: seq, retry: retry}
				prev = n
			}
		})
	}
	wg.Wait()
	close(results)
	if t.Failed() {
		return
	}

	seqOf := map[string]uint64{}
	idAt := map[uint64]string{}
	var retries []result
	for r := range results {
		if r.retry {
			retries = append(retries, r)
			continue
		}
		if other, dup := idAt[r.seq]; dup {
			t.Fatalf("%s and %s both got sequence %d", r.id, other, r.seq)
		}
		idAt[r.seq], seqOf[r.id] = r.id, r.seq
	}
	for _, r := range retries {
		if r.seq != seqOf[r.id] {
			t.Errorf("retry of %s got sequence %d, the original %d", r.id, r.seq, seqOf[r.id])
		}
	}
	n := uint64(len(idAt))
	wantBounds(t, l, 1, n)
	got, err := l.Read(ctx, 0, int(n)+1)
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(got)) != n {
		t.Fatalf("read %d events, %d were appended", len(got), n)
	}
	for _, ev := range got {
		if idAt[ev.Sequence] != ev.Id {
			t.Errorf("sequence %d holds %s, its caller was told %s", ev.Sequence, ev.Id, idAt[ev.Sequence])
		}
	}
}

// appendUntilError has callers goroutines append fresh events until each
// gets an error, and returns the sequence every acknowledged event was given
// and the errors. started is closed once minAcked appends have succeeded.
func appendUntilError(ctx context.Context, l eventlog.Log, callers, minAcked int, started chan<- struct{}) (map[string]uint64, []error) {
	var (
		mu    sync.Mutex
		acked = map[string]uint64{}
		errs  []error
		once  sync.Once
		wg    sync.WaitGroup
	)
	for c := range callers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				ev := event(c*1_000_000 + i)
				seq, err := l.Append(ctx, ev)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				acked[ev.Id] = seq
				if len(acked) >= minAcked {
					once.Do(func() { close(started) })
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return acked, errs
}

// TestJetStreamAppendsAcrossServerStop stops the server under concurrent
// appends: every caller still waiting gets ErrUnavailable (a 503), and every
// append that was acknowledged is in the stream, at the sequence its caller
// was given, when a server starts again on the same directory.
func TestJetStreamAppendsAcrossServerStop(t *testing.T) {
	dir := t.TempDir()
	srv := startNATS(t, dir)
	l := openJS(t, connectNATS(t, srv), eventlog.JetStreamOptions{PublishTimeout: time.Second})
	ctx := testCtx(t)

	started := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-started:
		case <-ctx.Done():
		}
		srv.Shutdown()
	}()
	acked, errs := appendUntilError(ctx, l, 16, 200, started)
	<-stopped
	if len(errs) != 16 {
		t.Fatalf("%d callers ended with an error, want all 16", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, eventlog.ErrUnavailable) {
			t.Errorf("Append while the server stopped = %v, want ErrUnavailable", err)
		}
	}
	l.Close()

	restarted := startNATS(t, dir)
	l2 := openJS(t, connectNATS(t, restarted), eventlog.JetStreamOptions{})
	got, err := l2.Read(ctx, 0, len(acked)+10_000)
	if err != nil {
		t.Fatal(err)
	}
	stored := make(map[uint64]string, len(got))
	for _, ev := range got {
		stored[ev.Sequence] = ev.Id
	}
	for id, seq := range acked {
		if stored[seq] != id {
			t.Errorf("%s was acknowledged with sequence %d, the stream holds %q there", id, seq, stored[seq])
		}
	}
	t.Logf("%d appends acknowledged before the stop, %d events stored", len(acked), len(got))
}

// TestJetStreamClusterAppendsFailWithoutQuorum loses two of three servers
// of a three-replica stream: no caller, of many waiting at once, is told an
// event was stored, since no majority can store it; each gets
// ErrUnavailable once the publish timeout passes.
func TestJetStreamClusterAppendsFailWithoutQuorum(t *testing.T) {
	ctx := testCtx(t)
	nodes := natscluster.Start(ctx, t, 3)
	nc, err := nats.Connect(nodes[0].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	l := openJS(t, nc, eventlog.JetStreamOptions{Replicas: 3, PublishTimeout: time.Second})
	retryUnavailable(ctx, t, "first append", func() error {
		_, err := l.Append(ctx, event(0))
		return err
	})
	for _, n := range nodes[1:] {
		n.Shutdown()
	}

	const callers = 16
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			seq, err := l.Append(ctx, event(c+1))
			if err == nil {
				err = fmt.Errorf("acknowledged with sequence %d", seq)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, eventlog.ErrUnavailable) {
			t.Errorf("Append without a quorum = %v, want ErrUnavailable", err)
		}
	}
}

// TestJetStreamCloseStopsPipeline checks that Close ends what Append started
// on the connection (the ack subscription and its watcher), leaving no
// goroutine behind, and fails a caller still waiting for an ack.
func TestJetStreamCloseStopsPipeline(t *testing.T) {
	srv := startNATS(t, t.TempDir())
	nc := connectNATS(t, srv)
	l := openJS(t, nc, eventlog.JetStreamOptions{})
	ctx := testCtx(t)
	before := runtime.NumGoroutine()

	appendN(t, l, 1, 10)
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			if _, err := l.Append(ctx, event(100+c)); err != nil && !errors.Is(err, eventlog.ErrUnavailable) {
				t.Errorf("Append racing Close = %v, want success or ErrUnavailable", err)
			}
		})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := l.Append(ctx, event(200)); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Append after Close = %v, want ErrUnavailable", err)
	}

	// Goroutines end asynchronously; the deadline only bounds a failure.
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines after Close, %d before the first Append:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The connection is the caller's and still works.
	if err := nc.Flush(); err != nil {
		t.Fatalf("connection after Close: %v", err)
	}
}

// TestJetStreamClusterLosesLeaderUnderLoad shuts the stream leader down
// while callers append at once, each retrying a failed append with the same
// id as Tencent retries a callback: every event ends up stored exactly once,
// at the sequence its caller was finally told.
func TestJetStreamClusterLosesLeaderUnderLoad(t *testing.T) {
	ctx := testCtx(t)
	nodes := natscluster.Start(ctx, t, 3)
	opts := eventlog.JetStreamOptions{Replicas: 3, PublishTimeout: 2 * time.Second}
	nc0, err := nats.Connect(nodes[0].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc0.Close)
	js, err := jetstream.New(nc0)
	if err != nil {
		t.Fatal(err)
	}
	openJS(t, nc0, opts)
	info := waitForReplicas(ctx, t, js, 3)
	// Append through a node that stays up.
	via := 0
	for i, n := range nodes {
		if n.Name() != info.Cluster.Leader {
			via = i
			break
		}
	}
	nc, err := nats.Connect(nodes[via].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	l := openJS(t, nc, opts)

	const (
		callers = 16
		each    = 40
	)
	var (
		mu      sync.Mutex
		seqOf   = map[string]uint64{}
		failed  int
		halfway = make(chan struct{})
		once    sync.Once
		wg      sync.WaitGroup
	)
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				ev := event(c*each + i)
				for {
					seq, err := l.Append(ctx, ev)
					if err == nil {
						mu.Lock()
						seqOf[ev.Id] = seq
						if len(seqOf) >= callers*each/2 {
							once.Do(func() { close(halfway) })
						}
						mu.Unlock()
						break
					}
					if !errors.Is(err, eventlog.ErrUnavailable) || ctx.Err() != nil {
						t.Errorf("Append %s: %v", ev.Id, err)
						return
					}
					mu.Lock()
					failed++
					mu.Unlock()
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	select {
	case <-halfway:
	case <-ctx.Done():
		t.Fatal("appends never got halfway")
	}
	for _, n := range nodes {
		if n.Name() == info.Cluster.Leader {
			n.Shutdown()
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("%d appends failed and were retried while the leader was lost", failed)
	var got []*gatewayv1.Event
	retryUnavailable(ctx, t, "read", func() error {
		var err error
		got, err = l.Read(ctx, 0, 2*callers*each)
		return err
	})
	if len(got) != callers*each {
		t.Fatalf("the stream holds %d events, %d were appended", len(got), callers*each)
	}
	for _, ev := range got {
		if seqOf[ev.Id] != ev.Sequence {
			t.Errorf("%s is stored at %d, its caller was told %d", ev.Id, ev.Sequence, seqOf[ev.Id])
		}
	}
}

// TestJetStreamFollowHandsBackOwnAppends checks the echo ring: Follow hands
// its callback the very events this log appended (no decoding of their
// stored copies), while an event another replica appended, and a retry that
// JetStream dropped as a duplicate, come as what the stream stores.
func TestJetStreamFollowHandsBackOwnAppends(t *testing.T) {
	ctx := testCtx(t)
	s := startNATS(t, t.TempDir())
	own := openJS(t, connectNATS(t, s), eventlog.JetStreamOptions{})
	other := openJS(t, connectNATS(t, s), eventlog.JetStreamOptions{})

	var appended []*gatewayv1.Event
	add := func(l *eventlog.JetStream, ev *gatewayv1.Event) uint64 {
		t.Helper()
		seq, err := l.Append(ctx, ev)
		if err != nil {
			t.Fatalf("Append %s: %v", ev.Id, err)
		}
		return seq
	}
	for i := 1; i <= 3; i++ {
		ev := event(i)
		add(own, ev)
		appended = append(appended, ev)
	}
	// A retry of event 2 that differs from what was stored: JetStream keeps
	// the first, so the follower must never see this copy.
	retry := event(2)
	retry.ClientIp = "198.51.100.9"
	if seq := add(own, retry); seq != 2 {
		t.Fatalf("retry of event 2 got sequence %d, want 2", seq)
	}
	fromOther := event(4)
	add(other, fromOther)
	appended = append(appended, fromOther)

	follow := func() []*gatewayv1.Event {
		t.Helper()
		fctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var got []*gatewayv1.Event
		err := own.Follow(fctx, 0, func(ev *gatewayv1.Event) error {
			got = append(got, ev)
			if len(got) == len(appended) {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Follow = %v, want context.Canceled", err)
		}
		return got
	}
	got := follow()
	sameEvents(t, got, appended)
	for i, ev := range got[:3] {
		if ev != appended[i] {
			t.Errorf("event %d was decoded again; want the appended event itself", i+1)
		}
	}
	if got[3] == fromOther {
		t.Error("the other replica's event came as its in-memory object; want the stored copy")
	}
	if got[1].ClientIp != event(2).ClientIp {
		t.Errorf("event 2 has client IP %q: the dropped retry reached the follower", got[1].ClientIp)
	}
	// Each appended event is handed back once; following again decodes.
	for i, ev := range follow() {
		if ev == appended[i] {
			t.Errorf("event %d handed back twice; want a decoded copy the second time", i+1)
		}
	}
}
