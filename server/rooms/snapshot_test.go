package rooms

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// restore returns a new projection with p's TTL restored from a snapshot of
// p, and the snapshot.
func restore(t testing.TB, p *Projection) (*Projection, []byte) {
	t.Helper()
	var buf bytes.Buffer
	seq, err := p.WriteSnapshot(&buf)
	if err != nil {
		t.Fatalf("WriteSnapshot: %v", err)
	}
	if seq != p.last {
		t.Fatalf("WriteSnapshot = sequence %d, want the last applied %d", seq, p.last)
	}
	q := New(p.ttl)
	got, err := q.ReadSnapshot(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("ReadSnapshot: %v", err)
	}
	if got != seq {
		t.Fatalf("ReadSnapshot = sequence %d, want %d", got, seq)
	}
	return q, buf.Bytes()
}

// same fails unless p and q answer every read alike at every moment of
// interest (now, and when rooms expire) and hold the same state.
func same(t testing.TB, what string, p, q *Projection, now time.Time) {
	t.Helper()
	for _, at := range []time.Time{now, now.Add(p.ttl / 2), now.Add(p.ttl + time.Second)} {
		a, b := answers(p, q, at), answers(q, p, at)
		if a != b {
			t.Fatalf("%s: answers at %v differ:\n%s", what, at, diff(a, b))
		}
	}
	a, b := internals(p), internals(q)
	if a != b {
		t.Fatalf("%s: internal state differs:\n%s", what, diff(a, b))
	}
}

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

func text(m proto.Message) string {
	if m == nil || !m.ProtoReflect().IsValid() {
		return "nil"
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return "error " + err.Error()
	}
	return fmt.Sprintf("%x", b)
}

func sortedKeys(rooms map[key]*room) []key {
	return slices.SortedFunc(maps.Keys(rooms), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.app, b.app), strings.Compare(a.id, b.id))
	})
}

// answers renders every read of p at now: Len, each room p or other knows
// with its members page by page, and every page of Rooms of each app.
func answers(p, other *Projection, now time.Time) string {
	var sb strings.Builder
	keys := map[key]bool{}
	for _, x := range []*Projection{p, other} {
		x.mu.RLock()
		for k := range x.rooms {
			keys[k] = true
		}
		x.mu.RUnlock()
	}
	fmt.Fprintf(&sb, "len %d\n", p.Len())
	apps := map[uint32]bool{}
	for _, k := range slices.SortedFunc(maps.Keys(keys), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.app, b.app), strings.Compare(a.id, b.id))
	}) {
		apps[k.app] = true
		after := ""
		for page := 0; ; page++ {
			rm, members, more, trtc := p.Room(k.app, k.id, now, after, 3)
			fmt.Fprintf(&sb, "room %d/%s page %d: %s members %q more %v trtc", k.app, k.id, page, text(rm), members, more)
			for _, u := range trtc {
				fmt.Fprintf(&sb, " %s", text(u))
			}
			sb.WriteByte('\n')
			if !more || len(members) == 0 {
				break
			}
			after = members[len(members)-1]
		}
	}
	for _, app := range slices.Sorted(maps.Keys(apps)) {
		after := ""
		for page := 0; ; page++ {
			rooms, more, total := p.Rooms(app, now, after, 2)
			fmt.Fprintf(&sb, "rooms %d page %d total %d more %v:", app, page, total, more)
			for _, r := range rooms {
				fmt.Fprintf(&sb, " %s", r.GetRoomId())
			}
			sb.WriteByte('\n')
			if !more || len(rooms) == 0 {
				break
			}
			after = rooms[len(rooms)-1].GetRoomId()
		}
	}
	return sb.String()
}

// internals renders the state behind the answers.
func internals(p *Projection) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "last %d started %v fromStart %v, %d rooms\n", p.last, p.started, p.fromStart, len(p.rooms))
	// The FIFO's live entries: what Trim and the TTL forget, when. Entries of
	// one sequence (a battle's rooms) are forgotten together, in any order.
	var live []retained
	for _, r := range p.fifo[p.fifoAt:] {
		if rm := p.rooms[r.key]; rm != nil && rm.lastSeq == r.seq {
			live = append(live, r)
		}
	}
	slices.SortStableFunc(live, func(a, b retained) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), cmp.Compare(a.key.app, b.key.app), strings.Compare(a.key.id, b.key.id))
	})
	live = slices.Compact(live)
	sb.WriteString("fifo:")
	for _, r := range live {
		fmt.Fprintf(&sb, " %d:%d/%s", r.seq, r.key.app, r.key.id)
	}
	sb.WriteByte('\n')
	for app, rooms := range p.byApp {
		for id, r := range rooms {
			if p.rooms[key{app: app, id: id}] != r {
				fmt.Fprintf(&sb, "byApp holds %d/%s, rooms does not\n", app, id)
			}
		}
	}
	for _, k := range sortedKeys(p.rooms) {
		r := p.rooms[k]
		if p.byApp[k.app][k.id] != r {
			fmt.Fprintf(&sb, "byApp lacks %d/%s\n", k.app, k.id)
		}
		fmt.Fprintf(&sb, "room %d/%s first %d last %d events %d time %d recv %d complete %v created %v owner %q admins %q\n",
			r.app, r.id, r.firstSeq, r.lastSeq, r.events, r.lastTime, r.lastRecv, r.complete, r.created, r.owner, r.admins)
		for _, a := range slices.Sorted(maps.Keys(r.online)) {
			fmt.Fprintf(&sb, "  online %q %d\n", a, r.online[a])
		}
		for _, k := range slices.Sorted(maps.Keys(r.metadata)) {
			fmt.Fprintf(&sb, "  metadata %q=%q\n", k, r.metadata[k])
		}
		fmt.Fprintf(&sb, "  info %s\n  battle %s\n", text(r.info), text(r.battle))
		for _, s := range r.seats {
			fmt.Fprintf(&sb, "  seat %s\n", text(s))
		}
		for _, id := range slices.Sorted(maps.Keys(r.trtc)) {
			fmt.Fprintf(&sb, "  trtc %q %+v\n", id, *r.trtc[id])
		}
	}
	return sb.String()
}

// storyEvents are the live room story of live_test.go with its end: the
// battle's end, the anchor leaving TRTC, the destroy.
func storyEvents(t testing.TB) []*gatewayv1.Event {
	lines := append(slices.Clone(liveStory), []struct{ command, body string }{
		{"Live.CallbackAfterEndBattle", `{"CallbackCommand":"Live.CallbackAfterEndBattle","BattleId":"b-1","Duration":60000,"CreateTime":1739954010,"StartTime":1739954011,"EndTime":1739954071,"OpType":0,"FromRoomInfo":{"RoomId":"stage","Score":3,"Owner_Account":"anchor"},"ToRoomList":[{"RoomId":"rival","Score":1,"Owner_Account":"other"}],"EventTime":1739954071000}`},
		{"", `{"EventGroupId":1,"EventType":104,"CallbackTs":1739954072100,"EventInfo":{"RoomId":"stage","EventTs":1739954072,"UserId":"anchor","Role":20,"TerminalType":3,"UserType":3,"Reason":1,"EventMsTs":1739954072000}}`},
		{"Live.CallbackAfterMemberStateChanged", `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"stage","EventType":"Offline","EventCause":"Leave","MemberList":[{"Member_Account":"viewer1"}],"EventTime":1739954073000}`},
		{"Live.CallbackAfterDestroyRoom", `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Operator_Account":"admin","RoomId":"stage","EventType":"DestroyByUser","RoomInfo":{"RoomId":"stage","Owner_Account":"anchor2"},"EventTime":1739954080000}`},
	}...)
	evs := make([]*gatewayv1.Event, len(lines))
	for i, l := range lines {
		evs[i] = decodeLive(t, i+1, l.command, l.body)
	}
	return evs
}

// again is ev delivered once more at sequence seq.
func again(ev *gatewayv1.Event, seq uint64) *gatewayv1.Event {
	out := proto.Clone(ev).(*gatewayv1.Event)
	out.Sequence = seq
	return out
}

// TestSnapshotStory cuts the live room story at every event: the restored
// projection answers as the original and both evolve alike through the
// rest of the story, every event again, and every Trim.
func TestSnapshotStory(t *testing.T) {
	evs := storyEvents(t)
	now := time.Unix(1739954000+int64(len(evs)), 0)
	for cut := 0; cut <= len(evs); cut++ {
		p := New(time.Hour)
		for _, ev := range evs[:cut] {
			p.Apply(ev)
		}
		q, snap := restore(t, p)
		what := fmt.Sprintf("cut after %d events", cut)
		same(t, what, p, q, now)
		var again2 bytes.Buffer
		if _, err := q.WriteSnapshot(&again2); err != nil || !bytes.Equal(again2.Bytes(), snap) {
			t.Fatalf("%s: the restored projection's snapshot differs (%v)", what, err)
		}
		rest := slices.Clone(evs[cut:])
		seq := uint64(len(evs))
		for _, ev := range evs {
			seq++
			rest = append(rest, again(ev, seq))
		}
		for j, ev := range rest {
			p.Apply(ev)
			q.Apply(ev)
			same(t, fmt.Sprintf("%s, then %d more", what, j+1), p, q, now)
		}
		for oldest := uint64(1); oldest <= seq+1; oldest += 2 {
			p.Trim(oldest)
			q.Trim(oldest)
			same(t, fmt.Sprintf("%s, trimmed before %d", what, oldest), p, q, now)
		}
	}
}

// trafficEvents returns n events of internal/traffic's realistic traffic
// (live rooms, viewers, TRTC rooms, and calls the projection ignores),
// decoded as the webhook decodes them and numbered from 1; the clock
// advances by step per event.
func trafficEvents(t testing.TB, n int, seed uint32, mix traffic.Mix, step time.Duration) []*gatewayv1.Event {
	t.Helper()
	model := &traffic.Model{Apps: []uint32{1400000001, 1400000002, 1400000003}, Mix: mix, ActiveCalls: 2, RunID: seed}
	clock := time.Unix(1741231146, 0)
	g := traffic.NewGenerator(model, 0, func() time.Time { return clock })
	evs := make([]*gatewayv1.Event, 0, n)
	for len(evs) < n {
		clock = clock.Add(step)
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
// points, restores it, and runs both on: more traffic (with rooms expiring
// by their TTL), repeated events and trims.
func TestSnapshotTraffic(t *testing.T) {
	const n = 6000
	evs := trafficEvents(t, n, 9, traffic.Mix{traffic.Calls: 1, traffic.Live: 3, traffic.Viewers: 2, traffic.TRTC: 2}, time.Second)
	rng := rand.New(rand.NewPCG(3, 4))
	p := New(20 * time.Minute) // about 1,200 events: rooms expire as the test goes
	seq := uint64(n)
	at := 0
	var oldest uint64 = 1
	now := func() time.Time { return evs[max(at-1, 0)].GetReceivedAt().AsTime() }
	for round := 0; at < n; round++ {
		for stop := min(n, at+rng.IntN(1500)); at < stop; at++ {
			p.Apply(evs[at])
		}
		q, _ := restore(t, p)
		same(t, fmt.Sprintf("round %d, restored after event %d", round, at), p, q, now())
		for range 200 {
			var ev *gatewayv1.Event
			switch k := rng.IntN(20); {
			case k == 0 && at > 0:
				seq++
				ev = again(evs[rng.IntN(at)], seq)
			case k == 1:
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
		same(t, fmt.Sprintf("round %d, run on to event %d", round, at), p, q, now())
		p = q
	}
}

// TestReadSnapshotRefusesAProjectionInUse: a snapshot restores only an
// empty projection, which a failed restore leaves empty and usable.
func TestReadSnapshotRefusesAProjectionInUse(t *testing.T) {
	evs := trafficEvents(t, 300, 5, traffic.Mix{traffic.Live: 1, traffic.Viewers: 1}, time.Second)
	p := New(time.Hour)
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
	q := New(time.Hour)
	if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes()[:snap.Len()/2])); err == nil {
		t.Fatal("ReadSnapshot of half a snapshot succeeded")
	} else if !strings.Contains(err.Error(), "rooms snapshot") {
		t.Errorf("error %q does not say what failed", err)
	}
	if q.Len() != 0 || !q.empty() {
		t.Fatalf("after a failed restore the projection holds %d rooms", q.Len())
	}
	if _, err := q.ReadSnapshot(bytes.NewReader(snap.Bytes())); err != nil {
		t.Fatalf("ReadSnapshot after a failed one: %v", err)
	}
	same(t, "restored after a failed restore", p, q, evs[len(evs)-1].GetReceivedAt().AsTime())
	// An event that concerns no room counts as applied.
	r := New(time.Hour)
	r.Apply(&gatewayv1.Event{Sequence: 7, Type: gatewayv1.EventType_EVENT_TYPE_CALL_STARTED})
	if seq, err := r.WriteSnapshot(&bytes.Buffer{}); err != nil || seq != 7 {
		t.Errorf("WriteSnapshot after an ignored event = %d, %v; want 7", seq, err)
	}
	if _, err := r.ReadSnapshot(bytes.NewReader(snap.Bytes())); err == nil {
		t.Error("ReadSnapshot after an ignored event succeeded")
	}
}

// TestSnapshotWhileApplying takes snapshots while the follower applies
// events and trims: each snapshot is exactly the state of the events up to
// the sequence it reports (a projection that applied them writes the same
// bytes), once both have trimmed what the follower had trimmed by then.
func TestSnapshotWhileApplying(t *testing.T) {
	const n = 4000
	evs := trafficEvents(t, n, 13, traffic.Mix{traffic.Calls: 1, traffic.Live: 2, traffic.Viewers: 2, traffic.TRTC: 2}, time.Second)
	trimAfter := make([]uint64, n) // the oldest sequence kept after event i+1
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
	p := New(20 * time.Minute)
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
		q := New(p.ttl)
		if _, err := q.ReadSnapshot(bytes.NewReader(s.snap)); err != nil {
			t.Fatalf("snapshot at %d: %v", s.seq, err)
		}
		r := New(p.ttl)
		for _, ev := range evs[:s.seq] {
			r.Apply(ev)
			if ev.Sequence%97 == 0 {
				r.Trim(trimAfter[ev.Sequence-1])
			}
		}
		q.Trim(trimAfter[s.seq-1])
		r.Trim(trimAfter[s.seq-1])
		if a, b := snapshotOf(t, q), snapshotOf(t, r); !bytes.Equal(a, b) {
			same(t, fmt.Sprintf("snapshot at %d", s.seq), r, q, evs[s.seq-1].GetReceivedAt().AsTime())
			t.Fatalf("snapshot at %d differs from the state after event %d, in bytes only", s.seq, s.seq)
		}
		checked++
	}
	t.Logf("%d snapshots taken while applying match the state at their sequence", checked)
	if checked < n/500-1 {
		t.Errorf("%d snapshots checked, want at least %d", checked, n/500-1)
	}
}
