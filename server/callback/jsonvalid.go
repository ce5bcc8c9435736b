package callback

// checkBody validates every body with validJSON, a direct walk over the JSON
// grammar (RFC 8259) that is several times faster than json.Valid's
// byte-at-a-time state machine. It accepts exactly what json.Valid accepts;
// only on a rejection does syntaxError ask encoding/json where the text broke.

// maxJSONDepth is the deepest nesting of arrays and objects validJSON accepts.
// It is encoding/json's own limit, so a deeper body is rejected as before:
// CodeInvalidJSON, "exceeded max depth" at the first bracket past it.
const maxJSONDepth = 10000

// validJSON reports whether b is exactly one JSON value, with optional
// whitespace around it, nested no deeper than maxJSONDepth. Like json.Valid,
// it does not check that strings are valid UTF-8. It works iteratively, so no
// input can exhaust the stack.
func validJSON(b []byte) bool {
	// objects holds a bit per open container, set for an object and clear for
	// an array; the first 256 levels need no allocation.
	var inline [4]uint64
	objects := inline[:]
	depth := 0
	i := 0
	for {
		// i is where a value may start, after optional whitespace.
		i = skipJSONSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '{', '[':
			if depth == maxJSONDepth {
				return false
			}
			object := b[i] == '{'
			closer := byte(']')
			if object {
				closer = '}'
			}
			i = skipJSONSpace(b, i+1)
			if i < len(b) && b[i] == closer {
				i++ // empty: closed as soon as opened
				break
			}
			if depth>>6 == len(objects) {
				objects = append(objects, 0)
			}
			bit := uint64(1) << (depth & 63)
			if object {
				objects[depth>>6] |= bit
				if i = objectKey(b, i); i < 0 {
					return false
				}
			} else {
				objects[depth>>6] &^= bit
			}
			depth++
			continue
		case '"':
			i = validStringEnd(b, i)
		case 't':
			i = validLiteralEnd(b, i, "true")
		case 'f':
			i = validLiteralEnd(b, i, "false")
		case 'n':
			i = validLiteralEnd(b, i, "null")
		default:
			i = validNumberEnd(b, i)
		}
		if i < 0 {
			return false
		}

		// A value has ended: close what it ends, then find the next one.
		for {
			i = skipJSONSpace(b, i)
			if depth == 0 {
				return i == len(b)
			}
			if i >= len(b) {
				return false
			}
			object := objects[(depth-1)>>6]&(uint64(1)<<((depth-1)&63)) != 0
			c := b[i]
			if c == ',' {
				i++
				if object {
					if i = objectKey(b, i); i < 0 {
						return false
					}
				}
				break
			}
			if object && c == '}' || !object && c == ']' {
				i++
				depth--
				continue
			}
			return false
		}
	}
}

// jsonSpace marks the four bytes JSON allows between tokens.
var jsonSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// skipJSONSpace returns the index of the first byte at or after i that is not
// JSON whitespace, or len(b).
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && jsonSpace[b[i]] {
		i++
	}
	return i
}

// objectKey checks the key and colon of an object member, with the whitespace
// around them, starting at b[i]; it returns the index just past the colon, or
// -1.
func objectKey(b []byte, i int) int {
	i = skipJSONSpace(b, i)
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = validStringEnd(b, i); i < 0 {
		return -1
	}
	i = skipJSONSpace(b, i)
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	return i + 1
}

// stringByte marks the bytes that stand for themselves inside a JSON string:
// all but the quote, the backslash and the control characters below 0x20.
// Bytes from 0x80 up pass whatever UTF-8 they form, as with json.Valid.
var stringByte = func() (t [256]bool) {
	for c := 0x20; c < len(t); c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// hexDigit marks the bytes a \uXXXX escape may use.
var hexDigit = func() (t [256]bool) {
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] = true
	}
	return t
}()

// validStringEnd checks the JSON string whose opening quote is b[i] and
// returns the index just past its closing quote, or -1.
func validStringEnd(b []byte, i int) int {
	i++
	for {
		for i < len(b) && stringByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1 // unterminated
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			if i+1 >= len(b) {
				return -1
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 || !hexDigit[b[i+2]] || !hexDigit[b[i+3]] || !hexDigit[b[i+4]] || !hexDigit[b[i+5]] {
					return -1
				}
				i += 6
			default:
				return -1
			}
		default:
			return -1 // a control character
		}
	}
}

// validNumberEnd checks the JSON number that starts at b[i], with i <
// len(b), and returns the index just past it, or -1. The grammar is
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?; whatever follows is the
// caller's to judge, so "01" ends after the 0.
func validNumberEnd(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = digitsEnd(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		i = digitsEnd(b, i+1)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -1
		}
		i = digitsEnd(b, i+1)
	}
	return i
}

// digitsEnd returns the index of the first byte at or after i that is not an
// ASCII digit, or len(b).
func digitsEnd(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// validLiteralEnd checks that lit (true, false or null) starts at b[i] and
// returns the index just past it, or -1.
func validLiteralEnd(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}
