package callback

import (
	"strings"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// The Tencent commands the gateway decodes into typed payloads. Commands are
// matched without regard to letter case; every other command is carried as
// EVENT_TYPE_OTHER.
const (
	// CommandStartCall is sent after a user started a call.
	CommandStartCall = "Call.CallbackAfterStartCall"
	// CommandMemberChanged is sent after members of a call answered, hung up, joined, ...
	CommandMemberChanged = "Call.CallbackAfterMemberChanged"
	// CommandEndCall is sent after a call ended, with its call record.
	CommandEndCall = "Call.CallbackAfterEndCall"
	// CommandLiveMemberStateChanged is sent after members of a live room went
	// online or offline; it is the spelling in the callback body.
	CommandLiveMemberStateChanged = "Live.CallbackAfterMemberStateChanged"
	// CommandLiveMemberStateChangedAlias is the spelling of
	// CommandLiveMemberStateChanged in Tencent's URL table; both mean the same.
	CommandLiveMemberStateChangedAlias = "Live.CallbackMemberStateChanged"
)

// EventTypeOf returns the event type a Tencent command name stands for,
// matching the known names in any letter case and both spellings of the live
// command. Any other name, including "", is EVENT_TYPE_OTHER.
func EventTypeOf(command string) gatewayv1.EventType {
	switch {
	case strings.EqualFold(command, CommandStartCall):
		return gatewayv1.EventType_EVENT_TYPE_CALL_STARTED
	case strings.EqualFold(command, CommandMemberChanged):
		return gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED
	case strings.EqualFold(command, CommandEndCall):
		return gatewayv1.EventType_EVENT_TYPE_CALL_ENDED
	case strings.EqualFold(command, CommandLiveMemberStateChanged),
		strings.EqualFold(command, CommandLiveMemberStateChangedAlias):
		return gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED
	default:
		return gatewayv1.EventType_EVENT_TYPE_OTHER
	}
}

// sameCommand reports whether two command names mean the same callback: the
// same known command in any spelling, or the same other name in any case.
func sameCommand(a, b string) bool {
	ta, tb := EventTypeOf(a), EventTypeOf(b)
	if ta != gatewayv1.EventType_EVENT_TYPE_OTHER || tb != gatewayv1.EventType_EVENT_TYPE_OTHER {
		return ta == tb
	}
	return strings.EqualFold(a, b)
}
