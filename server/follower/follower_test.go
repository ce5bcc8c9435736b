package follower

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

const waitLimit = 20 * time.Second

// recorder is a Trimmer that remembers what it was given.
type recorder struct {
	mu    sync.Mutex
	seqs  []uint64
	trims []uint64
}

func (r *recorder) Apply(ev *gatewayv1.Event) {
	r.mu.Lock()
	r.seqs = append(r.seqs, ev.GetSequence())
	r.mu.Unlock()
}

func (r *recorder) Trim(oldest uint64) {
	r.mu.Lock()
	r.trims = append(r.trims, oldest)
	r.mu.Unlock()
}

func (r *recorder) got() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.seqs)
}

func appendN(t *testing.T, log eventlog.Log, n int) {
	t.Helper()
	for range n {
		if _, err := log.Append(context.Background(), &gatewayv1.Event{Type: gatewayv1.EventType_EVENT_TYPE_OTHER}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls until cond holds; the bound is a deadlock guard.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// running is a follower's Run in progress.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

// start runs f.Run in a goroutine until stop.
func start(f *Follower) running {
	ctx, cancel := context.WithCancel(context.Background())
	r := running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- f.Run(ctx) }()
	return r
}

// stop cancels Run and fails unless it returns nil, as it must when its
// context ends.
func (r running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err := <-r.done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}

func TestEachReaderGetsItsEventsInOrder(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
	defer log.Close()
	appendN(t, log, 3)
	f := New(log)
	f.TrimEvery = 2
	live, rebuilt := &recorder{}, &recorder{}
	f.Register("live", 3, live)
	f.RegisterRebuilt("rebuilt", 0, rebuilt)
	if err := f.Ready(); err == nil {
		t.Fatal("Ready before Run = nil, want a RebuildingError")
	}
	run := start(f)
	waitFor(t, "the rebuild", func() bool { return f.Ready() == nil })
	appendN(t, log, 2)
	waitFor(t, "the live events", func() bool { return f.Last() == 5 })
	if got := live.got(); got != "[4 5]" {
		t.Errorf("live reader got %s, want [4 5]", got)
	}
	if got := rebuilt.got(); got != "[1 2 3 4 5]" {
		t.Errorf("rebuilt reader got %s, want [1 2 3 4 5]", got)
	}
	rebuilt.mu.Lock()
	trims := len(rebuilt.trims)
	rebuilt.mu.Unlock()
	if trims == 0 {
		t.Error("the Trimmer was never told the log's oldest sequence")
	}
	run.stop(t)
}

func TestRebuiltReadersSkipDroppedEvents(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 3})
	defer log.Close()
	appendN(t, log, 6) // 1–3 are gone
	f := New(log)
	r := &recorder{}
	f.RegisterRebuilt("rebuilt", 0, r)
	run := start(f)
	defer run.stop(t)
	waitFor(t, "the rebuild", func() bool { return f.Ready() == nil })
	if got := r.got(); got != "[4 5 6]" {
		t.Errorf("got %s, want the retained [4 5 6]", got)
	}
}

func TestStrictReaderFailsOnDroppedEvents(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 3})
	defer log.Close()
	appendN(t, log, 6)
	f := New(log)
	f.Register("hub", 1, &recorder{})
	err := f.Run(context.Background())
	var oor *eventlog.OutOfRangeError
	if !errors.As(err, &oor) {
		t.Fatalf("Run = %v, want the log's OutOfRangeError: a strict reader must not miss events", err)
	}
}

func TestRunOnce(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{})
	defer log.Close()
	f := New(log)
	if err := f.Run(context.Background()); err == nil {
		t.Error("Run without readers = nil, want an error")
	}
}

// slowBounds is a log whose Bounds waits until release is closed.
type slowBounds struct {
	eventlog.Log
	called  chan struct{}
	release chan struct{}
}

func (l *slowBounds) Bounds(ctx context.Context) (uint64, uint64, error) {
	select {
	case l.called <- struct{}{}:
	default:
	}
	<-l.release
	return l.Log.Bounds(ctx)
}

// TestNotReadyBeforeHeadIsKnown: while Run is still reading the head it
// must catch up with, the follower is not ready (it once compared its
// position with a target not yet read, 0, and stayed ready for good).
func TestNotReadyBeforeHeadIsKnown(t *testing.T) {
	mem := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
	appendN(t, mem, 5)
	log := &slowBounds{Log: mem, called: make(chan struct{}, 1), release: make(chan struct{})}
	f := New(log)
	rec := &recorder{}
	f.RegisterRebuilt("r", 0, rec)
	run := start(f)
	defer run.cancel()
	<-log.called
	var rebuilding *RebuildingError
	if err := f.Ready(); !errors.As(err, &rebuilding) {
		t.Fatalf("Ready() = %v while the head is being read, want a *RebuildingError", err)
	}
	close(log.release)
	waitFor(t, "the follower to be ready", func() bool { return f.Ready() == nil })
	if got := rec.got(); got != "[1 2 3 4 5]" {
		t.Fatalf("ready having handed over %s, want [1 2 3 4 5]", got)
	}
	run.stop(t)
}

// failingBounds fails the first `fails` Bounds calls with err.
type failingBounds struct {
	eventlog.Log
	mu    sync.Mutex
	fails int
	calls int
	err   error
}

func (l *failingBounds) Bounds(ctx context.Context) (uint64, uint64, error) {
	l.mu.Lock()
	l.calls++
	failing := l.calls <= l.fails
	l.mu.Unlock()
	if failing {
		return 0, 0, l.err
	}
	return l.Log.Bounds(ctx)
}

// TestRunWaitsOutAnUnavailableHead: a log briefly unavailable when the
// follower starts (a stream leader being elected) is waited for, not the
// end of the gateway; a stream recreated under the log, or another error,
// still ends Run at once.
func TestRunWaitsOutAnUnavailableHead(t *testing.T) {
	unavailable := fmt.Errorf("bounds: %w: no stream leader", eventlog.ErrUnavailable)
	recreated := fmt.Errorf("bounds: %w: %w", eventlog.ErrUnavailable, eventlog.ErrRecreated)
	tests := []struct {
		name  string
		err   error
		fails int
		ends  bool
	}{
		{name: "unavailable twice", err: unavailable, fails: 2},
		{name: "recreated", err: recreated, fails: 1, ends: true},
		{name: "other error", err: errors.New("bounds: permission denied"), fails: 1, ends: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
			appendN(t, mem, 3)
			log := &failingBounds{Log: mem, fails: tt.fails, err: tt.err}
			f := New(log)
			rec := &recorder{}
			f.RegisterRebuilt("r", 0, rec)
			run := start(f)
			defer run.cancel()
			if tt.ends {
				if err := <-run.done; !errors.Is(err, tt.err) {
					t.Fatalf("Run = %v, want it to end with %v", err, tt.err)
				}
				return
			}
			waitFor(t, "the follower to be ready", func() bool { return f.Ready() == nil })
			if got := rec.got(); got != "[1 2 3]" {
				t.Fatalf("ready having handed over %s, want [1 2 3]", got)
			}
			run.stop(t)
		})
	}
}

// gated is a reader whose Apply waits, from its first event on, until the
// gate is closed: a rebuild that takes long.
type gated struct {
	recorder
	gate    chan struct{}
	waiting chan struct{}
	once    sync.Once
}

func (g *gated) Apply(ev *gatewayv1.Event) {
	g.once.Do(func() { close(g.waiting) })
	<-g.gate
	g.recorder.Apply(ev)
}

// seqs is the sequences from..to as the recorder prints them.
func seqs(from, to int) string {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, uint64(i))
	}
	return fmt.Sprint(s)
}

// TestLiveReadersDoNotWaitForTheRebuild: while the projections rebuild a
// long log, the hub (registered at the head) gets new events at once; the
// projections then catch up and join the live follow, and every reader gets
// every one of its events once, in order, across the handover.
// It runs on both logs: on JetStream the two follows are two consumers of
// one stream, and the live one takes the events the log just appended from
// its echo ring.
func TestLiveReadersDoNotWaitForTheRebuild(t *testing.T) {
	logs := map[string]func(t *testing.T) eventlog.Log{
		"memory": func(*testing.T) eventlog.Log {
			return eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100_000})
		},
		"jetstream": func(t *testing.T) eventlog.Log {
			ctx := context.Background()
			srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Shutdown)
			nc, err := srv.Connect()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(nc.Close)
			js, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { js.Close() })
			return js
		},
	}
	for name, open := range logs {
		t.Run(name, func(t *testing.T) { testLiveDuringRebuild(t, open(t)) })
	}
}

func testLiveDuringRebuild(t *testing.T, log eventlog.Log) {
	appendN(t, log, 50)
	f := New(log)
	f.TrimEvery = 7
	live := &recorder{}
	slow := &gated{gate: make(chan struct{}), waiting: make(chan struct{})}
	f.Register("hub", 50, live)
	f.RegisterRebuilt("projection", 0, slow)
	run := start(f)
	defer run.cancel()

	<-slow.waiting // the rebuild is stuck on its first event
	appendN(t, log, 10)
	waitFor(t, "the hub to get the new events during the rebuild", func() bool { return live.got() == seqs(51, 60) })
	if err := f.Ready(); err == nil {
		t.Fatal("ready while the projection has not got a single event")
	}

	// Release the rebuild while events keep coming, so that the handover
	// happens with the live follow moving.
	close(slow.gate)
	appendN(t, log, 2000)
	waitFor(t, "every reader to get every event", func() bool {
		return live.got() == seqs(51, 2060) && slow.got() == seqs(1, 2060)
	})
	if err := f.Ready(); err != nil {
		t.Fatalf("Ready() = %v after the rebuild", err)
	}
	if got := f.Last(); got != 2060 {
		t.Fatalf("Last() = %d, want 2060", got)
	}
	slow.mu.Lock()
	trims := len(slow.trims)
	slow.mu.Unlock()
	if trims == 0 {
		t.Fatal("the rebuilt reader was never trimmed")
	}
	run.stop(t)
}

// TestHandoverUnderLoad races the handover many times: a fast rebuild
// catching up with a live follow that keeps moving must neither repeat nor
// skip an event for either reader.
func TestHandoverUnderLoad(t *testing.T) {
	for round := range 20 {
		mem := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100_000})
		appendN(t, mem, 300)
		f := New(mem)
		live, rebuilt := &recorder{}, &recorder{}
		f.Register("hub", 300, live)
		f.RegisterRebuilt("projection", 0, rebuilt)
		run := start(f)
		appendN(t, mem, 300)
		waitFor(t, "every reader to get every event", func() bool {
			return len(live.got()) >= len(seqs(301, 600)) && len(rebuilt.got()) >= len(seqs(1, 600))
		})
		if live.got() != seqs(301, 600) || rebuilt.got() != seqs(1, 600) {
			t.Fatalf("round %d: hub got %s\nprojection got %s", round, live.got(), rebuilt.got())
		}
		run.stop(t)
	}
}

// restorer is the start function of a reader registered with
// RegisterRebuiltFrom: it waits for its gate, as a checkpoint download
// that takes long, then returns its cursor.
type restorer struct {
	at      uint64
	gate    chan struct{}
	waiting chan struct{}
}

func newRestorer(at uint64) *restorer {
	return &restorer{at: at, gate: make(chan struct{}), waiting: make(chan struct{})}
}

func (r *restorer) start(ctx context.Context) uint64 {
	close(r.waiting)
	select {
	case <-r.gate:
	case <-ctx.Done():
	}
	return r.at
}

// TestRestoredReadersStartAtTheirCheckpoint: a reader whose cursor comes
// from a start function (a projection restored from a checkpoint) gets the
// events after that cursor only; while the start functions run, the hub
// gets new events at once and the follower says it is restoring; readers
// with different cursors each get theirs, once and in order, across the
// handover to the live follow.
func TestRestoredReadersStartAtTheirCheckpoint(t *testing.T) {
	tests := []struct {
		name     string
		hub      bool   // a strict reader at the head, as the gateway has
		at       uint64 // the restored reader's checkpoint
		rebuiltP bool   // a second projection rebuilt from the log (start returns 0)
	}{
		{name: "behind the head, with the hub", hub: true, at: 20, rebuiltP: true},
		{name: "at the head, with the hub", hub: true, at: 50},
		{name: "behind the head, alone", at: 20},
		{name: "no checkpoint, with the hub", hub: true, at: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100_000})
			defer log.Close()
			appendN(t, log, 50)
			f := New(log)
			f.TrimEvery = 7
			live, restored, fromLog := &recorder{}, &recorder{}, &recorder{}
			if tt.hub {
				f.Register("hub", 50, live)
			}
			rs := newRestorer(tt.at)
			f.RegisterRebuiltFrom("restored", rs.start, restored)
			if tt.rebuiltP {
				f.RegisterRebuiltFrom("rebuilt", func(context.Context) uint64 { return 0 }, fromLog)
			}
			run := start(f)
			defer run.cancel()

			if tt.hub {
				<-rs.waiting
				appendN(t, log, 10)
				waitFor(t, "the hub to get the new events while the reader is restored", func() bool { return live.got() == seqs(51, 60) })
			} else {
				<-rs.waiting
			}
			var rebuilding *RebuildingError
			if err := f.Ready(); !errors.As(err, &rebuilding) || !rebuilding.Restoring {
				t.Fatalf("Ready() = %v while restoring, want a *RebuildingError that says so", err)
			}
			if got := restored.got(); got != "[]" {
				t.Fatalf("the reader got %s before its start function returned", got)
			}
			close(rs.gate)
			appendN(t, log, 500)
			head := 560
			if !tt.hub {
				head = 550
			}
			waitFor(t, "every reader to get its events", func() bool {
				return len(restored.got()) >= len(seqs(int(tt.at)+1, head)) && (!tt.hub || len(live.got()) >= len(seqs(51, head)))
			})
			if got, want := restored.got(), seqs(int(tt.at)+1, head); got != want {
				t.Errorf("restored reader got %s\nwant %s", got, want)
			}
			if tt.hub {
				if got, want := live.got(), seqs(51, head); got != want {
					t.Errorf("hub got %s\nwant %s", got, want)
				}
			}
			if tt.rebuiltP {
				waitFor(t, "the rebuilt reader", func() bool { return len(fromLog.got()) >= len(seqs(1, head)) })
				if got, want := fromLog.got(), seqs(1, head); got != want {
					t.Errorf("reader rebuilt from the log got %s\nwant %s", got, want)
				}
			}
			waitFor(t, "the follower to be ready", func() bool { return f.Ready() == nil })
			run.stop(t)
		})
	}
}

// TestRestoredReaderBehindRetentionSkips: a start function returning a
// cursor older than retention gets the oldest retained events next, as a
// reader rebuilt from the log does, and is trimmed to them.
func TestRestoredReaderBehindRetentionSkips(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 5})
	defer log.Close()
	appendN(t, log, 12) // 1–7 are gone
	f := New(log)
	hub, r := &recorder{}, &recorder{}
	f.Register("hub", 12, hub)
	f.RegisterRebuiltFrom("restored", func(context.Context) uint64 { return 3 }, r)
	run := start(f)
	defer run.stop(t)
	waitFor(t, "the rebuild", func() bool { return f.Ready() == nil })
	if got := r.got(); got != "[8 9 10 11 12]" {
		t.Errorf("got %s, want the retained [8 9 10 11 12]", got)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if fmt.Sprint(r.trims) != "[8]" {
		t.Errorf("trims %v, want [8]: the reader must forget what left the log", r.trims)
	}
}

// TestRestoreEndsWithRun: a start function still running when Run's
// context ends is cancelled with it, and Run returns.
func TestRestoreEndsWithRun(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
	defer log.Close()
	appendN(t, log, 3)
	f := New(log)
	f.Register("hub", 3, &recorder{})
	rs := newRestorer(2)
	f.RegisterRebuiltFrom("restored", rs.start, &recorder{})
	run := start(f)
	<-rs.waiting
	run.stop(t)
}
