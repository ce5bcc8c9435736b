package calls

import (
	"cmp"
	"slices"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// recordIndex is one application's ended calls, each list ordered by (start
// time, call id), so that a page of records newest first is a binary search
// and a scan. Filters by account or room scan only that account's or room's
// calls.
type recordIndex struct {
	byStart   []*call
	byAccount map[string][]*call // the caller and every callee
	byRoom    map[string][]*call
	byResult  map[gatewayv1.CallResult][]*call
	byType    map[gatewayv1.CallType][]*call
}

// index files an ended call in its app's record index, once.
func (p *Projection) index(c *call) {
	if c.record == nil || c.indexed {
		return
	}
	ix := p.records[c.app]
	if ix == nil {
		ix = &recordIndex{
			byAccount: map[string][]*call{}, byRoom: map[string][]*call{},
			byResult: map[gatewayv1.CallResult][]*call{}, byType: map[gatewayv1.CallType][]*call{},
		}
		p.records[c.app] = ix
	}
	ix.byStart = insert(ix.byStart, c)
	for _, a := range c.accounts() {
		ix.byAccount[a] = insert(ix.byAccount[a], c)
	}
	if room := c.record.room; room != "" {
		ix.byRoom[room] = insert(ix.byRoom[room], c)
	}
	ix.byResult[c.record.result] = insert(ix.byResult[c.record.result], c)
	ix.byType[c.record.callType] = insert(ix.byType[c.record.callType], c)
	c.indexed = true
}

// unindex removes ended calls from the app's index in one pass per list:
// Trim removes the oldest calls by the thousand, and one slices.Delete each
// would move the whole list as often.
func (ix *recordIndex) unindex(dead []*call) {
	slices.SortFunc(dead, compareRecords)
	ix.byStart = removeAll(ix.byStart, dead)
	byAccount, byRoom := map[string][]*call{}, map[string][]*call{}
	byResult, byType := map[gatewayv1.CallResult][]*call{}, map[gatewayv1.CallType][]*call{}
	for _, c := range dead {
		for _, a := range c.accounts() {
			byAccount[a] = append(byAccount[a], c)
		}
		if room := c.record.room; room != "" {
			byRoom[room] = append(byRoom[room], c)
		}
		byResult[c.record.result] = append(byResult[c.record.result], c)
		byType[c.record.callType] = append(byType[c.record.callType], c)
	}
	removeFrom(ix.byAccount, byAccount)
	removeFrom(ix.byRoom, byRoom)
	removeFrom(ix.byResult, byResult)
	removeFrom(ix.byType, byType)
}

// removeFrom removes each key's dead calls from its list in lists, and the
// key when its list is left empty.
func removeFrom[K comparable](lists, dead map[K][]*call) {
	for k, d := range dead {
		if l := removeAll(lists[k], d); len(l) > 0 {
			lists[k] = l
		} else {
			delete(lists, k)
		}
	}
}

// removeAll returns l without the calls of dead. The oldest calls leave
// first, so dead is usually a prefix of l and is cut off without moving the
// rest; otherwise the part of l after the first dead call moves once.
func removeAll(l, dead []*call) []*call {
	idx := make([]int, 0, len(dead))
	for _, c := range dead {
		if i, ok := slices.BinarySearchFunc(l, c, compareRecords); ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return l
	}
	slices.Sort(idx)
	if idx[len(idx)-1] == len(idx)-1 { // the first len(idx) calls
		clear(l[:len(idx)])
		return l[len(idx):]
	}
	w, next := idx[0], 0
	for r := idx[0]; r < len(l); r++ {
		if next < len(idx) && idx[next] == r {
			next++
			continue
		}
		l[w] = l[r]
		w++
	}
	clear(l[w:])
	return l[:w]
}

// accounts are the record's caller and callees, each once.
func (c *call) accounts() []string {
	r := c.record
	all := append([]string{r.caller}, r.callees...)
	out := make([]string, 0, len(all))
	var seen map[string]struct{} // for a long list (a record can name a megabyte of callees)
	if len(all) > linearSearch {
		seen = make(map[string]struct{}, len(all))
	}
	for _, a := range all {
		if a == "" {
			continue
		}
		if seen != nil {
			if _, dup := seen[a]; dup {
				continue
			}
			seen[a] = struct{}{}
		} else if slices.Contains(out, a) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// insert files c in l by (start, id). Records mostly end in start order, so
// this is usually an append.
func insert(l []*call, c *call) []*call {
	if len(l) == 0 || compareRecords(l[len(l)-1], c) < 0 {
		return append(l, c)
	}
	i, _ := slices.BinarySearchFunc(l, c, compareRecords)
	return slices.Insert(l, i, c)
}

// recordProto is the call's record as the API serves it, nil before the end.
func (c *call) recordProto() *gatewayv1.CallRecord {
	if c.record == nil {
		return nil
	}
	return c.record.proto()
}

// Record returns the record of call id of app and the sequence of the event
// it came from; ok is false when the log holds no end of that call.
func (p *Projection) Record(app uint32, id string) (r *gatewayv1.CallRecord, seq uint64, ok bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	c := p.calls[key{app: app, id: id}]
	if c == nil || c.record == nil {
		return nil, 0, false
	}
	return c.record.proto(), c.recordSeq, true
}

// Call returns call id of app as the log tells it, or nil when the log
// holds no event of it.
func (p *Projection) Call(app uint32, id string) *gatewayv1.Call {
	p.mu.RLock()
	defer p.mu.RUnlock()
	c := p.calls[key{app: app, id: id}]
	if c == nil {
		return nil
	}
	out := &gatewayv1.Call{
		SdkAppId:      c.app,
		CallId:        c.id,
		State:         c.state(),
		CallerAccount: c.callerAccount,
		MediaType:     c.mediaType,
		ChatGroupId:   c.chatGroupID,
		RoomId:        c.roomID,
		StartTime:     ts(c.startTime),
		EndTime:       ts(c.endTime),
		CallRecord:    c.recordProto(),
		Members:       make([]*gatewayv1.CallParticipant, len(c.members)),
		Timeline:      make([]*gatewayv1.CallTimelineEntry, len(c.timeline)),
		Coverage: &gatewayv1.Coverage{
			FirstSequence: c.firstSeq,
			LastSequence:  c.lastSeq,
			EventCount:    c.events,
			StartSeen:     c.startSeen,
			EndSeen:       c.record != nil,
			// Without an end-call callback an ended call cannot be told from
			// one in progress, so a call whose start was seen is complete so far.
			Complete: c.startSeen,
		},
	}
	for i, m := range c.members {
		out.Members[i] = &gatewayv1.CallParticipant{
			UserAccount: m.account,
			State:       m.state,
			LastAction:  m.lastAction,
			InviteTime:  ts(m.invite),
			AnswerTime:  ts(m.answer),
			JoinTime:    ts(m.join),
			RejectTime:  ts(m.reject),
			LeaveTime:   ts(m.leave),
			Caller:      m.caller,
		}
	}
	for i, e := range c.timeline {
		out.Timeline[i] = &gatewayv1.CallTimelineEntry{
			Sequence:       e.seq,
			Time:           ts(e.time),
			EventType:      e.eventType,
			UserAccount:    e.account,
			ActionType:     e.action,
			ActionTypeText: e.actionText,
		}
	}
	return out
}

// Filter selects call records; the zero value of a field matches everything.
type Filter struct {
	// From and To bound the record's start time, [From, To), in Unix nanoseconds; 0 is unbounded.
	From, To int64
	// Result is the record's CallResult.
	Result gatewayv1.CallResult
	// Type is the record's CallType.
	Type gatewayv1.CallType
	// Caller is the record's caller_account.
	Caller string
	// Callee is one of the record's callee_accounts.
	Callee string
	// Room is the record's room_id.
	Room string
}

func (f *Filter) match(c *call) bool {
	r := c.record
	switch {
	case f.Result != 0 && r.result != f.Result,
		f.Type != 0 && r.callType != f.Type,
		f.Caller != "" && r.caller != f.Caller,
		f.Room != "" && r.room != f.Room,
		f.Callee != "" && !slices.Contains(r.callees, f.Callee):
		return false
	}
	return true
}

// candidates is the shortest list of the index that holds every record f
// may match, and whether every record of it matches (so a count needs no
// scan): true when the list's key is f's only field besides the window.
func (ix *recordIndex) candidates(f *Filter) (all []*call, exact bool) {
	type list struct {
		set, exact bool
		l          []*call
	}
	fields := 0
	for _, set := range []bool{f.Result != 0, f.Type != 0, f.Caller != "", f.Callee != "", f.Room != ""} {
		if set {
			fields++
		}
	}
	all, exact = ix.byStart, fields == 0
	for _, c := range []list{
		{f.Result != 0, fields == 1, ix.byResult[f.Result]},
		{f.Type != 0, fields == 1, ix.byType[f.Type]},
		{f.Caller != "", false, ix.byAccount[f.Caller]},
		{f.Callee != "", false, ix.byAccount[f.Callee]},
		{f.Room != "", fields == 1, ix.byRoom[f.Room]},
	} {
		if !c.set {
			continue
		}
		if len(c.l) == 0 {
			return nil, true // a value no record has
		}
		if len(c.l) < len(all) || c.exact {
			all, exact = c.l, c.exact
		}
	}
	return all, exact
}

// Cursor is where a page of records ends: the last record's start time and
// call id. The next page starts just before it, newest first.
type Cursor struct {
	Start int64
	ID    string
}

// Records returns up to limit records of app matching f, newest start first,
// starting after cursor (nil: from the newest); next is the cursor of the
// page's last record when more may follow; total counts every match.
func (p *Projection) Records(app uint32, f Filter, after *Cursor, limit int) (recs []*gatewayv1.CallRecord, next *Cursor, total int) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ix := p.records[app]
	if ix == nil {
		return nil, nil, 0
	}
	all, exact := ix.candidates(&f)
	// The window [lo, hi) of records that started in [From, To).
	lo, hi := 0, len(all)
	if f.From != 0 {
		lo, _ = slices.BinarySearchFunc(all, f.From, func(c *call, t int64) int { return cmp.Compare(c.startTime, t) })
	}
	if f.To != 0 {
		hi, _ = slices.BinarySearchFunc(all, f.To, func(c *call, t int64) int { return cmp.Compare(c.startTime, t) })
	}
	if hi < lo {
		hi = lo
	}
	if exact {
		total = hi - lo
	} else {
		for _, c := range all[lo:hi] {
			if f.match(c) {
				total++
			}
		}
	}
	// Scan newest first from just before the cursor.
	i := hi
	if after != nil {
		j, _ := slices.BinarySearchFunc(all, *after, func(c *call, cur Cursor) int {
			if x := cmp.Compare(c.startTime, cur.Start); x != 0 {
				return x
			}
			return cmp.Compare(c.id, cur.ID)
		})
		i = min(i, j)
	}
	for i--; i >= lo; i-- {
		c := all[i]
		if !f.match(c) {
			continue
		}
		if len(recs) == limit {
			return recs, next, total // another match follows
		}
		recs = append(recs, c.record.proto())
		next = &Cursor{Start: c.startTime, ID: c.id}
	}
	return recs, nil, total
}
