package callback

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validJSONCases are edge cases of the JSON grammar; want is what json.Valid
// says, and validJSON must say the same.
var validJSONCases = []struct {
	name string
	in   string
	want bool
}{
	// Top level.
	{"empty", "", false},
	{"only whitespace", " \t\r\n", false},
	{"each whitespace kind around a value", " \t\r\n{}\n\r\t ", true},
	{"form feed", "\f{}", false},
	{"vertical tab", "{}\v", false},
	{"no-break space", "\u00a0{}", false},
	{"NUL after value", "{}\x00", false},
	{"byte order mark", "\ufeff{}", false},
	{"two values", "{} {}", false},
	{"two numbers", "1 2", false},
	{"scalar top level", `"x"`, true},
	{"number top level", "0", true},
	{"literal top level", "null", true},
	{"closer first", "}", false},
	{"comma only", ",", false},

	// Literals.
	{"true", "[true]", true},
	{"false", "[false]", true},
	{"null", "[null]", true},
	{"truncated true", "tru", false},
	{"truncated false", "[fals]", false},
	{"truncated null", "nul", false},
	{"capitalised", "True", false},
	{"literal with tail", "truex", false},
	{"literal glued to literal", "[truefalse]", false},
	{"NaN", "NaN", false},
	{"Infinity", "[Infinity]", false},

	// Numbers.
	{"zero", "0", true},
	{"negative zero", "-0", true},
	{"integer", "1234567890", true},
	{"negative integer", "-42", true},
	{"leading zero", "01", false},
	{"negative leading zero", "-01", false},
	{"double zero", "00", false},
	{"zero fraction", "0.5", true},
	{"lone minus", "-", false},
	{"minus then space", "- 1", false},
	{"double minus", "--1", false},
	{"plus sign", "+1", false},
	{"lone dot", ".", false},
	{"no integer part", ".5", false},
	{"no fraction digits", "1.", false},
	{"fraction then exponent without digits", "1.e5", false},
	{"two dots", "1.2.3", false},
	{"fraction", "3.14159", true},
	{"exponent", "1e5", true},
	{"capital exponent", "1E5", true},
	{"exponent plus", "1e+5", true},
	{"exponent minus", "1e-5", true},
	{"exponent leading zeros", "1e007", true},
	{"fraction and exponent", "-0.5E-10", true},
	{"zero exponent", "0e0", true},
	{"exponent without digits", "1e", false},
	{"exponent sign without digits", "1e+", false},
	{"exponent double sign", "1e+-5", false},
	{"exponent fraction", "1e5.5", false},
	{"hex", "0x1F", false},
	{"number then letter", "[1a]", false},
	{"number glued to literal", "[1true]", false},
	{"number in object", `{"a":-1.5e3}`, true},
	{"huge number", "1" + strings.Repeat("0", 400), true},

	// Strings.
	{"empty string", `""`, true},
	{"escaped quote", `"\""`, true},
	{"escaped backslash", `"\\"`, true},
	{"escaped slash", `"\/"`, true},
	{"escaped backspace", `"\b"`, true},
	{"escaped form feed", `"\f"`, true},
	{"escaped newline", `"\n"`, true},
	{"escaped carriage return", `"\r"`, true},
	{"escaped tab", `"\t"`, true},
	{"unicode escape", `"\u00e9"`, true},
	{"unicode escape upper hex", `"\uABCD"`, true},
	{"unicode escape lone surrogate", `"\ud800"`, true},
	{"unicode escape NUL", `"\u0000"`, true},
	{"all escapes in one", `"a\"b\\c\/d\be\ff\ng\rh\ti\u12aFj"`, true},
	{"escape at end", `"\`, false},
	{"escape then quote at end", `"\"`, false},
	{"unknown escape", `"\a"`, false},
	{"escaped single quote", `"\'"`, false},
	{"escaped zero", `"\0"`, false},
	{"escaped x", `"\x41"`, false},
	{"capital U escape", `"\U00e9"`, false},
	{"short unicode escape", `"\u12"`, false},
	{"short unicode escape at end", `"\u12`, false},
	{"non-hex unicode escape", `"\u12g4"`, false},
	{"unicode escape with sign", `"\u+123"`, false},
	{"unterminated", `"abc`, false},
	{"unterminated in object", `{"a":"b}`, false},
	{"raw NUL", "\"a\x00b\"", false},
	{"raw tab", "\"a\tb\"", false},
	{"raw newline", "\"a\nb\"", false},
	{"raw unit separator", "\"\x1f\"", false},
	{"raw space", `" "`, true},
	{"raw DEL", "\"\x7f\"", true},
	{"UTF-8 text", `"héllo, 世界 🎉"`, true},
	{"invalid UTF-8 in string", "\"\xff\"", true},
	{"truncated UTF-8 in string", "\"\xc3(\"", true},
	{"encoded surrogate in string", "\"\xed\xa0\x80\"", true},
	{"invalid UTF-8 outside string", "[\xff]", false},
	{"UTF-8 outside string", "[é]", false},
	{"single quotes", `'a'`, false},
	{"brackets in string", `["[{]}"]`, true},

	// Objects.
	{"empty object", "{}", true},
	{"empty object with whitespace", "{ \t\r\n}", true},
	{"member", `{"a":1}`, true},
	{"members with whitespace", "{ \"a\" : 1 , \"b\"\t:\n[ ] }", true},
	{"trailing comma in object", `{"a":1,}`, false},
	{"leading comma in object", `{,"a":1}`, false},
	{"double comma in object", `{"a":1,,"b":2}`, false},
	{"missing comma in object", `{"a":1 "b":2}`, false},
	{"missing colon", `{"a" 1}`, false},
	{"double colon", `{"a"::1}`, false},
	{"missing value", `{"a":}`, false},
	{"missing key", `{:1}`, false},
	{"number key", `{1:1}`, false},
	{"bare key", `{a:1}`, false},
	{"key without member", `{"a"}`, false},
	{"unclosed object", `{"a":1`, false},
	{"object closed by bracket", `{"a":1]`, false},
	{"empty object closed by bracket", `{]`, false},
	{"escaped key", `{"\u0041\n":true}`, true},
	{"bad escape in key", `{"\q":1}`, false},
	{"control character in key", "{\"a\x01\":1}", false},
	{"duplicate keys", `{"a":1,"a":2}`, true},

	// Arrays.
	{"empty array", "[]", true},
	{"empty array with whitespace", "[ \n ]", true},
	{"elements", `[1,"a",true,null,{},[]]`, true},
	{"trailing comma in array", "[1,]", false},
	{"leading comma in array", "[,1]", false},
	{"double comma in array", "[1,,2]", false},
	{"lone comma in array", "[,]", false},
	{"missing comma in array", "[1 2]", false},
	{"colon in array", `["a":1]`, false},
	{"unclosed array", "[1", false},
	{"unclosed empty array", "[", false},
	{"array closed by brace", "[1}", false},
	{"empty array closed by brace", "[}", false},
	{"extra closer", "[]]", false},
	{"nested", `{"a":[{"b":[1,{"c":null}]},[]],"d":{}}`, true},
	{"nested closers swapped", `{"a":[{"b":1]}}`, false},

	// Nesting depth.
	{"arrays at the depth limit", nested("[", "]", maxJSONDepth, ""), true},
	{"arrays past the depth limit", nested("[", "]", maxJSONDepth+1, ""), false},
	{"objects at the depth limit", nested(`{"a":`, "}", maxJSONDepth-1, "{}"), true},
	{"objects past the depth limit", nested(`{"a":`, "}", maxJSONDepth, "{}"), false},
	{"values at the depth limit", nested(`[1,{"a":`, "}]", maxJSONDepth/2, "0"), true},
	{"values past the depth limit", nested(`[1,{"a":`, "}]", maxJSONDepth/2, "[0]"), false},
	{"unclosed past the depth limit", strings.Repeat("[", maxJSONDepth+1), false},
	{"alternating 66 levels", nested(`[{"a":`, "}]", 33, "1"), true},
	{"alternating 66 levels, level 64 closed wrong", swapCloser(nested(`[{"a":`, "}]", 33, "1"), 64), false},
	{"alternating 66 levels, level 65 closed wrong", swapCloser(nested(`[{"a":`, "}]", 33, "1"), 65), false},
	{"alternating 66 levels, innermost closed wrong", swapCloser(nested(`[{"a":`, "}]", 33, "1"), 66), false},
	{"alternating 258 levels", nested(`{"a":[`, "]}", 129, "1"), true},
	{"alternating 258 levels, level 256 closed wrong", swapCloser(nested(`{"a":[`, "]}", 129, "1"), 256), false},
	{"alternating 258 levels, level 257 closed wrong", swapCloser(nested(`{"a":[`, "]}", 129, "1"), 257), false},
	{"alternating 300 levels, outermost closed wrong", swapCloser(nested(`{"a":[`, "]}", 150, "1"), 1), false},
	{"alternating 300 levels, empty innermost", nested(`{"a":[`, "]}", 150, "{}"), true},
	{"alternating 300 levels, empty innermost closed wrong", nested(`{"a":[`, "]}", 150, "{]"), false},
}

// nested is open repeated n times, then inner, then close repeated n times.
func nested(open, close string, n int, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// swapCloser turns the closer of nesting level level (1 is the outermost) of
// s, which has no brackets or braces inside strings, into the other kind.
func swapCloser(s string, level int) string {
	b := []byte(s)
	before := strings.Count(s, "[") + strings.Count(s, "{") - level // closers of deeper levels
	for i, c := range b {
		if c == ']' || c == '}' {
			if before == 0 {
				b[i] ^= ']' ^ '}'
				return string(b)
			}
			before--
		}
	}
	panic("swapCloser: no such level")
}

func TestValidJSON(t *testing.T) {
	for _, tc := range validJSONCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := json.Valid([]byte(tc.in)); got != tc.want {
				t.Fatalf("json.Valid = %v, the case says %v: fix the case", got, tc.want)
			}
			if got := validJSON([]byte(tc.in)); got != tc.want {
				t.Errorf("validJSON = %v, json.Valid = %v", got, tc.want)
			}
		})
	}
}

// TestValidJSONNearDepthLimit nests every edge case and corpus body in arrays
// a few levels either side of the depth limit, so that the nesting inside
// each decides whether the whole is past it.
func TestValidJSONNearDepthLimit(t *testing.T) {
	inner := corpusBodies(t)
	for _, tc := range validJSONCases {
		if len(tc.in) <= maxFuzzSeed {
			inner = append(inner, []byte(tc.in))
		}
	}
	for _, levels := range []int{maxJSONDepth - 5, maxJSONDepth - 2, maxJSONDepth - 1, maxJSONDepth} {
		for _, in := range inner {
			b := []byte(nested("[", "]", levels, string(in)))
			if got, want := validJSON(b), json.Valid(b); got != want {
				t.Fatalf("%d levels around %q: validJSON = %v, json.Valid = %v", levels, in, got, want)
			}
		}
	}
}

// TestValidJSONAgreesOnCorpus checks validJSON against json.Valid on every
// body this package tests with, and on each of their prefixes, where most
// ways to be invalid live.
func TestValidJSONAgreesOnCorpus(t *testing.T) {
	for _, body := range corpusBodies(t) {
		for n := 0; n <= len(body); n++ {
			if got, want := validJSON(body[:n]), json.Valid(body[:n]); got != want {
				t.Fatalf("validJSON(%q) = %v, json.Valid = %v", body[:n], got, want)
			}
		}
	}
}

// corpusBodies returns every body under testdata/input and every body in the
// FuzzDecode seed corpus.
func corpusBodies(t testing.TB) [][]byte {
	t.Helper()
	var bodies [][]byte
	for _, tc := range loadCases(t) {
		bodies = append(bodies, tc.body)
	}
	paths, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// A corpus file is a header line, then one Go literal per argument;
		// the body is the []byte one.
		for line := range strings.Lines(string(raw)) {
			lit, ok := strings.CutPrefix(strings.TrimSpace(line), "[]byte(")
			if !ok {
				continue
			}
			body, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			bodies = append(bodies, []byte(body))
		}
	}
	return bodies
}
