package traffic

import (
	"encoding/json"
	"math"
	"net/url"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

var testApps = []uint32{1400000001, 1400000002, 1400000003, 1400000004}

// TestTrafficDecodes checks that every generated IM-family callback is one
// the gateway accepts, that every body is unique, that calls run start →
// members → end, and that the families come in the mix's proportions.
func TestTrafficDecodes(t *testing.T) {
	mix, err := ParseMix("calls,live,viewers,trtc")
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Apps: testApps, Mix: mix, ActiveCalls: 8, RunID: 0xbe4c4001}
	ids := make(map[string]bool)
	types := make(map[gatewayv1.EventType]int)
	commands := make(map[string]int)
	families := make(map[Family]int)
	type callSeen struct{ started, ended bool }
	calls := make(map[string]*callSeen)
	now := time.Unix(1740464128, 0)
	const perGen = 5000
	for gi := range 4 {
		gen := NewGenerator(m, gi, func() time.Time { return now })
		for range perGen {
			wh := gen.Next()
			families[wh.Family]++
			commands[wh.Kind()]++
			if wh.Family == TRTC {
				checkTRTC(t, wh)
				ev, err := callback.DecodeTRTC(wh.App, wh.Body, now)
				if err != nil {
					t.Fatalf("generated TRTC event rejected: %v\n%s", err, wh.Body)
				}
				// The load tool keys each send by this id before posting it.
				if want := callback.EventID(wh.App, callback.TRTCCommandName(wh.TRTCGroup, wh.TRTCEvent), wh.Body); ev.GetId() != want {
					t.Fatalf("TRTC event id %s, want %s from its group and type:\n%s", ev.GetId(), want, wh.Body)
				}
				if ids[ev.GetId()] {
					t.Fatalf("TRTC body repeated:\n%s", wh.Body)
				}
				ids[ev.GetId()] = true
				types[ev.GetType()]++
				continue
			}
			q, err := url.ParseQuery(IMQuery(wh.App, wh.Command, "203.0.113.7", "iOS"))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := callback.Decode(q, wh.Body, now)
			if err != nil {
				t.Fatalf("generated callback rejected: %v\n%s", err, wh.Body)
			}
			if ids[ev.GetId()] {
				t.Fatalf("id %s repeated:\n%s", ev.GetId(), wh.Body)
			}
			ids[ev.GetId()] = true
			types[ev.GetType()]++
			if ev.GetSdkAppId() != wh.App {
				t.Errorf("app %d, want %d", ev.GetSdkAppId(), wh.App)
			}
			if wh.Call < 0 {
				continue
			}
			if ev.GetCallId() != m.CallID(wh.Call) {
				t.Fatalf("call %d has CallId %q, want %q", wh.Call, ev.GetCallId(), m.CallID(wh.Call))
			}
			c := calls[ev.GetCallId()]
			if c == nil {
				c = &callSeen{}
				calls[ev.GetCallId()] = c
			}
			switch ev.GetType() {
			case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED:
				if c.started {
					t.Errorf("call %s started twice", ev.GetCallId())
				}
				c.started = true
			case gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
				if !c.started || c.ended {
					t.Errorf("call %s ended before starting or twice", ev.GetCallId())
				}
				c.ended = true
			default:
				if !c.started || c.ended {
					t.Errorf("call %s changed members outside the call", ev.GetCallId())
				}
			}
		}
	}
	for _, typ := range []gatewayv1.EventType{
		gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED,
		gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED,
	} {
		if types[typ] < 200 {
			t.Errorf("only %d events of type %s in 20,000", types[typ], typ)
		}
	}
	// Every callback the model draws is one the gateway types.
	if n := types[gatewayv1.EventType_EVENT_TYPE_OTHER]; n != 0 {
		t.Errorf("%d of 20,000 callbacks decoded as EVENT_TYPE_OTHER, untyped", n)
	}
	for _, kind := range []string{
		cmdCreateRoom, cmdDestroyRoom, cmdSeatChanged, cmdCreateBattle, cmdStartBattle, cmdEndBattle,
		cmdSendGift, cmdGroupMsg, "TRTC 101", "TRTC 102", "TRTC 103", "TRTC 104", "TRTC 105",
		"TRTC 201", "TRTC 202", "TRTC 203", "TRTC 204",
	} {
		if commands[kind] == 0 {
			t.Errorf("no %s in 20,000 callbacks", kind)
		}
	}
	for _, f := range Families() {
		got, want := float64(families[f])/(4*perGen), mix.Share(f)
		if math.Abs(got-want) > 0.03 {
			t.Errorf("family %s is %.3f of the traffic, want %.3f", f, got, want)
		}
	}
	if m.IdleCallID(0) == m.CallID(0) {
		t.Error("idle CallIds collide with the run's")
	}
}

// checkTRTC checks a family-2 body's shape.
func checkTRTC(t *testing.T, wh Webhook) {
	t.Helper()
	var body struct {
		EventGroupId, EventType int
		CallbackTs              int64
		EventInfo               map[string]any
	}
	if err := json.Unmarshal(wh.Body, &body); err != nil {
		t.Fatalf("TRTC body is not JSON: %v\n%s", err, wh.Body)
	}
	if body.EventType != wh.TRTCEvent || body.EventGroupId != wh.TRTCGroup || body.CallbackTs == 0 {
		t.Fatalf("TRTC body does not match event %d:\n%s", wh.TRTCEvent, wh.Body)
	}
	for _, k := range []string{"RoomId", "EventTs", "EventMsTs"} {
		if _, ok := body.EventInfo[k]; !ok {
			t.Fatalf("TRTC body has no EventInfo.%s:\n%s", k, wh.Body)
		}
	}
}

// TestViewersOnlyMix keeps the load tool's traffic what its figures were
// measured with: calls and viewers entering and leaving, nothing else.
func TestViewersOnlyMix(t *testing.T) {
	m := &Model{Apps: testApps, Mix: Mix{Calls: 0.8, Viewers: 0.2}, ActiveCalls: 8}
	g := NewGenerator(m, 0, time.Now)
	for range 2000 {
		wh := g.Next()
		switch wh.Command {
		case cmdStartCall, cmdMemberChange, cmdEndCall, cmdLiveMember:
		default:
			t.Fatalf("%s in the load tool's mix", wh.Kind())
		}
	}
}

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "calls,live", want: "calls=1,live=4"},
		{in: "calls=2, trtc", want: "calls=2,trtc=3"},
		{in: "LIVE", want: "live=4"},
		{in: "calls,radio", err: `unknown family "radio": use calls, live, viewers, trtc`},
		{in: "calls=x", err: `weight "x" of calls is not a number from 0 to 1000000`},
		{in: "calls=0", err: `mix "calls=0" names no family with a weight above 0`},
		{in: "", err: `mix "" names no family with a weight above 0`},
	} {
		m, err := ParseMix(tc.in)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseMix(%q) error %v, want %s", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParseMix(%q): %v", tc.in, err)
		case m.String() != tc.want:
			t.Errorf("ParseMix(%q) = %s, want %s", tc.in, m, tc.want)
		}
	}
}
