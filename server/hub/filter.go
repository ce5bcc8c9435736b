package hub

import (
	"errors"
	"fmt"
	"slices"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// Limits on one filter field, so a single subscriber cannot make the index or
// every Match arbitrarily expensive.
const (
	// MaxFilterValues is the most values one filter field may list.
	MaxFilterValues = 1000
	// MaxFilterValueLen is the longest string value a filter accepts, in bytes.
	MaxFilterValueLen = 256
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
		if len(s) > MaxFilterValueLen {
			return nil, fmt.Errorf("%w: %s[%d]: %d bytes, at most %d allowed", ErrInvalidFilter, field, i, len(s), MaxFilterValueLen)
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

// Match reports whether ev passes every non-empty field of f. A nil event
// matches nothing.
func (f Filter) Match(ev *gatewayv1.Event) bool {
	if ev == nil {
		return false
	}
	return acceptsOne(f.EventTypes, ev.GetType()) &&
		acceptsCommand(f.CallbackCommands, ev.GetCallbackCommand()) &&
		acceptsOne(f.SdkAppIDs, ev.GetSdkAppId()) &&
		acceptsOne(f.CallIDs, ev.GetCallId()) &&
		acceptsOne(f.RoomIDs, ev.GetRoomId()) &&
		acceptsAny(f.UserAccounts, ev.GetUserAccounts())
}

// acceptsCommand reports whether command is one of accepted by
// callback.CommandKey, or accepted is empty.
func acceptsCommand(accepted []string, command string) bool {
	if len(accepted) == 0 {
		return true
	}
	key := callback.CommandKey(command)
	for _, a := range accepted {
		if callback.CommandKey(a) == key {
			return true
		}
	}
	return false
}

// commandKeys returns callback.CommandKey of each command.
func commandKeys(commands []string) []string {
	if len(commands) == 0 {
		return nil
	}
	keys := make([]string, len(commands))
	for i, c := range commands {
		keys[i] = callback.CommandKey(c)
	}
	return keys
}

func acceptsOne[T comparable](accepted []T, v T) bool {
	return len(accepted) == 0 || slices.Contains(accepted, v)
}

func acceptsAny(accepted, vs []string) bool {
	if len(accepted) == 0 {
		return true
	}
	for _, v := range vs {
		if slices.Contains(accepted, v) {
			return true
		}
	}
	return false
}

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

// matcher is a Filter compiled for the publish path: long fields become
// sets, and the Subscription owns a copy the caller cannot change.
type matcher struct {
	types    valueSet[gatewayv1.EventType]
	commands valueSet[string]
	apps     valueSet[uint32]
	calls    valueSet[string]
	rooms    valueSet[string]
	users    valueSet[string]
}

func compile(f Filter) matcher {
	return matcher{
		types:    newValueSet(f.EventTypes),
		commands: newValueSet(commandKeys(f.CallbackCommands)),
		apps:     newValueSet(f.SdkAppIDs),
		calls:    newValueSet(f.CallIDs),
		rooms:    newValueSet(f.RoomIDs),
		users:    newValueSet(f.UserAccounts),
	}
}

// match is Filter.Match for the compiled filter.
func (m *matcher) match(ev *gatewayv1.Event) bool {
	return m.types.accepts(ev.GetType()) &&
		(m.commands.acceptsAll() || m.commands.has(callback.CommandKey(ev.GetCallbackCommand()))) &&
		m.apps.accepts(ev.GetSdkAppId()) &&
		m.calls.accepts(ev.GetCallId()) &&
		m.rooms.accepts(ev.GetRoomId()) &&
		m.users.acceptsAny(ev.GetUserAccounts())
}
