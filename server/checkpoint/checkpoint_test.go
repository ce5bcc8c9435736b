package checkpoint

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/follower"
)

// fake is a projection that remembers the sequences it applied; its
// snapshot is a header line and one sequence per line.
type fake struct {
	mu   sync.RWMutex
	seqs []uint64
	// writeErr, when set, fails WriteSnapshot.
	writeErr error
	// writing, when set, is closed as WriteSnapshot starts, which then
	// waits for proceed to be closed.
	writing, proceed chan struct{}
	// log records applied events and trims in order ("5", "trim 3").
	log []string
}

func (f *fake) Trim(oldest uint64) {
	f.mu.Lock()
	f.log = append(f.log, fmt.Sprintf("trim %d", oldest))
	f.mu.Unlock()
}

func (f *fake) Apply(ev *gatewayv1.Event) {
	f.mu.Lock()
	f.seqs = append(f.seqs, ev.GetSequence())
	f.log = append(f.log, fmt.Sprint(ev.GetSequence()))
	f.mu.Unlock()
}

func (f *fake) last() uint64 {
	if len(f.seqs) == 0 {
		return 0
	}
	return f.seqs[len(f.seqs)-1]
}

func (f *fake) WriteSnapshot(w io.Writer) (uint64, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.writing != nil {
		close(f.writing)
		<-f.proceed
	}
	if f.writeErr != nil {
		return 0, f.writeErr
	}
	if _, err := io.WriteString(w, "fake snapshot\n"); err != nil {
		return 0, err
	}
	for _, s := range f.seqs {
		if _, err := fmt.Fprintln(w, s); err != nil {
			return 0, err
		}
	}
	return f.last(), nil
}

func (f *fake) ReadSnapshot(r io.Reader) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sc := bufio.NewScanner(r)
	if !sc.Scan() || sc.Text() != "fake snapshot" {
		return 0, errors.New("not a fake snapshot")
	}
	var seqs []uint64
	for sc.Scan() {
		n, err := strconv.ParseUint(sc.Text(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("line %q: %w", sc.Text(), err)
		}
		seqs = append(seqs, n)
	}
	f.seqs = seqs
	return f.last(), nil
}

func (f *fake) got() string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return fmt.Sprint(f.seqs)
}

// memStore is a Store in memory whose calls can be made to fail.
type memStore struct {
	mu    sync.Mutex
	objs  map[string]Meta
	data  map[string][]byte
	saves int
	err   error // every call fails with it when set
}

func newMemStore() *memStore {
	return &memStore{objs: map[string]Meta{}, data: map[string][]byte{}}
}

func (s *memStore) Info(_ context.Context, name string) (Meta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return Meta{}, s.err
	}
	m, ok := s.objs[name]
	if !ok {
		return Meta{}, ErrNotFound
	}
	return m, nil
}

func (s *memStore) Open(ctx context.Context, name string) (Meta, io.ReadCloser, error) {
	m, err := s.Info(ctx, name)
	if err != nil {
		return m, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return m, io.NopCloser(bytes.NewReader(s.data[name])), nil
}

func (s *memStore) Save(_ context.Context, m Meta, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	m.Written = time.Now()
	s.objs[m.Name], s.data[m.Name] = m, append([]byte(nil), data...)
	s.saves++
	return nil
}

func (s *memStore) put(m Meta, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Written.IsZero() {
		m.Written = time.Now().Add(-time.Hour)
	}
	m.Bytes = int64(len(data))
	s.objs[m.Name], s.data[m.Name] = m, []byte(data)
}

func (s *memStore) saveCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saves
}

func appendN(t *testing.T, log eventlog.Log, n int) {
	t.Helper()
	for range n {
		if _, err := log.Append(context.Background(), &gatewayv1.Event{Type: gatewayv1.EventType_EVENT_TYPE_OTHER}); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshotOf is the fake's snapshot of sequences from..to.
func snapshotOf(from, to int) string {
	var b strings.Builder
	b.WriteString("fake snapshot\n")
	for i := from; i <= to; i++ {
		fmt.Fprintln(&b, i)
	}
	return b.String()
}

// TestRestore goes through every reason a checkpoint is used or not: only
// a readable checkpoint of the log's epoch, at or before its head and
// not older than its oldest event, restores the projection; otherwise the
// projection stays empty and is rebuilt from the oldest retained event.
func TestRestore(t *testing.T) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 10})
	defer log.Close()
	appendN(t, log, 15) // 6–15 retained
	epoch := log.Epoch()
	tests := []struct {
		name   string
		stored *Meta
		data   string
		err    error
		want   uint64 // the cursor Restore returns
		source string
	}{
		{name: "good", stored: &Meta{Epoch: epoch, Sequence: 12, Format: Format}, data: snapshotOf(1, 12), want: 12, source: "checkpoint"},
		{name: "at the head", stored: &Meta{Epoch: epoch, Sequence: 15, Format: Format}, data: snapshotOf(1, 15), want: 15, source: "checkpoint"},
		{name: "just before the oldest", stored: &Meta{Epoch: epoch, Sequence: 5, Format: Format}, data: snapshotOf(1, 5), want: 5, source: "checkpoint"},
		{name: "none", want: 5, source: "log"},
		{name: "other epoch", stored: &Meta{Epoch: "another", Sequence: 12, Format: Format}, data: snapshotOf(1, 12), want: 5, source: "log"},
		{name: "other format", stored: &Meta{Epoch: epoch, Sequence: 12, Format: "v0"}, data: snapshotOf(1, 12), want: 5, source: "log"},
		{name: "past the head", stored: &Meta{Epoch: epoch, Sequence: 16, Format: Format}, data: snapshotOf(1, 16), want: 5, source: "log"},
		{name: "events between it and the oldest are gone", stored: &Meta{Epoch: epoch, Sequence: 4, Format: Format}, data: snapshotOf(1, 4), want: 5, source: "log"},
		{name: "content does not decode", stored: &Meta{Epoch: epoch, Sequence: 12, Format: Format}, data: "garbage", want: 5, source: "log"},
		{name: "corrupt", err: &CorruptError{Name: "p", Err: errors.New("digest mismatch")}, want: 5, source: "log"},
		{name: "foreign", err: &ForeignError{Name: "p", Reason: "no metadata"}, want: 5, source: "log"},
		{name: "store unavailable", err: fmt.Errorf("nats: %w", eventlog.ErrUnavailable), want: 5, source: "log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemStore()
			if tt.stored != nil {
				m := *tt.stored
				m.Name = "p"
				st.put(m, tt.data)
			}
			st.err = tt.err
			p := &fake{}
			reg := prometheus.NewRegistry()
			k, err := New(Options{Store: st, Log: log, Projections: []Projection{{Name: "p", State: p}},
				Position: func() uint64 { return 0 }, LoadWait: 300 * time.Millisecond, Registerer: reg})
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Restorer("p")(context.Background()); got != tt.want {
				t.Errorf("Restore = %d, want %d", got, tt.want)
			}
			wantState := "[]"
			if tt.source == "checkpoint" {
				wantState = fmt.Sprint(seqList(1, int(tt.want)))
			}
			if got := p.got(); got != wantState {
				t.Errorf("projection holds %s, want %s", got, wantState)
			}
			if v := value(k.m.source.WithLabelValues("p", tt.source)); v != 1 {
				t.Errorf("trtcgw_state_restore_source{source=%q} = %v, want 1", tt.source, v)
			}
		})
	}
}

func seqList(from, to int) []uint64 {
	var s []uint64
	for i := from; i <= to; i++ {
		s = append(s, uint64(i))
	}
	return s
}

// TestCheckpointWritesOnlyWhatIsNew: a checkpoint is written when the
// projection advanced past the stored one, not when nothing is new, not
// when another replica stored one as new, and periodically not when one
// was stored a moment ago; a failed write is counted and retried.
func TestCheckpointWritesOnlyWhatIsNew(t *testing.T) {
	ctx := context.Background()
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
	defer log.Close()
	appendN(t, log, 5)
	st := newMemStore()
	p := &fake{}
	var pos uint64
	k, err := New(Options{Store: st, Log: log, Projections: []Projection{{Name: "p", State: p}},
		Position: func() uint64 { return pos }, Interval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(n int) {
		evs, err := log.Read(ctx, p.last(), n)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			p.Apply(ev)
			pos = ev.GetSequence()
		}
	}
	restorer := k.Restorer("p")
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 0 {
		t.Fatalf("Checkpoint before the restore: %v, %d saves; want none", err, st.saveCount())
	}
	restorer(ctx) // no checkpoint: rebuilt from the log
	apply(3)
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 1 {
		t.Fatalf("first Checkpoint: %v, %d saves; want 1", err, st.saveCount())
	}
	if m, _ := st.Info(ctx, "p"); m.Sequence != 3 || m.Epoch != log.Epoch() || m.Format != Format {
		t.Fatalf("stored %+v", m)
	}
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 1 {
		t.Fatalf("Checkpoint with nothing new: %v, %d saves; want still 1", err, st.saveCount())
	}

	// Another replica stored a newer one: nothing to add.
	apply(1)
	st.put(Meta{Name: "p", Epoch: log.Epoch(), Sequence: 4, Format: Format, Written: time.Now().Add(-time.Hour)}, snapshotOf(1, 4))
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 1 {
		t.Fatalf("Checkpoint with a stored one as new: %v, %d saves; want still 1", err, st.saveCount())
	}
	// One of another epoch does not count.
	st.put(Meta{Name: "p", Epoch: "old", Sequence: 400, Format: Format}, snapshotOf(1, 4))
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 2 {
		t.Fatalf("Checkpoint over another epoch's: %v, %d saves; want 2", err, st.saveCount())
	}

	// A fresh one from another replica makes the periodic round skip, not
	// an explicit checkpoint.
	apply(1)
	st.put(Meta{Name: "p", Epoch: log.Epoch(), Sequence: 4, Format: Format, Written: time.Now()}, snapshotOf(1, 4))
	if err := k.checkpoint(ctx, true); err != nil || st.saveCount() != 2 {
		t.Fatalf("periodic round after a fresh one: %v, %d saves; want still 2", err, st.saveCount())
	}
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 3 {
		t.Fatalf("explicit Checkpoint: %v, %d saves; want 3", err, st.saveCount())
	}

	// A failure is returned, counted, and the next round writes.
	appendN(t, log, 1)
	apply(1)
	st.err = fmt.Errorf("insufficient resources: %w", eventlog.ErrUnavailable)
	if err := k.Checkpoint(ctx); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Checkpoint with the store failing = %v", err)
	}
	if v := value(k.m.failures.WithLabelValues("p")); v != 1 {
		t.Errorf("failures = %v, want 1", v)
	}
	st.err = nil
	if err := k.Checkpoint(ctx); err != nil || st.saveCount() != 4 {
		t.Fatalf("Checkpoint after the store recovered: %v, %d saves; want 4", err, st.saveCount())
	}
	p.writeErr = errors.New("encoder broke")
	appendN(t, log, 1)
	apply(1)
	if err := k.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "encoder broke") {
		t.Fatalf("Checkpoint with a failing encoder = %v", err)
	}
}

// TestRestoreThenFollow runs the Keeper with a follower: a projection
// restored from a checkpoint and then fed the events after it holds
// exactly what a projection that never stopped holds, and its next
// checkpoint starts from there.
func TestRestoreThenFollow(t *testing.T) {
	ctx := context.Background()
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 1000})
	defer log.Close()
	appendN(t, log, 40)

	// The first gateway: follows, checkpoints at 40, stops.
	st := newMemStore()
	run := func(p *fake, more int) (*Keeper, *follower.Follower, func()) {
		f := follower.New(log)
		_, head, _ := log.Bounds(ctx)
		f.Register("hub", head, follower.ReaderFunc(func(*gatewayv1.Event) {}))
		k, err := New(Options{Store: st, Log: log, Projections: []Projection{{Name: "p", State: p}}, Position: f.Last})
		if err != nil {
			t.Fatal(err)
		}
		f.RegisterRebuiltFrom("p", k.Restorer("p"), p)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- f.Run(rctx) }()
		appendN(t, log, more)
		want := head + uint64(more)
		deadline := time.Now().Add(waitLimit)
		for f.Ready() != nil || f.Last() != want {
			if time.Now().After(deadline) {
				t.Fatalf("follower at %d (%v), want %d", f.Last(), f.Ready(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
		return k, f, func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	}
	first := &fake{}
	k1, _, stop1 := run(first, 0)
	if err := k1.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	stop1()

	second := &fake{}
	k2, _, stop2 := run(second, 25)
	defer stop2()
	if v := value(k2.m.source.WithLabelValues("p", "checkpoint")); v != 1 {
		t.Fatal("the second gateway did not restore from the checkpoint")
	}
	if got, want := second.got(), fmt.Sprint(seqList(1, 65)); got != want {
		t.Fatalf("restored and followed: %s\nwant %s", got, want)
	}
	if err := k2.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if m, _ := st.Info(ctx, "p"); m.Sequence != 65 {
		t.Fatalf("the second gateway's checkpoint is at %d, want 65", m.Sequence)
	}
}

// value reads a gauge's or a counter's value.
func value(c prometheus.Metric) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	if m.Gauge != nil {
		return m.Gauge.GetValue()
	}
	return m.Counter.GetValue()
}

// TestEncodingDoesNotStallTheFollower: while a projection's checkpoint is
// encoded (here, held in WriteSnapshot), the events and trims the follower
// hands its Reader return at once, are not applied to the encoded state,
// and are applied in order right after.
func TestEncodingDoesNotStallTheFollower(t *testing.T) {
	ctx := context.Background()
	log := eventlog.NewMemory(eventlog.MemoryOptions{Retention: 100})
	defer log.Close()
	appendN(t, log, 6)
	evs, err := log.Read(ctx, 0, 6)
	if err != nil {
		t.Fatal(err)
	}
	p := &fake{}
	var pos uint64
	k, err := New(Options{Store: newMemStore(), Log: log, Projections: []Projection{{Name: "p", State: p}}, Position: func() uint64 { return pos }})
	if err != nil {
		t.Fatal(err)
	}
	k.Restorer("p")(ctx)
	r := k.Reader("p")
	for _, ev := range evs[:3] {
		r.Apply(ev)
		pos = ev.GetSequence()
	}
	p.writing, p.proceed = make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- k.Checkpoint(ctx) }()
	<-p.writing
	// Were these to wait for the encoding, the test would never get past
	// them: the encoding waits for proceed.
	r.Apply(evs[3])
	r.Trim(2)
	r.Apply(evs[4])
	close(p.proceed)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	r.Apply(evs[5])
	if m, _ := k.opts.Store.Info(ctx, "p"); m.Sequence != 3 {
		t.Errorf("the checkpoint is at %d, want 3: the encoded state moved", m.Sequence)
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if got := fmt.Sprint(p.log); got != "[1 2 3 4 trim 2 5 6]" {
		t.Errorf("applied %s, want [1 2 3 4 trim 2 5 6]", got)
	}
}
