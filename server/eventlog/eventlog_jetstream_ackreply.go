package eventlog

import "github.com/nats-io/nats.go/jetstream"

// JetStream tells a consumer where a message stands in the reply subject it
// delivers the message with, one of
//
//	$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>
//	$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>[.<token>...]
//
// (servers before 2.9 send the first, 9 tokens; newer ones the second, 11 or
// more, "_" for no domain). nats.go's msg.Metadata() splits all of it into
// strings, parses every number and allocates the result for each message;
// Follow and Read only need the two sequences, which ackSequences reads in
// one pass without allocating.

// Token positions (0-based) of the sequences in the two layouts; the short
// layout has exactly ackShortTokens tokens, the long one at least
// ackLongTokens.
const (
	ackShortTokens = 9
	ackLongTokens  = 11
	ackShortSSeq   = 5
	ackLongSSeq    = 7
)

// ackSequences returns the stream sequence and the consumer's delivery
// sequence a JetStream reply subject carries. ok is false for anything it
// does not recognise as one of the layouts above with both numbers plain
// decimals fitting a uint64; the caller then asks msg.Metadata(), so an
// unusual subject costs time, never correctness.
func ackSequences(reply string) (stream, consumer uint64, ok bool) {
	const prefix = "$JS.ACK."
	if len(reply) < len(prefix) || reply[:len(prefix)] != prefix {
		return 0, 0, false
	}
	// Split the tokens after the prefix, remembering where the first
	// eleven (at most) start, and count them all.
	var starts [ackLongTokens - 2]int
	tokens := 2 // $JS and ACK
	start := len(prefix)
	for i := len(prefix); i <= len(reply); i++ {
		if i < len(reply) && reply[i] != '.' {
			continue
		}
		if i == start {
			return 0, 0, false // an empty token
		}
		if tokens < ackLongTokens {
			starts[tokens-2] = start
		}
		tokens++
		start = i + 1
	}
	var at int
	switch {
	case tokens == ackShortTokens:
		at = ackShortSSeq
	case tokens >= ackLongTokens:
		at = ackLongSSeq
	default:
		return 0, 0, false
	}
	// The stream sequence at token at, the delivery sequence right after.
	stream, ok = decimalToken(reply, starts[at-2], starts[at-1]-1)
	if !ok {
		return 0, 0, false
	}
	consumer, ok = decimalToken(reply, starts[at-1], starts[at]-1)
	if !ok {
		return 0, 0, false
	}
	return stream, consumer, true
}

// decimalToken parses s[from:to] as a non-empty unsigned decimal that fits
// a uint64.
func decimalToken(s string, from, to int) (uint64, bool) {
	if from >= to {
		return 0, false
	}
	var n uint64
	for i := from; i < to; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// msgSequences returns the stream sequence and the consumer's delivery
// sequence of a message a consumer delivered: from its reply subject when
// that is one of the known layouts, from nats.go's parser otherwise.
func msgSequences(msg jetstream.Msg) (stream, consumer uint64, err error) {
	if stream, consumer, ok := ackSequences(msg.Reply()); ok {
		return stream, consumer, nil
	}
	meta, err := msg.Metadata()
	if err != nil {
		return 0, 0, err
	}
	return meta.Sequence.Stream, meta.Sequence.Consumer, nil
}
