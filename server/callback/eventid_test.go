package callback

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestEventID(t *testing.T) {
	body := []byte(`{"CallbackCommand":"Call.CallbackAfterStartCall"}`)
	sum := sha256.Sum256([]byte("1400000001\x00Call.CallbackAfterStartCall\x00" + string(body)))
	want := hex.EncodeToString(sum[:16])

	got := EventID(1400000001, "Call.CallbackAfterStartCall", body)
	if got != want {
		t.Fatalf("EventID = %s, want %s", got, want)
	}
	if len(got) != 32 {
		t.Errorf("EventID has %d hex digits, want 32", len(got))
	}
	if again := EventID(1400000001, "Call.CallbackAfterStartCall", append([]byte(nil), body...)); again != got {
		t.Errorf("a retried callback got id %s, want the same %s", again, got)
	}

	// The separators keep different inputs apart even when their
	// concatenation is the same.
	different := []struct {
		name    string
		app     uint32
		command string
		body    string
	}{
		{"other app", 1400000002, "Call.CallbackAfterStartCall", string(body)},
		{"other command", 1400000001, "Call.CallbackAfterEndCall", string(body)},
		{"command case", 1400000001, "call.callbackafterstartcall", string(body)},
		{"other body", 1400000001, "Call.CallbackAfterStartCall", string(body) + " "},
		{"app digits moved into command", 140000000, "1Call.CallbackAfterStartCall", string(body)},
		{"command moved into body", 1400000001, "Call.CallbackAfterStart", "Call" + string(body)},
	}
	for _, d := range different {
		if id := EventID(d.app, d.command, []byte(d.body)); id == got {
			t.Errorf("%s: got the same id %s", d.name, id)
		}
	}
}

func TestDecodeSetsEventID(t *testing.T) {
	body := `{"CallId":"c1"}`
	ev := mustDecode(t, query(CommandMemberChanged), body)
	if want := EventID(1400000001, CommandMemberChanged, []byte(body)); ev.GetId() != want {
		t.Errorf("id = %s, want EventID(...) = %s", ev.GetId(), want)
	}
}
