package calls

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
)

// A snapshot is the projection's whole state as of one log sequence, so
// that a restart restores it and replays only the log after it.
//
// Format (version 2; version 1 lacked the end field). The header is the
// magic "trtcgw calls\n", the format version and the sequence, each a
// uvarint. The state follows as top-level fields in protobuf wire format,
// each length-delimited; table entries come among the calls, each before
// the first call that refers to it, and a reader skips field numbers it
// does not know, so a later version may add fields:
//
//	1 string: one entry of the string table, its bytes. Members'
//	  accounts, chat groups and texts are written once and referred to by
//	  index: 1 is the first entry, 0 the empty string.
//	2 texts: one entry of the texts table (a record's four texts), referred
//	  to by index from 1; 0 is four empty texts. Fields 1–4 are the string
//	  references of media_type, call_type, result and room_id_type texts.
//	3 call: one call, in the order of their last sequences (the order in
//	  which Trim forgets them).
//	4 sizes: 1 how many calls follow, so that a reader can size its map
//	  (a hint: a reader bounds it, and reads whatever number follows).
//	15 end: the checksum of every byte before it (snapwire.EndField); a
//	  snapshot without it was cut short.
//
// A call's fields. Sequences are written back from the call's last
// sequence, which is written forward from the previous call's (unsigned,
// wrapping). Times are relative to the call's start time (see
// snapwire.AppendTime); an absent time is 0, unknown.
//
//	1 app (varint)
//	2 call id (bytes)
//	3 last sequence − the previous call's last sequence (0 before the first)
//	4 last sequence − first sequence
//	5 events applied (varint)
//	6 flags: 1 start seen, 2 connected, 4 room id is the call id
//	7 caller account (account ref: 0 is empty, 2k+1 the account of member
//	  k counted from 0, 2k string k of the table)
//	8 chat group id (string ref)
//	9 room id (bytes), unless empty or flag 4
//	10 start time (fixed64, Unix ns; absent is 0)
//	11 end time
//	12 media type (enum)
//	13 member (message, repeated, in order of first mention):
//	   1 account (string ref), 2 state, 3 last action, 4 state time,
//	   5 invite, 6 answer, 7 join, 8 reject, 9 leave (times), 10 caller (1)
//	14 timeline entry (message, repeated, in order):
//	   1 last sequence − sequence, 2 time, 3 event type, 4 account (account
//	   ref), 5 action, 6 action text (string ref)
//	15 record (message, present once the call ended):
//	   1 call id (bytes), unless empty or flag 1; 2 caller (account ref);
//	   3 callees (packed account refs); 4 room id (bytes), unless empty or
//	   flag 2; 5 texts (texts ref); 6 start, 7 end, 8 accept (times, each
//	   present exactly when the record has it); 9 media type, 10 call type,
//	   11 result, 12 room id type (enums); 13 flags: 1 call id is the
//	   call's, 2 room id is the call's; 14 last sequence − record sequence
//	16 seen: fingerprints of the event ids applied (packed fixed64)
const (
	callsMagic   = "trtcgw calls\n"
	callsVersion = 2
)

// Top-level fields.
const (
	fieldString protowire.Number = 1
	fieldTexts  protowire.Number = 2
	fieldCall   protowire.Number = 3
	fieldSizes  protowire.Number = 4
)

// maxPresize bounds the calls a reader makes room for before it reads
// them: a corrupt hint costs at most a few tens of megabytes, a true one
// of up to a million calls spares the map its growth.
const maxPresize = 1 << 20

// Flags of a call and of a record.
const (
	callStartSeen = 1 << iota
	callConnected
	callRoomIsID
)

const (
	recordIDIsCall = 1 << iota
	recordRoomIsCall
)

// WriteSnapshot writes the projection's state as of the last event applied
// to w, and returns that event's sequence (0 when none was applied).
//
// Under the read lock, which Apply waits for, it encodes into memory what
// Apply changes in place (a call's fields and members) and takes the rest as
// it stands; it encodes the rest and writes to w after releasing the lock
// (see callsEncoder, and BENCHMARKS.md, "Projection snapshots").
func (p *Projection) WriteSnapshot(w io.Writer) (seq uint64, err error) {
	seq, e, err := p.encodeSnapshot()
	if err != nil {
		return 0, fmt.Errorf("calls snapshot: %w", err)
	}
	sw := snapwire.NewWriter(w)
	sw.Write(snapwire.AppendHeader(nil, callsMagic, callsVersion, seq))
	sw.Write(e.sizes)
	e.finish(sw)
	if err := sw.Close(); err != nil {
		return 0, fmt.Errorf("calls snapshot: writing: %w", err)
	}
	return seq, nil
}

// callsEncoder builds a snapshot in two passes, so that Apply waits for
// half the work: under the read lock (capture) it encodes what Apply
// changes in place (a call's fields and members) into heads, and takes the
// rest as it stands (tails); after the lock (finish) it encodes the rest,
// which Apply changes only by appending past what was taken, and writes
// each call out. Table entries are written as they are found, before the
// first call that refers to them.
type callsEncoder struct {
	sizes []byte // the sizes field, first
	strs  map[string]uint64
	texts map[*recordTexts]uint64
	table []byte // entries not written yet
	heads []byte
	tails []tail
	call  []byte // the call being written
	// recent caches string references by the string's address: the
	// projection's strings are interned, so the same account or text is
	// the same bytes in every call, and most references are found here
	// without hashing the string (the encoding runs under the read lock).
	recent []recentRef // 1<<recentBits of them
}

// recentBits sizes the encoder's cache of string references (65,536 of
// them, 1.5 MiB): the accounts of tens of thousands of members meet few
// collisions.
const recentBits = 16

type recentRef struct {
	p   *byte
	n   int
	ref uint64
}

// tail is what of a call the encoder writes after the read lock, as it
// stood under the lock: the timeline and the seen list only grow, by
// appends past the lengths taken here; a record, the call's id, its room id
// once it has a record and a member's account never change.
type tail struct {
	c         *call
	head      int // where the call's head ends in heads
	lastSeq   uint64
	recordSeq uint64
	base      int64
	timeline  []entry
	seen      []uint64
	members   []member // for their accounts
	record    *record
	written   bool // the whole call is in its head
}

func newCallsEncoder(calls int) *callsEncoder {
	return &callsEncoder{
		strs:   make(map[string]uint64),
		texts:  make(map[*recordTexts]uint64),
		heads:  make([]byte, 0, 160*calls), // about 110 bytes a call: no growth under the lock
		tails:  make([]tail, 0, calls),
		recent: make([]recentRef, 1<<recentBits),
	}
}

// ref is s's index in the string table, adding it.
func (e *callsEncoder) ref(s string) uint64 {
	if s == "" {
		return 0
	}
	ptr := unsafe.StringData(s)
	slot := &e.recent[(uint64(uintptr(unsafe.Pointer(ptr)))*0x9e3779b97f4a7c15)>>(64-recentBits)]
	if slot.p == ptr && slot.n == len(s) {
		return slot.ref
	}
	i, ok := e.strs[s]
	if !ok {
		i = uint64(len(e.strs) + 1)
		e.strs[s] = i
		e.table = snapwire.AppendBytes(e.table, fieldString, s)
	}
	*slot = recentRef{p: ptr, n: len(s), ref: i}
	return i
}

// account is how a call with members (and their index, when it has one)
// refers to account s: by the index of the member it names (every account
// a call names is a member's, so that a call costs the string table one
// lookup per member, not per mention), else by the string table.
func (e *callsEncoder) account(members []member, index map[string]int, s string) uint64 {
	if s == "" {
		return 0
	}
	if index != nil {
		if i, ok := index[s]; ok {
			return uint64(i)<<1 | 1
		}
	} else {
		p := unsafe.StringData(s)
		for i := range members {
			if a := members[i].account; unsafe.StringData(a) == p && len(a) == len(s) {
				return uint64(i)<<1 | 1 // the same interned string: most are
			}
		}
		for i := range members {
			if members[i].account == s {
				return uint64(i)<<1 | 1
			}
		}
	}
	return e.ref(s) << 1
}

// textsRef is x's index in the texts table, adding it.
func (e *callsEncoder) textsRef(x *recordTexts) uint64 {
	if x == nil {
		return 0
	}
	if i, ok := e.texts[x]; ok {
		return i
	}
	refs := [4]uint64{e.ref(x.mediaType), e.ref(x.callType), e.ref(x.result), e.ref(x.roomIDType)}
	i := uint64(len(e.texts) + 1)
	e.texts[x] = i
	b, at := snapwire.BeginMessage(e.table, fieldTexts)
	for n, r := range refs {
		b = snapwire.AppendUint(b, protowire.Number(n+1), r)
	}
	e.table = snapwire.EndMessage(b, at)
	return i
}

// capture encodes every call's head and takes its tail, in the FIFO's
// order: an entry is the call's newest when its sequence is the call's last
// one, and each call has exactly one such entry (Trim forgets a call with
// it). It runs under the read lock.
func (e *callsEncoder) capture(p *Projection) error {
	var prev uint64
	n := 0
	for _, r := range p.fifo[p.fifoAt:] {
		c := r.c
		if c.lastSeq != r.seq {
			continue
		}
		e.head(c, prev)
		prev = c.lastSeq
		n++
	}
	if n != len(p.calls) {
		return fmt.Errorf("the FIFO names %d calls and the projection holds %d", n, len(p.calls))
	}
	b, at := snapwire.BeginMessage(nil, fieldSizes)
	b = snapwire.AppendUint(b, 1, uint64(n))
	e.sizes = snapwire.EndMessage(b, at)
	return nil
}

// finish writes every call, its head and its tail, to w, after the table
// entries it refers to. It runs after the read lock; w keeps its error.
func (e *callsEncoder) finish(w *snapwire.Writer) {
	from := 0
	for i := range e.tails {
		t := &e.tails[i]
		b, at := snapwire.BeginMessage(e.call[:0], fieldCall)
		b = append(b, e.heads[from:t.head]...)
		from = t.head
		if !t.written {
			b = e.tail(b, t, nil, nil)
		}
		e.call = snapwire.EndMessage(b, at)
		w.Write(e.table)
		e.table = e.table[:0]
		w.Write(e.call)
		*t = tail{} // what the call holds may go
	}
	e.heads, e.tails = nil, nil
}

// head encodes call c's fields 1 to 13 and takes its tail. A long call
// (its members and seen fingerprints in maps, which Apply changes in
// place) is written whole.
func (e *callsEncoder) head(c *call, prev uint64) {
	b := e.heads
	b = snapwire.AppendUint(b, 1, uint64(c.app))
	b = snapwire.AppendBytes(b, 2, c.id)
	b = snapwire.AppendUint(b, 3, c.lastSeq-prev)
	b = snapwire.AppendUint(b, 4, c.lastSeq-c.firstSeq)
	b = snapwire.AppendUint(b, 5, uint64(c.events))
	var flags uint64
	if c.startSeen {
		flags |= callStartSeen
	}
	if c.connected {
		flags |= callConnected
	}
	if c.roomID != "" && c.roomID == c.id {
		flags |= callRoomIsID
	}
	b = snapwire.AppendUint(b, 6, flags)
	b = snapwire.AppendUint(b, 7, e.account(c.members, c.memberIndex, c.callerAccount))
	b = snapwire.AppendUint(b, 8, e.ref(c.chatGroupID))
	if c.roomID != "" && flags&callRoomIsID == 0 {
		b = snapwire.AppendBytes(b, 9, c.roomID)
	}
	base := c.startTime
	if base != 0 {
		b = protowire.AppendFixed64(protowire.AppendTag(b, 10, protowire.Fixed64Type), uint64(base))
	}
	b = snapwire.AppendTimeSet(b, 11, c.endTime, base)
	b = snapwire.AppendEnum(b, 12, c.mediaType)
	for i := range c.members {
		m := &c.members[i]
		var mat int
		b, mat = snapwire.BeginMessage(b, 13)
		b = snapwire.AppendUint(b, 1, e.ref(m.account))
		b = snapwire.AppendEnum(b, 2, m.state)
		b = snapwire.AppendEnum(b, 3, m.lastAction)
		b = snapwire.AppendTimeSet(b, 4, m.stateTime, base)
		b = snapwire.AppendTimeSet(b, 5, m.invite, base)
		b = snapwire.AppendTimeSet(b, 6, m.answer, base)
		b = snapwire.AppendTimeSet(b, 7, m.join, base)
		b = snapwire.AppendTimeSet(b, 8, m.reject, base)
		b = snapwire.AppendTimeSet(b, 9, m.leave, base)
		if m.caller {
			b = snapwire.AppendUint(b, 10, 1)
		}
		b = snapwire.EndMessage(b, mat)
	}
	t := tail{
		c: c, lastSeq: c.lastSeq, recordSeq: c.recordSeq, base: base,
		timeline: c.timeline, seen: c.seen, members: c.members, record: c.record,
	}
	if c.memberIndex != nil || c.seenSet != nil {
		b, t = e.tail(b, &t, c.memberIndex, c.seenSet), tail{written: true}
	}
	t.head = len(b)
	e.heads = b
	e.tails = append(e.tails, t)
}

// tail appends fields 14 to 16 of the call t was taken from; index and
// seenSet are the call's maps, read only under the lock.
func (e *callsEncoder) tail(b []byte, t *tail, index map[string]int, seenSet map[uint64]struct{}) []byte {
	for i := range t.timeline {
		x := &t.timeline[i]
		var tat int
		b, tat = snapwire.BeginMessage(b, 14)
		b = snapwire.AppendUint(b, 1, t.lastSeq-x.seq)
		b = snapwire.AppendTimeSet(b, 2, x.time, t.base)
		b = snapwire.AppendEnum(b, 3, x.eventType)
		b = snapwire.AppendUint(b, 4, e.account(t.members, index, x.account))
		b = snapwire.AppendEnum(b, 5, x.action)
		b = snapwire.AppendUint(b, 6, e.ref(x.actionText))
		b = snapwire.EndMessage(b, tat)
	}
	if t.record != nil {
		b = e.record(b, t, index)
	}
	switch {
	case seenSet != nil:
		seen := make([]uint64, 0, len(seenSet))
		for h := range seenSet {
			seen = append(seen, h)
		}
		slices.Sort(seen) // the same state, the same bytes
		b = snapwire.AppendFixeds(b, 16, seen)
	case len(t.seen) > 0:
		b = snapwire.AppendFixeds(b, 16, t.seen)
	}
	return b
}

func (e *callsEncoder) record(b []byte, t *tail, index map[string]int) []byte {
	c, r := t.c, t.record
	b, at := snapwire.BeginMessage(b, 15)
	var flags uint64
	switch {
	case r.id != "" && r.id == c.id:
		flags |= recordIDIsCall
	case r.id != "":
		b = snapwire.AppendBytes(b, 1, r.id)
	}
	b = snapwire.AppendUint(b, 2, e.account(t.members, index, r.caller))
	if len(r.callees) > 0 {
		var cat int
		b, cat = snapwire.BeginMessage(b, 3)
		for _, a := range r.callees {
			b = protowire.AppendVarint(b, e.account(t.members, index, a))
		}
		b = snapwire.EndMessage(b, cat)
	}
	switch {
	case r.room != "" && r.room == c.roomID: // set with the record, and never after
		flags |= recordRoomIsCall
	case r.room != "":
		b = snapwire.AppendBytes(b, 4, r.room)
	}
	b = snapwire.AppendUint(b, 5, e.textsRef(r.texts))
	if r.has&hasStart != 0 {
		b = snapwire.AppendTime(b, 6, r.start, t.base)
	}
	if r.has&hasEnd != 0 {
		b = snapwire.AppendTime(b, 7, r.end, t.base)
	}
	if r.has&hasAccept != 0 {
		b = snapwire.AppendTime(b, 8, r.accept, t.base)
	}
	b = snapwire.AppendEnum(b, 9, r.mediaType)
	b = snapwire.AppendEnum(b, 10, r.callType)
	b = snapwire.AppendEnum(b, 11, r.result)
	b = snapwire.AppendEnum(b, 12, r.roomIDType)
	b = snapwire.AppendUint(b, 13, flags)
	b = snapwire.AppendUint(b, 14, t.lastSeq-t.recordSeq)
	return snapwire.EndMessage(b, at)
}

// encodeSnapshot captures the state and its sequence under the read lock
// (see callsEncoder); finish writes it.
//
// The encoder and its buffers are made before the lock is taken: zeroing a
// few hundred megabytes need not hold Apply up.
func (p *Projection) encodeSnapshot() (uint64, *callsEncoder, error) {
	e := newCallsEncoder(p.Len())
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.last.Load(), e, e.capture(p)
}

// ReadSnapshot replaces the state of a projection that has applied no event
// with the snapshot in r (written by WriteSnapshot of this or an older
// format version) and returns the sequence it reflects. On an error the
// projection is left as it was: empty, and usable.
//
// A restore allocates only what the projection keeps, so the collections
// it sets off mark the growing projection again and again for nothing: a
// caller restoring at start may pause the collector around it
// (debug.SetGCPercent(-1)), which at a million calls makes it about three
// times as fast (BENCHMARKS.md, "Projection snapshots").
func (p *Projection) ReadSnapshot(r io.Reader) (seq uint64, err error) {
	if !p.empty() {
		return 0, fmt.Errorf("calls snapshot: %w", snapwire.ErrNotEmpty)
	}
	s := snapwire.NewStream(r)
	q, seq, err := readCalls(s)
	if err != nil {
		return 0, fmt.Errorf("calls snapshot, at byte %d: %w", s.Off, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) != 0 || p.last.Load() != 0 {
		return 0, fmt.Errorf("calls snapshot: %w", snapwire.ErrNotEmpty)
	}
	p.calls, p.records, p.fifo, p.fifoAt, p.strs = q.calls, q.records, q.fifo, 0, q.strs
	p.last.Store(seq)
	return seq, nil
}

// empty reports whether p has applied no event that left a trace.
func (p *Projection) empty() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.calls) == 0 && p.last.Load() == 0
}

// callsDecoder restores a snapshot into a projection of its own.
type callsDecoder struct {
	p     *Projection
	strs  []string
	texts []*recordTexts
	last  uint64 // the last call's last sequence
	// Scratch lists, copied to exact length into each call.
	members, entries [][]byte
	seen             []uint64
}

func readCalls(s *snapwire.Stream) (*Projection, uint64, error) {
	version, seq, err := s.Header(callsMagic)
	if err != nil {
		return nil, 0, err
	}
	if version == 0 || version > callsVersion {
		return nil, 0, fmt.Errorf("format version %d: this gateway reads versions 1 to %d", version, callsVersion)
	}
	s.Unended = version < 2
	d := &callsDecoder{p: New()}
	for {
		num, body, err := s.Field()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		switch num {
		case fieldString:
			if !utf8.Valid(body) {
				return nil, 0, fmt.Errorf("string %d, %q, is not UTF-8", len(d.strs)+1, body)
			}
			d.strs = append(d.strs, d.p.strs.internBytes(body))
		case fieldTexts:
			err = d.textsEntry(body)
		case fieldSizes:
			err = d.sizes(body)
		case fieldCall:
			err = d.call(body)
			if err != nil {
				err = fmt.Errorf("call %d: %w", len(d.p.fifo), err)
			}
		}
		if err != nil {
			return nil, 0, err
		}
	}
	d.index()
	return d.p, seq, nil
}

// sizes makes room for the calls the snapshot says follow, unless some
// were read already.
func (d *callsDecoder) sizes(b []byte) error {
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			if n := min(f.Uint(), maxPresize); len(d.p.calls) == 0 {
				d.p.calls = make(map[key]*call, n)
				d.p.fifo = make([]retained, 0, n)
			}
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return fmt.Errorf("sizes: %w", f.Err)
	}
	return nil
}

// str resolves a string reference.
func (d *callsDecoder) str(f *snapwire.Fields) string {
	i := f.Uint()
	if i > uint64(len(d.strs)) {
		f.Fail(fmt.Errorf("string %d of a table of %d", i, len(d.strs)))
		return ""
	}
	if i == 0 {
		return ""
	}
	return d.strs[i-1]
}

func (d *callsDecoder) textsEntry(b []byte) error {
	var x recordTexts
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			x.mediaType = d.str(&f)
		case 2:
			x.callType = d.str(&f)
		case 3:
			x.result = d.str(&f)
		case 4:
			x.roomIDType = d.str(&f)
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return fmt.Errorf("texts %d: %w", len(d.texts)+1, f.Err)
	}
	d.texts = append(d.texts, d.p.strs.internTexts(x))
	return nil
}

func (d *callsDecoder) call(b []byte) error {
	c := &call{}
	var (
		id, room          []byte
		recordMsg         []byte
		hasRecord         bool
		caller            uint64
		end               snapwire.Fields // the end time's value
		lastDelta, firstB uint64
		flags             uint64
	)
	d.members, d.entries, d.seen = d.members[:0], d.entries[:0], d.seen[:0]
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			c.app = f.Uint32("app")
		case 2:
			id = f.Bytes()
		case 3:
			lastDelta = f.Uint()
		case 4:
			firstB = f.Uint()
		case 5:
			c.events = f.Uint32("events")
		case 6:
			flags = f.Uint()
		case 7:
			caller = f.Uint()
		case 8:
			c.chatGroupID = d.str(&f)
		case 9:
			room = f.Bytes()
		case 10:
			c.startTime = int64(f.Fixed())
		case 11:
			end = snapwire.Fields{B: f.B, Num: f.Num, Typ: f.Typ}
			f.Skip()
		case 12:
			c.mediaType = gatewayv1.MediaType(f.Enum())
		case 13:
			d.members = append(d.members, f.Bytes())
		case 14:
			d.entries = append(d.entries, f.Bytes())
		case 15:
			recordMsg, hasRecord = f.Bytes(), true
		case 16:
			v := f.Bytes()
			if len(v)%8 != 0 {
				f.Fail(fmt.Errorf("%d bytes of fixed64 fingerprints", len(v)))
			}
			for ; len(v) >= 8; v = v[8:] {
				h, _ := protowire.ConsumeFixed64(v)
				d.seen = append(d.seen, h)
			}
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return f.Err
	}
	// The times read once the start time, their base, is known.
	base := c.startTime
	if end.B != nil {
		c.endTime = end.Time(base)
		if end.Err != nil {
			return end.Err
		}
	}
	if len(id) == 0 {
		return errors.New("a call without an id")
	}
	var err error
	if c.id, err = snapwire.Text(id); err != nil {
		return fmt.Errorf("call id: %w", err)
	}
	c.lastSeq = d.last + lastDelta
	c.firstSeq = c.lastSeq - firstB
	d.last = c.lastSeq
	c.startSeen = flags&callStartSeen != 0
	c.connected = flags&callConnected != 0
	switch {
	case flags&callRoomIsID != 0:
		c.roomID = c.id
	case room != nil:
		if c.roomID, err = snapwire.Text(room); err != nil {
			return fmt.Errorf("room id: %w", err)
		}
	}
	if len(d.members) > 0 {
		c.members = make([]member, len(d.members))
		for i, m := range d.members {
			if err := d.member(&c.members[i], m, base); err != nil {
				return fmt.Errorf("member %d: %w", i, err)
			}
		}
		if len(c.members) > linearSearch {
			c.memberIndex = make(map[string]int, 2*len(c.members))
			for i := range c.members {
				c.memberIndex[c.members[i].account] = i
			}
		}
	}
	if c.callerAccount, err = d.account(c, caller); err != nil {
		return fmt.Errorf("caller: %w", err)
	}
	if len(d.entries) > 0 {
		c.timeline = make([]entry, len(d.entries))
		for i, t := range d.entries {
			if err := d.entry(c, &c.timeline[i], t, base); err != nil {
				return fmt.Errorf("timeline entry %d: %w", i, err)
			}
		}
	}
	if hasRecord {
		if err := d.record(c, recordMsg, base); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	if len(d.seen) > linearSearch {
		c.seenSet = make(map[uint64]struct{}, 2*len(d.seen))
		for _, h := range d.seen {
			c.seenSet[h] = struct{}{}
		}
	} else if len(d.seen) > 0 {
		c.seen = slices.Clone(d.seen)
	}
	// Filed last (a call that fails leaves the whole decoder unused), and
	// only once.
	n := len(d.p.calls)
	d.p.calls[c.key] = c
	if len(d.p.calls) == n {
		return fmt.Errorf("call %q of app %d twice", c.id, c.app)
	}
	d.p.fifo = append(d.p.fifo, retained{seq: c.lastSeq, c: c})
	return nil
}

func (d *callsDecoder) member(m *member, b []byte, base int64) error {
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			m.account = d.str(&f)
		case 2:
			m.state = gatewayv1.CallMemberState(f.Enum())
		case 3:
			m.lastAction = gatewayv1.ActionType(f.Enum())
		case 4:
			m.stateTime = f.Time(base)
		case 5:
			m.invite = f.Time(base)
		case 6:
			m.answer = f.Time(base)
		case 7:
			m.join = f.Time(base)
		case 8:
			m.reject = f.Time(base)
		case 9:
			m.leave = f.Time(base)
		case 10:
			m.caller = f.Uint() != 0
		default:
			f.Skip()
		}
	}
	return f.Err
}

func (d *callsDecoder) entry(c *call, t *entry, b []byte, base int64) error {
	t.seq = c.lastSeq
	var account uint64
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			t.seq = c.lastSeq - f.Uint()
		case 2:
			t.time = f.Time(base)
		case 3:
			t.eventType = gatewayv1.EventType(f.Enum())
		case 4:
			account = f.Uint()
		case 5:
			t.action = gatewayv1.ActionType(f.Enum())
		case 6:
			t.actionText = d.str(&f)
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return f.Err
	}
	var err error
	t.account, err = d.account(c, account)
	return err
}

// account resolves an account reference of call c, whose members are read.
func (d *callsDecoder) account(c *call, v uint64) (string, error) {
	if v&1 != 0 {
		if i := v >> 1; i < uint64(len(c.members)) {
			return c.members[i].account, nil
		}
		return "", fmt.Errorf("member %d of %d", v>>1, len(c.members))
	}
	if i := v >> 1; i <= uint64(len(d.strs)) {
		if i == 0 {
			return "", nil
		}
		return d.strs[i-1], nil
	}
	return "", fmt.Errorf("string %d of a table of %d", v>>1, len(d.strs))
}

func (d *callsDecoder) record(c *call, b []byte, base int64) error {
	r := &record{}
	var (
		id, room, callees []byte
		flags             uint64
		textsRef          uint64
		caller            uint64
		err               error
	)
	c.recordSeq = c.lastSeq
	f := snapwire.Fields{B: b}
	for f.Next() {
		switch f.Num {
		case 1:
			id = f.Bytes()
		case 2:
			caller = f.Uint()
		case 3:
			callees = f.Bytes()
		case 4:
			room = f.Bytes()
		case 5:
			textsRef = f.Uint()
		case 6:
			r.start, r.has = f.Time(base), r.has|hasStart
		case 7:
			r.end, r.has = f.Time(base), r.has|hasEnd
		case 8:
			r.accept, r.has = f.Time(base), r.has|hasAccept
		case 9:
			r.mediaType = gatewayv1.MediaType(f.Enum())
		case 10:
			r.callType = gatewayv1.CallType(f.Enum())
		case 11:
			r.result = gatewayv1.CallResult(f.Enum())
		case 12:
			r.roomIDType = gatewayv1.RoomIdType(f.Enum())
		case 13:
			flags = f.Uint()
		case 14:
			c.recordSeq = c.lastSeq - f.Uint()
		default:
			f.Skip()
		}
	}
	if f.Err != nil {
		return f.Err
	}
	switch {
	case flags&recordIDIsCall != 0:
		r.id = c.id
	case id != nil:
		if r.id, err = snapwire.Text(id); err != nil {
			return fmt.Errorf("call id: %w", err)
		}
	}
	switch {
	case flags&recordRoomIsCall != 0:
		r.room = c.roomID
	case room != nil:
		if r.room, err = snapwire.Text(room); err != nil {
			return fmt.Errorf("room id: %w", err)
		}
	}
	if r.caller, err = d.account(c, caller); err != nil {
		return fmt.Errorf("caller: %w", err)
	}
	if textsRef > uint64(len(d.texts)) {
		return fmt.Errorf("texts %d of a table of %d", textsRef, len(d.texts))
	}
	if textsRef == 0 {
		r.texts = d.p.strs.internTexts(recordTexts{})
	} else {
		r.texts = d.texts[textsRef-1]
	}
	if len(callees) > 0 {
		n := 0
		for _, v := range callees {
			if v < 0x80 {
				n++ // a varint ends at each byte without the continuation bit
			}
		}
		r.callees = make([]string, 0, n)
		cf := snapwire.Fields{B: callees, Typ: protowire.VarintType, Num: 3}
		for len(cf.B) > 0 && cf.Err == nil {
			a, err := d.account(c, cf.Uint())
			if err != nil {
				return fmt.Errorf("callee %d: %w", len(r.callees), err)
			}
			r.callees = append(r.callees, a)
		}
		if cf.Err != nil {
			return fmt.Errorf("callees: %w", cf.Err)
		}
	}
	c.record = r
	return nil
}

// index builds every app's record index at once: the ended calls sorted
// by (start, id), then filed in that order, each list growing by appends.
// It files what Projection.index would, without its allocations per call.
func (d *callsDecoder) index() {
	byApp := map[uint32][]*call{}
	for _, r := range d.p.fifo {
		if r.c.record != nil {
			byApp[r.c.app] = append(byApp[r.c.app], r.c)
		}
	}
	for app, calls := range byApp {
		if !slices.IsSortedFunc(calls, compareRecords) {
			slices.SortFunc(calls, compareRecords)
		}
		ix := &recordIndex{
			byStart:   slices.Clip(calls),
			byAccount: map[string][]*call{}, byRoom: map[string][]*call{},
			byResult: map[gatewayv1.CallResult][]*call{}, byType: map[gatewayv1.CallType][]*call{},
		}
		for _, c := range calls {
			r := c.record
			if len(r.callees) > linearSearch {
				for _, a := range c.accounts() { // a long list: accounts finds its repeats in a map
					ix.byAccount[a] = append(ix.byAccount[a], c)
				}
			} else {
				if r.caller != "" {
					ix.byAccount[r.caller] = append(ix.byAccount[r.caller], c)
				}
				for i, a := range r.callees {
					if a != "" && a != r.caller && !slices.Contains(r.callees[:i], a) {
						ix.byAccount[a] = append(ix.byAccount[a], c)
					}
				}
			}
			if r.room != "" {
				ix.byRoom[r.room] = append(ix.byRoom[r.room], c)
			}
			ix.byResult[r.result] = append(ix.byResult[r.result], c)
			ix.byType[r.callType] = append(ix.byType[r.callType], c)
			c.indexed = true
		}
		d.p.records[app] = ix
	}
}

// internBytes is intern for bytes, copied only when the table lacks them.
func (t *strs) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if v, ok := t.m[string(b)]; ok {
		return v
	}
	return t.put(string(b))
}
