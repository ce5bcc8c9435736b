package calls

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// restore returns a new projection restored from a snapshot of p, and the
// snapshot.
func restore(t testing.TB, p *Projection) (*Projection, []byte) {
	t.Helper()
	var buf bytes.Buffer
	seq, err := p.WriteSnapshot(&buf)
	if err != nil {
		t.Fatalf("WriteSnapshot: %v", err)
	}
	if want := p.last.Load(); seq != want {
		t.Fatalf("WriteSnapshot = sequence %d, want the last applied %d", seq, want)
	}
	q := New()
	got, err := q.ReadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ReadSnapshot: %v", err)
	}
	if got != seq {
		t.Fatalf("ReadSnapshot = sequence %d, want %d", got, seq)
	}
	return q, buf.Bytes()
}

// same fails unless p and q answer every read alike and hold the same
// state, down to what the reads do not show (seen fingerprints, the FIFO,
// the record index).
func same(t testing.TB, what string, p, q *Projection) {
	t.Helper()
	a, b := answers(t, p, q), answers(t, q, p)
	if a != b {
		t.Fatalf("%s: answers differ:\n%s", what, diff(a, b))
	}
	a, b = internals(p), internals(q)
	if a != b {
		t.Fatalf("%s: internal state differs:\n%s", what, diff(a, b))
	}
}

// diff shows the first lines where a and b differ.
func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return "(equal)"
}

// answers renders every read of p: Len, Call and Record of each call that
// p or other knows, and every page of Records under filters drawn from
// both projections' records.
func answers(t testing.TB, p, other *Projection) string {
	t.Helper()
	var sb strings.Builder
	keys := map[key]bool{}
	apps := map[uint32]bool{}
	var accounts, rooms []string
	for _, x := range []*Projection{p, other} {
		x.mu.RLock()
		for k, c := range x.calls {
			keys[k] = true
			apps[k.app] = true
			if c.record != nil {
				accounts = append(accounts, c.accounts()...)
				rooms = append(rooms, c.record.room)
			}
		}
		x.mu.RUnlock()
	}
	fmt.Fprintf(&sb, "len %d\n", p.Len())
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.app, b.app), cmp.Compare(a.id, b.id))
	})
	for _, k := range sorted {
		fmt.Fprintf(&sb, "call %d %s: %s", k.app, k.id, renderOrNil(t, p.Call(k.app, k.id)))
		r, seq, ok := p.Record(k.app, k.id)
		fmt.Fprintf(&sb, "record %v %d: %s", ok, seq, renderOrNil(t, r))
	}
	slices.Sort(accounts)
	accounts = slices.Compact(accounts)
	slices.Sort(rooms)
	rooms = slices.Compact(rooms)
	filters := []Filter{{}, {Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END}, {Result: gatewayv1.CallResult_CALL_RESULT_REJECT},
		{Result: gatewayv1.CallResult_CALL_RESULT_NOT_ANSWER}, {Result: gatewayv1.CallResult_CALL_RESULT_CANCEL},
		{Type: gatewayv1.CallType_CALL_TYPE_SINGLE_CALL}, {Type: gatewayv1.CallType_CALL_TYPE_MULTI_CALL}}
	for i, a := range accounts {
		if i%max(1, len(accounts)/12) == 0 { // a dozen accounts is enough
			filters = append(filters, Filter{Caller: a}, Filter{Callee: a}, Filter{Callee: a, Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END})
		}
	}
	for i, r := range rooms {
		if i%max(1, len(rooms)/6) == 0 {
			filters = append(filters, Filter{Room: r})
		}
	}
	for _, app := range slices.Sorted(maps.Keys(apps)) {
		// A window around the middle of the app's records.
		if recs, _, _ := p.Records(app, Filter{}, nil, MaxPageSize); len(recs) > 2 {
			mid := recs[len(recs)/2].GetStartTime().AsTime().UnixNano()
			filters = append(filters, Filter{From: mid}, Filter{From: mid - int64(time.Hour), To: mid}, Filter{To: mid, Result: gatewayv1.CallResult_CALL_RESULT_NORMAL_END})
		}
		for _, f := range filters {
			fmt.Fprintf(&sb, "records %d %+v:", app, f)
			var after *Cursor
			for page := 0; ; page++ {
				recs, next, total := p.Records(app, f, after, 7)
				fmt.Fprintf(&sb, " page %d total %d:", page, total)
				for _, r := range recs {
					fmt.Fprintf(&sb, " %s", r.GetCallId())
				}
				if next == nil {
					break
				}
				after = next
			}
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func renderOrNil(t testing.TB, m proto.Message) string {
	if m == nil || !m.ProtoReflect().IsValid() {
		return "nil\n"
	}
	return string(render(t, m))
}

// internals renders the state behind the answers.
func internals(p *Projection) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "last %d, %d calls\n", p.last.Load(), len(p.calls))
	// The FIFO's live entries, in order: what Trim will forget, when.
	sb.WriteString("fifo:")
	for _, r := range p.fifo[p.fifoAt:] {
		if r.c.lastSeq == r.seq && p.calls[r.c.key] == r.c {
			fmt.Fprintf(&sb, " %d:%d/%s", r.seq, r.c.app, r.c.id)
		}
	}
	sb.WriteByte('\n')
	keys := slices.SortedFunc(maps.Keys(p.calls), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.app, b.app), cmp.Compare(a.id, b.id))
	})
	for _, k := range keys {
		c := p.calls[k]
		fmt.Fprintf(&sb, "call %d/%s caller %q group %q room %q start %d end %d first %d last %d events %d media %d startSeen %v connected %v indexed %v\n",
			c.app, c.id, c.callerAccount, c.chatGroupID, c.roomID, c.startTime, c.endTime, c.firstSeq, c.lastSeq, c.events, c.mediaType, c.startSeen, c.connected, c.indexed)
		for _, m := range c.members {
			fmt.Fprintf(&sb, "  member %+v\n", m)
		}
		if c.memberIndex != nil {
			fmt.Fprintf(&sb, "  member index %v\n", c.memberIndex)
		}
		for _, e := range c.timeline {
			fmt.Fprintf(&sb, "  entry %+v\n", e)
		}
		if r := c.record; r != nil {
			fmt.Fprintf(&sb, "  record seq %d id %q caller %q callees %q room %q texts %+v start %d end %d accept %d types %d %d %d %d has %d\n",
				c.recordSeq, r.id, r.caller, r.callees, r.room, *r.texts, r.start, r.end, r.accept, r.mediaType, r.callType, r.result, r.roomIDType, r.has)
		}
		if c.seenSet != nil {
			fmt.Fprintf(&sb, "  seen set %v\n", slices.Sorted(maps.Keys(c.seenSet)))
		} else {
			seen := slices.Clone(c.seen)
			slices.Sort(seen)
			fmt.Fprintf(&sb, "  seen %v\n", seen)
		}
	}
	ids := func(l []*call) string {
		var s []string
		for _, c := range l {
			s = append(s, c.id)
		}
		return strings.Join(s, ",")
	}
	for _, app := range slices.Sorted(maps.Keys(p.records)) {
		ix := p.records[app]
		fmt.Fprintf(&sb, "index %d by start: %s\n", app, ids(ix.byStart))
		for _, a := range slices.Sorted(maps.Keys(ix.byAccount)) {
			fmt.Fprintf(&sb, "  account %q: %s\n", a, ids(ix.byAccount[a]))
		}
		for _, r := range slices.Sorted(maps.Keys(ix.byRoom)) {
			fmt.Fprintf(&sb, "  room %q: %s\n", r, ids(ix.byRoom[r]))
		}
		for _, r := range slices.Sorted(maps.Keys(ix.byResult)) {
			fmt.Fprintf(&sb, "  result %d: %s\n", r, ids(ix.byResult[r]))
		}
		for _, r := range slices.Sorted(maps.Keys(ix.byType)) {
			fmt.Fprintf(&sb, "  type %d: %s\n", r, ids(ix.byType[r]))
		}
	}
	return sb.String()
}

// again is ev delivered once more later in the log: a retry with the same
// id at sequence seq.
func again(ev *gatewayv1.Event, seq uint64) *gatewayv1.Event {
	out := proto.Clone(ev).(*gatewayv1.Event)
	out.Sequence = seq
	return out
}

// otherly is ev with another id at sequence seq: a second, different
// callback of the same kind (a second end, a late member change).
func otherly(ev *gatewayv1.Event, seq uint64) *gatewayv1.Event {
	out := again(ev, seq)
	out.Id = fmt.Sprintf("%032x", seq*0x9e3779b97f4a7c15)
	return out
}

// TestSnapshotScenarios cuts every golden timeline at every event: the
// projection restored from a snapshot there answers as the original, and
// both evolve alike through the rest of the timeline, a retry, a second
// callback of each kind, a new call and every Trim.
func TestSnapshotScenarios(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios under testdata/scenarios: %v", err)
	}
	var all [][]*gatewayv1.Event
	for _, path := range paths {
		all = append(all, scenario(t, path))
	}
	for i, path := range paths {
		evs := all[i]
		other := all[(i+1)%len(all)] // a call of another scenario, to begin later
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			for cut := 0; cut <= len(evs); cut++ {
				p := New()
				for _, ev := range evs[:cut] {
					p.Apply(ev)
				}
				q, snap := restore(t, p)
				what := fmt.Sprintf("cut after %d events", cut)
				same(t, what, p, q)
				// The restored projection writes the same bytes.
				var again2 bytes.Buffer
				if _, err := q.WriteSnapshot(&again2); err != nil || !bytes.Equal(again2.Bytes(), snap) {
					t.Fatalf("%s: the restored projection's snapshot differs (%v)", what, err)
				}
				seq := uint64(len(evs))
				var rest []*gatewayv1.Event
				rest = append(rest, evs[cut:]...)
				for _, ev := range evs {
					seq++
					rest = append(rest, again(ev, seq)) // each a retry: skipped
					seq++
					rest = append(rest, otherly(ev, seq)) // a second start, change, end
				}
				for _, ev := range other {
					seq++
					ev = again(ev, seq)
					ev.CallId = "another-" + callID(ev)
					rest = append(rest, ev)
				}
				for j, ev := range rest {
					p.Apply(ev)
					q.Apply(ev)
					same(t, fmt.Sprintf("%s, then %d more", what, j+1), p, q)
				}
				for oldest := uint64(1); oldest <= seq+1; oldest += 3 {
					p.Trim(oldest)
					q.Trim(oldest)
					same(t, fmt.Sprintf("%s, trimmed before %d", what, oldest), p, q)
				}
			}
		})
	}
}

// trafficEvents returns n events of internal/traffic's realistic traffic
// (calls of every outcome, live rooms and TRTC rooms the calls projection
// ignores), decoded as the webhook decodes them and numbered from 1.
func trafficEvents(t testing.TB, n int, seed uint32, mix traffic.Mix) []*gatewayv1.Event {
	t.Helper()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002, 1400000003}, Mix: mix, ActiveCalls: 8, RunID: seed}
	clock := time.Unix(1741231146, 0)
	g := traffic.NewGenerator(model, 0, func() time.Time { clock = clock.Add(700 * time.Millisecond); return clock })
	evs := make([]*gatewayv1.Event, 0, n)
	for len(evs) < n {
		wh := g.Next()
		var (
			ev  *gatewayv1.Event
			err error
		)
		if wh.Family == traffic.TRTC {
			ev, err = callback.DecodeTRTC(wh.App, wh.Body, clock)
		} else {
			var q url.Values
			q, err = url.ParseQuery(traffic.IMQuery(wh.App, wh.Command, "203.0.113.1", "iOS"))
			if err == nil {
				ev, err = callback.Decode(q, wh.Body, clock)
			}
		}
		if err != nil {
			t.Fatalf("decoding %s: %v", wh.Kind(), err)
		}
		ev.Sequence = uint64(len(evs) + 1)
		evs = append(evs, ev)
	}
	return evs
}

// TestSnapshotTraffic snapshots a projection of realistic traffic at random
// points, restores it, and runs both on: more traffic, retries and second
// callbacks of applied events, and trims as the follower makes them.
func TestSnapshotTraffic(t *testing.T) {
	const n = 6000
	evs := trafficEvents(t, n, 3, traffic.Mix{traffic.Calls: 3, traffic.Live: 1, traffic.TRTC: 1})
	rng := rand.New(rand.NewPCG(1, 2))
	p := New()
	seq := uint64(n)
	at := 0
	var oldest uint64 = 1
	for round := 0; at < n; round++ {
		// Run p on to a random point, then snapshot and restore.
		for stop := min(n, at+rng.IntN(1500)); at < stop; at++ {
			p.Apply(evs[at])
		}
		q, _ := restore(t, p)
		same(t, fmt.Sprintf("round %d, restored after event %d", round, at), p, q)
		// Both run on, with retries, second callbacks and trims.
		for range 200 {
			var ev *gatewayv1.Event
			switch k := rng.IntN(20); {
			case k == 0 && at > 0:
				seq++
				ev = again(evs[rng.IntN(at)], seq)
			case k == 1 && at > 0:
				seq++
				ev = otherly(evs[rng.IntN(at)], seq)
			case k == 2:
				oldest += uint64(rng.IntN(300))
				p.Trim(oldest)
				q.Trim(oldest)
				continue
			case at < n:
				ev = evs[at]
				at++
			default:
				continue
			}
			p.Apply(ev)
			q.Apply(ev)
		}
		same(t, fmt.Sprintf("round %d, run on to event %d", round, at), p, q)
		p = q // go on from the restored one: snapshots of snapshots
	}
}

// TestReadSnapshotRefusesAProjectionInUse: a snapshot restores only an
// empty projection, which a failed restore leaves empty and usable.
func TestReadSnapshotRefusesAProjectionInUse(t *testing.T) {
	evs := trafficEvents(t, 200, 5, traffic.Mix{traffic.Calls: 1})
	p := New()
	for _, ev := range evs {
		p.Apply(ev)
	}
	var snap bytes.Buffer
	if _, err := p.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ReadSnapshot(bytes.NewReader(snap.Bytes())); err == nil {
		t.Error("ReadSnapshot on a projection that applied events succeeded")
	}
	// A truncated snapshot fails and leaves the projection empty and usable.
	q := New()
	if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes()[:snap.Len()/2])); err == nil {
		t.Fatal("ReadSnapshot of half a snapshot succeeded")
	} else if !strings.Contains(err.Error(), "calls snapshot") {
		t.Errorf("error %q does not say what failed", err)
	}
	if q.Len() != 0 {
		t.Fatalf("after a failed restore the projection holds %d calls", q.Len())
	}
	// Foreign input, and a later format, are refused with what they are.
	for _, tc := range []struct{ input, want string }{
		{"trtcgw rooms\n\x01\x00", "not a snapshot of this projection"},
		{"", "reading the magic"},
		{callsMagic + "\x03\x00", "format version 3"},
		{callsMagic + "\x01\x05\x1a\xff\xff\xff\xff\x0f", "claims"},
		{callsMagic + "\x01\x05\x1a\x10\x01", "unexpected EOF"},
	} {
		_, err := q.ReadSnapshot(strings.NewReader(tc.input))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadSnapshot(%q) = %v, want an error saying %q", tc.input, err, tc.want)
		}
	}
	// Cut between two fields, the snapshot lacks its end; a byte changed in
	// a call id fails the checksum; bytes after the end are refused.
	whole := snap.Bytes()
	cut := whole[:len(whole)-len(snapwire.Seal(nil))]
	flipped := bytes.Clone(whole)
	i := bytes.Index(flipped, []byte("-4")) // inside a call id of internal/traffic
	flipped[i] = '+'
	for _, tc := range []struct {
		name  string
		input []byte
		want  string
	}{
		{"cut before the end", cut, "cut short"},
		{"a byte changed", flipped, "corrupt"},
		{"bytes after the end", append(bytes.Clone(whole), 0x0a, 0x00), "follow the end"},
	} {
		_, err := q.ReadSnapshot(bytes.NewReader(tc.input))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadSnapshot of a snapshot %s = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatalf("ReadSnapshot after a failed one: %v", err)
	}
	same(t, "restored after a failed restore", p, q)
	// An ignored event counts as applied: its sequence is the snapshot's.
	r := New()
	r.Apply(&gatewayv1.Event{Sequence: 7, Type: gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED})
	if seq, err := r.WriteSnapshot(&bytes.Buffer{}); err != nil || seq != 7 {
		t.Errorf("WriteSnapshot after an ignored event = %d, %v; want 7", seq, err)
	}
	if _, err := r.ReadSnapshot(bytes.NewReader(snap.Bytes())); err == nil {
		t.Error("ReadSnapshot after an ignored event succeeded")
	}
}

// bigCall is a group call of 30 members, each answering and hanging up,
// that ends with a callee list naming some twice: long enough for the
// member and seen maps that replace the lists of a short call.
func bigCall() []*gatewayv1.Event {
	id := "4c1d2e3f-0000-4000-8000-00000000b16c"
	start := time.Unix(1741231146, 123456789)
	var evs []*gatewayv1.Event
	ev := func(typ gatewayv1.EventType, d time.Duration) *gatewayv1.Event {
		e := &gatewayv1.Event{Sequence: uint64(len(evs) + 1), Id: fmt.Sprintf("%032x", len(evs)+1), Type: typ, SdkAppId: 1400000001, CallId: id,
			EventTime: timestamppb.New(start.Add(d)), ReceivedAt: timestamppb.New(start.Add(d + time.Millisecond))}
		evs = append(evs, e)
		return e
	}
	var users []*gatewayv1.CallMember
	for i := range 30 {
		status := gatewayv1.MemberStatus_MEMBER_STATUS_WAITING
		if i == 0 {
			status = gatewayv1.MemberStatus_MEMBER_STATUS_CALLING
		}
		users = append(users, &gatewayv1.CallMember{UserAccount: fmt.Sprintf("member%d", i), Status: status})
	}
	ev(gatewayv1.EventType_EVENT_TYPE_CALL_STARTED, 0).Payload = &gatewayv1.Event_CallStarted{CallStarted: &gatewayv1.CallStarted{
		CallInfo: &gatewayv1.CallInfo{CallId: id, RoomId: "room-b16", ChatGroupId: "group-b16", MediaType: gatewayv1.MediaType_MEDIA_TYPE_VIDEO},
		UserList: users,
	}}
	for i, action := range []gatewayv1.ActionType{gatewayv1.ActionType_ACTION_TYPE_ANSWER, gatewayv1.ActionType_ACTION_TYPE_HANGUP} {
		for j := 1; j < 30; j++ {
			ev(gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED, time.Duration(i*100+j)*time.Second+time.Duration(j)).Payload = &gatewayv1.Event_CallMemberChanged{CallMemberChanged: &gatewayv1.CallMemberChanged{
				CallId:          id,
				ChangedUserList: []*gatewayv1.MemberChange{{UserAccount: fmt.Sprintf("member%d", j), ActionType: action, ActionTypeText: action.String()}},
			}}
		}
	}
	var callees []string
	for j := range 30 {
		callees = append(callees, fmt.Sprintf("member%d", j), fmt.Sprintf("member%d", j/2))
	}
	ev(gatewayv1.EventType_EVENT_TYPE_CALL_ENDED, 300*time.Second).Payload = &gatewayv1.Event_CallEnded{CallEnded: &gatewayv1.CallEnded{CallRecord: &gatewayv1.CallRecord{
		CallId: id, CallerAccount: "member0", CallType: gatewayv1.CallType_CALL_TYPE_MULTI_CALL, CallResult: gatewayv1.CallResult_CALL_RESULT_NORMAL_END,
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(300 * time.Second)), CalleeAccounts: callees, RoomId: "another room",
	}}}
	return evs
}

// TestSnapshotBigCall restores a call with more members and events than a
// list holds, at every point of its life.
func TestSnapshotBigCall(t *testing.T) {
	evs := bigCall()
	for cut := 0; cut <= len(evs); cut += 7 {
		p := New()
		for _, ev := range evs[:cut] {
			p.Apply(ev)
		}
		q, _ := restore(t, p)
		same(t, fmt.Sprintf("cut after %d", cut), p, q)
		seq := uint64(len(evs))
		for _, ev := range evs {
			seq++
			ev = again(ev, seq)
			p.Apply(ev)
			q.Apply(ev)
		}
		same(t, fmt.Sprintf("cut after %d, run on", cut), p, q)
	}
}

// TestSnapshotWhileApplying takes snapshots while the follower applies
// events and trims: each snapshot is exactly the state of the events up to
// the sequence it reports (a projection that applied them writes the same
// bytes), once both have trimmed what the follower had trimmed by then.
func TestSnapshotWhileApplying(t *testing.T) {
	const n = 4000
	evs := trafficEvents(t, n, 11, traffic.Mix{traffic.Calls: 2, traffic.Live: 1, traffic.TRTC: 1})
	// trimAfter[i] is the oldest sequence kept after event i+1 was applied.
	trimAfter := make([]uint64, n)
	var oldest uint64 = 1
	for i := range evs {
		if i%97 == 96 {
			oldest += 150
		}
		trimAfter[i] = oldest
	}
	type shot struct {
		seq  uint64
		snap []byte
	}
	p := New()
	done := make(chan struct{})
	shots := make(chan shot, n/50+1)
	took := make(chan struct{}, 1) // a snapshot was taken
	go func() {
		defer close(took)
		defer close(shots)
		var sent uint64
		for {
			select {
			case <-done:
				return
			default:
			}
			var buf bytes.Buffer
			seq, err := p.WriteSnapshot(&buf)
			if err != nil {
				t.Error(err)
				return
			}
			if seq >= sent+50 { // one in fifty events is enough
				sent = seq
				shots <- shot{seq, buf.Bytes()}
			}
			select {
			case took <- struct{}{}:
			default:
			}
		}
	}()
	for i, ev := range evs {
		p.Apply(ev)
		if i%97 == 96 {
			p.Trim(trimAfter[i])
		}
		if i%500 == 499 {
			// However fast the events go, some snapshots fall between them.
			select {
			case <-took:
			default:
			}
			<-took
		}
	}
	close(done)
	checked := 0
	for s := range shots {
		q := New()
		if _, err := q.ReadSnapshot(bytes.NewReader(s.snap)); err != nil {
			t.Fatalf("snapshot at %d: %v", s.seq, err)
		}
		r := New()
		for _, ev := range evs[:s.seq] {
			r.Apply(ev)
			if ev.Sequence%97 == 0 {
				r.Trim(trimAfter[ev.Sequence-1])
			}
		}
		// The follower may have trimmed after event seq before the snapshot
		// was taken, or not: Trim again as it had by then.
		q.Trim(trimAfter[s.seq-1])
		r.Trim(trimAfter[s.seq-1])
		if a, b := snapshotOf(t, q), snapshotOf(t, r); !bytes.Equal(a, b) {
			same(t, fmt.Sprintf("snapshot at %d", s.seq), r, q)
			t.Fatalf("snapshot at %d differs from the state after event %d, in bytes only", s.seq, s.seq)
		}
		checked++
	}
	t.Logf("%d snapshots taken while applying match the state at their sequence", checked)
	if checked < n/500-1 {
		t.Errorf("%d snapshots checked, want at least %d", checked, n/500-1)
	}
}

// failingWriter fails once it has taken n bytes.
type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		n := w.n
		w.n = 0
		return n, fmt.Errorf("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}

// TestWriteSnapshotReportsAWriteError: a snapshot that could not be written
// whole is an error, and the projection goes on.
func TestWriteSnapshotReportsAWriteError(t *testing.T) {
	p := New()
	for _, ev := range trafficEvents(t, 3000, 17, traffic.Mix{traffic.Calls: 1}) {
		p.Apply(ev)
	}
	full := snapshotOf(t, p)
	for _, n := range []int{0, 10, len(full) / 2, len(full) - 1} {
		if _, err := p.WriteSnapshot(&failingWriter{n: n}); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("WriteSnapshot to a writer failing after %d bytes = %v, want its error", n, err)
		}
	}
	if again := snapshotOf(t, p); !bytes.Equal(again, full) {
		t.Error("the snapshot after failed writes differs")
	}
}

// TestReadSnapshotVersion1 reads a snapshot of format version 1, which had
// no end field.
func TestReadSnapshotVersion1(t *testing.T) {
	p := New()
	for _, ev := range trafficEvents(t, 500, 19, traffic.Mix{traffic.Calls: 1}) {
		p.Apply(ev)
	}
	v2 := snapshotOf(t, p)
	if v2[len(callsMagic)] != 2 {
		t.Fatalf("the format version is %d, want 2", v2[len(callsMagic)])
	}
	v1 := bytes.Clone(v2[:len(v2)-len(snapwire.Seal(nil))])
	v1[len(callsMagic)] = 1
	q := New()
	if _, err := q.ReadSnapshot(bytes.NewReader(v1)); err != nil {
		t.Fatalf("ReadSnapshot of version 1: %v", err)
	}
	same(t, "restored from version 1", p, q)
}
