package callback

import (
	"strconv"
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

// command is one callback the gateway types: one row of commands. Everything
// else the gateway knows about a callback follows from its row: the event
// type, the spellings it accepts, the decoder it dispatches to, the NATS
// subject token and the metrics label (both TypeToken of the type).
type command struct {
	// typ is the event type the command becomes; one row per type.
	typ gatewayv1.EventType
	// name is Tencent's canonical spelling (the one in the callback body).
	name string
	// aliases are other spellings Tencent uses for the same command (e.g. in a
	// URL table); they match in any letter case, like name.
	aliases []string
	// group and event match a family-2 callback (TRTC room, media and
	// recording events), which names itself in the body by EventGroupId and
	// EventType instead of a command; both 0 for a family-1 command. A row may
	// have a name, an (group, event) pair, or both.
	group, event int
	// before marks a decision Tencent waits for (at most 2 s) before it acts:
	// the webhook answers it "allow" even when the log cannot take it in time.
	before bool
	// decode fills the event's payload and routing keys from the body; the
	// envelope (ids, times, platform) is already set.
	decode func(top *topFields, ev *gatewayv1.Event) *fieldError
	// key is CommandKey of the command, set by init.
	key string
}

// commands is the table of every command the gateway types. Adding a command
// means its messages in the protos, one decoder file and one row here.
var commands = []command{
	{typ: gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, name: CommandStartCall, decode: decodeStartCall},
	{typ: gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, name: CommandMemberChanged, decode: decodeMemberChanged},
	{typ: gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, name: CommandEndCall, decode: decodeEndCall},
	{
		typ: gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED, name: CommandLiveMemberStateChanged,
		aliases: []string{CommandLiveMemberStateChangedAlias}, decode: decodeLiveMemberStateChanged,
	},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_CREATED, name: "Live.CallbackAfterCreateRoom", decode: decodeLiveRoomCreated},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_DESTROYED, name: "Live.CallbackAfterDestroyRoom", decode: decodeLiveRoomDestroyed},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_INFO_UPDATED, name: "Live.CallbackAfterUpdateRoomInfo", decode: decodeLiveRoomInfoUpdated},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_METADATA_SET, name: "Live.CallbackAfterSetMetadata", decode: decodeLiveMetadataSet},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_METADATA_DELETED, name: "Live.CallbackAfterDelMetadata", decode: decodeLiveMetadataDeleted},
	{
		typ: gatewayv1.EventType_EVENT_TYPE_LIVE_ROOM_COUNT_THRESHOLD_REACHED, name: "Live.CallbackAfterCreateRoomReachingThreshold",
		decode: decodeLiveRoomCountThresholdReached,
	},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_OWNER_CHANGED, name: "Live.CallbackAfterChangeOwner", decode: decodeLiveOwnerChanged},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_ADMIN_MODIFIED, name: "Live.CallbackAfterModifyAdmin", decode: decodeLiveAdminModified},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_SEAT_INFO_CHANGED, name: "Mic.CallbackAfterSeatInfoChanged", decode: decodeLiveSeatInfoChanged},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_BATTLE_CREATED, name: "Live.CallbackAfterCreateBattle", decode: decodeLiveBattleCreated},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_BATTLE_STARTED, name: "Live.CallbackAfterStartBattle", decode: decodeLiveBattleStarted},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_BATTLE_ENDED, name: "Live.CallbackAfterEndBattle", decode: decodeLiveBattleEnded},
	{typ: gatewayv1.EventType_EVENT_TYPE_LIVE_GIFT_SENDING, name: "Live.CallbackBeforeSendGift", before: true, decode: decodeLiveGiftSending},
	{typ: gatewayv1.EventType_EVENT_TYPE_GROUP_MESSAGE_SENDING, name: "Group.CallbackBeforeSendMsg", before: true, decode: decodeGroupMessageSending},
	{typ: gatewayv1.EventType_EVENT_TYPE_GROUP_MESSAGE_SENT, name: "Group.CallbackAfterSendMsg", decode: decodeGroupMessageSent},
	{typ: gatewayv1.EventType_EVENT_TYPE_FOLLOW_ADDED, name: "Follow.CallbackAfterFollowAdd", decode: decodeFollowAdded},
	{typ: gatewayv1.EventType_EVENT_TYPE_FOLLOW_DELETED, name: "Follow.CallbackAfterFollowDelete", decode: decodeFollowDeleted},
	// The TRTC events (decode_trtc.go) follow.
}

func init() {
	commands = append(commands, trtcCommands...)
	indexCommands()
}

// The indexes of commands, built once: by every spelling as written and in
// lower case, and by event type.
var (
	commandsByName = map[string]*command{}
	commandsByType = map[gatewayv1.EventType]*command{}
	// commandsByEvent indexes the rows with a family-2 (group, event) pair.
	commandsByEvent = map[[2]int]*command{}
)

// indexCommands builds the indexes of commands; it runs after every row is in.
func indexCommands() {
	for i := range commands {
		c := &commands[i]
		if c.group != 0 || c.event != 0 {
			key := [2]int{c.group, c.event}
			if _, dup := commandsByEvent[key]; dup {
				panic("callback: two rows of commands for TRTC event " + strconv.Itoa(c.event))
			}
			commandsByEvent[key] = c
		}
		if _, dup := commandsByType[c.typ]; dup {
			panic("callback: two rows of commands for " + c.typ.String())
		}
		commandsByType[c.typ] = c
		c.key = strings.ToLower(c.name)
		for _, n := range append([]string{c.name}, c.aliases...) {
			if n == "" {
				continue
			}
			key := strings.ToLower(n)
			if _, dup := commandsByName[key]; dup {
				panic("callback: two rows of commands spell " + n)
			}
			commandsByName[key] = c
			// The exact spellings too, so that the usual lookup does not
			// allocate a lower-case copy.
			commandsByName[n] = c
		}
	}
}

// lookupCommand returns the row a command name spells, in any letter case, or nil.
func lookupCommand(name string) *command {
	if c, ok := commandsByName[name]; ok {
		return c // an exact or lower-case spelling: no allocation on the common path
	}
	return commandsByName[strings.ToLower(name)]
}

// EventTypeOf returns the event type a Tencent command name stands for,
// matching the known names in any letter case and every spelling of a
// command. Any other name, including "", is EVENT_TYPE_OTHER.
func EventTypeOf(command string) gatewayv1.EventType {
	if c := lookupCommand(command); c != nil {
		return c.typ
	}
	return gatewayv1.EventType_EVENT_TYPE_OTHER
}

// CommandKey returns the key under which two spellings of one command are
// equal: a known command in any spelling and letter case gives its canonical
// name in lower case, any other name its own text in lower case. The
// callback_commands filter compares keys, so "live.callbackmemberstatechanged"
// selects events whose body said Live.CallbackAfterMemberStateChanged.
func CommandKey(command string) string {
	if c := lookupCommand(command); c != nil {
		return c.key
	}
	return strings.ToLower(command)
}

// TypeToken returns the short lower-case name of an event type: its enum name
// without EVENT_TYPE_ (call_started, other, unspecified), or its number for a
// value this build does not know. It is the event's NATS subject token and
// the type label of the gateway's metrics, so it never contains a dot,
// space or wildcard.
func TypeToken(t gatewayv1.EventType) string {
	if tok, ok := typeTokens[t]; ok {
		return tok
	}
	return strconv.Itoa(int(t))
}

// typeTokens holds TypeToken of every value of EventType.
var typeTokens = func() map[gatewayv1.EventType]string {
	m := make(map[gatewayv1.EventType]string, len(gatewayv1.EventType_name))
	for v, name := range gatewayv1.EventType_name {
		m[gatewayv1.EventType(v)] = strings.ToLower(strings.TrimPrefix(name, "EVENT_TYPE_"))
	}
	return m
}()

// IsBefore reports whether command, in any spelling, is a "before" callback:
// a decision Tencent waits for (at most 2 s) and acts on, such as
// Live.CallbackBeforeSendGift, rather than a notice of something done.
func IsBefore(command string) bool {
	c := lookupCommand(command)
	return c != nil && c.before
}

// sameCommand reports whether two command names mean the same callback: the
// same known command in any spelling, or the same other name in any case.
func sameCommand(a, b string) bool {
	return CommandKey(a) == CommandKey(b)
}
