package callback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// Decode reads a callback's query parameters and JSON body into an Event: it
// is ParseParams followed by DecodeBody. receivedAt becomes the event's
// received_at. Every error is an *Error that says what was wrong.
func Decode(q url.Values, body []byte, receivedAt time.Time) (*gatewayv1.Event, error) {
	p, err := ParseParams(q)
	if err != nil {
		return nil, err
	}
	return DecodeBody(p, body, receivedAt)
}

// DecodeBody decodes the JSON body of the callback p describes into an Event
// with its envelope, routing keys and typed payload set; sequence and epoch are
// left for the log to assign. receivedAt becomes the event's received_at.
//
// The body is checked in this order, each failure with its own code: it is not
// empty (CodeEmptyBody), is valid UTF-8 (CodeInvalidUTF8), is valid JSON
// (CodeInvalidJSON, naming the byte, counted from 1, where it broke), is a JSON
// object (CodeNotObject), and has no CallbackCommand other than a string naming
// the URL's command (CodeCommandMismatch). For the commands of the table every
// field the gateway reads must then have its documented JSON type and a
// possible value (CodeBadField, naming the field's path). Other commands are
// never rejected for their content. Every error is an *Error.
//
// p must pass the checks ParseParams makes (a non-zero SdkAppID, a Command,
// a json or empty ContentType, valid UTF-8); otherwise the error is
// CodeBadQuery.
func DecodeBody(p Params, body []byte, receivedAt time.Time) (*gatewayv1.Event, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	src := string(body) // every unescaped string in the event is a substring of this one copy
	top := topTables.Get().(*topFields)
	defer releaseTop(top)
	*top = readTop(src)
	if err := checkBodyCommand(p.Command, top.command); err != nil {
		return nil, err
	}

	return decodeChecked(p, body, src, top, lookupCommand(p.Command), receivedAt)
}

// topTables recycles the table of top-level members DecodeBody fills:
// decodeChecked hands it to the command's decoder through a function value,
// so a local table would escape to the heap, 256 bytes per callback. No
// decoder keeps the pointer: the event holds substrings of the body, never
// the table.
var topTables = sync.Pool{New: func() any { return new(topFields) }}

// releaseTop clears top, so that the pool holds no body, and returns it.
func releaseTop(top *topFields) {
	*top = topFields{}
	topTables.Put(top)
}

// DecodeBodyUntyped is DecodeBody for a body whose typed decoding failed
// with CodeBadField: it makes the same checks up to the command, then
// carries the callback as EVENT_TYPE_OTHER with the body byte for byte, as
// for a command the gateway does not model. The webhook uses it for "before"
// callbacks, which it must never refuse because Tencent changed a field.
func DecodeBodyUntyped(p Params, body []byte, receivedAt time.Time) (*gatewayv1.Event, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if err := checkBody(body); err != nil {
		return nil, err
	}
	src := string(body)
	top := readTop(src)
	if err := checkBodyCommand(p.Command, top.command); err != nil {
		return nil, err
	}
	return decodeChecked(p, body, src, &top, nil, receivedAt)
}

// decodeChecked builds the event of a checked body src whose top level is
// top, typed by row, or as EVENT_TYPE_OTHER when row is nil.
func decodeChecked(p Params, body []byte, src string, top *topFields, row *command, receivedAt time.Time) (*gatewayv1.Event, error) {
	ev := &gatewayv1.Event{
		Id:              EventID(p.SdkAppID, p.Command, body),
		Type:            gatewayv1.EventType_EVENT_TYPE_OTHER,
		CallbackCommand: p.Command,
		SdkAppId:        p.SdkAppID,
		ReceivedAt:      timestamppb.New(receivedAt),
		ClientIp:        p.ClientIP,
		OptPlatform:     p.OptPlatform,
		ContentType:     p.ContentType,
	}
	if row == nil {
		decodeOther(src, top, ev)
		return ev, nil
	}
	ev.Type = row.typ

	var r fieldReader
	ev.EventTime = r.unixTime("EventTime", top.eventTime, milliseconds)
	if r.err != nil {
		return nil, r.err.toError()
	}
	if err := row.decode(top, ev); err != nil {
		return nil, err.toError()
	}
	return ev, nil
}

// checkBody checks that body is a non-empty JSON object in valid UTF-8.
func checkBody(body []byte) *Error {
	start := skipSpaceBytes(body)
	if start == len(body) {
		return Errorf(CodeEmptyBody, "the body is empty: Tencent sends each callback as a JSON object")
	}
	if !utf8.Valid(body) {
		return Errorf(CodeInvalidUTF8, "the body is not valid UTF-8: the first bad byte is byte %d", firstInvalidUTF8(body)+1)
	}
	if !validJSON(body) {
		return syntaxError(body)
	}
	if body[start] != '{' {
		return Errorf(CodeNotObject, "the body is %s, not the JSON object a callback must be", kindOf(string(body[start:start+1])))
	}
	return nil
}

// syntaxError describes where body, which validJSON rejected, stops being JSON.
func syntaxError(body []byte) *Error {
	var sink json.RawMessage
	err := json.Unmarshal(body, &sink)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return &Error{Code: CodeInvalidJSON, Message: "invalid JSON", Err: err}
	}
	// se.Offset counts the bytes read up to and including the one that broke.
	at := int(min(max(se.Offset, 1), int64(len(body))))
	before := body[:at-1]
	line := 1 + bytes.Count(before, []byte{'\n'})
	column := at - (bytes.LastIndexByte(before, '\n') + 1)
	return &Error{
		Code:    CodeInvalidJSON,
		Message: fmt.Sprintf("invalid JSON at byte %d: %s (line %d, column %d)", at, se.Error(), line, column),
		Err:     se,
	}
}

// skipSpaceBytes returns the index of the first byte of body that is not JSON
// whitespace, or len(body).
func skipSpaceBytes(body []byte) int {
	return len(body) - len(bytes.TrimLeft(body, " \t\r\n"))
}

// firstInvalidUTF8 returns the index of the first byte of b that does not
// start a valid UTF-8 sequence, or len(b).
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// checkBodyCommand checks the body's CallbackCommand, raw, against the URL's.
// An absent or null one is fine; the two spellings of a known command are the
// same command.
func checkBodyCommand(urlCommand, raw string) *Error {
	switch kindOf(raw) {
	case kindAbsent:
		return nil
	case kindString:
		if body := unquote(raw); !sameCommand(urlCommand, body) {
			return Errorf(CodeCommandMismatch, "the body's CallbackCommand %q contradicts the URL's %q", clip(body), clip(urlCommand))
		}
		return nil
	default:
		return Errorf(CodeCommandMismatch, "the body's CallbackCommand must be a string naming the URL's command %q, got %s", clip(urlCommand), kindOf(raw))
	}
}

// topFields are the raw values of the top-level body members the decoder
// reads; "" is absent or null. When a key appears more than once the last one
// wins, as with encoding/json.
type topFields struct {
	body            string // the whole body, for decoders that read every member
	command         string // CallbackCommand
	eventTime       string // EventTime
	callID          string // CallId
	roomID          string // RoomId
	callInfo        string // CallInfo
	callRecord      string // CallRecord
	userList        string // UserList
	changedUserList string // ChangedUserList
	eventType       string // EventType
	eventCause      string // EventCause
	memberList      string // MemberList
	eventGroupID    string // EventGroupId (TRTC events)
	callbackTs      string // CallbackTs (TRTC events)
	eventInfo       string // EventInfo (TRTC events)
}

// readTop collects the top-level members of the JSON object body. Keys match
// exactly; members it does not know are ignored.
func readTop(body string) topFields {
	t := topFields{body: body}
	for key, raw := range members(body) {
		switch key {
		case "CallbackCommand":
			t.command = raw
		case "EventTime":
			t.eventTime = raw
		case "CallId":
			t.callID = raw
		case "RoomId":
			t.roomID = raw
		case "CallInfo":
			t.callInfo = raw
		case "CallRecord":
			t.callRecord = raw
		case "UserList":
			t.userList = raw
		case "ChangedUserList":
			t.changedUserList = raw
		case "EventType":
			t.eventType = raw
		case "EventCause":
			t.eventCause = raw
		case "MemberList":
			t.memberList = raw
		case "EventGroupId":
			t.eventGroupID = raw
		case "CallbackTs":
			t.callbackTs = raw
		case "EventInfo":
			t.eventInfo = raw
		}
	}
	return t
}

// accountList collects the user accounts an event names, each once, in order
// of first mention. An empty account names nobody and is left out.
type accountList struct {
	list []string
	seen map[string]struct{} // nil until the list is too long to search
}

// linearAccounts is how many accounts accountList searches linearly before it
// builds a set; live rooms can list hundreds of members.
const linearAccounts = 16

// add appends account unless it is empty or already listed.
func (a *accountList) add(account string) {
	if account == "" {
		return
	}
	if a.seen == nil {
		if slices.Contains(a.list, account) {
			return
		}
		a.list = append(a.list, account)
		if len(a.list) > linearAccounts {
			a.seen = make(map[string]struct{}, 2*len(a.list))
			for _, acc := range a.list {
				a.seen[acc] = struct{}{}
			}
		}
		return
	}
	if _, ok := a.seen[account]; ok {
		return
	}
	a.seen[account] = struct{}{}
	a.list = append(a.list, account)
}
