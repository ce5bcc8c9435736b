package callback

import (
	"encoding/json"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// object holds the members of one JSON object for a decoder that reads the
// members it models by key and keeps every other one, byte for byte, as the
// message's extra_json, so a field Tencent adds later is never lost. As with
// encoding/json, a repeated key counts at its last occurrence.
type object struct {
	keys []string          // each key once, in order of first appearance
	vals map[string]string // raw value of each key ("" for null)
	read map[string]bool   // keys a decoder asked for or skipped
}

// newObject indexes the members of the JSON object raw; raw "" (absent) has none.
func newObject(raw string) *object {
	o := &object{vals: map[string]string{}, read: map[string]bool{}}
	for key, v := range members(raw) {
		if _, seen := o.vals[key]; !seen {
			o.keys = append(o.keys, key)
		}
		o.vals[key] = v
	}
	return o
}

// newBody indexes a callback body's top level; CallbackCommand and EventTime
// are on the event's envelope, so they are not extra.
func newBody(top *topFields) *object {
	o := newObject(top.body)
	o.skip("CallbackCommand", "EventTime")
	return o
}

// get returns the raw value of key ("" when absent or null) and marks it read.
func (o *object) get(key string) string {
	o.read[key] = true
	return o.vals[key]
}

// skip marks keys read without reading them.
func (o *object) skip(keys ...string) {
	for _, k := range keys {
		o.read[k] = true
	}
}

// extra returns the members no one read as a JSON object, values exactly as
// received, or "" when there are none.
func (o *object) extra() string {
	var b strings.Builder
	for _, k := range o.keys {
		if o.read[k] {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k) // a Go string always marshals
		b.Write(key)
		b.WriteByte(':')
		if v := o.vals[k]; v != "" {
			b.WriteString(v)
		} else {
			b.WriteString("null")
		}
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteByte('}')
	return b.String()
}

// optStr reads an optional JSON string: nil when absent or null.
func (r *fieldReader) optStr(name, raw string) *string {
	if r.err != nil || raw == "" {
		return nil
	}
	s := r.str(name, raw)
	if r.err != nil {
		return nil
	}
	return &s
}

// boolean reads an optional JSON boolean; 0 and 1 are accepted as false and
// true, as some Tencent services send flags as numbers.
func (r *fieldReader) boolean(name, raw string) *bool {
	if r.err != nil || raw == "" {
		return nil
	}
	var b bool
	switch raw {
	case "true", "1":
		b = true
	case "false", "0":
	default:
		r.err = wrongType(name, "a boolean", raw)
		return nil
	}
	return &b
}

// numberText returns the text of a whole number sent as a JSON number or as a
// JSON string holding one (Tencent's field tables and samples disagree on
// several counts), or records an error.
func (r *fieldReader) numberText(name, raw, want string) (string, bool) {
	text := raw
	switch kindOf(raw) {
	case kindNumber:
	case kindString:
		text = unquote(raw)
	default:
		r.err = wrongType(name, want, raw)
		return "", false
	}
	return text, true
}

// integer reads an optional whole number (a JSON number or a string of digits
// with an optional sign) that fits an int64.
func (r *fieldReader) integer(name, raw string) *int64 {
	if r.err != nil || raw == "" {
		return nil
	}
	const want = "a whole number"
	text, ok := r.numberText(name, raw, want)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		r.err = badValue(name, "a whole number that fits 64 bits", raw)
		return nil
	}
	return &n
}

// unsigned reads an optional whole number of 0 or more that fits a uint64
// (message sequence numbers, randoms).
func (r *fieldReader) unsigned(name, raw string) *uint64 {
	if r.err != nil || raw == "" {
		return nil
	}
	text, ok := r.numberText(name, raw, "a whole number")
	if !ok {
		return nil
	}
	if !isDigits(text) {
		r.err = badValue(name, "a whole number of 0 or more", raw)
		return nil
	}
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		r.err = badValue(name, "a whole number that fits 64 bits", raw)
		return nil
	}
	return &n
}

// millisDuration reads a duration Tencent sends in milliseconds (battle
// Timeout and Duration), a whole number of 0 or more; nil when absent.
func (r *fieldReader) millisDuration(name, raw string) *durationpb.Duration {
	n := r.unsigned(name, raw)
	if n == nil {
		return nil
	}
	const maxMillis = 315_576_000_000_000 // the largest google.protobuf.Duration, 10,000 years
	if *n > maxMillis {
		r.err = badValue(name, "milliseconds up to 10,000 years", raw)
		return nil
	}
	return &durationpb.Duration{Seconds: int64(*n / 1000), Nanos: int32(*n % 1000 * 1_000_000)}
}

// ids reads an array of identifiers (accounts, room ids), each a JSON string
// or whole number kept as its exact digits; a lone identifier instead of an
// array reads as a list of one, and null elements are skipped.
func (r *fieldReader) ids(name, raw string) []string {
	if r.err != nil || raw == "" {
		return nil
	}
	if kindOf(raw) != kindArray {
		if id := r.id(name, raw); id != "" {
			return []string{id}
		}
		return nil
	}
	out := make([]string, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		var er fieldReader
		id := er.id("", el)
		if er.err != nil {
			r.err = er.err.inElement(name, i)
			return nil
		}
		out = append(out, id)
	}
	return out
}

// strs reads an array of JSON strings; null elements are skipped.
func (r *fieldReader) strs(name, raw string) []string {
	if r.err != nil || raw == "" {
		return nil
	}
	if kindOf(raw) != kindArray {
		r.err = wrongType(name, "an array of strings", raw)
		return nil
	}
	out := make([]string, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		var er fieldReader
		s := er.str("", el)
		if er.err != nil {
			r.err = er.err.inElement(name, i)
			return nil
		}
		out = append(out, s)
	}
	return out
}

// ints reads an array of whole numbers; null elements are skipped.
func (r *fieldReader) ints(name, raw string) []int64 {
	if r.err != nil || raw == "" {
		return nil
	}
	if kindOf(raw) != kindArray {
		r.err = wrongType(name, "an array of whole numbers", raw)
		return nil
	}
	out := make([]int64, 0, countElements(raw))
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		var er fieldReader
		n := er.integer("", el)
		if er.err != nil {
			r.err = er.err.inElement(name, i)
			return nil
		}
		out = append(out, *n)
	}
	return out
}

// eachObject calls read with every element of the array list that is an
// object; null elements are skipped and any other element is an error.
func eachObject(list, raw string, read func(o *object) *fieldError) *fieldError {
	if raw == "" {
		return nil
	}
	for i, el := range elements(raw) {
		if el == "" {
			continue
		}
		if kindOf(el) != kindObject {
			return wrongType("", "an object", el).inElement(list, i)
		}
		if err := read(newObject(el)); err != nil {
			return err.inElement(list, i)
		}
	}
	return nil
}

// seconds reads a Unix time in seconds (CreateTime, StartTime, MsgTime, ...).
func (r *fieldReader) seconds(name, raw string) *timestamppb.Timestamp {
	return r.unixTime(name, raw, seconds)
}
