package calls

import (
	"cmp"
	"slices"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// recordIndex is one application's ended calls, ordered by (start time, call
// id), so that a page of records newest first is a binary search and a scan.
type recordIndex struct {
	byStart []*call
}

// index files an ended call in its app's record index, once.
func (p *Projection) index(c *call) {
	if c.record == nil || c.indexed {
		return
	}
	ix := p.records[c.app]
	if ix == nil {
		ix = &recordIndex{}
		p.records[c.app] = ix
	}
	// Records mostly end in start order, so this is usually an append.
	i, _ := slices.BinarySearchFunc(ix.byStart, c, compareRecords)
	ix.byStart = slices.Insert(ix.byStart, i, c)
	c.indexed = true
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
	return c.record, c.recordSeq, true
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
		CallRecord:    c.record,
		Members:       make([]*gatewayv1.CallParticipant, len(c.members)),
		Timeline:      make([]*gatewayv1.CallTimelineEntry, len(c.timeline)),
		Coverage: &gatewayv1.Coverage{
			FirstSequence: c.firstSeq,
			LastSequence:  c.lastSeq,
			EventCount:    c.events,
			StartSeen:     c.startSeen,
			EndSeen:       c.record != nil,
			Complete:      c.startSeen && (c.record != nil || !c.ended()),
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

// ended reports whether the call is known to be over: its record was seen.
// Without the end-call callback the gateway cannot tell an ended call from
// one in progress, so such a call counts as in progress and, once its start
// was seen, as complete so far.
func (c *call) ended() bool { return c.record != nil }

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
	case f.Result != 0 && r.GetCallResult() != f.Result,
		f.Type != 0 && r.GetCallType() != f.Type,
		f.Caller != "" && r.GetCallerAccount() != f.Caller,
		f.Room != "" && r.GetRoomId() != f.Room,
		f.Callee != "" && !slices.Contains(r.GetCalleeAccounts(), f.Callee):
		return false
	}
	return true
}

// narrow reports whether the filter has fields beyond the time window, which
// a count must check record by record.
func (f *Filter) narrow() bool {
	return f.Result != 0 || f.Type != 0 || f.Caller != "" || f.Callee != "" || f.Room != ""
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
	all := ix.byStart
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
	if !f.narrow() {
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
		recs = append(recs, c.record)
		next = &Cursor{Start: c.startTime, ID: c.id}
	}
	return recs, nil, total
}
