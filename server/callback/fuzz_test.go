package callback

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// FuzzDecode feeds arbitrary query strings and bodies to Decode. Whatever the
// input, Decode must not panic; an accepted callback must be an Event that
// survives the wire and JSON encodings the log and the API use; a rejected one
// must be an *Error with a 4xx status; DecodeBodyUntyped must carry every
// body DecodeBody accepts. The seed corpus is every golden input
// plus testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, tc := range loadCases(f) {
		f.Add(tc.query.Encode(), tc.body)
	}
	f.Fuzz(func(t *testing.T, rawQuery string, body []byte) {
		q, _ := url.ParseQuery(rawQuery) // keeps what parsed, as net/http does
		if p, err := ParseParams(q); err == nil {
			// The untyped fallback of before callbacks accepts what the typed
			// decoders accept and more, always keeping the body.
			if un, err := DecodeBodyUntyped(p, body, receivedAt); err == nil {
				if un.GetType() != gatewayv1.EventType_EVENT_TYPE_OTHER || un.GetOther().GetJson() != string(body) {
					t.Fatalf("untyped event %v does not carry the body", un)
				}
			} else if _, typedErr := DecodeBody(p, body, receivedAt); typedErr == nil {
				t.Fatalf("DecodeBodyUntyped refused %q, which DecodeBody accepts: %v", body, err)
			}
		}
		ev, err := Decode(q, body, receivedAt)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %q is not an *Error", err, err)
			}
			if e.Code == CodeOK || e.HTTPStatus() < 400 || e.HTTPStatus() > 499 {
				t.Fatalf("rejection with code %d, status %d: %s", e.Code, e.HTTPStatus(), e.Message)
			}
			if e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("rejection message %q is empty or not UTF-8", e.Message)
			}
			return
		}
		if ev == nil {
			t.Fatal("Decode returned neither an event nor an error")
		}
		if ev.GetType() == gatewayv1.EventType_EVENT_TYPE_UNSPECIFIED || ev.GetPayload() == nil {
			t.Fatalf("accepted event has type %v and payload %v", ev.GetType(), ev.GetPayload())
		}
		if other := ev.GetOther(); other != nil && other.GetJson() != string(body) {
			t.Fatalf("other.json %q differs from the body %q", other.GetJson(), body)
		}

		checkKeptJSON(t, ev.ProtoReflect())

		wire, err := proto.Marshal(ev)
		if err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		var back gatewayv1.Event
		if err := proto.Unmarshal(wire, &back); err != nil {
			t.Fatalf("proto.Unmarshal: %v", err)
		}
		if !proto.Equal(ev, &back) {
			t.Fatalf("event changed through the wire format:\n%v\n%v", ev, &back)
		}
		if _, err := protojson.Marshal(ev); err != nil {
			t.Fatalf("protojson.Marshal: %v", err)
		}

		again, err := Decode(q, body, receivedAt)
		if err != nil || !proto.Equal(ev, again) {
			t.Fatalf("decoding twice gave a different result: %v, %v", again, err)
		}
	})
}

// checkKeptJSON fails t unless every extra_json in m, at any depth, is empty
// or a JSON object, and every msg_content_json valid JSON: what the decoder
// keeps for later must parse.
func checkKeptJSON(t *testing.T, m protoreflect.Message) {
	t.Helper()
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Name() == "extra_json":
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(v.String()), &obj); err != nil || obj == nil {
				t.Fatalf("%s = %q is not a JSON object: %v", fd.FullName(), v.String(), err)
			}
		case fd.Name() == "msg_content_json":
			if !json.Valid([]byte(v.String())) {
				t.Fatalf("%s = %q is not JSON", fd.FullName(), v.String())
			}
		case fd.Kind() == protoreflect.MessageKind && fd.IsList():
			for i := range v.List().Len() {
				checkKeptJSON(t, v.List().Get(i).Message())
			}
		case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
			checkKeptJSON(t, v.Message())
		}
		return true
	})
}

// FuzzValidJSON checks checkBody's validator against encoding/json: for every
// input, validJSON must agree with json.Valid. Its nesting limit is
// encoding/json's own, so no input is excepted. The seed corpus is every body
// the package tests with, the edge cases of TestValidJSON that are shorter
// than maxFuzzSeed, and anything under testdata/fuzz/FuzzValidJSON.
func FuzzValidJSON(f *testing.F) {
	for _, body := range corpusBodies(f) {
		f.Add(body)
	}
	for _, tc := range validJSONCases {
		if len(tc.in) <= maxFuzzSeed {
			f.Add([]byte(tc.in))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid = %v", b, got, want)
		}
	})
}

// maxFuzzSeed leaves the 10,000-level cases at the depth limit out of the
// fuzzer's seeds: minimising what it finds from them stalls a run for most of
// a minute. TestValidJSONNearDepthLimit covers the limit instead.
const maxFuzzSeed = 4 << 10

// FuzzParseRawQuery checks ParseRawQuery against the slow path it stands in
// for: whenever it takes a query, url.ParseQuery must take it without error
// and ParseParams must return the same Params. The seed corpus is every
// golden query plus the edge cases of TestParseRawQuery.
func FuzzParseRawQuery(f *testing.F) {
	for _, tc := range loadCases(f) {
		f.Add(tc.query.Encode())
	}
	for _, tc := range rawQueryCases {
		f.Add(tc.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast, ok := ParseRawQuery(raw)
		if !ok {
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("ParseRawQuery took %q, which url.ParseQuery refuses: %v", raw, err)
		}
		slow, err := ParseParams(q)
		if err != nil {
			t.Fatalf("ParseRawQuery took %q, which ParseParams refuses: %v", raw, err)
		}
		if fast != slow {
			t.Fatalf("ParseRawQuery(%q) = %+v, ParseParams = %+v", raw, fast, slow)
		}
	})
}
