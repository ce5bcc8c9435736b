package callback

import (
	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// Tencent spells the same value differently between a callback's sample and
// its field table ("Hangup" and "Hang Up", "Cancel_Invite" and
// "Canncel_Invite", "Answer" and "Accept", "Invite" and "Invited"). A spelling
// is matched after folding: ASCII letters lowercased, spaces, '_' and '-'
// dropped. A spelling that matches nothing is UNSPECIFIED, never an error; the
// decoder keeps the original text beside the enum in every case.

// spellings maps folded spellings to one enum's values.
type spellings[E ~int32] map[string]E

// of returns the value text spells, or the zero value (UNSPECIFIED).
func (s spellings[E]) of(text string) E {
	var buf [32]byte
	n := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == ' ' || c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return 0 // longer than any spelling we know
		}
		buf[n] = c
		n++
	}
	return s[string(buf[:n])]
}

var memberStatuses = spellings[gatewayv1.MemberStatus]{
	"calling": gatewayv1.MemberStatus_MEMBER_STATUS_CALLING,
	"waiting": gatewayv1.MemberStatus_MEMBER_STATUS_WAITING,
}

var actionTypes = spellings[gatewayv1.ActionType]{
	"answer":        gatewayv1.ActionType_ACTION_TYPE_ANSWER,
	"accept":        gatewayv1.ActionType_ACTION_TYPE_ANSWER,
	"reject":        gatewayv1.ActionType_ACTION_TYPE_REJECT,
	"notanswer":     gatewayv1.ActionType_ACTION_TYPE_NOT_ANSWER,
	"hangup":        gatewayv1.ActionType_ACTION_TYPE_HANGUP,
	"join":          gatewayv1.ActionType_ACTION_TYPE_JOIN,
	"offline":       gatewayv1.ActionType_ACTION_TYPE_OFFLINE,
	"invite":        gatewayv1.ActionType_ACTION_TYPE_INVITE,
	"invited":       gatewayv1.ActionType_ACTION_TYPE_INVITE,
	"cancelinvite":  gatewayv1.ActionType_ACTION_TYPE_CANCEL_INVITE,
	"canncelinvite": gatewayv1.ActionType_ACTION_TYPE_CANCEL_INVITE,
}

var mediaTypes = spellings[gatewayv1.MediaType]{
	"audio": gatewayv1.MediaType_MEDIA_TYPE_AUDIO,
	"video": gatewayv1.MediaType_MEDIA_TYPE_VIDEO,
}

var callTypes = spellings[gatewayv1.CallType]{
	"singlecall": gatewayv1.CallType_CALL_TYPE_SINGLE_CALL,
	"multicall":  gatewayv1.CallType_CALL_TYPE_MULTI_CALL,
}

var callResults = spellings[gatewayv1.CallResult]{
	"cancel":    gatewayv1.CallResult_CALL_RESULT_CANCEL,
	"reject":    gatewayv1.CallResult_CALL_RESULT_REJECT,
	"notanswer": gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER,
	"normalend": gatewayv1.CallResult_CALL_RESULT_NORMAL_END,
	"callbusy":  gatewayv1.CallResult_CALL_RESULT_CALL_BUSY,
	"interrupt": gatewayv1.CallResult_CALL_RESULT_INTERRUPT,
	"offline":   gatewayv1.CallResult_CALL_RESULT_OFFLINE,
}

var liveEventTypes = spellings[gatewayv1.LiveEventType]{
	"online":  gatewayv1.LiveEventType_LIVE_EVENT_TYPE_ONLINE,
	"offline": gatewayv1.LiveEventType_LIVE_EVENT_TYPE_OFFLINE,
}

var liveEventCauses = spellings[gatewayv1.LiveEventCause]{
	"enter":              gatewayv1.LiveEventCause_LIVE_EVENT_CAUSE_ENTER,
	"leave":              gatewayv1.LiveEventCause_LIVE_EVENT_CAUSE_LEAVE,
	"heartbeatinterrupt": gatewayv1.LiveEventCause_LIVE_EVENT_CAUSE_HEARTBEAT_INTERRUPT,
	"heartbeatrecover":   gatewayv1.LiveEventCause_LIVE_EVENT_CAUSE_HEARTBEAT_RECOVER,
}

// roomIDTypeOf maps RoomIdType, the decimal text of a JSON number, to its enum:
// exactly "1" or "2"; anything else is UNSPECIFIED.
func roomIDTypeOf(text string) gatewayv1.RoomIdType {
	switch text {
	case "1":
		return gatewayv1.RoomIdType_ROOM_ID_TYPE_NUMERIC
	case "2":
		return gatewayv1.RoomIdType_ROOM_ID_TYPE_STRING
	default:
		return gatewayv1.RoomIdType_ROOM_ID_TYPE_UNSPECIFIED
	}
}

var liveTakeSeatModes = spellings[gatewayv1.LiveTakeSeatMode]{
	"none":        gatewayv1.LiveTakeSeatMode_LIVE_TAKE_SEAT_MODE_NONE,
	"freetotake":  gatewayv1.LiveTakeSeatMode_LIVE_TAKE_SEAT_MODE_FREE_TO_TAKE,
	"applytotake": gatewayv1.LiveTakeSeatMode_LIVE_TAKE_SEAT_MODE_APPLY_TO_TAKE,
}

var liveRoomDestroyTypes = spellings[gatewayv1.LiveRoomDestroyType]{
	"destroybyuser":   gatewayv1.LiveRoomDestroyType_LIVE_ROOM_DESTROY_TYPE_BY_USER,
	"destroybysystem": gatewayv1.LiveRoomDestroyType_LIVE_ROOM_DESTROY_TYPE_BY_SYSTEM,
}

var liveAdminOps = spellings[gatewayv1.LiveAdminOp]{
	"add":    gatewayv1.LiveAdminOp_LIVE_ADMIN_OP_ADD,
	"delete": gatewayv1.LiveAdminOp_LIVE_ADMIN_OP_DELETE,
}

var groupTypes = spellings[gatewayv1.GroupType]{
	"avchatroom": gatewayv1.GroupType_GROUP_TYPE_AV_CHAT_ROOM,
	"public":     gatewayv1.GroupType_GROUP_TYPE_PUBLIC,
	"private":    gatewayv1.GroupType_GROUP_TYPE_PRIVATE,
	"work":       gatewayv1.GroupType_GROUP_TYPE_PRIVATE,
	"chatroom":   gatewayv1.GroupType_GROUP_TYPE_CHAT_ROOM,
	"meeting":    gatewayv1.GroupType_GROUP_TYPE_CHAT_ROOM,
	"community":  gatewayv1.GroupType_GROUP_TYPE_COMMUNITY,
}

var msgTypes = spellings[gatewayv1.MsgType]{
	"timtextelem":      gatewayv1.MsgType_MSG_TYPE_TEXT,
	"timcustomelem":    gatewayv1.MsgType_MSG_TYPE_CUSTOM,
	"timfaceelem":      gatewayv1.MsgType_MSG_TYPE_FACE,
	"timlocationelem":  gatewayv1.MsgType_MSG_TYPE_LOCATION,
	"timimageelem":     gatewayv1.MsgType_MSG_TYPE_IMAGE,
	"timsoundelem":     gatewayv1.MsgType_MSG_TYPE_SOUND,
	"timvideofileelem": gatewayv1.MsgType_MSG_TYPE_VIDEO_FILE,
	"timfileelem":      gatewayv1.MsgType_MSG_TYPE_FILE,
}
