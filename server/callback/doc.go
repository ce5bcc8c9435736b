// Package callback speaks Tencent RTC's callback protocol: it turns a
// callback's query parameters and JSON body into a gatewayv1.Event, or into an
// *Error that carries the Tencent ErrorCode and HTTP status to answer with.
//
// Everything here is a pure function of its input: no I/O, no shared state,
// safe for concurrent use and for fuzzing.
//
// How a body is read:
//
//   - Keys match Tencent's spelling exactly. Members the gateway does not
//     model are ignored by the call commands and kept, byte for byte, in the
//     extra_json of every other typed message, so nothing Tencent adds later
//     is lost.
//   - JSON null reads the same as an absent member, and a null element of a
//     list is skipped.
//   - When a key appears more than once in an object, the last one wins, as
//     with encoding/json.
//   - Accounts (User_Account, Member_Account, Caller_Account,
//     CalleeList_Account, Owner_Account, Operator_Account, ...) and room ids may be JSON strings or JSON numbers; a
//     number keeps the exact digits sent, however large, and is never read
//     through a float64.
//   - Enum-like strings (Status, ActionType, MediaType, ...) match in any
//     letter case and ignoring spaces, '_' and '-', so Tencent's alternative
//     spellings map to one value; an unknown spelling is UNSPECIFIED, never an
//     error, and the text as sent is always kept beside the enum.
//   - EventTime is Unix milliseconds, call record, room, battle and message
//     times Unix seconds, battle durations milliseconds; a time may be a JSON
//     number or a string of its digits; 0 means unset (AcceptTime 0: the
//     call never connected).
//   - The commands the gateway types are the rows of one table (commands.go);
//     any other command is carried as EVENT_TYPE_OTHER with the body kept
//     byte for byte.
//   - TRTC's own events (room, media, recording, transcription) name their
//     type in the body, not the URL: IsTRTCEvent tells them apart and
//     DecodeTRTC decodes them (decode_trtc.go); each known (EventGroupId,
//     EventType) pair is a row of the table with a TRTC.* command name.
//   - Byte positions in error messages count from 1.
package callback
