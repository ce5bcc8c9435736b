// Package checkpoint saves the gateway's state projections (calls, rooms) as
// checkpoints next to the event log, and restores them when the gateway
// starts, so that a restart replays only the events after the newest
// checkpoint instead of the whole retained log.
//
// A checkpoint is a projection's snapshot (its own encoding, see
// Snapshotter) with the log's epoch and the sequence of the last event it
// reflects. It is used only for the log it was taken from (same epoch) and
// only when the log still holds every event after it; anything else —
// no checkpoint, another epoch, a corrupt or foreign object, an unreachable
// store — is logged and the projection is rebuilt from the log, as without
// checkpoints. The Keeper holds that policy; a Store keeps the bytes
// (JetStream: an object store bucket).
package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// Snapshotter is a projection that can be saved and restored.
type Snapshotter interface {
	// WriteSnapshot writes the projection's state as of the last event
	// applied to w and returns that event's sequence (0 when none was
	// applied). It is safe while the follower applies events.
	WriteSnapshot(w io.Writer) (seq uint64, err error)
	// ReadSnapshot replaces the state of a projection that has applied no
	// event with the snapshot in r and returns the sequence it reflects; a
	// malformed snapshot is an error and leaves the projection empty.
	ReadSnapshot(r io.Reader) (seq uint64, err error)
}

// Store keeps one checkpoint per projection name.
type Store interface {
	// Info returns the metadata of the checkpoint of name; ErrNotFound
	// when there is none.
	Info(ctx context.Context, name string) (Meta, error)
	// Open returns the checkpoint of name and a reader of its content;
	// ErrNotFound when there is none, a *ForeignError when it is not a
	// checkpoint. The reader fails with a *CorruptError, before it hands
	// out the last byte, when the content is not what was stored.
	Open(ctx context.Context, name string) (Meta, io.ReadCloser, error)
	// Save stores data as the checkpoint m.Name, replacing the previous one
	// only once every byte is stored.
	Save(ctx context.Context, m Meta, data []byte) error
}

// Meta describes a checkpoint.
type Meta struct {
	// Name is the projection's name ("calls", "rooms").
	Name string
	// Epoch is the epoch of the log the checkpoint was taken from.
	Epoch string
	// Sequence is the sequence of the last event the snapshot reflects.
	Sequence uint64
	// Format names the encoding of the content; Format for this build.
	Format string
	// Bytes is the content's size.
	Bytes int64
	// Written is when the store took it (the store's clock); set by Info
	// and Open.
	Written time.Time
}

// Format is the format tag of the checkpoints this build writes: a
// projection's WriteSnapshot output, as is. A checkpoint with another tag
// is not read.
const Format = "trtcgw-snapshot-v1"

// ErrNotFound means the store holds no checkpoint of that name.
var ErrNotFound = errors.New("no checkpoint")

// ForeignError is an object in the checkpoint store that is not a
// checkpoint this gateway wrote.
type ForeignError struct {
	Name   string
	Reason string
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("checkpoint %s is not one the gateway wrote: %s", e.Name, e.Reason)
}

// CorruptError is a checkpoint whose content does not match what was stored.
type CorruptError struct {
	Name string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint %s is corrupt: %v", e.Name, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Log is what a Keeper needs of the event log.
type Log interface {
	// Bounds returns the oldest retained and the newest sequence.
	Bounds(ctx context.Context) (oldest, head uint64, err error)
	// Epoch names the log.
	Epoch() string
}

// State is a projection as a Keeper sees it: it applies the follower's
// events, and it saves and restores snapshots.
type State interface {
	Applier
	Snapshotter
}

// Projection is one projection a Keeper saves and restores.
type Projection struct {
	// Name names its checkpoint; one per projection.
	Name string
	// State is the projection. Register Keeper.Reader(Name) with the
	// follower in its place.
	State State
}

// Options configures a Keeper.
type Options struct {
	// Store keeps the checkpoints.
	Store Store
	// Log is the event log the projections follow.
	Log Log
	// Projections are saved and restored by name.
	Projections []Projection
	// Position returns the last sequence handed to the projections (the
	// follower's Last): a projection whose checkpoint is at it has nothing
	// new to save.
	Position func() uint64
	// Interval is the time between two periodic checkpoints (Run). A
	// checkpoint of the same epoch that another gateway wrote less than
	// half of it ago is as good as a new one, so Run skips that round.
	Interval time.Duration
	// LoadWait bounds how long a Restore retries a store that is
	// unavailable (a NATS cluster still electing leaders) before it
	// rebuilds from the log instead; zero means DefaultLoadWait.
	LoadWait time.Duration
	// Logger receives a line per restore and per checkpoint; nil discards.
	Logger *slog.Logger
	// Registerer, when set, gets the checkpoint and restore metrics.
	Registerer prometheus.Registerer
}

// DefaultLoadWait is how long a Restore waits for an unavailable store.
const DefaultLoadWait = 15 * time.Second

// Keeper restores the projections from their checkpoints at start and
// writes new checkpoints while the gateway runs.
type Keeper struct {
	opts   Options
	logger *slog.Logger
	byName map[string]*kept
	list   []*kept
	m      metrics

	// writing serialises checkpoints: one encoding in memory at a time.
	writing sync.Mutex
}

// kept is a Keeper's record of one projection.
type kept struct {
	Projection
	// gate is what the follower applies events through (see Reader).
	gate *gate
	// restored is set once Restore returned: before, the projection is
	// being restored and must not be encoded.
	restored atomic.Bool
	// saved is the sequence of the newest checkpoint this gateway wrote or
	// restored; under Keeper.writing once restored.
	saved uint64
	// savedAt is when it was written (the store's clock), for the age
	// metric; Unix nanoseconds, 0 before any.
	savedAt atomic.Int64
	// size is the last checkpoint's size, to size the next buffer.
	size int
}

// New returns a Keeper of opts.Projections.
func New(opts Options) (*Keeper, error) {
	if opts.Store == nil || opts.Log == nil || opts.Position == nil {
		return nil, errors.New("checkpoint: a Keeper needs a Store, a Log and a Position")
	}
	if opts.LoadWait <= 0 {
		opts.LoadWait = DefaultLoadWait
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	k := &Keeper{opts: opts, logger: logger, byName: map[string]*kept{}}
	for _, p := range opts.Projections {
		if p.Name == "" || p.State == nil || k.byName[p.Name] != nil {
			return nil, fmt.Errorf("checkpoint: projection %q: each needs a name of its own and a state", p.Name)
		}
		kp := &kept{Projection: p, gate: newGate(p.State)}
		k.byName[p.Name] = kp
		k.list = append(k.list, kp)
	}
	k.m = newMetrics(k)
	if opts.Registerer != nil {
		if err := k.m.register(opts.Registerer); err != nil {
			return nil, fmt.Errorf("checkpoint: registering metrics: %w", err)
		}
	}
	return k, nil
}

// Reader returns what the follower is to hand the projection name's events
// to, in its place: the projection itself, except while its checkpoint is
// encoded, when the events (and trims) are queued and applied right after,
// in order, so that the follower does not wait for the encoding. It is
// also a follower.Trimmer.
func (k *Keeper) Reader(name string) interface {
	Applier
	trimmer
} {
	return k.byName[name].gate
}

// Restorer returns the start function of the projection name for
// follower.RegisterRebuiltFrom: it restores the projection from its
// checkpoint and returns the checkpoint's sequence, or, when the checkpoint
// cannot be used, logs why and returns the cursor to rebuild from (the
// oldest retained event).
func (k *Keeper) Restorer(name string) func(ctx context.Context) uint64 {
	kp := k.byName[name]
	return func(ctx context.Context) uint64 {
		defer kp.restored.Store(true)
		return k.restore(ctx, kp)
	}
}

// restore is Restorer's function for kp.
func (k *Keeper) restore(ctx context.Context, kp *kept) uint64 {
	began := time.Now()
	log := k.logger.With(slog.String("projection", kp.Name))
	fromLog := func(level slog.Level, why string, err error) uint64 {
		after := uint64(0) // the follower skips to the oldest retained event
		oldest, head, berr := k.opts.Log.Bounds(ctx)
		if berr == nil && oldest > 0 {
			after = oldest - 1
		}
		attrs := []any{slog.String("why", why), slog.Uint64("events", head-min(after, head))}
		if err != nil {
			attrs = append(attrs, slog.Any("err", err))
		}
		log.Log(ctx, level, "state: rebuilding the projection from the event log", attrs...)
		k.m.restored(kp.Name, "log", time.Since(began))
		return after
	}
	m, content, err := k.open(ctx, kp.Name)
	if content != nil {
		defer content.Close()
	}
	var foreign *ForeignError
	var corrupt *CorruptError
	switch {
	case ctx.Err() != nil:
		return 0
	case errors.Is(err, ErrNotFound):
		return fromLog(slog.LevelInfo, "no checkpoint", nil)
	case errors.As(err, &foreign), errors.As(err, &corrupt):
		return fromLog(slog.LevelWarn, "the checkpoint cannot be read", err)
	case err != nil:
		return fromLog(slog.LevelWarn, "the checkpoint store is unavailable", err)
	case m.Format != Format:
		return fromLog(slog.LevelWarn, fmt.Sprintf("the checkpoint's format is %q, this gateway reads %q", m.Format, Format), nil)
	case m.Epoch != k.opts.Log.Epoch():
		return fromLog(slog.LevelInfo, fmt.Sprintf("the checkpoint is of epoch %s, the log's is %s (the stream was recreated)", m.Epoch, k.opts.Log.Epoch()), nil)
	}
	oldest, head, err := k.opts.Log.Bounds(ctx)
	switch {
	case ctx.Err() != nil:
		return 0
	case err != nil:
		return fromLog(slog.LevelWarn, "reading the event log's bounds", err)
	case m.Sequence > head:
		return fromLog(slog.LevelWarn, fmt.Sprintf("the checkpoint is at sequence %d, past the log's head %d", m.Sequence, head), nil)
	case m.Sequence+1 < oldest:
		// Every retained event is after the checkpoint, so it saves no
		// replay, and the events between it and the oldest are gone: a
		// projection rebuilt from the log is the honest one.
		return fromLog(slog.LevelInfo, fmt.Sprintf("the checkpoint is at sequence %d and the log's oldest event is %d: the events between have left the log", m.Sequence, oldest), nil)
	}
	// Downloaded as it is decoded: the decoder reads to the end, where the
	// content is checked, and keeps nothing of a checkpoint that fails.
	decodeStart := time.Now()
	seq, err := kp.State.ReadSnapshot(content)
	if err != nil && ctx.Err() != nil {
		return 0 // stopped during the download: nothing to say
	}
	if err != nil {
		return fromLog(slog.LevelWarn, "the checkpoint cannot be read or does not decode", err)
	}
	if seq != m.Sequence {
		// The content is what the projection now holds: follow from it.
		log.Warn("state: the checkpoint's content is at another sequence than its metadata says; following from the content's",
			slog.Uint64("content_sequence", seq), slog.Uint64("metadata_sequence", m.Sequence))
	}
	kp.saved = seq
	kp.size = int(m.Bytes)
	kp.savedAt.Store(m.Written.UnixNano())
	k.m.saved(kp.Name, seq, int(m.Bytes))
	k.m.restored(kp.Name, "checkpoint", time.Since(began))
	log.Info("state: restored the projection from its checkpoint", slog.Uint64("sequence", seq), slog.Int64("bytes", m.Bytes),
		slog.Float64("download_and_decode_seconds", time.Since(decodeStart).Seconds()), slog.Float64("seconds", time.Since(began).Seconds()),
		slog.Uint64("events_to_replay", head-min(seq, head)), slog.Time("written", m.Written))
	return seq
}

// open is Store.Open, retried while the store is unavailable, up to LoadWait.
func (k *Keeper) open(ctx context.Context, name string) (Meta, io.ReadCloser, error) {
	deadline := time.Now().Add(k.opts.LoadWait)
	wait := 100 * time.Millisecond
	for {
		m, content, err := k.opts.Store.Open(ctx, name)
		if err == nil || !errors.Is(err, eventlog.ErrUnavailable) || time.Now().Add(wait).After(deadline) {
			return m, content, err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return m, content, err
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Checkpoint writes the checkpoint of every projection that has advanced
// since its newest one and whose stored checkpoint is older, one after the
// other; it returns the failures, joined. Each snapshot is encoded into
// memory, with the follower's events for the projection queued meanwhile
// (see Reader), and uploaded after.
func (k *Keeper) Checkpoint(ctx context.Context) error {
	return k.checkpoint(ctx, false)
}

// checkpoint is Checkpoint; periodic also skips a projection whose stored
// checkpoint is fresh (see Options.Interval).
func (k *Keeper) checkpoint(ctx context.Context, periodic bool) error {
	k.writing.Lock()
	defer k.writing.Unlock()
	var errs []error
	for _, kp := range k.list {
		if err := k.write(ctx, kp, periodic); err != nil {
			k.m.failures.WithLabelValues(kp.Name).Inc()
			k.logger.Warn("state: writing a checkpoint failed; the next one is tried at the next interval",
				slog.String("projection", kp.Name), slog.Any("err", err))
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// write writes kp's checkpoint when it is worth it.
func (k *Keeper) write(ctx context.Context, kp *kept, periodic bool) error {
	log := k.logger.With(slog.String("projection", kp.Name))
	if !kp.restored.Load() {
		log.Debug("state: no checkpoint while the projection is being restored")
		return nil
	}
	pos := k.opts.Position()
	if pos <= kp.saved {
		log.Debug("state: no checkpoint: nothing new since the last", slog.Uint64("sequence", kp.saved))
		return nil
	}
	epoch := k.opts.Log.Epoch()
	stored, err := k.opts.Store.Info(ctx, kp.Name)
	ours := err == nil && stored.Epoch == epoch && stored.Format == Format
	var foreign *ForeignError
	switch {
	case ours && stored.Sequence >= pos:
		// Another replica of the cluster wrote one as new.
		log.Debug("state: no checkpoint: the stored one is as new", slog.Uint64("sequence", stored.Sequence))
		return nil
	case ours && periodic && time.Since(stored.Written) < k.opts.Interval/2:
		log.Debug("state: no checkpoint: another gateway wrote one a moment ago", slog.Time("written", stored.Written))
		return nil
	case err != nil && !errors.Is(err, ErrNotFound) && !errors.As(err, &foreign):
		return fmt.Errorf("reading the stored checkpoint's metadata: %w", err)
	}

	buf := bytes.NewBuffer(make([]byte, 0, kp.size+kp.size/8))
	began := time.Now()
	// The projection stands still meanwhile; the follower's events for it
	// queue at its gate.
	kp.gate.hold()
	seq, err := kp.State.WriteSnapshot(buf)
	kp.gate.release()
	encoded := time.Since(began)
	if err != nil {
		return fmt.Errorf("encoding the snapshot: %w", err)
	}
	if seq == 0 || seq <= kp.saved || (ours && seq <= stored.Sequence) {
		return nil // nothing applied yet, or nothing newer than what is stored
	}
	upStart := time.Now()
	m := Meta{Name: kp.Name, Epoch: epoch, Sequence: seq, Format: Format, Bytes: int64(buf.Len())}
	if err := k.opts.Store.Save(ctx, m, buf.Bytes()); err != nil {
		return fmt.Errorf("storing the checkpoint at sequence %d (%d bytes): %w", seq, buf.Len(), err)
	}
	uploaded := time.Since(upStart)
	kp.saved, kp.size = seq, buf.Len()
	kp.savedAt.Store(time.Now().UnixNano())
	k.m.saved(kp.Name, seq, buf.Len())
	k.m.encode.WithLabelValues(kp.Name).Set(encoded.Seconds())
	k.m.upload.WithLabelValues(kp.Name).Set(uploaded.Seconds())
	k.m.written.WithLabelValues(kp.Name).Inc()
	log.Info("state: wrote a checkpoint", slog.Uint64("sequence", seq), slog.Int("bytes", buf.Len()),
		slog.Float64("encode_seconds", encoded.Seconds()), slog.Float64("upload_seconds", uploaded.Seconds()))
	return nil
}

// Run writes checkpoints every Interval (give or take a tenth, so that
// replicas started together do not all upload at once) until ctx ends.
// Failures are logged and counted; the next round tries again.
func (k *Keeper) Run(ctx context.Context) {
	for {
		d := k.opts.Interval + time.Duration((rand.Float64()-0.5)*0.2*float64(k.opts.Interval))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		_ = k.checkpoint(ctx, true)
	}
}
