package callback

import (
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// decodeOther fills ev from the body of a command the gateway does not model.
// The payload is the body exactly as received. The routing keys are taken,
// best effort, and a value of an unexpected type is skipped rather than
// rejected:
//
//   - call_id from the top-level CallId, a string or a whole number;
//   - room_id from the top-level RoomId, else the first RoomId nested anywhere
//     in the body (e.g. RoomInfo.RoomId, EventInfo.RoomId);
//   - event_time from EventTime, Unix milliseconds as a whole number or a
//     string of digits;
//   - user_accounts from every member whose key ends in "_Account" (e.g.
//     Owner_Account, Operator_Account) or is "UserId", each a string, a whole
//     number, or an array of those: first the top-level ones in the order the
//     keys appear, then those nested in objects and arrays at any depth, in
//     document order (nesting deeper than maxOtherDepth is not searched).
//
// At the top level, as for every other member, a repeated key counts only at
// its last occurrence.
func decodeOther(body string, top *topFields, ev *gatewayv1.Event) {
	ev.Payload = &gatewayv1.Event_Other{Other: &gatewayv1.OtherCallback{Json: body}}
	ev.CallId = looseID(top.callID)
	ev.RoomId = looseID(top.roomID)
	ev.EventTime = looseMillis(top.eventTime)
	accounts := otherAccounts(body)
	var w otherWalk
	w.accounts.list = accounts
	for _, raw := range members(body) {
		w.walk(raw, 1)
	}
	if ev.RoomId == "" {
		ev.RoomId = w.roomID
	}
	ev.UserAccounts = w.accounts.list
}

// maxOtherDepth bounds how deep decodeOther searches nested objects and
// arrays for routing keys, so that a pathological body costs bounded work.
const maxOtherDepth = 32

// otherWalk collects the routing keys nested below the top level of an
// unknown command's body.
type otherWalk struct {
	accounts accountList
	roomID   string // the first nested RoomId
}

// walk visits raw, a value depth levels below the top, and everything in it.
func (w *otherWalk) walk(raw string, depth int) {
	if depth > maxOtherDepth {
		return
	}
	switch kindOf(raw) {
	case kindArray:
		for _, el := range elements(raw) {
			w.walk(el, depth+1)
		}
	case kindObject:
		for key, v := range members(raw) {
			switch {
			case isAccountKey(key):
				w.addAccounts(v)
			case key == "RoomId" && w.roomID == "":
				w.roomID = looseID(v)
			}
			w.walk(v, depth+1)
		}
	}
}

// addAccounts adds raw, an account or an array of accounts.
func (w *otherWalk) addAccounts(raw string) {
	if kindOf(raw) == kindArray {
		for _, el := range elements(raw) {
			w.accounts.add(looseID(el))
		}
		return
	}
	w.accounts.add(looseID(raw))
}

// isAccountKey reports whether a member named key holds user accounts.
func isAccountKey(key string) bool {
	return strings.HasSuffix(key, "_Account") || key == "UserId"
}

// looseID returns raw as an id when it is a JSON string or a whole number, and
// "" otherwise.
func looseID(raw string) string {
	switch kindOf(raw) {
	case kindString:
		return unquote(raw)
	case kindNumber:
		if isDigits(raw) {
			return raw
		}
	}
	return ""
}

// looseMillis returns raw as a time when it is a whole number of Unix
// milliseconds, as a JSON number or a string of digits, in a timestamp's
// range; otherwise, and for 0, it returns nil.
func looseMillis(raw string) *timestamppb.Timestamp {
	text := raw
	if kindOf(raw) == kindString {
		text = unquote(raw)
	}
	if !isDigits(text) {
		return nil
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n > maxUnixSeconds*milliseconds+milliseconds-1 {
		return nil
	}
	return unixTimestamp(n, milliseconds)
}

// otherAccounts returns the accounts named by the top-level "_Account" and
// "UserId" members of body, each once, in order of appearance.
func otherAccounts(body string) []string {
	type member struct{ key, raw string }
	var found []member
	for key, raw := range members(body) {
		if isAccountKey(key) {
			found = append(found, member{key, raw})
		}
	}
	if len(found) == 0 {
		return nil
	}
	var last map[string]int // index of each key's last occurrence, when there is more than one key
	if len(found) > 1 {
		last = make(map[string]int, len(found))
		for i, m := range found {
			last[m.key] = i
		}
	}
	var accounts accountList
	for i, m := range found {
		if last != nil && last[m.key] != i {
			continue
		}
		if kindOf(m.raw) == kindArray {
			for _, el := range elements(m.raw) {
				accounts.add(looseID(el))
			}
			continue
		}
		accounts.add(looseID(m.raw))
	}
	return accounts.list
}
