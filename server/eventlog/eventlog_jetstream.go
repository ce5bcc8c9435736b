package eventlog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// Defaults of JetStreamOptions.
const (
	// DefaultStreamName is the JetStream stream the log lives in.
	DefaultStreamName = "TRTC_EVENTS"
	// DefaultSubjectPrefix is the first token of every event's subject.
	DefaultSubjectPrefix = "trtc"
	// DefaultDuplicateWindow is how long JetStream remembers event ids.
	DefaultDuplicateWindow = 2 * time.Minute
	// MinDuplicateWindow is the shortest duplicate window JetStream accepts.
	MinDuplicateWindow = 100 * time.Millisecond
	// DefaultPublishTimeout bounds one Append's wait for JetStream's ack.
	DefaultPublishTimeout = 5 * time.Second
	// DefaultCreateWait is how long OpenJetStream waits for a NATS system
	// that cannot create the stream yet (see JetStreamOptions.CreateWait).
	DefaultCreateWait = 30 * time.Second
)

const (
	// jsAPITimeout bounds one JetStream API request (stream info, consumer
	// create or delete) unless the caller's context ends sooner.
	jsAPITimeout = 5 * time.Second
	// jsConsumerIdle is how long the server keeps a consumer nobody pulls
	// from: the backstop for consumers a crashed process never deleted.
	jsConsumerIdle = time.Minute
	// jsFetchBatch caps the messages Read asks for in one pull request.
	jsFetchBatch = 1024
	// jsCatchUpPoll bounds one wait of Read for a replica that is behind the
	// stream leader, after which Read checks retention again.
	jsCatchUpPoll = time.Second
	// Follow pulls jsFollowBatch messages at a time, each pull lasting up to
	// jsFollowExpiry with a server heartbeat every jsFollowHeartbeat; two
	// missed heartbeats make Follow move to a new consumer, which is how it
	// survives the loss of the server that held the old one.
	jsFollowBatch     = 256
	jsFollowExpiry    = 10 * time.Second
	jsFollowHeartbeat = 2 * time.Second
	// jsRetryMin and jsRetryMax bound the pause between retries of a request
	// that failed for a reason expected to pass (no JetStream leader yet, a
	// lost consumer).
	jsRetryMin = 50 * time.Millisecond
	jsRetryMax = 5 * time.Second
	// jsUnreachableRetries is how many times Read retries a pull nobody
	// answered, about 10s with the pauses above.
	jsUnreachableRetries = 8
	// jsMaxPending bounds the appends published on the log's connection
	// and not yet acknowledged. Concurrent webhooks are far fewer; a caller
	// that finds it full waits for a slot up to the publish timeout, then
	// fails as unavailable.
	jsMaxPending = 4096
)

// jsErrCodeDuplicateInProcess is JetStream's answer to a publish whose
// Nats-Msg-Id is the same as one still being replicated: the first one's
// outcome is not known yet, so the publish is retried.
const jsErrCodeDuplicateInProcess jetstream.ErrorCode = 10158

// JetStreamOptions configures a JetStream log.
type JetStreamOptions struct {
	// Stream is the name of the JetStream stream; DefaultStreamName when empty.
	Stream string
	// SubjectPrefix is the first token(s) of every event's subject
	// (see JetStream); DefaultSubjectPrefix when empty.
	SubjectPrefix string
	// MaxMsgs is how many of the newest events the stream keeps; zero or less
	// keeps any number.
	MaxMsgs int64
	// MaxAge is how long the stream keeps an event; zero keeps it forever.
	MaxAge time.Duration
	// MaxBytes is how many bytes of the newest events the stream keeps; zero
	// or less keeps any amount.
	MaxBytes int64
	// Replicas is how many servers of a NATS cluster store each event (1 to
	// 5); zero means 1.
	Replicas int
	// DuplicateWindow is how long JetStream remembers an event's id, so that
	// an Append of the same id within it returns the first one's sequence
	// instead of storing it again. Zero means DefaultDuplicateWindow, or
	// MaxAge when that is shorter. It must be at least MinDuplicateWindow and
	// at most MaxAge when MaxAge is set.
	DuplicateWindow time.Duration
	// PublishTimeout bounds Append's wait for JetStream to acknowledge an
	// event; zero means DefaultPublishTimeout.
	PublishTimeout time.Duration
	// CreateWait is how long OpenJetStream keeps retrying while the NATS
	// system answers that it cannot create the stream yet: it has no servers
	// to place the replicas on (a cluster that has just started has not yet
	// heard from all of its servers), or it could not set up the stream's
	// storage (a deletion of the same stream is still removing its files).
	// It counts from the first such answer, and that answer is always retried.
	// Zero means DefaultCreateWait. After it the error is returned, and
	// for placement it says how many servers the stream needs.
	CreateWait time.Duration
	// Logger receives warnings when Follow has to replace its consumer or
	// open has to wait for JetStream. Nil discards them.
	Logger *slog.Logger
}

// JetStream is a Log kept in a NATS JetStream stream, shared by every gateway
// replica connected to the same NATS system. It is safe for concurrent use.
//
// Each event is one message on the subject
//
//	<prefix>.<sdkappid>.<type>
//
// where prefix is JetStreamOptions.SubjectPrefix ("trtc"), sdkappid is the
// event's SdkAppid in decimal and type is callback.TypeToken of its type, the
// name in lower case without its EVENT_TYPE_ prefix: call_started, call_member_changed,
// call_ended, live_member_state_changed, other (unspecified for an event
// without a type). Teams can therefore consume one application or one kind
// of event with plain NATS tools, e.g. "nats sub 'trtc.1400000001.call_ended'".
// The message's data is the Event in protobuf binary form with sequence and
// epoch left unset; its Nats-Msg-Id header is the event's id.
//
// An event's sequence is its stream sequence, the same on every replica.
// The stream is created with file storage, discard-old limits from the
// options and deny-delete, so messages between the oldest retained and the
// head are never missing one by one: only retention (or a purge) removes
// events, and only from the old end.
//
// The epoch is the first 16 hex digits of the SHA-256 of the stream's name, a
// newline and its creation time in Unix nanoseconds, as JetStream reports it.
// Every replica computes the same epoch, restarts keep it, and recreating the
// stream (a wiped data directory, a deleted stream) changes it. Read,
// Follow and Bounds notice a stream recreated under an open JetStream and
// fail with ErrUnavailable; Append cannot tell (JetStream's ack does not
// say), so the gateway must reopen the log, as a restart does, to continue
// under the new epoch.
type JetStream struct {
	js             jetstream.JetStream
	stream         jetstream.Stream
	name           string
	prefix         string
	created        time.Time
	epoch          string
	publishTimeout time.Duration
	log            *slog.Logger

	// done ends with Close and cancels every call in progress.
	done     context.Context
	stopDone context.CancelFunc

	// appended hands Follow the events this log has just appended (see
	// echoRing).
	appended echoRing

	mu     sync.Mutex
	closed bool
	// calls counts the calls in progress; Close waits for them, so the
	// consumers they created are deleted before it returns.
	calls sync.WaitGroup
}

var _ Log = (*JetStream)(nil)

var errJetStreamClosed = fmt.Errorf("%w: the JetStream log is closed", ErrUnavailable)

// OpenJetStream creates the stream described by opts, or updates it to opts
// when it exists, and returns a Log on it. While the NATS system has no
// JetStream leader yet (a cluster that is still starting) it keeps trying
// until ctx ends. It does not take ownership of nc: Close leaves it open.
func OpenJetStream(ctx context.Context, nc *nats.Conn, opts JetStreamOptions) (*JetStream, error) {
	if nc == nil {
		return nil, errors.New("eventlog: open JetStream: nil NATS connection")
	}
	cfg, err := opts.streamConfig()
	if err != nil {
		return nil, fmt.Errorf("eventlog: open JetStream: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	publishTimeout := opts.PublishTimeout
	if publishTimeout <= 0 {
		publishTimeout = DefaultPublishTimeout
	}
	// Appends are published asynchronously (see Append): nats.go fails an
	// ack that has not come within the publish timeout, and holds at most
	// jsMaxPending unacknowledged, which bounds what a stalled stream costs.
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncTimeout(publishTimeout),
		jetstream.WithPublishAsyncMaxPending(jsMaxPending),
	)
	if err != nil {
		return nil, fmt.Errorf("eventlog: open JetStream: %w", err)
	}
	createWait := opts.CreateWait
	if createWait <= 0 {
		createWait = DefaultCreateWait
	}
	// The wait for placement starts at JetStream's first refusal, not before:
	// time spent waiting for a cluster to answer at all (transient errors,
	// retried without limit) does not use it up, and a refusal is always
	// retried at least once.
	var createDeadline time.Time
	retry := func(err error) bool {
		if transient(err) {
			return true
		}
		if !notYetCreatable(err) {
			return false
		}
		if createDeadline.IsZero() {
			createDeadline = time.Now().Add(createWait)
		}
		return time.Now().Before(createDeadline)
	}
	var stream jetstream.Stream
	err = retryWhile(ctx, logger, "create or update stream "+cfg.Name, retry, func(ctx context.Context) error {
		var err error
		stream, err = js.CreateOrUpdateStream(ctx, cfg)
		return err
	})
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return nil, fmt.Errorf("eventlog: open JetStream: create or update stream %s: JetStream is not enabled on the NATS server: %w", cfg.Name, err)
	case noPlacement(err):
		return nil, fmt.Errorf("eventlog: open JetStream: create or update stream %s: the stream asks for %d replicas and the NATS cluster "+
			"found no servers to place them on within %s; it needs at least %d connected servers with JetStream enabled: %w",
			cfg.Name, cfg.Replicas, createWait, cfg.Replicas, err)
	case err != nil:
		return nil, fmt.Errorf("eventlog: open JetStream: create or update stream %s: %w", cfg.Name, err)
	}
	created := stream.CachedInfo().Created
	done, stop := context.WithCancel(context.Background())
	l := &JetStream{
		js:             js,
		stream:         stream,
		name:           cfg.Name,
		prefix:         strings.TrimSuffix(cfg.Subjects[0], ".*.*"),
		created:        created,
		epoch:          streamEpoch(cfg.Name, created),
		publishTimeout: publishTimeout,
		log:            logger.With(slog.String("stream", cfg.Name)),
		done:           done,
		stopDone:       stop,
	}
	return l, nil
}

// streamConfig applies the defaults and checks the options.
func (o JetStreamOptions) streamConfig() (jetstream.StreamConfig, error) {
	name := o.Stream
	if name == "" {
		name = DefaultStreamName
	}
	if strings.ContainsAny(name, " \t\r\n.*>/\\") {
		return jetstream.StreamConfig{}, fmt.Errorf("stream name %q must not contain whitespace, '.', '*', '>', '/' or '\\'", name)
	}
	prefix := o.SubjectPrefix
	if prefix == "" {
		prefix = DefaultSubjectPrefix
	}
	for tok := range strings.SplitSeq(prefix, ".") {
		if tok == "" || strings.ContainsAny(tok, " \t\r\n*>") {
			return jetstream.StreamConfig{}, fmt.Errorf("subject prefix %q must be dot-separated non-empty tokens without whitespace or wildcards", prefix)
		}
	}
	if o.MaxAge < 0 {
		return jetstream.StreamConfig{}, fmt.Errorf("max age %s must not be negative", o.MaxAge)
	}
	if o.Replicas < 0 || o.Replicas > 5 {
		return jetstream.StreamConfig{}, fmt.Errorf("replicas %d must be between 1 and 5", o.Replicas)
	}
	window := o.DuplicateWindow
	switch {
	case window == 0 && o.MaxAge > 0 && o.MaxAge < DefaultDuplicateWindow:
		window = o.MaxAge
	case window == 0:
		window = DefaultDuplicateWindow
	case window < MinDuplicateWindow:
		return jetstream.StreamConfig{}, fmt.Errorf("duplicate window %s is shorter than JetStream's minimum of %s", window, MinDuplicateWindow)
	case o.MaxAge > 0 && window > o.MaxAge:
		return jetstream.StreamConfig{}, fmt.Errorf("duplicate window %s is longer than max age %s", window, o.MaxAge)
	}
	cfg := jetstream.StreamConfig{
		Name:        name,
		Description: "trtc-gateway events on " + prefix + ".<sdkappid>.<type>",
		Subjects:    []string{prefix + ".*.*"},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxMsgs:     -1,
		MaxBytes:    -1,
		MaxAge:      o.MaxAge,
		Storage:     jetstream.FileStorage,
		Replicas:    max(o.Replicas, 1),
		Duplicates:  window,
		DenyDelete:  true,
	}
	if o.MaxMsgs > 0 {
		cfg.MaxMsgs = o.MaxMsgs
	}
	if o.MaxBytes > 0 {
		cfg.MaxBytes = o.MaxBytes
	}
	return cfg, nil
}

// streamEpoch derives the epoch from the stream's identity (see JetStream).
func streamEpoch(name string, created time.Time) string {
	sum := sha256.Sum256([]byte(name + "\n" + strconv.FormatInt(created.UnixNano(), 10)))
	return hex.EncodeToString(sum[:8])
}

// Subject returns the subject an event is stored on (see JetStream).
func (l *JetStream) Subject(ev *gatewayv1.Event) string {
	typ := callback.TypeToken(ev.GetType()) // a type this build does not know still gets a valid, stable token
	b := make([]byte, 0, len(l.prefix)+len(typ)+12)
	b = append(b, l.prefix...)
	b = append(b, '.')
	b = strconv.AppendUint(b, uint64(ev.GetSdkAppId()), 10)
	b = append(b, '.')
	b = append(b, typ...)
	return string(b)
}

// Epoch returns the stream's epoch (see JetStream).
func (l *JetStream) Epoch() string { return l.epoch }

// begin registers a call, failing once the log is closed. The returned
// context also ends when the log is closed; end must be called when the call
// is over.
func (l *JetStream) begin(ctx context.Context) (context.Context, func(), error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, nil, errJetStreamClosed
	}
	l.calls.Add(1)
	l.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.done, cancel)
	return ctx, func() {
		stop()
		cancel()
		l.calls.Done()
	}, nil
}

// unavailable wraps err from operation op in ErrUnavailable, or returns the
// closed error when the log was closed meanwhile.
func (l *JetStream) unavailable(op string, err error) error {
	if l.done.Err() != nil {
		return errJetStreamClosed
	}
	return fmt.Errorf("eventlog: %s: %w: %w", op, ErrUnavailable, err)
}

// Append publishes ev to the stream and waits for JetStream's ack, at most
// PublishTimeout. An event whose id JetStream already stored within the
// duplicate window is not stored again: Append returns the sequence of the
// first one. ev.Sequence and ev.Epoch are set to the returned position. A
// publish that fails or times out returns an error wrapping ErrUnavailable;
// the event may then still have been stored, and appending it again with the
// same id within the window is safe.
func (l *JetStream) Append(ctx context.Context, ev *gatewayv1.Event) (uint64, error) {
	if ev == nil {
		return 0, errors.New("eventlog: append: nil event")
	}
	ctx, end, err := l.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer end()

	// The stream sequence is the event's sequence, so neither is stored.
	seq, epoch := ev.Sequence, ev.Epoch
	ev.Sequence, ev.Epoch = 0, ""
	data, err := proto.Marshal(ev)
	ev.Sequence, ev.Epoch = seq, epoch
	if err != nil {
		return 0, fmt.Errorf("eventlog: append: encode event %q: %w", ev.Id, err)
	}
	msg := &nats.Msg{Subject: l.Subject(ev), Data: data}
	if ev.Id != "" {
		// Stored with the message, so plain NATS consumers see the id too.
		msg.Header = nats.Header{jetstream.MsgIDHeader: {ev.Id}}
	}
	// NATS refuses a message over the server's max_payload, however often
	// it is retried: say so instead of calling the log unavailable.
	limit := l.js.Conn().MaxPayload() - headerSize(ev.Id)
	if int64(len(data)) > limit {
		return 0, fmt.Errorf("eventlog: append %q to %s: %w", ev.Id, msg.Subject, &TooLargeError{Size: int64(len(data)), Limit: limit})
	}
	ack, err := l.publish(ctx, msg)
	if errors.Is(err, nats.ErrMaxPayload) || jsErrorCode(err) == jsErrMessageTooLarge {
		// The server's limit changed since the connection's INFO, or the
		// stream has a smaller max_msg_size.
		return 0, fmt.Errorf("eventlog: append %q to %s: %w: %w", ev.Id, msg.Subject, &TooLargeError{Size: int64(len(data)), Limit: limit}, err)
	}
	if err != nil {
		return 0, l.unavailable("append to "+msg.Subject, err)
	}
	if ack.Stream != l.name {
		// JetStream lets one subject belong to one stream only, so this
		// means the log's stream no longer exists and another took over
		// its subjects.
		return 0, l.unavailable("append to "+msg.Subject, fmt.Errorf("%w: the event went to stream %s", ErrRecreated, ack.Stream))
	}
	ev.Sequence, ev.Epoch = ack.Sequence, l.epoch
	if !ack.Duplicate {
		// A duplicate's ev is a retry, which may differ from the event
		// stored first (its receive time, say): only a new message is
		// known to be exactly ev.
		l.appended.put(ev)
	}
	return ack.Sequence, nil
}

// echoSlots is how many just-appended events wait for Follow in the echo
// ring: more than the webhooks in flight at once on a busy gateway, few
// enough that the events it keeps alive cost little.
const echoSlots = 1024

// echoRing keeps the events this log appended, by sequence, until Follow
// reads their stored copies back. The message at a sequence Append was
// acknowledged is, byte for byte, the encoding of the event it appended,
// so Follow can hand its readers that event instead of decoding the copy:
// on the gateway that took a webhook, the follower then costs no protobuf
// decoding and no second copy of each event. Readers treat events as
// read-only, as they do with the memory log, which shares them the same way.
// A slot holds the newest event put at its index; Follow takes an event only
// when its sequence, epoch and id match the message it reads, and decodes
// the message otherwise (an event another replica appended, one read before
// its ack arrived here, or one overwritten in its slot). Safe for concurrent
// use.
type echoRing struct {
	slots [echoSlots]atomic.Pointer[gatewayv1.Event]
}

func (r *echoRing) put(ev *gatewayv1.Event) {
	r.slots[ev.GetSequence()%echoSlots].Store(ev)
}

// holds reports whether the ring may hold an event stored at seq under
// epoch: a cheap check before take, which needs the message's id.
func (r *echoRing) holds(seq uint64, epoch string) bool {
	ev := r.slots[seq%echoSlots].Load()
	return ev != nil && ev.GetSequence() == seq && ev.GetEpoch() == epoch
}

// take returns, and frees the slot of, the appended event stored at seq
// under epoch with this id; nil when the ring does not hold it.
func (r *echoRing) take(seq uint64, epoch, id string) *gatewayv1.Event {
	slot := &r.slots[seq%echoSlots]
	ev := slot.Load()
	if ev == nil || ev.GetSequence() != seq || ev.GetEpoch() != epoch || ev.GetId() != id {
		return nil
	}
	slot.CompareAndSwap(ev, nil)
	return ev
}

// headerSize is the size of the headers Append sends with an event of this
// id: the NATS/1.0 line, the Nats-Msg-Id field and the blank line.
func headerSize(id string) int64 {
	if id == "" {
		return 0
	}
	return int64(len("NATS/1.0\r\n") + len(jetstream.MsgIDHeader) + len(": \r\n") + len(id) + len("\r\n"))
}

// MaxEventBytes is the largest event, in bytes of its encoding, that Append
// can store on this connection with an id of idLen bytes: the NATS server's
// max_payload less the headers.
func (l *JetStream) MaxEventBytes(idLen int) int64 {
	return l.js.Conn().MaxPayload() - headerSize(strings.Repeat("0", idLen))
}

// publish publishes msg and waits for its ack, at most PublishTimeout,
// waiting out JetStream's "duplicate message id is in process" answer so that
// a concurrent retry of an event learns its sequence.
//
// The publish is asynchronous: the message goes out with a reply subject of
// its own under the log's single ack subscription, and the caller waits for
// its own ack (or error) while other appends go out behind it on the same
// connection. Concurrent webhooks thus share one pipeline without a request
// and a timer each, and every caller still gets its own sequence, its own
// duplicate verdict and its own error. An ack that does not come within
// PublishTimeout fails (nats.go's async ack timeout), and a connection that
// starts reconnecting fails every ack still awaited, so that no caller waits
// on a message the server may never have received.
func (l *JetStream) publish(ctx context.Context, msg *nats.Msg) (*jetstream.PubAck, error) {
	deadline := time.Now().Add(l.publishTimeout)
	for attempt := 0; ; attempt++ {
		// A full pipeline makes PublishMsgAsync wait for a slot, at most
		// until the deadline.
		fut, err := l.js.PublishMsgAsync(msg, jetstream.WithStallWait(max(time.Until(deadline), time.Millisecond)))
		var ack *jetstream.PubAck
		if err == nil {
			ack, err = awaitAck(ctx, fut)
		}
		if err == nil || jsErrorCode(err) != jsErrCodeDuplicateInProcess {
			return ack, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (waiting for a publish of the same id: %w)", context.DeadlineExceeded, err)
		}
		pctx, cancel := context.WithDeadline(ctx, deadline)
		werr := pause(pctx, attempt)
		cancel()
		if werr != nil {
			return nil, fmt.Errorf("%w (waiting for a publish of the same id: %w)", werr, err)
		}
	}
}

// awaitAck waits for fut's ack or error, or for ctx to end. A caller that
// gives up leaves the ack to nats.go, which drops it when it arrives or when
// the publish timeout fails it.
func awaitAck(ctx context.Context, fut jetstream.PubAckFuture) (*jetstream.PubAck, error) {
	select {
	case ack := <-fut.Ok():
		return ack, nil
	case err := <-fut.Err():
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Bounds returns the oldest retained and the newest sequence, as the stream
// leader reports them; an empty stream returns oldest = head + 1.
func (l *JetStream) Bounds(ctx context.Context) (oldest, head uint64, err error) {
	ctx, end, err := l.begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer end()
	st, err := l.state(ctx)
	return st.oldest, st.head, err
}

// streamState is the part of the stream's state readers need.
type streamState struct {
	// oldest is the oldest retained sequence, head+1 when empty.
	oldest uint64
	// head is the newest sequence.
	head uint64
	// deleted counts sequences missing between oldest and head. The log's
	// stream denies deletes, so only a stream that existed before it was
	// opened can have any.
	deleted uint64
}

// ErrRecreated means the stream was deleted and created again since the log
// was opened: its sequences belong to another epoch. It comes wrapped with
// ErrUnavailable, but unlike other unavailability it does not pass by
// waiting: the log must be reopened, as a restart of the gateway does.
var ErrRecreated = errors.New("the stream was recreated")

// state asks the stream leader for the stream's state.
func (l *JetStream) state(ctx context.Context) (streamState, error) {
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	info, err := l.stream.Info(ctx)
	if err != nil {
		return streamState{}, l.unavailable("stream info", err)
	}
	if !info.Created.Equal(l.created) {
		return streamState{}, l.unavailable("stream info", fmt.Errorf(
			"%w: stream %s has epoch %s instead of %s; reopen the log",
			ErrRecreated, l.name, streamEpoch(l.name, info.Created), l.epoch))
	}
	st := streamState{head: info.State.LastSeq, oldest: info.State.FirstSeq, deleted: uint64(info.State.NumDeleted)}
	if info.State.Msgs == 0 || st.oldest == 0 {
		st.oldest = st.head + 1
	}
	return st, nil
}

// jsFromStartRetries bounds how often a read from FromStart moves
// on to the new oldest event when retention removes the oldest one between
// looking it up and reading it.
const jsFromStartRetries = 3

// Read returns up to limit events with a sequence greater than after, in
// order, reading them through a short-lived consumer. It returns every event
// the stream leader had stored when Read started (up to limit), waiting for
// the server that holds the consumer to catch up if it is behind the leader.
// It fails with an *OutOfRangeError when after+1 was already removed by
// retention; from FromStart it reads from the oldest retained event.
func (l *JetStream) Read(ctx context.Context, after uint64, limit int) ([]*gatewayv1.Event, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("eventlog: read: limit must be positive, got %d", limit)
	}
	ctx, end, err := l.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer end()

	for attempt := 0; ; attempt++ {
		evs, err := l.read(ctx, after, limit, after == FromStart)
		var oor *OutOfRangeError
		if after == FromStart && errors.As(err, &oor) && attempt < jsFromStartRetries {
			continue // retention moved the oldest event while it was read
		}
		return evs, err
	}
}

// read is Read once; fromStart starts at the oldest retained event.
func (l *JetStream) read(ctx context.Context, after uint64, limit int, fromStart bool) ([]*gatewayv1.Event, error) {
	st, err := l.state(ctx)
	if err != nil {
		return nil, err
	}
	if fromStart && st.oldest > 1 {
		after = st.oldest - 1
	}
	if after+1 < st.oldest {
		return nil, &OutOfRangeError{After: after, Oldest: st.oldest}
	}
	if after >= st.head {
		return nil, nil
	}
	// target is the last sequence Read waits for; events stored after the
	// state was taken are returned when they come along but not waited for.
	target := st.head
	if uint64(limit) < st.head-after {
		target = after + uint64(limit)
	}

	cons, err := l.createConsumer(ctx, after+1)
	if err != nil {
		return nil, err
	}
	defer l.deleteConsumer(ctx, cons)

	r := &reader{l: l, events: make([]*gatewayv1.Event, 0, target-after), next: after + 1, limit: limit}
	unreachable := 0
	for r.next <= target && len(r.events) < limit {
		batch, err := cons.FetchNoWait(min(limit-len(r.events), jsFetchBatch))
		if err != nil {
			return nil, l.unavailable("read", err)
		}
		got, err := r.collect(ctx, batch)
		if errors.Is(err, nats.ErrNoResponders) && got == 0 && unreachable < jsUnreachableRetries {
			// A consumer just created on another server of a cluster is
			// not reachable from this one until its interest has spread
			// over the routes.
			if err := pause(ctx, unreachable); err != nil {
				return nil, l.unavailable("read", err)
			}
			unreachable++
			continue
		}
		if err != nil {
			return nil, err
		}
		if r.lost != nil {
			break
		}
		if got > 0 {
			continue
		}
		// Nothing available although the leader has it: the consumer's
		// server is behind, or retention removed the rest meanwhile.
		st, err := l.state(ctx)
		if err != nil {
			return nil, err
		}
		if r.next < st.oldest {
			r.lost = &OutOfRangeError{After: r.next - 1, Oldest: st.oldest}
			break
		}
		got, err = r.await(ctx, cons)
		if err != nil && !errors.Is(err, nats.ErrNoResponders) {
			return nil, err
		}
		if got == 0 && st.deleted > 0 {
			// The remaining sequences may be deleted ones that will
			// never arrive; return what is there.
			break
		}
	}
	if r.lost != nil && len(r.events) == 0 {
		return nil, &OutOfRangeError{After: after, Oldest: r.lost.Oldest}
	}
	// With some events read, the loss is reported by the next Read.
	return r.events, nil
}

// reader accumulates one Read's events.
type reader struct {
	l      *JetStream
	events []*gatewayv1.Event
	// next is the sequence expected next.
	next  uint64
	limit int
	// lost is set when retention removed next while reading.
	lost *OutOfRangeError
}

// collect decodes a batch into r.events, checking retention when a message
// does not follow r.next. It drains the batch even after it stops using it.
func (r *reader) collect(ctx context.Context, batch jetstream.MessageBatch) (got int, err error) {
	for msg := range batch.Messages() {
		if err != nil || r.lost != nil || len(r.events) >= r.limit {
			continue
		}
		var seq uint64
		if seq, _, err = msgSequences(msg); err != nil {
			err = fmt.Errorf("eventlog: message on %s without JetStream metadata: %w", msg.Subject(), err)
			continue
		}
		if seq < r.next {
			continue
		}
		var ev *gatewayv1.Event
		if ev, err = r.l.decode(msg, seq); err != nil {
			continue
		}
		if seq > r.next {
			var st streamState
			if st, err = r.l.state(ctx); err != nil {
				continue
			}
			if r.next < st.oldest {
				r.lost = &OutOfRangeError{After: r.next - 1, Oldest: st.oldest}
				continue
			}
		}
		r.events = append(r.events, ev)
		r.next = seq + 1
		got++
	}
	if err != nil {
		return got, err
	}
	if berr := batch.Error(); berr != nil && !errors.Is(berr, context.DeadlineExceeded) {
		return got, r.l.unavailable("read", berr)
	}
	return got, nil
}

// await waits, at most jsCatchUpPoll, for the consumer's server to store
// the next message, and collects it.
func (r *reader) await(ctx context.Context, cons jetstream.Consumer) (int, error) {
	wctx, cancel := context.WithTimeout(ctx, jsCatchUpPoll)
	defer cancel()
	batch, err := cons.Fetch(1, jetstream.FetchContext(wctx))
	if err != nil {
		return 0, r.l.unavailable("read", err)
	}
	got, err := r.collect(ctx, batch)
	if err != nil {
		return got, err
	}
	if err := ctx.Err(); err != nil {
		return got, r.l.unavailable("read", err)
	}
	return got, nil
}

// errBadMessage marks a stream message that does not decode as an Event.
var errBadMessage = errors.New("not an event")

// decode turns the stream message at sequence seq into an Event with its
// sequence and epoch.
func (l *JetStream) decode(msg jetstream.Msg, seq uint64) (*gatewayv1.Event, error) {
	ev := new(gatewayv1.Event)
	if err := proto.Unmarshal(msg.Data(), ev); err != nil {
		return nil, fmt.Errorf("eventlog: %w: stream %s sequence %d (subject %s): %w", errBadMessage, l.name, seq, msg.Subject(), err)
	}
	ev.Sequence, ev.Epoch = seq, l.epoch
	return ev, nil
}

// createConsumer creates an unacknowledged, in-memory, single-replica
// consumer delivering the stream from sequence start.
func (l *JetStream) createConsumer(ctx context.Context, start uint64) (jetstream.Consumer, error) {
	ctx, cancel := context.WithTimeout(ctx, jsAPITimeout)
	defer cancel()
	cons, err := l.js.CreateConsumer(ctx, l.name, jetstream.ConsumerConfig{
		Description:       "trtc-gateway event log reader",
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       start,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: jsConsumerIdle,
		Replicas:          1,
		MemoryStorage:     true,
	})
	if err != nil {
		return nil, l.unavailable(fmt.Sprintf("create consumer from sequence %d", start), err)
	}
	return cons, nil
}

// deleteConsumer deletes a consumer the log created. It runs even when ctx
// has ended, for at most jsAPITimeout; a consumer it fails to delete is
// removed by the server after jsConsumerIdle.
func (l *JetStream) deleteConsumer(ctx context.Context, cons jetstream.Consumer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jsAPITimeout)
	defer cancel()
	name := cons.CachedInfo().Name
	if err := l.js.DeleteConsumer(ctx, l.name, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		l.log.Debug("eventlog: delete consumer", slog.String("consumer", name), slog.Any("error", err))
	}
}

// Follow calls fn with every event after `after`, in order, waiting for new
// ones, through one consumer it owns: call it once per process and fan the
// events out locally. When the consumer is lost (its server went away, the
// connection is reconnecting) Follow replaces it, resuming after the last
// event it delivered, until ctx ends. It returns ctx.Err() when ctx ends,
// fn's error as is, an *OutOfRangeError when the cursor is or falls behind
// retention, a decoding error naming the sequence of a message that is not
// an event, and an error wrapping ErrUnavailable when the log is closed, the
// connection is closed or the stream was deleted or recreated. fn must not
// call Close.
//
// Follow pulls and decodes on a goroutine of its own, up to jsFollowQueue
// events ahead of fn, so that a replay of a long log (a gateway rebuilding
// its state) decodes on one CPU while fn applies on another. fn is still
// called from Follow's goroutine, one event at a time and in order; the
// goroutine ends before Follow returns.
func (l *JetStream) Follow(ctx context.Context, after uint64, fn func(*gatewayv1.Event) error) error {
	parent := ctx
	ctx, end, err := l.begin(ctx)
	if err != nil {
		return err
	}
	defer end()

	pctx, stop := context.WithCancel(ctx)
	queue := make(chan followed, jsFollowQueue)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		err := l.follow(pctx, parent, after, func(ev *gatewayv1.Event) error {
			// Try without waiting first: a send that needs no select is
			// much cheaper, and the queue usually has room.
			select {
			case queue <- followed{ev: ev}:
				return nil
			default:
			}
			select {
			case queue <- followed{ev: ev}:
				return nil
			case <-pctx.Done():
				return pctx.Err()
			}
		})
		select {
		case queue <- followed{err: err}:
		case <-pctx.Done():
		}
	}()
	// Whatever ends the delivery below ends the pulls too, and waits for
	// them, so that the consumer is deleted before Follow returns.
	defer func() {
		stop()
		<-finished
	}()
	done := ctx.Done()
	for {
		var item followed
		select {
		case item = <-queue: // the queue is seldom empty during a replay
		default:
			select {
			case item = <-queue:
			case <-done:
				if parent.Err() != nil {
					return parent.Err()
				}
				return errJetStreamClosed
			}
		}
		if item.ev == nil {
			return l.refreshOutOfRange(ctx, item.err)
		}
		if err := fn(item.ev); err != nil {
			return err
		}
	}
}

// refreshOutOfRange returns err, or when it is an *OutOfRangeError, one
// with the oldest sequence retention keeps now: the pulling side found the
// gap while the callback was still busy with the events before it, and
// retention may have moved on since, as far as Follow's caller is concerned.
func (l *JetStream) refreshOutOfRange(ctx context.Context, err error) error {
	var oor *OutOfRangeError
	if !errors.As(err, &oor) {
		return err
	}
	st, serr := l.state(ctx)
	if serr != nil || st.oldest <= oor.Oldest {
		return err
	}
	return &OutOfRangeError{After: oor.After, Oldest: st.oldest}
}

// jsFollowQueue bounds how many events Follow decodes ahead of its callback:
// enough for the two goroutines to run without waiting for each other event
// by event, few enough that the events held cost little.
const jsFollowQueue = 512

// followed is one step of Follow's pipeline: an event to hand to the
// callback, or (ev nil) the error that ends the follow.
type followed struct {
	ev  *gatewayv1.Event
	err error
}

// follow is Follow's pulling side: it hands every event after `after` to
// emit, replacing lost consumers, and returns Follow's error; parent is the
// caller's context, ctx also ends when the log is closed or Follow stops.
func (l *JetStream) follow(ctx, parent context.Context, after uint64, emit func(*gatewayv1.Event) error) error {
	next := after + 1
	for attempt := 0; ; attempt++ {
		delivered, err := l.followOnce(ctx, &next, emit)
		var (
			outErr *OutOfRangeError
			fnErr  callbackError
		)
		switch {
		case parent.Err() != nil:
			return parent.Err()
		case l.done.Err() != nil:
			return errJetStreamClosed
		case ctx.Err() != nil:
			return ctx.Err() // Follow stopped delivering: nobody reads this
		case errors.As(err, &fnErr):
			return fnErr.err
		case errors.As(err, &outErr), errors.Is(err, errBadMessage),
			errors.Is(err, ErrRecreated), errors.Is(err, jetstream.ErrStreamNotFound):
			return err
		case errors.Is(err, nats.ErrConnectionClosed):
			return l.unavailable("follow", err)
		}
		if delivered {
			attempt = 0
		}
		l.log.Warn("eventlog: follow: replacing consumer", slog.Uint64("next_sequence", next), slog.Any("error", err))
		if err := pause(ctx, attempt); err != nil {
			if parent.Err() != nil {
				return parent.Err()
			}
			return errJetStreamClosed
		}
	}
}

// callbackError carries the error of Follow's callback out of followOnce.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// followOnce delivers events from *next on through one consumer, advancing
// *next, until the consumer fails or ctx ends. delivered reports whether it
// delivered any event.
func (l *JetStream) followOnce(ctx context.Context, next *uint64, fn func(*gatewayv1.Event) error) (delivered bool, err error) {
	if err := l.checkRetention(ctx, *next); err != nil {
		return false, err
	}
	cons, err := l.createConsumer(ctx, *next)
	if err != nil {
		return false, err
	}
	defer l.deleteConsumer(ctx, cons)

	var dseq uint64 // the consumer's delivery sequence
	handle := func(msg jetstream.Msg) error {
		seq, delivery, err := msgSequences(msg)
		if err != nil {
			return fmt.Errorf("message without JetStream metadata: %w", err)
		}
		if delivery != dseq+1 {
			// The consumer skipped or repeated a delivery (its server reset
			// it): continue with a fresh one.
			return fmt.Errorf("consumer delivered #%d after #%d", delivery, dseq)
		}
		dseq = delivery
		if seq < *next {
			return nil
		}
		if seq > *next {
			if err := l.checkRetention(ctx, *next); err != nil {
				return err
			}
		}
		var ev *gatewayv1.Event
		if l.appended.holds(seq, l.epoch) {
			// Only then is the id worth looking up: a replay of what
			// this process did not just append never is.
			ev = l.appended.take(seq, l.epoch, msg.Headers().Get(jetstream.MsgIDHeader))
		}
		if ev == nil {
			if ev, err = l.decode(msg, seq); err != nil {
				return err
			}
		}
		if err := fn(ev); err != nil {
			return callbackError{err}
		}
		*next = seq + 1
		delivered = true
		return nil
	}

	if err := l.awaitReachable(ctx, cons, handle); err != nil {
		return delivered, err
	}
	it, err := cons.Messages(
		jetstream.PullMaxMessages(jsFollowBatch),
		jetstream.PullExpiry(jsFollowExpiry),
		jetstream.PullHeartbeat(jsFollowHeartbeat),
		jetstream.WithMessagesErrOnMissingHeartbeat(true),
	)
	if err != nil {
		return delivered, fmt.Errorf("pull from consumer: %w", err)
	}
	defer it.Stop()
	// Built once: the option and the slice holding it would each be an
	// allocation per message.
	nextOpts := []jetstream.NextOpt{jetstream.NextContext(ctx)}
	for {
		msg, err := it.Next(nextOpts...)
		if err != nil {
			return delivered, fmt.Errorf("next message: %w", err)
		}
		if err := handle(msg); err != nil {
			return delivered, err
		}
	}
}

// awaitReachable pulls from a consumer Follow just created, without waiting,
// until its server answers, and hands what it pulls to handle. A consumer
// created on another server of a cluster cannot be pulled from through this
// one until its interest has spread over the routes: a pull sent before is
// answered "no responders", which the continuous pull of Follow ignores,
// waiting for heartbeats it then misses for 2 × jsFollowHeartbeat before
// Follow replaces the consumer, a stall of four seconds (S1-cluster's
// delivery p99 of 2.4 s). A pull with no wait says at once.
func (l *JetStream) awaitReachable(ctx context.Context, cons jetstream.Consumer, handle func(jetstream.Msg) error) error {
	for attempt := 0; ; attempt++ {
		batch, err := cons.FetchNoWait(jsFollowBatch)
		if err != nil {
			return fmt.Errorf("pull from consumer: %w", err)
		}
		var herr error
		for msg := range batch.Messages() {
			if herr == nil {
				herr = handle(msg)
			}
		}
		if herr != nil {
			return herr
		}
		berr := batch.Error()
		switch {
		case berr == nil, errors.Is(berr, context.DeadlineExceeded), errors.Is(berr, nats.ErrTimeout):
			return nil
		case errors.Is(berr, nats.ErrNoResponders) && attempt < jsUnreachableRetries:
			if err := pause(ctx, attempt); err != nil {
				return err
			}
		default:
			return fmt.Errorf("pull from consumer: %w", berr)
		}
	}
}

// checkRetention returns an *OutOfRangeError when retention removed next.
func (l *JetStream) checkRetention(ctx context.Context, next uint64) error {
	st, err := l.state(ctx)
	if err != nil {
		return err
	}
	if next < st.oldest {
		return &OutOfRangeError{After: next - 1, Oldest: st.oldest}
	}
	return nil
}

// Close ends every call in progress, waits for them to delete the consumers
// they created, and makes later calls fail with ErrUnavailable. It leaves the
// NATS connection open. Closing twice is harmless.
func (l *JetStream) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.stopDone()
	l.calls.Wait()
	// No Append is waiting any more: drop the ack subscription and fail
	// acks still pending (of callers that gave up), which stops nats.go's
	// goroutine watching the connection for them.
	l.js.CleanupPublisher()
	return nil
}

// retryWhile runs op until it succeeds, fails with an error retry rejects,
// or ctx ends. An attempt may take a second at first, then twice as long each
// time up to jsAPITimeout: a cluster without a JetStream leader leaves
// requests unanswered, and it usually elects one quickly.
func retryWhile(ctx context.Context, logger *slog.Logger, what string, retry func(error) bool, op func(context.Context) error) error {
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, min(time.Second<<min(attempt, 8), jsAPITimeout))
		err := op(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !retry(err) {
			return err
		}
		logger.Warn("eventlog: JetStream not ready, retrying", slog.String("op", what), slog.Any("error", err))
		if werr := pause(ctx, attempt); werr != nil {
			return fmt.Errorf("%w (last error: %w)", werr, err)
		}
	}
}

// transient reports whether a JetStream API error may pass by waiting: no
// answer in time, or JetStream saying it is temporarily unavailable. No
// responders is not transient: every server with JetStream enabled answers
// the API, leader or not.
func transient(err error) bool {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return true
	case errors.As(err, &apiErr):
		return apiErr.Code == 503
	}
	return false
}

// JetStream's error codes for a stream it cannot create yet.
const (
	// jsErrClusterNoPeers is "no suitable peers for placement": the meta
	// leader knows fewer usable servers than the stream's replicas.
	jsErrClusterNoPeers = 10005
	// jsErrStreamCreate is "error creating store for stream": the server
	// could not set up the stream's files, which happens while a deletion
	// of a stream of the same name is still removing them.
	jsErrStreamCreate = 10049
	// jsErrMessageTooLarge is "message size exceeds maximum allowed": the
	// stream's max_msg_size refused the message.
	jsErrMessageTooLarge = 10054
)

// jsErrorCode returns the JetStream error code err carries, or 0.
func jsErrorCode(err error) jetstream.ErrorCode {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode
	}
	return 0
}

// noPlacement reports whether err is JetStream saying it has no servers to
// place a stream's replicas on. That passes when a starting cluster has
// heard from all of its servers, and never when it has too few.
func noPlacement(err error) bool { return jsErrorCode(err) == jsErrClusterNoPeers }

// notYetCreatable reports whether err is JetStream refusing to create a
// stream for a reason that may pass (see JetStreamOptions.CreateWait).
func notYetCreatable(err error) bool {
	code := jsErrorCode(err)
	return code == jsErrClusterNoPeers || code == jsErrStreamCreate
}

// pause waits before retry number attempt (0-based), doubling from
// jsRetryMin up to jsRetryMax, or until ctx ends.
func pause(ctx context.Context, attempt int) error {
	d := jsRetryMin << min(attempt, 10)
	if d > jsRetryMax {
		d = jsRetryMax
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
