package hub

import (
	"errors"
	"fmt"
	"slices"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// Limits on a filter, so a single subscriber cannot make the index or every
// match arbitrarily expensive. A single value has no limit of its own: the
// webhook stores a CallId, RoomId or account of any length its body limit
// allows, and whatever was stored can be filtered on. The request carrying
// the filter is bounded anyway (gRPC's 4 MiB message limit, the JSON API's
// 64 KiB of URL and headers), and a value's length does not change the cost
// of a match, which hashes or compares the event's own value.
const (
	// MaxFilterValues is the most values one filter field may list.
	MaxFilterValues = 1000
	// MaxFilterBytes bounds the bytes of all string values of one filter
	// together: gRPC's default limit on a whole request.
	MaxFilterBytes = 4 << 20
)

// ErrInvalidFilter is wrapped by every FilterFromRequest error; the message
// after it names the offending field and value.
var ErrInvalidFilter = errors.New("invalid filter")

// Filter selects the events a subscriber receives. Each field lists accepted
// values (OR'ed); an event must satisfy every non-empty field (AND'ed); an
// empty field accepts every event.
type Filter struct {
	// EventTypes accepts events of these types.
	EventTypes []gatewayv1.EventType
	// CallbackCommands accepts events whose Tencent command is one of these,
	// compared by callback.CommandKey: in any letter case, and every spelling
	// of a known command (Live.CallbackMemberStateChanged and
	// Live.CallbackAfterMemberStateChanged) is the same command.
	CallbackCommands []string
	// SdkAppIDs accepts events from these applications.
	SdkAppIDs []uint32
	// CallIDs accepts events of these calls.
	CallIDs []string
	// RoomIDs accepts events of these rooms.
	RoomIDs []string
	// UserAccounts accepts events naming at least one of these accounts.
	UserAccounts []string
}

// FilterFromRequest validates the filter fields of r and returns them with
// duplicates removed (first occurrence kept). A nil request is the empty
// filter. Errors wrap ErrInvalidFilter and name the field and index at fault.
func FilterFromRequest(r *gatewayv1.SubscribeRequest) (Filter, error) {
	var f Filter
	var err error
	if f.EventTypes, err = validEventTypes(r.GetEventTypes()); err != nil {
		return Filter{}, err
	}
	if f.CallbackCommands, err = validStrings("callback_commands", r.GetCallbackCommands()); err != nil {
		return Filter{}, err
	}
	if f.SdkAppIDs, err = validAppIDs(r.GetSdkAppIds()); err != nil {
		return Filter{}, err
	}
	if f.CallIDs, err = validStrings("call_ids", r.GetCallIds()); err != nil {
		return Filter{}, err
	}
	if f.RoomIDs, err = validStrings("room_ids", r.GetRoomIds()); err != nil {
		return Filter{}, err
	}
	if f.UserAccounts, err = validStrings("user_accounts", r.GetUserAccounts()); err != nil {
		return Filter{}, err
	}
	var total int
	for _, vs := range [][]string{f.CallbackCommands, f.CallIDs, f.RoomIDs, f.UserAccounts} {
		for _, v := range vs {
			total += len(v)
		}
	}
	if total > MaxFilterBytes {
		return Filter{}, fmt.Errorf("%w: the filter's values add up to %d bytes, at most %d allowed", ErrInvalidFilter, total, MaxFilterBytes)
	}
	return f, nil
}

func validEventTypes(in []gatewayv1.EventType) ([]gatewayv1.EventType, error) {
	if err := checkCount("event_types", len(in)); err != nil {
		return nil, err
	}
	for i, t := range in {
		if t == gatewayv1.EventType_EVENT_TYPE_UNSPECIFIED {
			return nil, fmt.Errorf("%w: event_types[%d]: EVENT_TYPE_UNSPECIFIED is not a filter value; list the types wanted, or none for all", ErrInvalidFilter, i)
		}
		if _, known := gatewayv1.EventType_name[int32(t)]; !known {
			return nil, fmt.Errorf("%w: event_types[%d]: %d is not a known event type", ErrInvalidFilter, i, int32(t))
		}
	}
	return dedupe(in), nil
}

func validAppIDs(in []uint32) ([]uint32, error) {
	if err := checkCount("sdk_app_ids", len(in)); err != nil {
		return nil, err
	}
	for i, id := range in {
		if id == 0 {
			return nil, fmt.Errorf("%w: sdk_app_ids[%d]: 0 is not an SdkAppid", ErrInvalidFilter, i)
		}
	}
	return dedupe(in), nil
}

func validStrings(field string, in []string) ([]string, error) {
	if err := checkCount(field, len(in)); err != nil {
		return nil, err
	}
	for i, s := range in {
		if s == "" {
			return nil, fmt.Errorf("%w: %s[%d]: empty value", ErrInvalidFilter, field, i)
		}
	}
	return dedupe(in), nil
}

func checkCount(field string, n int) error {
	if n > MaxFilterValues {
		return fmt.Errorf("%w: %s: %d values, at most %d allowed", ErrInvalidFilter, field, n, MaxFilterValues)
	}
	return nil
}

// dedupe returns in without repeated values, keeping first occurrences in
// order; nil for an empty field.
func dedupe[T comparable](in []T) []T {
	if len(in) == 0 {
		return nil
	}
	seen := make(map[T]struct{}, len(in))
	out := make([]T, 0, len(in))
	for _, v := range in {
		if _, dup := seen[v]; !dup {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}

// commandKey is the form in which a filter's callback_commands and an
// event's command are compared and indexed. Every comparison of commands goes
// through it, on both sides, so a spelling rule changed here holds for
// replay, live delivery and the index alike: callback.CommandKey, so any
// letter case and every spelling of a known command are one command.
func commandKey(command string) string { return callback.CommandKey(command) }

// setThreshold is the list length above which a compiled field looks values
// up in a map instead of scanning.
const setThreshold = 8

// valueSet is one compiled filter field: empty accepts everything.
type valueSet[T comparable] struct {
	list []T
	set  map[T]struct{}
}

func newValueSet[T comparable](vs []T) valueSet[T] {
	if len(vs) <= setThreshold {
		return valueSet[T]{list: slices.Clone(vs)}
	}
	set := make(map[T]struct{}, len(vs))
	for _, v := range vs {
		set[v] = struct{}{}
	}
	return valueSet[T]{set: set}
}

func (s *valueSet[T]) acceptsAll() bool { return len(s.list) == 0 && s.set == nil }

func (s *valueSet[T]) has(v T) bool {
	if s.set != nil {
		_, ok := s.set[v]
		return ok
	}
	return slices.Contains(s.list, v)
}

func (s *valueSet[T]) accepts(v T) bool { return s.acceptsAll() || s.has(v) }

func (s *valueSet[T]) acceptsAny(vs []T) bool {
	if s.acceptsAll() {
		return true
	}
	for _, v := range vs {
		if s.has(v) {
			return true
		}
	}
	return false
}

// Matcher is a Filter compiled for matching: long fields become sets. It is
// the one predicate of the gateway: a replay from the log and the hub's live
// delivery both decide with it, so they can never disagree about an event.
// It is immutable and safe for concurrent use; a stream compiles its filter
// once and uses the same Matcher for every replay and Subscribe.
type Matcher struct {
	// filter is the compiled filter's values, commands as commandKey spells
	// them, from which Subscribe derives the index keys.
	filter   Filter
	types    valueSet[gatewayv1.EventType]
	commands valueSet[string]
	apps     valueSet[uint32]
	calls    valueSet[string]
	rooms    valueSet[string]
	users    valueSet[string]
}

// Compile returns the Matcher for f. The Matcher keeps copies of f's values:
// changing f afterwards does not change it.
func Compile(f Filter) *Matcher {
	commands := make([]string, len(f.CallbackCommands))
	for i, c := range f.CallbackCommands {
		commands[i] = commandKey(c)
	}
	m := &Matcher{
		filter: Filter{
			EventTypes:       dedupe(f.EventTypes),
			CallbackCommands: dedupe(commands),
			SdkAppIDs:        dedupe(f.SdkAppIDs),
			CallIDs:          dedupe(f.CallIDs),
			RoomIDs:          dedupe(f.RoomIDs),
			UserAccounts:     dedupe(f.UserAccounts),
		},
	}
	m.types = newValueSet(m.filter.EventTypes)
	m.commands = newValueSet(m.filter.CallbackCommands)
	m.apps = newValueSet(m.filter.SdkAppIDs)
	m.calls = newValueSet(m.filter.CallIDs)
	m.rooms = newValueSet(m.filter.RoomIDs)
	m.users = newValueSet(m.filter.UserAccounts)
	return m
}

// Match reports whether ev passes every non-empty field of the filter. A nil
// event matches nothing.
func (m *Matcher) Match(ev *gatewayv1.Event) bool {
	if ev == nil {
		return false
	}
	return m.types.accepts(ev.GetType()) &&
		m.commands.accepts(commandKey(ev.GetCallbackCommand())) &&
		m.apps.accepts(ev.GetSdkAppId()) &&
		m.calls.accepts(ev.GetCallId()) &&
		m.rooms.accepts(ev.GetRoomId()) &&
		m.users.acceptsAny(ev.GetUserAccounts())
}
