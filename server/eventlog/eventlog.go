// Package eventlog holds the gateway's ordered log of accepted events.
//
// Every accepted callback is appended once and receives a sequence: a strictly
// increasing cursor, starting at 1, that means the same thing to every reader
// of the log. Readers replay from a cursor (Read) or follow the tail (Follow).
// The memory implementation keeps the newest events in process; the JetStream
// implementation keeps them in a NATS stream shared by every replica.
package eventlog

import (
	"context"
	"errors"
	"fmt"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// Log is an ordered, append-only sequence of events.
//
// Append assigns ev.Sequence and ev.Epoch and returns only once the event is
// stored as durably as the implementation promises; an event it returns an
// error for is not in the log. Events handed out by Read and Follow are shared
// and must not be modified.
type Log interface {
	// Append stores ev at the head of the log and returns its sequence.
	// A wrapped ErrUnavailable means the log could not take the event now.
	Append(ctx context.Context, ev *gatewayv1.Event) (uint64, error)
	// Read returns up to limit events with a sequence greater than after, in
	// order. It returns an empty slice when after is the head. It fails with
	// an *OutOfRangeError when events after `after` were already dropped by
	// retention; after = 0 is never out of range: it means from the oldest
	// event still retained (see FromStart).
	Read(ctx context.Context, after uint64, limit int) ([]*gatewayv1.Event, error)
	// Follow calls fn with every event whose sequence is greater than after,
	// in order, waiting for new ones, until ctx ends (it then returns
	// ctx.Err()), fn returns an error (returned as is), or the log fails.
	// Unlike Read, Follow takes 0 literally, as the cursor of a reader that
	// has seen nothing: a follower must never skip events unnoticed.
	Follow(ctx context.Context, after uint64, fn func(*gatewayv1.Event) error) error
	// Bounds returns the oldest retained and the newest sequence. An empty
	// log returns oldest = head + 1.
	Bounds(ctx context.Context) (oldest, head uint64, err error)
	// Epoch names this log: it changes whenever the log is recreated, so a
	// cursor taken from one log is never used against another.
	Epoch() string
	// Close releases the log's resources; Append, Read and Follow fail after it.
	Close() error
}

// FromStart is the cursor with which Read reads a log from its oldest
// retained event, however much retention has dropped: the "replay everything
// still retained" of a subscriber's after_sequence=0. Any other cursor older
// than retention is an *OutOfRangeError, since events the reader has not
// seen are gone.
const FromStart uint64 = 0

// ErrUnavailable means the log cannot take or serve events right now (closed,
// full, or its backing store is unreachable); the caller may retry later.
var ErrUnavailable = errors.New("event log unavailable")

// TooLargeError is returned by Append for an event larger than the log can
// ever store: unlike ErrUnavailable it does not pass by retrying.
type TooLargeError struct {
	// Size is the event's encoded size, in bytes.
	Size int64
	// Limit is the largest encoded event the log stores, in bytes.
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the event is %d bytes encoded, more than the %d bytes the event log stores", e.Size, e.Limit)
}

// EventEnvelope is room, in bytes, that an event needs beyond three times its
// webhook body: the fields taken from the URL (at most the 64 KiB of request
// headers the webhook accepts), the id, the times and the protobuf framing.
const EventEnvelope = 128 << 10

// MaxEventBytes is the encoded size every event decoded from a webhook body of
// at most maxBody bytes fits in. An event stores a body's text at most twice
// (the CallId, RoomId and user accounts are both in their callback message
// and in the event's top-level fields), never longer than in JSON, but each
// stored account also costs two bytes of framing: a list of short numeric
// accounts ("1,2,…,99,") grows to nearly three times its size. A log that
// stores events of MaxEventBytes(maxBody) takes every callback the webhook
// accepts.
func MaxEventBytes(maxBody int64) int64 { return 3*maxBody + EventEnvelope }

// OutOfRangeError is returned by Read when the cursor is older than retention.
type OutOfRangeError struct {
	// After is the cursor that was asked for.
	After uint64
	// Oldest is the oldest sequence still in the log.
	Oldest uint64
}

func (e *OutOfRangeError) Error() string {
	resume := e.Oldest
	if resume > 0 {
		resume-- // resuming after Oldest-1 starts at Oldest
	}
	return fmt.Sprintf("sequence %d is no longer retained: the oldest available event is %d (resume with after_sequence=%d or later)",
		e.After+1, e.Oldest, resume)
}
