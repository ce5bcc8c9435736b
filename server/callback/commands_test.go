package callback

import (
	"strings"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// TestCommandKey checks that every spelling of one command, in any case, has
// one key, and that other commands keep their own (case-folded) key.
func TestCommandKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Live.CallbackMemberStateChanged", "Live.CallbackAfterMemberStateChanged"},
		{"live.callbackmemberstatechanged", "LIVE.CALLBACKAFTERMEMBERSTATECHANGED"},
		{"Call.CallbackAfterStartCall", "call.callbackafterstartcall"},
		{"Some.Unknown", "some.unknown"},
	}
	for _, tt := range tests {
		if ka, kb := CommandKey(tt.a), CommandKey(tt.b); ka != kb {
			t.Errorf("CommandKey(%q) = %q, CommandKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	if CommandKey("Call.CallbackAfterStartCall") == CommandKey("Call.CallbackAfterEndCall") {
		t.Error("two commands share a key")
	}
}

// TestCommandTable checks the table's invariants: every row decodes, has a
// type of its own that is neither OTHER nor UNSPECIFIED, and a token that
// is a valid NATS subject token.
func TestCommandTable(t *testing.T) {
	for _, c := range commands {
		if c.decode == nil {
			t.Errorf("%v: no decoder", c.typ)
		}
		if c.typ == gatewayv1.EventType_EVENT_TYPE_OTHER || c.typ == gatewayv1.EventType_EVENT_TYPE_UNSPECIFIED {
			t.Errorf("%q: row of type %v", c.name, c.typ)
		}
		if c.name == "" && c.group == 0 {
			t.Errorf("%v: matched by neither a command name nor an event group", c.typ)
		}
		if c.name != "" && EventTypeOf(c.name) != c.typ {
			t.Errorf("EventTypeOf(%q) = %v, want %v", c.name, EventTypeOf(c.name), c.typ)
		}
		tok := TypeToken(c.typ)
		if tok == "" || strings.ContainsAny(tok, ". *>\t") {
			t.Errorf("TypeToken(%v) = %q: not a subject token", c.typ, tok)
		}
	}
	if got := TypeToken(gatewayv1.EventType(1 << 20)); got != "1048576" {
		t.Errorf("TypeToken of an unknown value = %q", got)
	}
}
