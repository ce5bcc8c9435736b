// Package calls is the projection of TUICallKit calls: it derives every call's
// members, timeline and record from the start, member-changed and end-call
// events of the log, and serves them as the CallService.
//
// The projection is a pure function of the events it is given, in log order:
// rebuilt from the log after a restart, identical on every replica. It keeps a
// call while any of its events is still in the log (Trim), so its memory
// follows the log's retention: about one call per three retained events, each
// costing the memory stated in the README ("Calls and rooms").
package calls

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// key names a call: call ids are unique within one application only.
type key struct {
	app uint32
	id  string
}

// call is what the log has told about one call. Times are Unix nanoseconds;
// 0 is unknown.
//
// A gateway keeps one per call the log retains (a million and more), so the
// fields are ordered to leave no padding and nothing points into a
// callback's body (see intern).
type call struct {
	key
	callerAccount string
	chatGroupID   string
	roomID        string
	startTime     int64
	endTime       int64
	members       []member
	memberIndex   map[string]int // account → index in members; nil while members is short
	timeline      []entry
	record        *record // the end-call's record; nil until it arrives
	recordSeq     uint64
	seen          []uint64            // fingerprints of the event ids applied, to skip a callback delivered twice
	seenSet       map[uint64]struct{} // replaces seen once it is long
	firstSeq      uint64
	lastSeq       uint64
	mediaType     gatewayv1.MediaType
	events        uint32
	startSeen     bool
	connected     bool
	indexed       bool // in its app's record index
}

// record is a call record in the fewest bytes: strings interned or shared
// with the call, times in Unix nanoseconds, the four texts one interned
// pointer. The CallRecord message is built when it is read (proto), which
// costs a read a few hundred nanoseconds and saves every retained call
// the message and its three Timestamps (about 300 bytes).
type record struct {
	id      string
	caller  string
	callees []string
	room    string
	texts   *recordTexts // shared, never modified
	// start, end and accept are Unix nanoseconds, set when has says so.
	start, end, accept int64
	mediaType          gatewayv1.MediaType
	callType           gatewayv1.CallType
	result             gatewayv1.CallResult
	roomIDType         gatewayv1.RoomIdType
	has                uint8 // hasStart | hasEnd | hasAccept
}

// recordTexts are a record's texts as Tencent sent them: a handful of
// combinations occur, so all records share a few copies.
type recordTexts struct {
	mediaType, callType, result, roomIDType string
}

// The times a record holds.
const (
	hasStart = 1 << iota
	hasEnd
	hasAccept
)

// proto returns the record as the API serves it: a new message on each
// call (the caller may keep it); the callee list is shared and must not be
// modified.
func (r *record) proto() *gatewayv1.CallRecord {
	texts := r.texts
	out := &gatewayv1.CallRecord{
		CallId:         r.id,
		CallerAccount:  r.caller,
		MediaType:      r.mediaType,
		MediaTypeText:  texts.mediaType,
		CallType:       r.callType,
		CallTypeText:   texts.callType,
		CallResult:     r.result,
		CallResultText: texts.result,
		CalleeAccounts: r.callees,
		RoomId:         r.room,
		RoomIdType:     r.roomIDType,
		RoomIdTypeText: texts.roomIDType,
	}
	// One allocation for the three times.
	var times [3]timestamppb.Timestamp
	if r.has&hasStart != 0 {
		out.StartTime = setTS(&times[0], r.start)
	}
	if r.has&hasEnd != 0 {
		out.EndTime = setTS(&times[1], r.end)
	}
	if r.has&hasAccept != 0 {
		out.AcceptTime = setTS(&times[2], r.accept)
	}
	return out
}

// setTS sets t to Unix nanoseconds ns and returns it.
func setTS(t *timestamppb.Timestamp, ns int64) *timestamppb.Timestamp {
	t.Seconds, t.Nanos = ns/1e9, int32(ns%1e9)
	if t.Nanos < 0 {
		t.Seconds--
		t.Nanos += 1e9
	}
	return t
}

// member is one member of a call. stateTime is the time of the change the
// state comes from, so that a late callback does not undo a newer one.
type member struct {
	account    string
	state      gatewayv1.CallMemberState
	lastAction gatewayv1.ActionType
	stateTime  int64
	invite     int64
	answer     int64
	join       int64
	reject     int64
	leave      int64
	caller     bool
}

// entry is one line of a call's timeline.
type entry struct {
	seq        uint64
	time       int64
	account    string
	actionText string
	eventType  gatewayv1.EventType
	action     gatewayv1.ActionType
}

// retained is one call's newest sequence at the time it was applied; the
// FIFO of them tells Trim which calls may have left the log. It points at
// the call rather than naming its key: half the bytes, one per event.
type retained struct {
	seq uint64
	c   *call
}

// Projection holds every call the retained log tells of. Apply and Trim are
// called by the log's follower (one goroutine); the read methods and
// WriteSnapshot from any goroutine.
type Projection struct {
	mu      sync.RWMutex
	calls   map[key]*call
	records map[uint32]*recordIndex
	fifo    []retained // in sequence order
	fifoAt  int
	strs    strs
	// last is the sequence of the last event handed to Apply. An event
	// that changes the state stores it under the write lock, an ignored one
	// without the lock: read under the read lock it is always the sequence
	// the state reflects (see WriteSnapshot).
	last atomic.Uint64
}

// New returns an empty projection.
func New() *Projection {
	return &Projection{calls: make(map[key]*call), records: make(map[uint32]*recordIndex), strs: strs{limit: internLimit}}
}

// Apply folds one event into the projection; events other than the three
// call callbacks are ignored.
func (p *Projection) Apply(ev *gatewayv1.Event) {
	switch ev.GetType() {
	case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
	default:
		p.last.Store(ev.GetSequence())
		return
	}
	id := callID(ev)
	if id == "" {
		p.last.Store(ev.GetSequence())
		return // nothing to file it under
	}
	k := key{app: ev.GetSdkAppId(), id: id}
	h := idPrint(ev.GetId())
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last.Store(ev.GetSequence())
	c := p.calls[k]
	if c == nil {
		// The id is a substring of the callback's body: a copy of its own
		// lets the body go.
		c = &call{key: key{app: k.app, id: strings.Clone(k.id)}, firstSeq: ev.GetSequence()}
		p.calls[c.key] = c
	}
	if ev.GetId() != "" && c.sawBefore(h) {
		return // the same callback again (a retry outside the log's de-duplication window)
	}
	c.lastSeq = ev.GetSequence()
	c.events++
	p.fifo = append(p.fifo, retained{seq: c.lastSeq, c: c})
	t := eventTime(ev)
	switch ev.GetType() {
	case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED:
		c.applyStart(&p.strs, ev.GetSequence(), t, ev.GetCallStarted())
	case gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED:
		c.applyChange(&p.strs, ev.GetSequence(), t, ev.GetCallMemberChanged())
	case gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
		if c.record != nil {
			return // a second, different end of the same call: the first stands
		}
		c.applyEnd(&p.strs, ev.GetSequence(), t, ev.GetCallEnded().GetCallRecord())
		c.clip()
	}
	p.index(c)
}

// idPrint is the 64 bits a call keeps of an event id to skip a callback
// applied twice. It is the same in every process, so that a snapshot can
// carry it (a per-process hash seed could not be restored): the gateway's
// ids are 32 hex digits of SHA-256 (callback.EventID), whose two halves
// XORed are the fingerprint; any other id is hashed with SHA-256. Either
// way, whoever picks a callback's body cannot make its id collide with
// another callback's without a 64-bit preimage of SHA-256.
func idPrint(id string) uint64 {
	if v, ok := hexPrint(id); ok {
		return v
	}
	sum := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(sum[:8])
}

// hexPrint is the fingerprint of an id of 32 lowercase hex digits.
func hexPrint(id string) (uint64, bool) {
	if len(id) != 32 {
		return 0, false
	}
	var hi, lo uint64
	for i := range 16 {
		a, okA := hexDigit(id[i])
		b, okB := hexDigit(id[16+i])
		if !okA || !okB {
			return 0, false
		}
		hi, lo = hi<<4|a, lo<<4|b
	}
	return hi ^ lo, true
}

// hexDigit is the value of a lowercase hex digit.
func hexDigit(c byte) (uint64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0'), true
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10, true
	}
	return 0, false
}

// callID is the call an event is about: Event.call_id, else the payload's.
func callID(ev *gatewayv1.Event) string {
	if id := ev.GetCallId(); id != "" {
		return id
	}
	switch {
	case ev.GetCallStarted() != nil:
		return ev.GetCallStarted().GetCallInfo().GetCallId()
	case ev.GetCallMemberChanged() != nil:
		return ev.GetCallMemberChanged().GetCallId()
	case ev.GetCallEnded() != nil:
		return ev.GetCallEnded().GetCallRecord().GetCallId()
	}
	return ""
}

// eventTime is when Tencent says the event happened, else when the gateway
// received it.
func eventTime(ev *gatewayv1.Event) int64 {
	if t := ev.GetEventTime(); t != nil {
		return t.AsTime().UnixNano()
	}
	if t := ev.GetReceivedAt(); t != nil {
		return t.AsTime().UnixNano()
	}
	return 0
}

func (c *call) applyStart(st *strs, seq uint64, t int64, s *gatewayv1.CallStarted) {
	if c.startSeen {
		return // a second start with another id: the first stands
	}
	c.startSeen = true
	c.timeline = append(c.timeline, entry{seq: seq, time: t, eventType: gatewayv1.EventType_EVENT_TYPE_CALL_STARTED})
	info := s.GetCallInfo()
	if c.record == nil {
		c.mediaType = info.GetMediaType()
		c.roomID = strings.Clone(info.GetRoomId())
		if c.startTime == 0 {
			c.startTime = t
		}
	}
	c.chatGroupID = st.intern(info.GetChatGroupId())
	for _, u := range s.GetUserList() {
		m := c.member(st, u.GetUserAccount())
		if m.invite == 0 || t < m.invite {
			m.invite = t
		}
		// The start lists the caller as "Calling" and the callees as "Waiting".
		if u.GetStatus() == gatewayv1.MemberStatus_MEMBER_STATUS_CALLING && c.callerAccount == "" {
			c.callerAccount = m.account
			m.caller = true
		}
		m.setState(t, statusState(u.GetStatus()), gatewayv1.ActionType_ACTION_TYPE_UNSPECIFIED)
	}
}

func (c *call) applyChange(st *strs, seq uint64, t int64, ch *gatewayv1.CallMemberChanged) {
	changed := make(map[string]bool, len(ch.GetChangedUserList()))
	for _, u := range ch.GetChangedUserList() {
		m := c.member(st, u.GetUserAccount())
		c.timeline = append(c.timeline, entry{
			seq: seq, time: t, eventType: gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED,
			account: m.account, action: u.GetActionType(), actionText: st.intern(u.GetActionTypeText()),
		})
		state, when := actionState(u.GetActionType(), m)
		if when != nil && (*when == 0 || t < *when) {
			*when = t
		}
		switch u.GetActionType() {
		case gatewayv1.ActionType_ACTION_TYPE_ANSWER, gatewayv1.ActionType_ACTION_TYPE_JOIN:
			c.connected = true
		case gatewayv1.ActionType_ACTION_TYPE_UNSPECIFIED:
			continue // an action we cannot read: the UserList below says where the member stands
		}
		changed[m.account] = true
		m.setState(t, state, u.GetActionType())
	}
	if len(ch.GetChangedUserList()) == 0 {
		c.timeline = append(c.timeline, entry{seq: seq, time: t, eventType: gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED})
	}
	for _, u := range ch.GetUserList() {
		m := c.member(st, u.GetUserAccount())
		if !changed[m.account] {
			m.setState(t, statusState(u.GetStatus()), m.lastAction)
		}
	}
}

func (c *call) applyEnd(st *strs, seq uint64, t int64, r *gatewayv1.CallRecord) {
	c.record, c.recordSeq = c.compact(st, r), seq
	c.timeline = append(c.timeline, entry{seq: seq, time: t, eventType: gatewayv1.EventType_EVENT_TYPE_CALL_ENDED})
	rec := c.record
	if rec.caller != "" {
		if c.callerAccount != rec.caller {
			for i := range c.members {
				c.members[i].caller = false
			}
		}
		c.callerAccount = rec.caller
		c.member(st, c.callerAccount).caller = true
	}
	c.mediaType = rec.mediaType
	c.roomID = rec.room
	if rec.has&hasStart != 0 {
		c.startTime = rec.start
	}
	end := t
	if rec.has&hasEnd != 0 {
		end = rec.end
	}
	c.endTime = end
	if rec.has&hasAccept != 0 {
		c.connected = true
	}
	for _, a := range rec.callees {
		c.member(st, a)
	}
	// The call is over: whoever was still in it left, and whoever was
	// still invited ended as the call did.
	for i := range c.members {
		m := &c.members[i]
		switch m.state {
		case gatewayv1.CallMemberState_CALL_MEMBER_STATE_CALLING:
			m.state = gatewayv1.CallMemberState_CALL_MEMBER_STATE_LEFT
		case gatewayv1.CallMemberState_CALL_MEMBER_STATE_WAITING, gatewayv1.CallMemberState_CALL_MEMBER_STATE_UNSPECIFIED:
			m.state = endedState(r.GetCallResult(), m, c.connected)
		default:
			continue
		}
		// Dated at the end, so that a start or change that arrives late
		// does not reopen the member's part in an ended call.
		m.stateTime = max(m.stateTime, end)
		if m.leave == 0 {
			m.leave = end
		}
	}
}

// endedState is what became of member m, still invited (or only named by the
// record), when the call ended with result r: the caller, and in a call that
// connected a member the log never showed, left; the others ended as the
// call did, or did not answer a call that went on without them.
func endedState(r gatewayv1.CallResult, m *member, connected bool) gatewayv1.CallMemberState {
	if m.caller || (connected && m.state == gatewayv1.CallMemberState_CALL_MEMBER_STATE_UNSPECIFIED) {
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_LEFT
	}
	switch r {
	case gatewayv1.CallResult_CALL_RESULT_CANCEL:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_INVITE_CANCELLED
	case gatewayv1.CallResult_CALL_RESULT_REJECT, gatewayv1.CallResult_CALL_RESULT_CALL_BUSY:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_REJECTED
	case gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_NOT_ANSWERED
	}
	if m.state == gatewayv1.CallMemberState_CALL_MEMBER_STATE_WAITING {
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_NOT_ANSWERED
	}
	return gatewayv1.CallMemberState_CALL_MEMBER_STATE_LEFT
}

// statusState maps a UserList Status to a member state.
func statusState(s gatewayv1.MemberStatus) gatewayv1.CallMemberState {
	switch s {
	case gatewayv1.MemberStatus_MEMBER_STATUS_CALLING:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_CALLING
	case gatewayv1.MemberStatus_MEMBER_STATUS_WAITING:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_WAITING
	}
	return gatewayv1.CallMemberState_CALL_MEMBER_STATE_UNSPECIFIED
}

// actionState is the state an action leaves a member in, and which of the
// member's times it sets.
func actionState(a gatewayv1.ActionType, m *member) (gatewayv1.CallMemberState, *int64) {
	switch a {
	case gatewayv1.ActionType_ACTION_TYPE_ANSWER:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_CALLING, &m.answer
	case gatewayv1.ActionType_ACTION_TYPE_JOIN:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_CALLING, &m.join
	case gatewayv1.ActionType_ACTION_TYPE_REJECT:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_REJECTED, &m.reject
	case gatewayv1.ActionType_ACTION_TYPE_NOT_ANSWER:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_NOT_ANSWERED, &m.leave
	case gatewayv1.ActionType_ACTION_TYPE_HANGUP, gatewayv1.ActionType_ACTION_TYPE_OFFLINE:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_LEFT, &m.leave
	case gatewayv1.ActionType_ACTION_TYPE_INVITE:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_WAITING, &m.invite
	case gatewayv1.ActionType_ACTION_TYPE_CANCEL_INVITE:
		return gatewayv1.CallMemberState_CALL_MEMBER_STATE_INVITE_CANCELLED, &m.leave
	}
	return gatewayv1.CallMemberState_CALL_MEMBER_STATE_UNSPECIFIED, nil
}

// setState moves the member to s unless a change with a later time already
// did: a callback that arrives late does not undo a newer one.
func (m *member) setState(t int64, s gatewayv1.CallMemberState, a gatewayv1.ActionType) {
	if s == gatewayv1.CallMemberState_CALL_MEMBER_STATE_UNSPECIFIED || (m.stateTime != 0 && t < m.stateTime) {
		return
	}
	m.state, m.stateTime = s, t
	if a != gatewayv1.ActionType_ACTION_TYPE_UNSPECIFIED {
		m.lastAction = a
	}
}

// member returns the member account, adding it in order of first mention.
func (c *call) member(st *strs, account string) *member {
	if c.memberIndex != nil {
		if i, ok := c.memberIndex[account]; ok {
			return &c.members[i]
		}
	} else {
		for i := range c.members {
			if c.members[i].account == account {
				return &c.members[i]
			}
		}
	}
	c.members = append(c.members, member{account: st.intern(account)})
	switch {
	case c.memberIndex != nil:
		c.memberIndex[account] = len(c.members) - 1
	case len(c.members) > linearSearch:
		// A call can name as many members as a callback body holds (an
		// end-call's callee list of a megabyte): look them up in a map
		// once the list is long, so one such call cannot stall the follower.
		c.memberIndex = make(map[string]int, 2*len(c.members))
		for i := range c.members {
			c.memberIndex[c.members[i].account] = i
		}
	}
	return &c.members[len(c.members)-1]
}

// sawBefore reports whether the event id fingerprint h was applied to the call
// already, and records it otherwise.
func (c *call) sawBefore(h uint64) bool {
	if c.seenSet != nil {
		if _, ok := c.seenSet[h]; ok {
			return true
		}
		c.seenSet[h] = struct{}{}
		return false
	}
	if slices.Contains(c.seen, h) {
		return true
	}
	c.seen = append(c.seen, h)
	if len(c.seen) > linearSearch {
		c.seenSet = make(map[uint64]struct{}, 2*len(c.seen))
		for _, v := range c.seen {
			c.seenSet[v] = struct{}{}
		}
		c.seen = nil
	}
	return false
}

// strs is the projection's table of interned strings: accounts recur in
// many calls and texts ("Answer", "NormalEnd") in nearly all, and the
// decoded event's strings are substrings of its callback's body, which a
// kept substring would keep whole. It is used under the projection's lock;
// a map of its own is several times faster than package unique, which a
// rebuild would call millions of times.
type strs struct {
	m     map[string]string
	texts map[recordTexts]*recordTexts
	// limit is the size at which the table starts afresh, so that it does
	// not keep the strings of calls long gone: those still in use stay
	// valid, only their later copies are not shared with them.
	limit int
}

// intern returns the table's copy of s, adding a copy of s when it has none.
func (t *strs) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := t.m[s]; ok {
		return v
	}
	return t.put(strings.Clone(s))
}

// put adds v, a string of the table's own, and returns it.
func (t *strs) put(v string) string {
	if t.m == nil || len(t.m) >= t.limit {
		t.m = make(map[string]string, t.limit/2)
	}
	t.m[v] = v
	return v
}

// internTexts returns the table's copy of x, adding one when it has none.
func (t *strs) internTexts(x recordTexts) *recordTexts {
	if v, ok := t.texts[x]; ok {
		return v
	}
	if t.texts == nil || len(t.texts) >= t.limit {
		t.texts = make(map[recordTexts]*recordTexts)
	}
	v := &recordTexts{mediaType: t.intern(x.mediaType), callType: t.intern(x.callType), result: t.intern(x.result), roomIDType: t.intern(x.roomIDType)}
	t.texts[*v] = v
	return v
}

// compact returns the end-call's record in the projection's form, sharing
// nothing with the callback's body: keeping the event's own message would
// keep the whole body of the end-call callback in memory for as long as the
// call is retained.
func (c *call) compact(st *strs, r *gatewayv1.CallRecord) *record {
	out := &record{
		id:         shareOrClone(r.GetCallId(), c.id),
		caller:     st.intern(r.GetCallerAccount()),
		room:       shareOrClone(r.GetRoomId(), c.roomID),
		mediaType:  r.GetMediaType(),
		callType:   r.GetCallType(),
		result:     r.GetCallResult(),
		roomIDType: r.GetRoomIdType(),
		texts:      st.internTexts(recordTexts{mediaType: r.GetMediaTypeText(), callType: r.GetCallTypeText(), result: r.GetCallResultText(), roomIDType: r.GetRoomIdTypeText()}),
	}
	if l := r.GetCalleeAccounts(); l != nil {
		out.callees = make([]string, len(l))
		for i, a := range l {
			out.callees[i] = st.intern(a)
		}
	}
	if t := r.GetStartTime(); t != nil {
		out.start, out.has = unixNano(t), out.has|hasStart
	}
	if t := r.GetEndTime(); t != nil {
		out.end, out.has = unixNano(t), out.has|hasEnd
	}
	if t := r.GetAcceptTime(); t != nil {
		out.accept, out.has = unixNano(t), out.has|hasAccept
	}
	return out
}

// unixNano is t in Unix nanoseconds, read as AsTime does.
func unixNano(t *timestamppb.Timestamp) int64 {
	return t.GetSeconds()*1e9 + int64(t.GetNanos())
}

// shareOrClone returns have when s equals it (no copy), else a copy of s.
func shareOrClone(s, have string) string {
	if s == have {
		return have
	}
	return strings.Clone(s)
}

// clip gives the lists of an ended call their exact length: they grew by
// doubling while the call went on, and an ended call is kept, unchanged
// but for a late callback, for as long as the log retains it.
func (c *call) clip() {
	if cap(c.members) > len(c.members) {
		c.members = slices.Clone(c.members)
	}
	if cap(c.timeline) > len(c.timeline) {
		c.timeline = slices.Clone(c.timeline)
	}
	if cap(c.seen) > len(c.seen) {
		c.seen = slices.Clone(c.seen)
	}
}

// internLimit is how many strings the intern table holds before it starts
// afresh: a few apps' active users and every text, in a few MiB.
const internLimit = 1 << 17

// linearSearch is how long a call's member or event list is searched
// linearly before it gets a map: calls have a handful of members and events.
const linearSearch = 16

// state is where the call stands.
func (c *call) state() gatewayv1.CallState {
	switch {
	case c.record != nil:
		return gatewayv1.CallState_CALL_STATE_ENDED
	case c.connected:
		return gatewayv1.CallState_CALL_STATE_CONNECTED
	}
	return gatewayv1.CallState_CALL_STATE_RINGING
}

// Trim forgets every call whose newest event is older than oldest: the log no
// longer holds it, so a rebuild would not know it either.
func (p *Projection) Trim(oldest uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	dead := map[uint32][]*call{}
	for p.fifoAt < len(p.fifo) && p.fifo[p.fifoAt].seq < oldest {
		r := p.fifo[p.fifoAt]
		p.fifo[p.fifoAt] = retained{}
		p.fifoAt++
		c := r.c
		if c.lastSeq != r.seq || p.calls[c.key] != c {
			continue // a newer event keeps it, or gone already
		}
		delete(p.calls, c.key)
		if c.indexed {
			c.indexed = false
			dead[c.app] = append(dead[c.app], c)
		}
	}
	for app, calls := range dead {
		ix := p.records[app]
		ix.unindex(calls)
		if len(ix.byStart) == 0 {
			delete(p.records, app)
		}
	}
	// Compact the FIFO once its dead head outweighs its live part.
	if p.fifoAt > len(p.fifo)/2 {
		p.fifo = slices.Clone(p.fifo[p.fifoAt:])
		p.fifoAt = 0
	}
}

// Len is how many calls the projection holds.
func (p *Projection) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.calls)
}

// ts converts Unix nanoseconds to a Timestamp; 0 is unset.
func ts(ns int64) *timestamppb.Timestamp {
	if ns == 0 {
		return nil
	}
	return &timestamppb.Timestamp{Seconds: ns / 1e9, Nanos: int32(ns % 1e9)}
}

// compareRecords orders records by start time, then call id: the order of
// an app's record index, newest last.
func compareRecords(a, b *call) int {
	if c := cmp.Compare(a.startTime, b.startTime); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}
