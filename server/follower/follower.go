// Package follower is the gateway's one reader of the event log: it follows
// the log in order and hands each event to every registered reader — the hub
// (fan-out to subscribers) and the state projections (calls, rooms). Readers
// never read the log themselves, so every one of them sees the same events in
// the same order, and a replica of a cluster derives the same state from the
// same stream. While the projections rebuild from the oldest retained event
// the follower reads the log a second time from the head for the hub, so
// that live delivery does not wait for the rebuild (see Run).
package follower

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// Reader takes the log's events in order from the follower's goroutine.
// Apply must not block for long: every other reader waits for it. Events are
// shared and must not be modified.
type Reader interface {
	Apply(ev *gatewayv1.Event)
}

// ReaderFunc adapts a function to Reader (e.g. the hub's Publish).
type ReaderFunc func(ev *gatewayv1.Event)

// Apply calls f(ev).
func (f ReaderFunc) Apply(ev *gatewayv1.Event) { f(ev) }

// Follower follows one log on behalf of its readers. Register every reader,
// then Run once.
type Follower struct {
	log     eventlog.Log
	readers []registered
	// TrimEvery is how many events pass between two reads of the log's
	// bounds for the Trimmers; 0 is DefaultTrimEvery.
	TrimEvery int

	last   atomic.Uint64
	target atomic.Uint64
	// started guards Run; running is set once target is known, so that
	// Ready never compares the position with a target not yet read.
	started atomic.Bool
	running atomic.Bool
	ready   atomic.Bool
	// restoring is set while readers registered with RegisterRebuiltFrom
	// have not got their cursor yet: the follower is not ready, and nothing
	// is trimmed, meanwhile.
	restoring atomic.Bool
}

// DefaultTrimEvery asks the log for its oldest event every 4096 events: often
// enough that state follows retention closely, rarely enough that the
// request (a round trip to NATS for JetStream) costs nothing per event.
const DefaultTrimEvery = 4096

type registered struct {
	name  string
	after uint64 // the reader already holds everything up to here
	r     Reader
	// rebuilt readers tolerate events that left the log before they were
	// read: they skip to the oldest retained one.
	rebuilt bool
	// start, when not nil, gives after in the rebuild's goroutine (see
	// RegisterRebuiltFrom).
	start func(ctx context.Context) uint64
}

// New returns a follower of log with no readers.
func New(log eventlog.Log) *Follower { return &Follower{log: log} }

// Register adds r, which gets every event after sequence after and must miss
// none (the hub): when events it needs have left the log, Run fails. Register
// every reader before Run.
func (f *Follower) Register(name string, after uint64, r Reader) {
	f.readers = append(f.readers, registered{name: name, after: after, r: r})
}

// RegisterRebuilt adds r, a projection rebuilt from the log: it gets every
// event after sequence after that the log still holds, and when retention
// drops events before they are read, it gets the oldest retained ones next.
func (f *Follower) RegisterRebuilt(name string, after uint64, r Reader) {
	f.readers = append(f.readers, registered{name: name, after: after, r: r, rebuilt: true})
}

// RegisterRebuiltFrom adds r as RegisterRebuilt does, with a cursor that
// start gives: Run calls it in the goroutine that rebuilds the projections,
// after the live follow of the readers registered with Register has begun,
// so start may take long without delaying live delivery — it restores r from
// a checkpoint and returns the sequence the restored state reflects, or
// returns the cursor to rebuild r from the log (0: from the oldest retained
// event). The start functions of several readers run concurrently; until
// all have returned the follower is not Ready and no Trimmer is trimmed.
// start must return when ctx ends.
func (f *Follower) RegisterRebuiltFrom(name string, start func(ctx context.Context) uint64, r Reader) {
	f.readers = append(f.readers, registered{name: name, r: r, rebuilt: true, start: start})
	f.restoring.Store(true)
}

// Trimmer is a Reader that also forgets what came only from events that
// have left the log, so that its memory follows the log's retention.
type Trimmer interface {
	Reader
	// Trim forgets state whose newest event is older than oldest.
	Trim(oldest uint64)
}

// RebuildingError says the readers have not yet caught up with the log's
// head as it was when Run began.
type RebuildingError struct {
	// At is the last sequence handed to the readers.
	At uint64
	// Target is the head they are catching up with.
	Target uint64
	// Restoring says the readers are still being restored (from a
	// checkpoint) before they read the log.
	Restoring bool
}

func (e *RebuildingError) Error() string {
	if e.Restoring {
		return fmt.Sprintf("the gateway is restoring its state from a checkpoint, then from the event log up to sequence %d", e.Target)
	}
	return fmt.Sprintf("the gateway is rebuilding its state from the event log: at sequence %d of %d", e.At, e.Target)
}

// Ready returns nil once every event up to the head the log had when Run
// began has been handed to the readers, and a *RebuildingError before.
func (f *Follower) Ready() error {
	if f.ready.Load() {
		return nil
	}
	restoring := f.restoring.Load()
	last, target := f.last.Load(), f.target.Load()
	if f.running.Load() && !restoring && last >= target {
		f.ready.Store(true)
		return nil
	}
	return &RebuildingError{At: last, Target: target, Restoring: restoring}
}

// Last is the sequence of the last event handed to the rebuilt readers (to
// every reader once they have caught up; readers registered with Register
// may be ahead while they rebuild).
func (f *Follower) Last() uint64 { return f.last.Load() }

// Run follows the log from the earliest cursor of its readers and hands each
// event to every reader that does not hold it yet, until ctx ends (it returns
// nil) or the log fails (it returns the log's error, wrapped). A follower runs
// once.
//
// Readers registered with Register (the hub) do not wait for the rebuilt
// ones (the projections) to catch up: when the rebuilt readers start further
// back, Run follows the log twice for a while — the registered readers from
// their cursor, live, and the rebuilt readers from theirs — and once the
// rebuilt readers have caught up with the live position, they join the
// live follow, each event still handed to each reader once and in order. A
// gateway restarting on a long log thus delivers new events at once while
// its projections rebuild. The cursors of readers registered with
// RegisterRebuiltFrom are given by their start functions, in the follow of
// the rebuilt readers before it reads the log, so that restoring them
// delays no live event either.
func (f *Follower) Run(ctx context.Context) error {
	if !f.started.CompareAndSwap(false, true) {
		return errors.New("follower: Run was already called; a follower runs once")
	}
	if len(f.readers) == 0 {
		return errors.New("follower: no readers registered")
	}
	var strict, rebuilt []registered
	for _, r := range f.readers {
		if r.rebuilt {
			rebuilt = append(rebuilt, r)
		} else {
			strict = append(strict, r)
		}
	}
	from := minAfter(f.readers)
	f.last.Store(from)
	head, err := f.head(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("reading the event log's head: %w", err)
	}
	f.target.Store(max(head, from))
	f.running.Store(true)
	trimmers := trimmersOf(f.readers)
	restoring := f.restoring.Load()
	if len(strict) == 0 && restoring {
		// Nobody to keep waiting: the readers' cursors are known before
		// the one follow starts.
		f.prepare(ctx, f.readers)
		from = minAfter(f.readers)
		f.last.Store(from)
		f.restoring.Store(false)
	}
	if len(strict) == 0 || len(rebuilt) == 0 || (!restoring && minAfter(rebuilt) >= minAfter(strict)) {
		// Nobody to keep waiting: one follow hands every reader its events.
		counted := f.trimCounter(ctx, trimmers)
		return f.follow(ctx, from, f.canSkipTo, func(ev *gatewayv1.Event) bool {
			deliver(f.readers, ev)
			f.last.Store(ev.GetSequence())
			counted()
			return false
		}, func() { f.trim(ctx, trimmers) })
	}
	return f.runCatchingUp(ctx, strict, rebuilt, trimmers)
}

// errJoined ends the rebuilt readers' own follow once they have joined the
// live one.
var errJoined = errors.New("follower: the rebuilt readers joined the live follow")

// runCatchingUp is Run when the rebuilt readers start behind the others:
// the live follow hands its events to the strict readers at once, and to
// the rebuilt ones only after they joined it; the catching-up follow hands
// the rebuilt readers the log from their cursor until it reaches the live
// follow's position. The handover happens under mu, between two events of
// the live follow: the catching-up follow joins when the event it just
// handed over is at or past the last one the live follow saw, and the live
// follow then hands the rebuilt readers every event after that one.
func (f *Follower) runCatchingUp(ctx context.Context, strict, rebuilt []registered, trimmers []Trimmer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		joined   bool
		joinedAt uint64        // the last event the catching-up follow handed over
		liveLast atomic.Uint64 // the last event the live follow saw; written under mu
	)
	liveLast.Store(minAfter(strict))
	// The rebuilt readers get events from one follow at a time (the
	// catching-up one, then the live one after joining, ordered by mu), so
	// one count serves both.
	counted := f.trimCounter(ctx, trimmers)

	errs := make(chan error, 2)
	go func() {
		errs <- f.follow(ctx, minAfter(strict), f.canSkipTo, func(ev *gatewayv1.Event) bool {
			seq := ev.GetSequence()
			mu.Lock()
			defer mu.Unlock()
			deliver(strict, ev)
			if joined && seq > joinedAt {
				deliver(rebuilt, ev)
				f.last.Store(seq)
				counted()
			}
			liveLast.Store(seq)
			return false
		}, func() { f.trim(ctx, trimmers) })
	}()
	go func() {
		if f.restoring.Load() {
			// The live follow has begun: the restores may take their time.
			// Nothing reads the rebuilt readers' cursors before they join.
			f.prepare(ctx, rebuilt)
			f.last.Store(minAfter(rebuilt))
			f.restoring.Store(false)
		}
		err := f.follow(ctx, minAfter(rebuilt), func(oldest uint64) bool { return oldest > f.last.Load()+1 }, func(ev *gatewayv1.Event) bool {
			seq := ev.GetSequence()
			deliver(rebuilt, ev)
			f.last.Store(seq)
			counted()
			if seq < liveLast.Load() {
				return false
			}
			mu.Lock()
			defer mu.Unlock()
			if seq >= liveLast.Load() {
				joined, joinedAt = true, seq
			}
			return joined
		}, func() { f.trim(ctx, trimmers) })
		if errors.Is(err, errJoined) {
			err = nil // from here on only the live follow's outcome matters
		}
		errs <- err
	}()
	// Both follows end before Run returns, so no reader gets an event after
	// it; the first error ends the other follow and is Run's.
	var first error
	for range 2 {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// follow follows the log after from, handing each event to apply, and
// resumes at the oldest retained event when retention dropped the next one
// and canSkip allows it (calling skipped once the position moved). It
// returns nil when ctx ends, errJoined once apply reports that the follow
// is to stop (the rebuilt readers joined the live one), and the log's error
// otherwise.
func (f *Follower) follow(ctx context.Context, from uint64, canSkip func(oldest uint64) bool, apply func(*gatewayv1.Event) (stop bool), skipped func()) error {
	for {
		err := f.log.Follow(ctx, from, func(ev *gatewayv1.Event) error {
			from = ev.GetSequence()
			if apply(ev) {
				return errJoined
			}
			return nil
		})
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errJoined) {
			return err
		}
		var oor *eventlog.OutOfRangeError
		if errors.As(err, &oor) && canSkip(oor.Oldest) {
			from = oor.Oldest - 1
			f.last.Store(max(f.last.Load(), from))
			skipped()
			continue
		}
		if err == nil {
			err = errors.New("the log stopped delivering without an error")
		}
		return fmt.Errorf("following the event log after sequence %d: %w", from, err)
	}
}

// prepare calls the start function of every reader that has one,
// concurrently, and sets its cursor to what it returns.
func (f *Follower) prepare(ctx context.Context, readers []registered) {
	var wg sync.WaitGroup
	for i := range readers {
		if start := readers[i].start; start != nil {
			wg.Go(func() { readers[i].after = start(ctx) })
		}
	}
	wg.Wait()
}

// deliver hands ev to every reader that does not hold it yet.
func deliver(readers []registered, ev *gatewayv1.Event) {
	seq := ev.GetSequence()
	for i := range readers {
		if seq > readers[i].after {
			readers[i].r.Apply(ev)
		}
	}
}

// minAfter is the earliest cursor of readers.
func minAfter(readers []registered) uint64 {
	from := readers[0].after
	for _, r := range readers[1:] {
		from = min(from, r.after)
	}
	return from
}

// trimmersOf are the readers that are also Trimmers.
func trimmersOf(readers []registered) []Trimmer {
	var out []Trimmer
	for _, r := range readers {
		if t, ok := r.r.(Trimmer); ok {
			out = append(out, t)
		}
	}
	return out
}

// trimCounter returns a function to call once per event handed to the
// rebuilt readers: every TrimEvery calls it tells the Trimmers the log's
// oldest sequence.
func (f *Follower) trimCounter(ctx context.Context, trimmers []Trimmer) func() {
	every := f.TrimEvery
	if every <= 0 {
		every = DefaultTrimEvery
	}
	n := 0
	return func() {
		if n++; n%every == 0 {
			f.trim(ctx, trimmers)
		}
	}
}

// headRetryMax is the longest pause between two attempts to read the log's
// head while the log is unavailable.
const headRetryMax = 2 * time.Second

// head reads the log's head, waiting out a log that is briefly unavailable
// (a NATS cluster electing the stream's leader as the gateway starts): the
// pause starts at 100ms and doubles up to headRetryMax, for as long as ctx
// lasts, while Ready reports the rebuild as not started. Any other error,
// and a stream recreated under the log, which waiting does not mend, ends
// the wait.
func (f *Follower) head(ctx context.Context) (uint64, error) {
	wait := 100 * time.Millisecond
	for {
		_, head, err := f.log.Bounds(ctx)
		if err == nil || !errors.Is(err, eventlog.ErrUnavailable) || errors.Is(err, eventlog.ErrRecreated) {
			return head, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, err
		}
		wait = min(2*wait, headRetryMax)
	}
}

// canSkipTo reports whether following may resume at oldest: only rebuilt
// readers lose the events before it.
func (f *Follower) canSkipTo(oldest uint64) bool {
	if oldest <= f.last.Load()+1 {
		return false
	}
	for _, r := range f.readers {
		if !r.rebuilt && r.after+1 < oldest {
			return false
		}
	}
	return true
}

// trim tells every Trimmer the log's oldest retained sequence. A failed read
// of the bounds is retried at the next interval: trimming only saves memory.
func (f *Follower) trim(ctx context.Context, trimmers []Trimmer) {
	if len(trimmers) == 0 || f.restoring.Load() {
		return // a reader being restored is not to be touched
	}
	oldest, _, err := f.log.Bounds(ctx)
	if err != nil {
		return
	}
	for _, t := range trimmers {
		t.Trim(oldest)
	}
}
