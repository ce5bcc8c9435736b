package sdk_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

const (
	sdkAppID  = "1400000001"
	callA     = "055662e1-bc8a-469c-a334-1126c8c17d58"
	callOther = "9b0c6a53-other-call"
	// bigAccount is larger than 2^53: it survives only if no layer goes through a double.
	bigAccount = "144115212830834855"
)

// webhook is one callback the test posts, in posting order.
type webhook struct {
	file    string // body, under testdata/
	command string // CallbackCommand query parameter
}

var webhooks = []webhook{
	{"call_started.json", "Call.CallbackAfterStartCall"},
	{"call_started_other.json", "Call.CallbackAfterStartCall"},
	{"member_changed.json", "Call.CallbackAfterMemberChanged"},
	// The URL spelling of the live command differs from the body's; the event keeps the URL's.
	{"live_member_state_changed.json", "Live.CallbackMemberStateChanged"},
	{"member_changed_other.json", "Call.CallbackAfterMemberChanged"},
	{"call_ended.json", "Call.CallbackAfterEndCall"},
}

// wantCallA are the indexes in webhooks of call A's events: what a subscriber
// filtered to call A must print, and all it may print. The other call's events
// sit between them, and the last of them comes after all others, so seeing it
// proves the filter skipped the rest.
var wantCallA = []int{0, 2, 5}

// TestRoundTrip starts the gateway, subscribes with each example (one without
// a filter, one filtered to call A), posts the four Tencent callbacks plus
// another call's events over HTTP, and checks the typed values each example
// prints.
func TestRoundTrip(t *testing.T) {
	requireEnabled(t)
	gw := startGateway(t)

	type run struct {
		ex       example
		all, one *subscriber
	}
	var runs []run
	for _, ex := range examples {
		// --after-sequence 0 replays the log from its start, so the subscribers
		// see every event no matter how their start races with the posts.
		all := startSubscriber(t, ex, ex.name+"-all", nil,
			"--addr", gw.grpc, "--after-sequence", "0", "--max-events", fmt.Sprint(len(webhooks)))
		one := startSubscriber(t, ex, ex.name+"-call-a", nil,
			"--addr", gw.grpc, "--after-sequence", "0", "--call-id", callA, "--max-events", fmt.Sprint(len(wantCallA)))
		runs = append(runs, run{ex, all, one})
	}

	for _, w := range webhooks {
		gw.post(t, w)
	}

	var reference []jsonEvent
	for _, r := range runs {
		t.Run(r.ex.name, func(t *testing.T) {
			all := r.all.events(t, len(webhooks), 60*time.Second)
			if code := r.all.wait(t, 30*time.Second); code != 0 {
				t.Errorf("%s exit status %d after --max-events, want 0", r.all.name, code)
			}
			r.all.drain(t)
			checkAll(t, all)

			one := r.one.events(t, len(wantCallA), 60*time.Second)
			if code := r.one.wait(t, 30*time.Second); code != 0 {
				t.Errorf("%s exit status %d after --max-events, want 0", r.one.name, code)
			}
			r.one.drain(t)
			for i, ev := range one {
				if got := ev.str("callId"); got != callA {
					t.Errorf("call-filtered subscriber got an event of call %q: %s", got, ev.raw)
				}
				if want := all[wantCallA[i]]; !reflect.DeepEqual(ev.obj, want.obj) {
					t.Errorf("call-filtered event %d differs from the unfiltered one:\n got %s\nwant %s", i, ev.raw, want.raw)
				}
			}

			// Both SDKs must print the very same canonical JSON for each event.
			if reference == nil {
				reference = all
				return
			}
			for i := range all {
				if !reflect.DeepEqual(all[i].obj, reference[i].obj) {
					t.Errorf("event %d: %s printed\n%s\nbut %s printed\n%s", i, r.ex.name, all[i].raw, runs[0].ex.name, reference[i].raw)
				}
			}
		})
	}
}

// checkAll checks the unfiltered stream: one event per webhook, in order, with
// the typed values Tencent's JSON carried.
func checkAll(t *testing.T, evs []jsonEvent) {
	t.Helper()
	var epoch string
	var prev uint64
	for i, ev := range evs {
		seq, err := parseUint(ev.str("sequence"))
		if err != nil || seq <= prev {
			t.Errorf("event %d: sequence %s is not a decimal string above %d", i, ev.str("sequence"), prev)
		}
		prev = seq
		if i == 0 {
			epoch = ev.str("epoch")
			if epoch == "" || epoch == "<absent>" {
				t.Errorf("event 0 has no epoch: %s", ev.raw)
			}
		} else if got := ev.str("epoch"); got != epoch {
			t.Errorf("event %d: epoch %q, want %q like the first", i, got, epoch)
		}
		if got := ev.str("callbackCommand"); got != webhooks[i].command {
			t.Errorf("event %d: callbackCommand %q, want %q", i, got, webhooks[i].command)
		}
		if v, _ := ev.get("sdkAppId"); fmt.Sprint(v) != sdkAppID {
			t.Errorf("event %d: sdkAppId %v, want %s", i, v, sdkAppID)
		}
		if got := ev.str("clientIp"); got != "127.0.0.1" {
			t.Errorf("event %d: clientIp %q, want 127.0.0.1", i, got)
		}
		if got := ev.str("optPlatform"); got != "Web" {
			t.Errorf("event %d: optPlatform %q, want Web", i, got)
		}
		if ev.str("id") == "<absent>" || ev.str("receivedAt") == "<absent>" {
			t.Errorf("event %d: id or receivedAt missing: %s", i, ev.raw)
		}
	}

	expect := func(i int, path []any, want string) {
		t.Helper()
		if got := evs[i].str(path...); got != want {
			t.Errorf("event %d (%s) %v = %s, want %s", i, webhooks[i].file, path, got, want)
		}
	}
	expectTime := func(i int, path []any, want time.Time) {
		t.Helper()
		text := evs[i].str(path...)
		got, err := time.Parse(time.RFC3339Nano, text)
		if err != nil || !got.Equal(want) {
			t.Errorf("event %d (%s) %v = %s, want %s", i, webhooks[i].file, path, text, want.UTC().Format(time.RFC3339Nano))
		}
	}
	p := func(path ...any) []any { return path }

	// Call.CallbackAfterStartCall with numeric accounts beyond 2^53.
	expect(0, p("type"), "EVENT_TYPE_CALL_STARTED")
	expect(0, p("callId"), callA)
	expectTime(0, p("eventTime"), time.UnixMilli(1740464128807))
	expect(0, p("callStarted", "callInfo", "callId"), callA)
	expect(0, p("callStarted", "callInfo", "mediaType"), "MEDIA_TYPE_AUDIO")
	expect(0, p("callStarted", "callInfo", "roomIdType"), "ROOM_ID_TYPE_NUMERIC")
	expect(0, p("callStarted", "userList", 0, "userAccount"), bigAccount)
	expect(0, p("callStarted", "userList", 0, "status"), "MEMBER_STATUS_CALLING")
	expect(0, p("callStarted", "userList", 1, "userAccount"), "144115212948889925")
	expect(0, p("callStarted", "userList", 1, "status"), "MEMBER_STATUS_WAITING")
	if accounts, _ := evs[0].get("userAccounts"); !slices.Contains(toStrings(accounts), bigAccount) {
		t.Errorf("event 0: userAccounts %v lack %s", accounts, bigAccount)
	}
	if !bytes.Contains([]byte(evs[0].raw), []byte(`"`+bigAccount+`"`)) {
		t.Errorf("event 0: the account digits %s are not printed as an exact string: %s", bigAccount, evs[0].raw)
	}

	// The other call, between call A's events.
	expect(1, p("type"), "EVENT_TYPE_CALL_STARTED")
	expect(1, p("callId"), callOther)
	expect(1, p("callStarted", "callInfo", "mediaType"), "MEDIA_TYPE_VIDEO")

	// Call.CallbackAfterMemberChanged: user2 answered.
	expect(2, p("type"), "EVENT_TYPE_CALL_MEMBER_CHANGED")
	expect(2, p("callId"), callA)
	expectTime(2, p("eventTime"), time.UnixMilli(1740464130807))
	expect(2, p("callMemberChanged", "changedUserList", 0, "userAccount"), "user2")
	expect(2, p("callMemberChanged", "changedUserList", 0, "actionType"), "ACTION_TYPE_ANSWER")
	expect(2, p("callMemberChanged", "changedUserList", 0, "actionTypeText"), "Answer")
	expect(2, p("callMemberChanged", "userList", 1, "status"), "MEMBER_STATUS_CALLING")

	// Live.CallbackAfterMemberStateChanged: two members entered the room.
	expect(3, p("type"), "EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED")
	expect(3, p("roomId"), "room_id")
	expectTime(3, p("eventTime"), time.UnixMilli(1703589922780))
	expect(3, p("liveMemberStateChanged", "roomId"), "room_id")
	expect(3, p("liveMemberStateChanged", "eventType"), "LIVE_EVENT_TYPE_ONLINE")
	expect(3, p("liveMemberStateChanged", "eventCause"), "LIVE_EVENT_CAUSE_ENTER")
	expect(3, p("liveMemberStateChanged", "memberList", 0, "memberAccount"), "jared")
	expect(3, p("liveMemberStateChanged", "memberList", 1, "memberAccount"), "tommy")
	if _, ok := evs[3].get("callId"); ok {
		t.Errorf("event 3: a live event has a callId: %s", evs[3].raw)
	}

	// The other call again, just before call A's last event.
	expect(4, p("type"), "EVENT_TYPE_CALL_MEMBER_CHANGED")
	expect(4, p("callId"), callOther)
	expect(4, p("callMemberChanged", "changedUserList", 0, "actionType"), "ACTION_TYPE_REJECT")

	// Call.CallbackAfterEndCall: the record's times are seconds, AcceptTime 0 is unset.
	expect(5, p("type"), "EVENT_TYPE_CALL_ENDED")
	expect(5, p("callId"), callA)
	expectTime(5, p("eventTime"), time.UnixMilli(1703589922780))
	expect(5, p("callEnded", "callRecord", "callId"), callA)
	expect(5, p("callEnded", "callRecord", "callerAccount"), "10001")
	expect(5, p("callEnded", "callRecord", "mediaType"), "MEDIA_TYPE_AUDIO")
	expect(5, p("callEnded", "callRecord", "callType"), "CALL_TYPE_SINGLE_CALL")
	expect(5, p("callEnded", "callRecord", "callResult"), "CALL_RESULT_NOT_ANSWER")
	expect(5, p("callEnded", "callRecord", "callResultText"), "NotAnswer")
	expectTime(5, p("callEnded", "callRecord", "startTime"), time.Unix(1741231146, 0))
	expectTime(5, p("callEnded", "callRecord", "endTime"), time.Unix(1741231296, 0))
	if v, ok := evs[5].get("callEnded", "callRecord", "acceptTime"); ok {
		t.Errorf("event 5: acceptTime %v, want unset for AcceptTime 0", v)
	}
	expect(5, p("callEnded", "callRecord", "calleeAccounts", 0), "10001")
	expect(5, p("callEnded", "callRecord", "calleeAccounts", 1), "user2")
	expect(5, p("callEnded", "callRecord", "roomId"), "roomid-1434")
	expect(5, p("callEnded", "callRecord", "roomIdType"), "ROOM_ID_TYPE_STRING")
}

func parseUint(s string) (uint64, error) {
	var n uint64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0, err
	}
	if fmt.Sprint(n) != s {
		return 0, fmt.Errorf("%q is not a canonical decimal", s)
	}
	return n, nil
}

func toStrings(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		out = append(out, fmt.Sprint(e))
	}
	return out
}
