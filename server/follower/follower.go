// Package follower is the gateway's one reader of the event log: it follows
// the log in order and hands each event to every registered reader — the hub
// (fan-out to subscribers) and the state projections (calls, rooms). Readers
// never read the log themselves, so every one of them sees the same events in
// the same order, and a replica of a cluster derives the same state from the
// same stream.
package follower

import (
	"context"
	"errors"
	"fmt"
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
}

func (e *RebuildingError) Error() string {
	return fmt.Sprintf("the gateway is rebuilding its state from the event log: at sequence %d of %d", e.At, e.Target)
}

// Ready returns nil once every event up to the head the log had when Run
// began has been handed to the readers, and a *RebuildingError before.
func (f *Follower) Ready() error {
	if f.ready.Load() {
		return nil
	}
	last, target := f.last.Load(), f.target.Load()
	if f.running.Load() && last >= target {
		f.ready.Store(true)
		return nil
	}
	return &RebuildingError{At: last, Target: target}
}

// Last is the sequence of the last event handed to the readers.
func (f *Follower) Last() uint64 { return f.last.Load() }

// Run follows the log from the earliest cursor of its readers and hands each
// event to every reader that does not hold it yet, until ctx ends (it returns
// nil) or the log fails (it returns the log's error, wrapped). A follower runs
// once.
func (f *Follower) Run(ctx context.Context) error {
	if !f.started.CompareAndSwap(false, true) {
		return errors.New("follower: Run was already called; a follower runs once")
	}
	if len(f.readers) == 0 {
		return errors.New("follower: no readers registered")
	}
	from := f.readers[0].after
	for _, r := range f.readers[1:] {
		from = min(from, r.after)
	}
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
	every := f.TrimEvery
	if every <= 0 {
		every = DefaultTrimEvery
	}
	var trimmers []Trimmer
	for _, r := range f.readers {
		if t, ok := r.r.(Trimmer); ok {
			trimmers = append(trimmers, t)
		}
	}
	n := 0
	for {
		err = f.log.Follow(ctx, from, func(ev *gatewayv1.Event) error {
			seq := ev.GetSequence()
			for i := range f.readers {
				if seq > f.readers[i].after {
					f.readers[i].r.Apply(ev)
				}
			}
			f.last.Store(seq)
			if n++; n%every == 0 && len(trimmers) > 0 {
				f.trim(ctx, trimmers)
			}
			return nil
		})
		if ctx.Err() != nil {
			return nil
		}
		var oor *eventlog.OutOfRangeError
		if errors.As(err, &oor) && f.canSkipTo(oor.Oldest) {
			from = oor.Oldest - 1
			f.last.Store(from)
			f.trim(ctx, trimmers)
			continue
		}
		if err == nil {
			err = errors.New("the log stopped delivering without an error")
		}
		return fmt.Errorf("following the event log after sequence %d: %w", f.last.Load(), err)
	}
}

// canSkipTo reports whether following may resume at oldest: only rebuilt
// readers lose the events before it.
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
	if len(trimmers) == 0 {
		return
	}
	oldest, _, err := f.log.Bounds(ctx)
	if err != nil {
		return
	}
	for _, t := range trimmers {
		t.Trim(oldest)
	}
}
