package callback

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// Units of the Unix times Tencent sends, as counts per second.
const (
	seconds      = 1    // call record StartTime, EndTime, AcceptTime
	milliseconds = 1000 // EventTime
)

// maxUnixSeconds is 9999-12-31T23:59:59Z, the last second a
// google.protobuf.Timestamp can hold.
const maxUnixSeconds = 253402300799

// fieldError is a field of the body with the wrong JSON type or an impossible
// value. Decoders build it where the field is read and prefix the path of each
// enclosing object or array on the way out, so the sender sees where it is.
type fieldError struct {
	path string // e.g. "UserList[1].User_Account"; "" while it is the value itself
	msg  string // what was expected and what came, e.g. "want a string, got an object"
}

// in prefixes the error's path with parent, the member or element that holds it.
func (e *fieldError) in(parent string) *fieldError {
	if e.path == "" {
		e.path = parent
	} else {
		e.path = parent + "." + e.path
	}
	return e
}

// inElement prefixes the error's path with element i of the array list.
func (e *fieldError) inElement(list string, i int) *fieldError {
	return e.in(list + "[" + strconv.Itoa(i) + "]")
}

// toError turns the field error into the *Error the sender gets.
func (e *fieldError) toError() *Error {
	return Errorf(CodeBadField, "field %s: %s", e.path, e.msg)
}

// wrongType is the error for a value of the wrong JSON type.
func wrongType(name, want, raw string) *fieldError {
	return &fieldError{path: name, msg: "want " + want + ", got " + kindOf(raw).String()}
}

// badValue is the error for a value of the right type that cannot be right.
func badValue(name, want, raw string) *fieldError {
	return &fieldError{path: name, msg: "want " + want + ", got " + clip(raw)}
}

// clip shortens a value quoted in an error message, cutting on a UTF-8
// character boundary.
func clip(raw string) string { return Clip(raw) }

// Clip shortens text that came from outside to at most 40 bytes (on a rune
// boundary, with an ellipsis) so that a message quoting it stays short.
func Clip(raw string) string {
	const limit = 40
	if len(raw) <= limit {
		return raw
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return raw[:cut] + "…"
}

// fieldReader reads the members of one JSON object into Go values, keeping the
// first error so that a decoder can read every field in a row and check once.
// Each method returns the zero value when the raw value is absent or null, and
// also once an earlier field failed.
type fieldReader struct {
	err *fieldError
}

// str reads a JSON string.
func (r *fieldReader) str(name, raw string) string {
	if r.err != nil || raw == "" {
		return ""
	}
	if kindOf(raw) != kindString {
		r.err = wrongType(name, "a string", raw)
		return ""
	}
	return unquote(raw)
}

// id reads an identifier Tencent sends either as a JSON string or as a JSON
// number (accounts, room ids). A number is kept as the exact digits sent, so
// 144115212830834855 is never rounded through a float64; a number with a sign,
// fraction or exponent cannot be an id and is rejected.
func (r *fieldReader) id(name, raw string) string {
	if r.err != nil || raw == "" {
		return ""
	}
	switch kindOf(raw) {
	case kindString:
		return unquote(raw)
	case kindNumber:
		if !isDigits(raw) {
			r.err = badValue(name, "a string or a whole number without sign or exponent", raw)
			return ""
		}
		return raw
	default:
		r.err = wrongType(name, "a string or a number", raw)
		return ""
	}
}

// object checks that raw is a JSON object and returns it.
func (r *fieldReader) object(name, raw string) string {
	if r.err != nil || raw == "" {
		return ""
	}
	if kindOf(raw) != kindObject {
		r.err = wrongType(name, "an object", raw)
		return ""
	}
	return raw
}

// array checks that raw is a JSON array and returns it.
func (r *fieldReader) array(name, raw string) string {
	if r.err != nil || raw == "" {
		return ""
	}
	if kindOf(raw) != kindArray {
		r.err = wrongType(name, "an array", raw)
		return ""
	}
	return raw
}

// roomIDType reads RoomIdType, a JSON number: 1 is a numeric room id, 2 a
// string one. Any other number is kept as text with an UNSPECIFIED type, so a
// new type Tencent adds later does not fail ingestion.
func (r *fieldReader) roomIDType(name, raw string) (text string) {
	if r.err != nil || raw == "" {
		return ""
	}
	if kindOf(raw) != kindNumber {
		r.err = wrongType(name, "a number (1 numeric, 2 string)", raw)
		return ""
	}
	return raw
}

// unixTime reads a JSON number, or a JSON string of its digits, counting perSecond units per second since the
// Unix epoch (seconds or milliseconds). Zero means "never" and reads as nil,
// as does an absent value.
func (r *fieldReader) unixTime(name, raw string, perSecond uint64) *timestamppb.Timestamp {
	if r.err != nil || raw == "" {
		return nil
	}
	unit := "Unix seconds"
	if perSecond == milliseconds {
		unit = "Unix milliseconds"
	}
	switch kindOf(raw) {
	case kindNumber:
	case kindString:
		// Tencent sends EventTime as a string of digits in some samples
		// (Group.CallbackAfterSendMsg); the same digits mean the same time.
		raw = unquote(raw)
	default:
		r.err = wrongType(name, "a number of "+unit, raw)
		return nil
	}
	if strings.HasPrefix(raw, "-") {
		r.err = badValue(name, "a time of 0 "+unit+" or later", raw)
		return nil
	}
	if !isDigits(raw) {
		r.err = badValue(name, "a whole number of "+unit, raw)
		return nil
	}
	limit := uint64(maxUnixSeconds)*perSecond + perSecond - 1
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || n > limit {
		r.err = badValue(name, unit+" from 0 to "+strconv.FormatUint(limit, 10)+" (year 9999)", raw)
		return nil
	}
	return unixTimestamp(n, perSecond)
}

// unixTimestamp converts n units (perSecond per second) since the Unix epoch to
// a timestamp; 0 is nil, the unset time.
func unixTimestamp(n, perSecond uint64) *timestamppb.Timestamp {
	if n == 0 {
		return nil
	}
	return &timestamppb.Timestamp{
		Seconds: int64(n / perSecond),
		Nanos:   int32(n % perSecond * (1_000_000_000 / perSecond)),
	}
}
