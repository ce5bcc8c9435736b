package calls_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/calls"
)

// A projection folds the log's events in order; here the end-call callback
// arrives alone, and still yields the call's record.
func ExampleProjection() {
	body := `{"CallbackCommand":"Call.CallbackAfterEndCall","CallRecord":{"CallId":"c-1","Caller_Account":"alice","MediaType":"Audio","CallType":"SingleCall","StartTime":1741231146,"EndTime":1741231296,"AcceptTime":1741231150,"CallResult":"NormalEnd","CalleeList_Account":["alice","bob"],"RoomId":"r-1","RoomIdType":2},"EventTime":1741231296500}`
	q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {"Call.CallbackAfterEndCall"}}
	ev, err := callback.Decode(q, []byte(body), time.Unix(1741231297, 0))
	if err != nil {
		panic(err)
	}
	ev.Sequence = 1 // the log assigns it

	p := calls.New()
	p.Apply(ev)
	rec, seq, _ := p.Record(1400000001, "c-1")
	call := p.Call(1400000001, "c-1")
	fmt.Println(rec.GetCallResult(), "from sequence", seq)
	fmt.Println(call.GetState(), "complete:", call.GetCoverage().GetComplete())
	for _, m := range call.GetMembers() {
		fmt.Println(m.GetUserAccount(), m.GetState(), "caller:", m.GetCaller())
	}
	// Output:
	// CALL_RESULT_NORMAL_END from sequence 1
	// CALL_STATE_ENDED complete: false
	// alice CALL_MEMBER_STATE_LEFT caller: true
	// bob CALL_MEMBER_STATE_LEFT caller: false
}
