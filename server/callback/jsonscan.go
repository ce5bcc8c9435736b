package callback

import (
	"encoding/json"
	"iter"
	"strings"
)

// The body decoder walks the callback's JSON in place rather than unmarshalling
// it through reflection: keys match Tencent's spelling exactly, numbers stay the
// digits that were sent (never a float64), every field's JSON type is checked
// against a path that can go into an error message, and every unescaped string
// is a substring of one copy of the body. The walker is only ever handed text
// that validJSON (jsonvalid.go) accepted, so it skips values without
// re-validating them; it still bounds every index, so malformed text ends a
// loop instead of panicking.

// kind is the JSON type of a raw value.
type kind uint8

const (
	kindAbsent kind = iota // no value, or JSON null
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// String names the kind the way an error message to the sender does.
func (k kind) String() string {
	switch k {
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	case kindString:
		return "a string"
	case kindArray:
		return "an array"
	case kindObject:
		return "an object"
	default:
		return "null"
	}
}

// kindOf returns the JSON type of raw, a complete JSON value or "".
func kindOf(raw string) kind {
	if raw == "" {
		return kindAbsent
	}
	switch raw[0] {
	case 'n':
		return kindAbsent
	case 't', 'f':
		return kindBool
	case '"':
		return kindString
	case '[':
		return kindArray
	case '{':
		return kindObject
	default:
		return kindNumber
	}
}

// members yields the key and raw value of each member of the JSON object raw,
// in the order they appear. A null value is yielded as "", so that null and an
// absent member read the same. Keys are unescaped.
func members(raw string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if kindOf(raw) != kindObject {
			return
		}
		i := skipSpace(raw, 1)
		for i < len(raw) && raw[i] == '"' {
			keyEnd := stringEnd(raw, i)
			key := unquote(raw[i:keyEnd])
			i = skipSpace(raw, keyEnd)
			if i < len(raw) && raw[i] == ':' {
				i = skipSpace(raw, i+1)
			}
			valueEnd := valueEnd(raw, i)
			if !yield(key, nullAsAbsent(raw[i:valueEnd])) {
				return
			}
			i = skipSpace(raw, valueEnd)
			if i < len(raw) && raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
	}
}

// elements yields the index and raw value of each element of the JSON array
// raw, in order. A null element is yielded as "".
func elements(raw string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		if kindOf(raw) != kindArray {
			return
		}
		i := skipSpace(raw, 1)
		for n := 0; i < len(raw) && raw[i] != ']'; n++ {
			end := valueEnd(raw, i)
			if end == i || !yield(n, nullAsAbsent(raw[i:end])) {
				return
			}
			i = skipSpace(raw, end)
			if i < len(raw) && raw[i] == ',' {
				i = skipSpace(raw, i+1)
			}
		}
	}
}

// countElements returns how many elements the JSON array raw has, so that
// slices can be allocated once.
func countElements(raw string) int {
	n := 0
	for range elements(raw) {
		n++
	}
	return n
}

// unquote returns the text of the JSON string token tok. Strings without
// escapes are returned as a substring of tok, without copying.
func unquote(tok string) string {
	if len(tok) < 2 {
		return ""
	}
	inner := tok[1 : len(tok)-1]
	if strings.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if err := json.Unmarshal([]byte(tok), &s); err != nil {
		// Unreachable for a token from validated JSON; keep the raw text
		// rather than lose it.
		return inner
	}
	return s
}

// nullAsAbsent maps the JSON null literal to "".
func nullAsAbsent(raw string) string {
	if raw == "null" {
		return ""
	}
	return raw
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at s[i].
func valueEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = stringEnd(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(s)
	default: // a number, true, false or null
		for i < len(s) {
			switch s[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return len(s)
	}
}

// stringEnd returns the index just past the JSON string token that starts at
// s[i], which is its opening quote.
func stringEnd(s string, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// isDigits reports whether s is a non-empty run of ASCII digits: a JSON number
// that is a whole, non-negative integer written without sign, fraction or
// exponent.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
