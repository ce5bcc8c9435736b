package calls

import (
	"fmt"
	"net/url"
	"runtime"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// benchCalls is how many 1:1 calls the benchmarks hold.
const benchCalls = 100_000

// oneToOne returns the three events of a 1:1 call answered and ended, as
// the decoder makes them, from sequence seq.
func oneToOne(seq uint64, i int) []*gatewayv1.Event {
	id := fmt.Sprintf("%08x-bc8a-469c-a334-1126c8c17d58", i)
	caller, callee := fmt.Sprintf("user%d", i%5000), fmt.Sprintf("user%d", (i+1)%5000)
	start := time.Unix(1741231146+int64(i), 0)
	at := func(d time.Duration) *timestamppb.Timestamp { return timestamppb.New(start.Add(d)) }
	ev := func(n uint64, typ gatewayv1.EventType, d time.Duration) *gatewayv1.Event {
		return &gatewayv1.Event{Sequence: seq + n, Id: fmt.Sprintf("%s-%d", id, n), Type: typ, SdkAppId: 1400000001, CallId: id, EventTime: at(d), ReceivedAt: at(d)}
	}
	s := ev(0, gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, 0)
	s.Payload = &gatewayv1.Event_CallStarted{CallStarted: &gatewayv1.CallStarted{
		CallInfo: &gatewayv1.CallInfo{CallId: id, MediaType: gatewayv1.MediaType_MEDIA_TYPE_AUDIO},
		UserList: []*gatewayv1.CallMember{{UserAccount: caller, Status: gatewayv1.MemberStatus_MEMBER_STATUS_CALLING}, {UserAccount: callee, Status: gatewayv1.MemberStatus_MEMBER_STATUS_WAITING}},
	}}
	m := ev(1, gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, 5*time.Second)
	m.Payload = &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{
		CallId:          id,
		UserList:        []*gatewayv1.CallMember{{UserAccount: caller, Status: gatewayv1.MemberStatus_MEMBER_STATUS_CALLING}, {UserAccount: callee, Status: gatewayv1.MemberStatus_MEMBER_STATUS_CALLING}},
		ChangedUserList: []*gatewayv1.MemberChange{{UserAccount: callee, ActionType: gatewayv1.ActionType_ACTION_TYPE_ANSWER, ActionTypeText: "Answer"}},
	}}
	e := ev(2, gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, 60*time.Second)
	e.Payload = &gatewayv1.Event_CallEnded{CallEnded: &gatewayv1.CallEnded{CallRecord: &gatewayv1.CallRecord{
		CallId: id, CallerAccount: caller, MediaType: gatewayv1.MediaType_MEDIA_TYPE_AUDIO, MediaTypeText: "Audio",
		CallType: gatewayv1.CallType_CALL_TYPE_SINGLE_CALL, CallTypeText: "SingleCall",
		StartTime: at(0), EndTime: at(60 * time.Second), AcceptTime: at(5 * time.Second),
		CallResult: gatewayv1.CallResult_CALL_RESULT_NORMAL_END, CallResultText: "NormalEnd",
		CalleeAccounts: []string{caller, callee}, RoomId: id, RoomIdType: gatewayv1.RoomIdType_ROOM_ID_TYPE_STRING, RoomIdTypeText: "2",
	}}}
	return []*gatewayv1.Event{s, m, e}
}

// filled returns a projection of n calls and the heap it took, per call. The
// events are built and dropped one call at a time, so what stays is what the
// projection keeps (the end-call's record is shared with its event).
func filled(b *testing.B, n int) (*Projection, float64) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := New()
	for i := range n {
		for _, ev := range oneToOne(uint64(3*i+1), i) {
			p.Apply(ev)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return p, float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

func BenchmarkGetCallRecord(b *testing.B) {
	p, perCall := filled(b, benchCalls)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("%08x-bc8a-469c-a334-1126c8c17d58", i%benchCalls)
		if _, _, ok := p.Record(1400000001, id); !ok {
			b.Fatal("missing record")
		}
		i += 7919
	}
	b.ReportMetric(perCall, "heap-B/call")
}

func BenchmarkGetCall(b *testing.B) {
	p, _ := filled(b, benchCalls)
	i := 0
	for b.Loop() {
		if p.Call(1400000001, fmt.Sprintf("%08x-bc8a-469c-a334-1126c8c17d58", i%benchCalls)) == nil {
			b.Fatal("missing call")
		}
		i += 7919
	}
}

func BenchmarkListCallRecords(b *testing.B) {
	p, _ := filled(b, benchCalls)
	for _, tc := range []struct {
		name string
		f    Filter
	}{
		{"newest", Filter{}},
		{"window", Filter{From: time.Unix(1741231146+benchCalls/2, 0).UnixNano(), To: time.Unix(1741231146+benchCalls/2+3600, 0).UnixNano()}},
		{"caller", Filter{Caller: "user42"}}, // the account's own list
		{"caller and result", Filter{Caller: "user42", Result: gatewayv1.CallResult_CALL_RESULT_CANCEL}}, // scans the account's list, matches none
		{"result", Filter{Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END}},                          // a page is quick, the total scans every record
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_, _, total := p.Records(1400000001, tc.f, nil, 50)
				if total == 0 && tc.f.Result != gatewayv1.CallResult_CALL_RESULT_CANCEL {
					b.Fatal("nothing matched")
				}
			}
		})
	}
}

// BenchmarkApply is the projection's share of a rebuild after a restart:
// folding a 1:1 call's three events (reported as events/s).
func BenchmarkApply(b *testing.B) {
	const calls = 4096
	evs := make([][]*gatewayv1.Event, calls)
	for i := range evs {
		evs[i] = oneToOne(uint64(3*i+1), i)
	}
	var p *Projection
	n := 0
	for b.Loop() {
		if n%calls == 0 {
			p = New() // the same events again would be skipped as duplicates
		}
		for _, ev := range evs[n%calls] {
			p.Apply(ev)
		}
		n++
	}
	b.ReportMetric(float64(3*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkTrim is what retention costs the projection: forgetting the
// oldest of benchCalls calls, a follower's trim interval (4096 events) at a time.
func BenchmarkTrim(b *testing.B) {
	p, _ := filled(b, benchCalls)
	oldest := uint64(1)
	for b.Loop() {
		oldest += 4096
		if oldest > 3*benchCalls {
			b.StopTimer()
			p, _ = filled(b, benchCalls)
			oldest = 1 + 4096
			b.StartTimer()
		}
		p.Trim(oldest)
	}
}

// decodedCalls calls fn with the events of n calls as the gateway's webhook
// makes them, one call at a time: internal/traffic's callback bodies decoded
// by callback.Decode, whose strings are substrings of each body. What the
// projection keeps of them is what it costs in a gateway (the events of
// BenchmarkGetCallRecord are built field by field and hide what a kept
// substring pins).
func decodedCalls(b *testing.B, n int, fn func([]*gatewayv1.Event)) {
	b.Helper()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002, 1400000003, 1400000004}, Mix: traffic.Mix{traffic.Calls: 1}, ActiveCalls: 1, RunID: 7}
	clock := time.Unix(1741231146, 0)
	g := traffic.NewGenerator(model, 0, func() time.Time { clock = clock.Add(time.Second); return clock })
	var cur []*gatewayv1.Event
	seq := uint64(0)
	for done := 0; done < n; {
		wh := g.Next()
		q, err := url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, "203.0.113.1", "iOS"))
		if err != nil {
			b.Fatal(err)
		}
		ev, err := callback.Decode(q, wh.Body, clock)
		if err != nil {
			b.Fatal(err)
		}
		seq++
		ev.Sequence = seq
		cur = append(cur, ev)
		if ev.GetType() == gatewayv1.EventType_EVENT_TYPE_CALL_ENDED {
			fn(cur)
			cur, done = nil, done+1
		}
	}
}

// BenchmarkHeapPerDecodedCall is the heap the projection keeps per ended
// call of realistic traffic (1:1 and group calls, answered, rejected,
// missed), its events decoded as the webhook decodes them and dropped once
// applied, as the follower drops them.
func BenchmarkHeapPerDecodedCall(b *testing.B) {
	const n = 50_000
	var perCall float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := New()
		decodedCalls(b, n, func(evs []*gatewayv1.Event) {
			for _, ev := range evs {
				p.Apply(ev)
			}
		})
		runtime.GC()
		runtime.ReadMemStats(&after)
		perCall = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / n
		runtime.KeepAlive(p)
	}
	b.ReportMetric(perCall, "heap-B/call")
}

// BenchmarkApplyDecoded is BenchmarkApply on realistic traffic: the events
// of 4,096 calls decoded as the webhook decodes them (reported as events/s).
func BenchmarkApplyDecoded(b *testing.B) {
	var evs []*gatewayv1.Event
	decodedCalls(b, 4096, func(call []*gatewayv1.Event) { evs = append(evs, call...) })
	var p *Projection
	n := 0
	for b.Loop() {
		if n%len(evs) == 0 {
			p = New() // the same events again would be skipped as duplicates
		}
		p.Apply(evs[n%len(evs)])
		n++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
