package eventlog

import (
	"strconv"
	"strings"
	"testing"
)

// ackReplies are reply subjects in every layout JetStream uses, and near
// misses; they seed FuzzAckSequences too.
var ackReplies = []struct {
	name     string
	reply    string
	stream   uint64
	consumer uint64
	ok       bool
}{
	{"short layout (servers before 2.9)", "$JS.ACK.TRTC_EVENTS.abc123.1.42.41.1764662400000000000.7", 42, 41, true},
	{"long layout, no domain", "$JS.ACK._.8Ou5aCtqGuIkqJ9pBfkZ7Y.TRTC_EVENTS.abc123.1.42.41.1764662400000000000.7.Xy9q", 42, 41, true},
	{"long layout, domain", "$JS.ACK.hub.8Ou5aCtqGuIkqJ9pBfkZ7Y.TRTC_EVENTS.abc123.1.42.41.1764662400000000000.7.Xy9q", 42, 41, true},
	{"long layout without the random token", "$JS.ACK._.ACC.TRTC_EVENTS.abc123.1.42.41.1764662400000000000.7", 42, 41, true},
	{"long layout with extra tokens", "$JS.ACK._.ACC.TRTC_EVENTS.abc123.1.42.41.1764662400000000000.7.Xy9q.more", 42, 41, true},
	{"largest sequences", "$JS.ACK.S.C.1.18446744073709551615.18446744073709551615.1.0", 1<<64 - 1, 1<<64 - 1, true},
	{"leading zeros", "$JS.ACK.S.C.1.007.08.1.0", 7, 8, true},
	{"zero sequences", "$JS.ACK.S.C.1.0.0.1.0", 0, 0, true},

	{"empty", "", 0, 0, false},
	{"no reply prefix", "_INBOX.abc.def", 0, 0, false},
	{"prefix only", "$JS.ACK.", 0, 0, false},
	{"other API", "$JS.API.S.C.1.42.41.1.0", 0, 0, false},
	{"lower case prefix", "$js.ack.S.C.1.42.41.1.0", 0, 0, false},
	{"8 tokens", "$JS.ACK.S.C.1.42.41.1", 0, 0, false},
	{"10 tokens", "$JS.ACK.D.H.S.C.1.42.41.1", 0, 0, false},
	{"stream sequence overflows", "$JS.ACK.S.C.1.18446744073709551616.41.1.0", 0, 0, false},
	{"delivery sequence overflows", "$JS.ACK.S.C.1.42.99999999999999999999.1.0", 0, 0, false},
	{"signed stream sequence", "$JS.ACK.S.C.1.-42.41.1.0", 0, 0, false},
	{"hex delivery sequence", "$JS.ACK.S.C.1.42.0x29.1.0", 0, 0, false},
	{"empty stream sequence", "$JS.ACK.S.C.1..41.1.0", 0, 0, false},
	{"empty stream name", "$JS.ACK..C.1.42.41.1.0", 0, 0, false},
	{"trailing dot", "$JS.ACK.S.C.1.42.41.1.0.", 0, 0, false},
	{"non-ASCII digit", "$JS.ACK.S.C.1.4٢.41.1.0", 0, 0, false},
}

func TestAckSequences(t *testing.T) {
	for _, tc := range ackReplies {
		t.Run(tc.name, func(t *testing.T) {
			stream, consumer, ok := ackSequences(tc.reply)
			if ok != tc.ok || stream != tc.stream || consumer != tc.consumer {
				t.Fatalf("ackSequences(%q) = %d, %d, %v; want %d, %d, %v", tc.reply, stream, consumer, ok, tc.stream, tc.consumer, tc.ok)
			}
		})
	}
}

// TestAckSequencesDoesNotAllocate holds the reason the parser exists.
func TestAckSequencesDoesNotAllocate(t *testing.T) {
	reply := ackReplies[1].reply
	if n := testing.AllocsPerRun(100, func() { ackSequences(reply) }); n != 0 {
		t.Fatalf("ackSequences allocates %v times per call", n)
	}
}

// FuzzAckSequences checks ackSequences against the layouts as nats.go
// reads them (split on dots, 9 tokens or at least 11, the sequences at
// fixed positions): whatever it accepts, a plain split agrees with.
func FuzzAckSequences(f *testing.F) {
	for _, tc := range ackReplies {
		f.Add(tc.reply)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		stream, consumer, ok := ackSequences(reply)
		tokens := strings.Split(reply, ".")
		var at int
		switch {
		case len(tokens) < 2 || tokens[0] != "$JS" || tokens[1] != "ACK":
			at = -1
		case len(tokens) == ackShortTokens:
			at = ackShortSSeq
		case len(tokens) >= ackLongTokens:
			at = ackLongSSeq
		default:
			at = -1
		}
		if at < 0 {
			if ok {
				t.Fatalf("ackSequences(%q) accepted a subject that is not a JetStream reply", reply)
			}
			return
		}
		if slicesHasEmpty(tokens[2:]) {
			if ok {
				t.Fatalf("ackSequences(%q) accepted an empty token", reply)
			}
			return
		}
		wantStream, serr := parseDecimal(tokens[at])
		wantConsumer, cerr := parseDecimal(tokens[at+1])
		if wantOK := serr == nil && cerr == nil; ok != wantOK {
			t.Fatalf("ackSequences(%q) ok = %v, want %v", reply, ok, wantOK)
		}
		if ok && (stream != wantStream || consumer != wantConsumer) {
			t.Fatalf("ackSequences(%q) = %d, %d; want %d, %d", reply, stream, consumer, wantStream, wantConsumer)
		}
	})
}

// parseDecimal is strconv.ParseUint restricted to plain digits (no sign, no
// underscores, no base prefix), as JetStream writes sequences.
func parseDecimal(s string) (uint64, error) {
	if strings.Trim(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(s, 10, 64)
}

func slicesHasEmpty(tokens []string) bool {
	for _, tok := range tokens {
		if tok == "" {
			return true
		}
	}
	return false
}
