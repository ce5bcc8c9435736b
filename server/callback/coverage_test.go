package callback

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// TestGoldenInputsFillEveryLiveField decodes every golden input and checks
// that each field of every message in live_callbacks.proto and
// trtc_events.proto is set by at least one of them (the TRTC events'
// inputs are under testdata/trtc-input): a decoder that forgets a field, or a field no sample
// exercises, fails here; so does a row of the command table without a
// golden input. extra_json is left to the fuzz target and the
// goldens that carry unknown members.
func TestGoldenInputsFillEveryLiveField(t *testing.T) {
	set := map[protoreflect.FullName]bool{}
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			set[fd.FullName()] = true
			switch {
			case fd.Kind() != protoreflect.MessageKind || fd.IsMap():
			case fd.IsList():
				for i := range v.List().Len() {
					visit(v.List().Get(i).Message())
				}
			default:
				visit(v.Message())
			}
			return true
		})
	}
	types := map[gatewayv1.EventType]bool{}
	for _, tc := range loadCases(t) {
		ev, err := Decode(tc.query, tc.body, receivedAt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		types[ev.GetType()] = true
		visit(ev.ProtoReflect())
	}
	for _, tc := range loadTRTCCases(t) {
		ev, err := DecodeTRTC(trtcApp, tc.body, receivedAt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		types[ev.GetType()] = true
		visit(ev.ProtoReflect())
	}
	for _, c := range commands {
		if !types[c.typ] {
			t.Errorf("no golden input for %s (%v)", c.name, c.typ)
		}
	}

	for _, path := range []string{"trtc/gateway/v1/live_callbacks.proto", "trtc/gateway/v1/trtc_events.proto"} {
		fd, err := protoregistry.GlobalFiles.FindFileByPath(path)
		if err != nil {
			t.Fatal(err)
		}
		msgs := fd.Messages()
		for i := range msgs.Len() {
			fields := msgs.Get(i).Fields()
			for j := range fields.Len() {
				f := fields.Get(j)
				if !strings.HasSuffix(string(f.Name()), "extra_json") && !set[f.FullName()] {
					t.Errorf("no golden input sets %s", f.FullName())
				}
			}
		}
	}
}
