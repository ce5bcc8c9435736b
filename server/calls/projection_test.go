package calls

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// endEvent is the end-call event of call id at sequence seq, started at start
// (Unix seconds), with result r.
func endEvent(seq uint64, app uint32, id string, start int64, r gatewayv1.CallResult, caller string, callees ...string) *gatewayv1.Event {
	return &gatewayv1.Event{
		Sequence: seq, Id: fmt.Sprintf("end-%d-%s", app, id), Type: gatewayv1.EventType_EVENT_TYPE_CALL_ENDED,
		SdkAppId: app, CallId: id, ReceivedAt: timestamppb.New(time.Unix(start+60, 0)),
		Payload: &gatewayv1.Event_CallEnded{CallEnded: &gatewayv1.CallEnded{CallRecord: &gatewayv1.CallRecord{
			CallId: id, CallerAccount: caller, CallResult: r, CallType: gatewayv1.CallType_CALL_TYPE_SINGLE_CALL,
			StartTime: timestamppb.New(time.Unix(start, 0)), EndTime: timestamppb.New(time.Unix(start+60, 0)),
			CalleeAccounts: callees, RoomId: "room-" + caller,
		}}},
	}
}

func ids(recs []*gatewayv1.CallRecord) string {
	s := ""
	for _, r := range recs {
		s += r.GetCallId() + " "
	}
	return s
}

func TestRecordsPageNewestFirst(t *testing.T) {
	p := New()
	// Ended out of start order; c3 and c3b start at the same second.
	p.Apply(endEvent(1, 1, "c1", 100, gatewayv1.CallResult_CALL_RESULT_NORMAL_END, "alice", "alice", "bob"))
	p.Apply(endEvent(2, 1, "c3", 300, gatewayv1.CallResult_CALL_RESULT_CANCEL, "bob", "bob", "carol"))
	p.Apply(endEvent(3, 1, "c2", 200, gatewayv1.CallResult_CALL_RESULT_NORMAL_END, "alice", "alice", "carol"))
	p.Apply(endEvent(4, 1, "c3b", 300, gatewayv1.CallResult_CALL_RESULT_NORMAL_END, "carol", "carol"))
	p.Apply(endEvent(5, 2, "other-app", 250, gatewayv1.CallResult_CALL_RESULT_NORMAL_END, "alice"))

	sec := func(s int64) int64 { return time.Unix(s, 0).UnixNano() }
	for _, tc := range []struct {
		name  string
		f     Filter
		pages []string
		total int
	}{
		{"all", Filter{}, []string{"c3b c3 ", "c2 c1 "}, 4},
		{"window", Filter{From: sec(200), To: sec(300)}, []string{"c2 "}, 1},
		{"result", Filter{Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END}, []string{"c3b c2 ", "c1 "}, 3},
		{"caller", Filter{Caller: "alice"}, []string{"c2 c1 "}, 2},
		{"callee", Filter{Callee: "carol"}, []string{"c3b c3 ", "c2 "}, 3},
		{"room", Filter{Room: "room-bob"}, []string{"c3 "}, 1},
		{"nothing", Filter{Caller: "nobody"}, []string{""}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var after *Cursor
			for i, want := range tc.pages {
				recs, next, total := p.Records(1, tc.f, after, 2)
				if got := ids(recs); got != want || total != tc.total {
					t.Fatalf("page %d = %q (total %d), want %q (total %d)", i, got, total, want, tc.total)
				}
				if (next == nil) != (i == len(tc.pages)-1) {
					t.Fatalf("page %d: next = %v, want one exactly when another page follows", i, next)
				}
				after = next
			}
		})
	}
}

func TestTrimForgetsCallsThatLeftTheLog(t *testing.T) {
	p := New()
	for i := range 10 {
		p.Apply(endEvent(uint64(i+1), 1, fmt.Sprint("c", i), int64(100+i), gatewayv1.CallResult_CALL_RESULT_NORMAL_END, "a"))
	}
	p.Trim(6) // events 1–5 left the log
	if p.Len() != 5 {
		t.Fatalf("Len after Trim(6) = %d, want 5", p.Len())
	}
	if _, _, ok := p.Record(1, "c4"); ok {
		t.Error("c4's only event left the log, but its record is still served")
	}
	if _, _, ok := p.Record(1, "c5"); !ok {
		t.Error("c5's event (sequence 6) is retained, but its record is gone")
	}
	if recs, _, total := p.Records(1, Filter{}, nil, 100); len(recs) != 5 || total != 5 {
		t.Errorf("Records after Trim = %d (total %d), want 5", len(recs), total)
	}
	p.Trim(100)
	if p.Len() != 0 || len(p.records) != 0 {
		t.Errorf("after trimming everything: %d calls, %d indexes", p.Len(), len(p.records))
	}
}

func TestApplyIgnoresOtherEvents(t *testing.T) {
	p := New()
	p.Apply(&gatewayv1.Event{Sequence: 1, Type: gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED, SdkAppId: 1, RoomId: "r"})
	p.Apply(&gatewayv1.Event{Sequence: 2, Type: gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, SdkAppId: 1}) // no call id anywhere
	if p.Len() != 0 {
		t.Errorf("Len = %d, want 0", p.Len())
	}
}

// TestTrimOutOfStartOrder trims calls that are not the oldest by start time,
// so the index lists lose calls from their middle.
func TestTrimOutOfStartOrder(t *testing.T) {
	p := New()
	for i := range 10 {
		start := int64(100 + (i*7)%10) // 100, 107, 104, 101, 108, 105, 102, 109, 106, 103
		p.Apply(endEvent(uint64(i+1), 1, fmt.Sprint("c", i), start, gatewayv1.CallResult_CALL_RESULT_NORMAL_END, fmt.Sprint("u", i%2), "shared"))
	}
	p.Trim(6) // c0–c4 leave
	recs, _, total := p.Records(1, Filter{}, nil, 100)
	if got := ids(recs); got != "c7 c8 c5 c9 c6 " || total != 5 {
		t.Errorf("after Trim: %q (total %d), want c7 c8 c5 c9 c6", got, total)
	}
	for _, f := range []Filter{{Caller: "u0"}, {Callee: "shared"}, {Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END}, {Type: gatewayv1.CallType_CALL_TYPE_SINGLE_CALL}, {Room: "room-u1"}} {
		recs, _, total := p.Records(1, f, nil, 100)
		for _, r := range recs {
			if n := r.GetCallId(); n < "c5" {
				t.Errorf("filter %+v still lists trimmed %s", f, n)
			}
		}
		if total != len(recs) {
			t.Errorf("filter %+v: total %d, listed %d", f, total, len(recs))
		}
	}
}
