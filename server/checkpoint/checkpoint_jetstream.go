package checkpoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// Metadata keys of a checkpoint object (ObjectMeta.Metadata).
const (
	metaEpoch    = "trtcgw-epoch"
	metaSequence = "trtcgw-sequence"
	metaFormat   = "trtcgw-format"
	metaBytes    = "trtcgw-bytes"
)

const (
	// jsAPITimeout bounds one object store request that has no deadline of
	// its own (info, bucket lookup, purge).
	jsAPITimeout = 5 * time.Second
	// maxChunk is the largest chunk an object is stored in: fewer, larger
	// messages than nats.go's default of 128 KiB, and below the 1 MiB
	// max_payload NATS servers have by default.
	maxChunk = 1<<20 - 8<<10
	// DefaultOrphanAge is how long chunks that no object refers to are
	// kept before Save purges them: chunks of an upload that a killed
	// process never finished. An upload in progress on another replica
	// writes a chunk every few milliseconds, so its chunks are never this old.
	DefaultOrphanAge = 15 * time.Minute
)

// JetStreamOptions configures a JetStream checkpoint store.
type JetStreamOptions struct {
	// Stream is the event log's stream; the bucket is BucketName(Stream).
	Stream string
	// Replicas is how many NATS servers store each checkpoint: the
	// stream's own (1 to 5); zero means 1.
	Replicas int
	// OrphanAge is how old unreferenced chunks must be for Save to purge
	// them; zero means DefaultOrphanAge.
	OrphanAge time.Duration
	// Logger receives what Save does on the side (orphaned chunks purged).
	// Nil discards it.
	Logger *slog.Logger
}

// JetStream keeps checkpoints in a JetStream object store bucket on the NATS
// system of the event log, one object per projection name, shared by every
// replica. The bucket is created by the first Save. Each object carries in
// its metadata the log's epoch, the sequence, the format tag and the size.
//
// An object is replaced atomically: nats.go's Put stores the new chunks
// under a new id and then, in one message, the object's description that
// names them; a process killed before that message leaves the previous
// description, and its chunks, in place. The new chunks it leaves behind
// are purged by a later Save (see JetStreamOptions.OrphanAge).
type JetStream struct {
	js       jetstream.JetStream
	bucket   string
	replicas int
	chunk    uint32
	orphan   time.Duration
	log      *slog.Logger

	mu  sync.Mutex
	obs jetstream.ObjectStore // nil until bound or created
}

var _ Store = (*JetStream)(nil)

// validBucket is what JetStream accepts as a bucket name.
var validBucket = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// BucketName is the object store bucket of the checkpoints of the log in
// stream: the stream's name with every character a bucket name cannot
// hold replaced by '_', then "_CHECKPOINTS".
func BucketName(stream string) string {
	if stream == "" {
		stream = eventlog.DefaultStreamName
	}
	b := []byte(stream)
	for i, c := range b {
		if !validBucket.Match([]byte{c}) {
			b[i] = '_'
		}
	}
	return string(b) + "_CHECKPOINTS"
}

// OpenJetStream returns the checkpoint store of the log in opts.Stream on
// nc. It does not talk to NATS: the bucket is looked up by the first call
// and created by the first Save. It does not take ownership of nc.
func OpenJetStream(nc *nats.Conn, opts JetStreamOptions) (*JetStream, error) {
	if nc == nil {
		return nil, errors.New("checkpoint: open JetStream: nil NATS connection")
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: open JetStream: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	chunk := int64(maxChunk)
	if mp := nc.MaxPayload(); mp > 0 {
		chunk = min(chunk, mp-8<<10)
	}
	orphan := opts.OrphanAge
	if orphan <= 0 {
		orphan = DefaultOrphanAge
	}
	return &JetStream{
		js: js, bucket: BucketName(opts.Stream), replicas: max(opts.Replicas, 1), orphan: orphan,
		chunk: uint32(max(chunk, 4<<10)), log: logger.With(slog.String("bucket", BucketName(opts.Stream))),
	}, nil
}

// Bucket is the object store bucket the checkpoints are in.
func (s *JetStream) Bucket() string { return s.bucket }

// store returns the bucket, binding it, or creating it when create is set.
// A missing bucket without create is ErrNotFound.
func (s *JetStream) store(ctx context.Context, create bool) (jetstream.ObjectStore, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.obs != nil {
		return s.obs, nil
	}
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	obs, err := s.js.ObjectStore(ctx, s.bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) && create {
		obs, err = s.js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:      s.bucket,
			Description: "trtc-gateway checkpoints of the projections of the event log",
			Storage:     jetstream.FileStorage,
			Replicas:    s.replicas,
		})
		if err != nil {
			return nil, s.unavailable("create bucket", err)
		}
		s.log.Info("checkpoint: created the object store bucket", slog.Int("replicas", s.replicas))
	}
	switch {
	case errors.Is(err, jetstream.ErrBucketNotFound):
		return nil, ErrNotFound
	case err != nil:
		return nil, s.unavailable("bind bucket", err)
	}
	s.obs = obs
	return obs, nil
}

// unavailable wraps err from op in eventlog.ErrUnavailable when it may pass
// by waiting (NATS unreachable, no JetStream leader, out of storage).
func (s *JetStream) unavailable(op string, err error) error {
	return fmt.Errorf("checkpoint: %s in bucket %s: %w: %w", op, s.bucket, eventlog.ErrUnavailable, err)
}

// Info returns the metadata of the checkpoint of name without its content.
func (s *JetStream) Info(ctx context.Context, name string) (Meta, error) {
	obs, err := s.store(ctx, false)
	if err != nil {
		return Meta{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	info, err := obs.GetInfo(ctx, name)
	if err != nil {
		return Meta{}, s.notFound("info of "+name, err)
	}
	return metaOf(info)
}

// notFound maps the object store's "no such object" to ErrNotFound.
func (s *JetStream) notFound(op string, err error) error {
	if errors.Is(err, jetstream.ErrObjectNotFound) || errors.Is(err, jetstream.ErrBucketNotFound) {
		return ErrNotFound
	}
	return s.unavailable(op, err)
}

// metaOf reads a checkpoint's metadata from an object's; an object without
// it (not written by a gateway) is a *ForeignError.
func metaOf(info *jetstream.ObjectInfo) (Meta, error) {
	md := info.Metadata
	m := Meta{Name: info.Name, Epoch: md[metaEpoch], Format: md[metaFormat], Written: info.ModTime}
	var err1, err2 error
	m.Sequence, err1 = strconv.ParseUint(md[metaSequence], 10, 64)
	m.Bytes, err2 = strconv.ParseInt(md[metaBytes], 10, 64)
	switch {
	case m.Epoch == "" || m.Format == "" || err1 != nil || err2 != nil:
		return m, &ForeignError{Name: info.Name, Reason: fmt.Sprintf("its metadata lacks the gateway's epoch, sequence, format or size (%v)", md)}
	case uint64(m.Bytes) != info.Size:
		return m, &ForeignError{Name: info.Name, Reason: fmt.Sprintf("its metadata says %d bytes and the object holds %d", m.Bytes, info.Size)}
	}
	return m, nil
}

// Open returns the checkpoint of name and a reader of its content, which
// the object store streams as it is read. The reader checks the content
// against the digest and size the object store recorded before it hands
// out the last byte: a content that does not match fails with a
// *CorruptError instead, so that a decoder reading to the end never takes
// a damaged checkpoint for a good one. Close the reader.
func (s *JetStream) Open(ctx context.Context, name string) (Meta, io.ReadCloser, error) {
	obs, err := s.store(ctx, false)
	if err != nil {
		return Meta{}, nil, err
	}
	res, err := obs.Get(ctx, name)
	if err != nil {
		return Meta{}, nil, s.notFound("get "+name, err)
	}
	info, err := res.Info()
	if err != nil {
		res.Close()
		return Meta{}, nil, s.unavailable("get "+name, err)
	}
	m, err := metaOf(info)
	if err != nil {
		res.Close()
		return m, nil, err
	}
	return m, prefetch(&verified{r: res, left: info.Size, name: name, s: s}), nil
}

// prefetchChunk is how much a prefetch reads from the object at a time.
const prefetchChunk = 1 << 20

// prefetched reads an object on a goroutine of its own as fast as the
// object store delivers it, and hands the bytes to a slower reader (the
// snapshot decoder). nats.go streams an object through an unbuffered pipe
// whose reads time out after a few seconds without data and whose
// subscription stalls while its callback waits for the reader: a decoder
// reading it directly failed half way through a 120 MB checkpoint. At most
// the whole object waits in memory, as it would if it were downloaded
// first, and usually far less, since the decoder keeps up.
type prefetched struct {
	src  io.ReadCloser
	done chan struct{} // closed when the goroutine has ended

	mu     sync.Mutex
	ready  *sync.Cond
	chunks [][]byte // read, not yet handed out
	err    error    // how the source ended: io.EOF when whole
	closed bool
}

func prefetch(src io.ReadCloser) *prefetched {
	p := &prefetched{src: src, done: make(chan struct{})}
	p.ready = sync.NewCond(&p.mu)
	go p.fill()
	return p
}

// fill reads the source until it ends or Close.
func (p *prefetched) fill() {
	defer close(p.done)
	for {
		buf := make([]byte, prefetchChunk)
		n, err := io.ReadFull(p.src, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		p.mu.Lock()
		if n > 0 {
			p.chunks = append(p.chunks, buf[:n])
		}
		if err != nil {
			p.err = err
		}
		stop := p.err != nil || p.closed
		p.ready.Broadcast()
		p.mu.Unlock()
		if stop {
			return
		}
	}
}

func (p *prefetched) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.chunks) == 0 && p.err == nil && !p.closed {
		p.ready.Wait()
	}
	if len(p.chunks) > 0 {
		n := copy(b, p.chunks[0])
		if p.chunks[0] = p.chunks[0][n:]; len(p.chunks[0]) == 0 {
			p.chunks[0] = nil
			p.chunks = p.chunks[1:]
		}
		return n, nil
	}
	if p.closed {
		return 0, errors.New("checkpoint: read after Close")
	}
	return 0, p.err
}

// Close stops the download and waits for its goroutine.
func (p *prefetched) Close() error {
	p.mu.Lock()
	p.closed = true
	p.chunks = nil
	p.ready.Broadcast()
	p.mu.Unlock()
	err := p.src.Close() // ends a read in progress
	<-p.done
	return err
}

// verified reads an object's content, checking it whole before its last
// byte is handed out (see Open).
type verified struct {
	r    jetstream.ObjectResult
	left uint64 // bytes still to hand out
	name string
	s    *JetStream
	err  error
}

func (v *verified) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.left == 0 {
		return 0, io.EOF
	}
	if uint64(len(p)) > v.left {
		p = p[:v.left]
	}
	n, err := v.r.Read(p)
	v.left -= uint64(n)
	switch {
	case errors.Is(err, jetstream.ErrDigestMismatch):
		v.err = &CorruptError{Name: v.name, Err: err}
	case err == io.EOF && v.left > 0:
		v.err = &CorruptError{Name: v.name, Err: fmt.Errorf("the object ended %d bytes short of its size", v.left)}
	case err != nil && err != io.EOF:
		v.err = v.s.unavailable("read "+v.name, err)
	case v.left == 0:
		// The last bytes: the object store checks the digest at the end
		// of the object, which must come now.
		var one [1]byte
		switch extra, err := v.r.Read(one[:]); {
		case extra > 0:
			v.err = &CorruptError{Name: v.name, Err: errors.New("the object is longer than its size")}
		case errors.Is(err, jetstream.ErrDigestMismatch):
			v.err = &CorruptError{Name: v.name, Err: err}
		case err != io.EOF && err != nil:
			v.err = v.s.unavailable("read "+v.name, err)
		}
	}
	if v.err != nil {
		return 0, v.err // not even the bytes read: they are not to be used
	}
	return n, nil
}

// Close releases the object's subscription.
func (v *verified) Close() error { return v.r.Close() }

// Save stores data as the checkpoint m.Name, replacing the previous one
// only once every byte is stored; it creates the bucket when there is none
// and first purges orphaned chunks (see JetStreamOptions.OrphanAge).
func (s *JetStream) Save(ctx context.Context, m Meta, data []byte) error {
	obs, err := s.store(ctx, true)
	if err != nil {
		return err
	}
	s.purgeOrphans(ctx, obs)
	if err := s.checkRoom(ctx, len(data)); err != nil {
		return err
	}
	_, err = obs.Put(ctx, jetstream.ObjectMeta{
		Name:        m.Name,
		Description: fmt.Sprintf("trtc-gateway checkpoint of %s at sequence %d of epoch %s", m.Name, m.Sequence, m.Epoch),
		Metadata: map[string]string{
			metaEpoch:    m.Epoch,
			metaSequence: strconv.FormatUint(m.Sequence, 10),
			metaFormat:   m.Format,
			metaBytes:    strconv.Itoa(len(data)),
		},
		Opts: &jetstream.ObjectMetaOptions{ChunkSize: s.chunk},
	}, bytes.NewReader(data))
	if err != nil {
		return s.unavailable("put "+m.Name, err)
	}
	return nil
}

// checkRoom refuses a checkpoint that would take more than half of the
// JetStream storage the account has left, when its account has a limit:
// the event log shares that storage, and a webhook must not be refused for
// want of room a checkpoint took. (A server-wide limit, such as the
// embedded server's, is not visible to clients: there the upload fails
// when it does not fit, and its chunks are purged at once.)
func (s *JetStream) checkRoom(ctx context.Context, size int) error {
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	ai, err := s.js.AccountInfo(ctx)
	if err != nil || ai.Limits.MaxStore <= 0 {
		return nil // no limit to respect, or none known: Put will tell
	}
	free := ai.Limits.MaxStore - int64(ai.Store)
	if int64(size) > free/2 {
		return s.unavailable("put", fmt.Errorf("the checkpoint's %d bytes would take more than half of the %d bytes of JetStream storage the account has left, which the event log needs", size, max(free, 0)))
	}
	return nil
}

// chunkPrefix is the subject prefix of the bucket's chunks ($O.<bucket>.C.<nuid>).
func (s *JetStream) chunkPrefix() string { return "$O." + s.bucket + ".C." }

// purgeOrphans purges the chunks no object of the bucket refers to whose
// newest message is older than the orphan age: an upload a killed process left
// half done, or the previous chunks of an object whose replacement was cut
// short before it purged them. Failures are logged: they cost only space.
func (s *JetStream) purgeOrphans(ctx context.Context, obs jetstream.ObjectStore) {
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	stream, err := s.js.Stream(ctx, "OBJ_"+s.bucket)
	if err != nil {
		s.log.Debug("checkpoint: looking for orphaned chunks", slog.Any("err", err))
		return
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(s.chunkPrefix()+">"))
	if err != nil {
		s.log.Debug("checkpoint: looking for orphaned chunks", slog.Any("err", err))
		return
	}
	if len(info.State.Subjects) == 0 {
		return
	}
	objects, err := obs.List(ctx, jetstream.ListObjectsShowDeleted())
	if err != nil && !errors.Is(err, jetstream.ErrNoObjectsFound) {
		s.log.Debug("checkpoint: looking for orphaned chunks", slog.Any("err", err))
		return
	}
	live := make(map[string]bool, len(objects))
	for _, o := range objects {
		if !o.Deleted {
			live[o.NUID] = true
		}
	}
	for subj := range info.State.Subjects {
		if live[strings.TrimPrefix(subj, s.chunkPrefix())] {
			continue
		}
		last, err := stream.GetLastMsgForSubject(ctx, subj)
		if err != nil || time.Since(last.Time) < s.orphan {
			continue // an upload in progress elsewhere, or gone meanwhile
		}
		if err := stream.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
			s.log.Warn("checkpoint: purging orphaned chunks", slog.String("subject", subj), slog.Any("err", err))
			continue
		}
		s.log.Info("checkpoint: purged the chunks of an upload that never finished", slog.String("subject", subj),
			slog.Uint64("messages", info.State.Subjects[subj]), slog.Time("last_written", last.Time))
	}
}
