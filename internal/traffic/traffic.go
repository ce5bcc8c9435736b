// Package traffic generates realistic Tencent RTC callback traffic: the
// bodies a TUICallKit / TUILiveKit / TRTC app's backend receives, in the
// proportions a real app sends them. The load tool (cmd/trtc-gateway-bench)
// and `trtc-gateway simulate` both draw from it, so a benchmark and a demo
// see the same kinds of callback.
//
// A Model describes the run (apps, mix of families); each sender goroutine
// owns a Generator. Every body a run produces is unique (a new CallId, room,
// viewer, sequence or millisecond), so the gateway never takes one for a
// retry of another.
package traffic

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Family is a kind of traffic, as Tencent's consoles configure them.
type Family int

// The families a Model mixes.
const (
	// Calls are TUICallKit calls (Call.*): they ring, are answered, rejected
	// or missed, callees join late or hang up, and each ends with a record.
	Calls Family = iota
	// Live is TUILiveKit rooms (Live.*, Mic.*, Group.*): rooms are created
	// and destroyed, viewers enter and leave, take and leave seats, send
	// gifts and group messages, and streamers battle.
	Live
	// Viewers is only viewers entering and leaving live rooms
	// (Live.CallbackAfterMemberStateChanged): the live traffic the load
	// tool's published figures were measured with.
	Viewers
	// TRTC is family-2 room and media events (EventGroupId 1 and 2), posted
	// with SdkAppId and Sign headers instead of query parameters.
	TRTC
	numFamilies
)

var familyNames = [numFamilies]string{"calls", "live", "viewers", "trtc"}

// defaultWeights are a real app's proportions: a live room is far chattier
// than a call, and every TRTC user's media switches are events of their own.
var defaultWeights = [numFamilies]float64{Calls: 1, Live: 4, Viewers: 4, TRTC: 3}

// String is the family's name in --mix.
func (f Family) String() string {
	if f >= 0 && f < numFamilies {
		return familyNames[f]
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// Families lists every family, in --mix order.
func Families() []Family { return []Family{Calls, Live, Viewers, TRTC} }

// Mix is the relative weight of each family; a zero weight leaves it out.
type Mix [numFamilies]float64

// ParseMix reads a --mix value: family names, each optionally with a weight,
// comma-separated ("calls,live" or "calls=1,live=4"). A name without a weight
// gets its realistic default.
func ParseMix(s string) (Mix, error) {
	var m Mix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, weight, hasWeight := strings.Cut(part, "=")
		f := Family(-1)
		for i, n := range familyNames {
			if strings.EqualFold(name, n) {
				f = Family(i)
			}
		}
		if f < 0 {
			return m, fmt.Errorf("unknown family %q: use %s", name, strings.Join(familyNames[:], ", "))
		}
		w := defaultWeights[f]
		if hasWeight {
			var err error
			if w, err = strconv.ParseFloat(weight, 64); err != nil || w < 0 || w > 1e6 {
				return m, fmt.Errorf("weight %q of %s is not a number from 0 to 1000000", weight, name)
			}
		}
		m[f] = w
	}
	if m.total() == 0 {
		return m, fmt.Errorf("mix %q names no family with a weight above 0", s)
	}
	return m, nil
}

// String is the mix as ParseMix reads it.
func (m Mix) String() string {
	var parts []string
	for f, w := range m {
		if w > 0 {
			parts = append(parts, familyNames[f]+"="+strconv.FormatFloat(w, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// Share is the fraction of callbacks of family f.
func (m Mix) Share(f Family) float64 {
	if t := m.total(); t > 0 {
		return m[f] / t
	}
	return 0
}

func (m Mix) total() float64 {
	var t float64
	for _, w := range m {
		t += w
	}
	return t
}

// Model describes one run's traffic; every Generator of the run shares it.
type Model struct {
	// Apps are the SdkAppids calls and rooms belong to; at least one.
	Apps []uint32
	// Mix is how often each family is drawn.
	Mix Mix
	// ActiveCalls is how many calls each generator keeps in progress at once.
	ActiveCalls int
	// RunID makes this run's CallIds and rooms unique: it is the first group
	// of each CallId. It also seeds every generator, so a run is repeatable.
	RunID uint32
	// nextCall numbers calls across all generators, from 0, so that call i
	// has CallID(i) and subscribers can pick calls before they happen.
	nextCall atomic.Int64
}

// CallID is the CallId of call i of this run, in Tencent's UUID format.
func (m *Model) CallID(i int64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", m.RunID, uint16(i>>48), uint16(i>>36)&0xfff, uint16(i>>24)&0xfff, i&0xffffffffffff)
}

// IdleCallID is a CallId no event of this run carries, for subscribers that
// must never match.
func (m *Model) IdleCallID(i int64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", ^m.RunID, uint16(i>>48), uint16(i>>36)&0xfff, uint16(i>>24)&0xfff, i&0xffffffffffff)
}

// Webhook is one callback ready to post.
type Webhook struct {
	// App is the SdkAppid the callback belongs to; AppIdx its index in Model.Apps.
	App    uint32
	AppIdx int
	// Family says how to post it: TRTC in headers, the others in the query.
	Family Family
	// Command is the IM-family CallbackCommand; for TRTC it is empty.
	Command string
	// TRTCGroup and TRTCEvent are the TRTC family's EventGroupId and
	// EventType (e.g. 1 and 103), 0 for the others: with the app they name
	// the event's callback_command, from which the gateway derives its id.
	TRTCGroup, TRTCEvent int
	// Call is the index of the call the event belongs to, -1 for the others.
	Call int64
	// Body is the JSON body, owned by the generator: valid until its next call.
	Body []byte
}

// Kind names what the callback is, for summaries: its command, or
// "TRTC <EventType>".
func (w Webhook) Kind() string {
	if w.Family == TRTC {
		return "TRTC " + strconv.Itoa(w.TRTCEvent)
	}
	return w.Command
}

// Generator produces one sender's stream of callbacks. Not safe for
// concurrent use: give each goroutine its own.
type Generator struct {
	m      *Model
	id     int
	rng    *rand.Rand
	now    func() time.Time
	buf    []byte
	lastMs int64

	calls  []*call
	rooms  []*room     // Viewers
	lives  []*liveRoom // Live
	trtcs  []*trtcRoom // TRTC
	viewer int64       // viewers created so far
	serial int64       // rooms, battles created so far
}

// NewGenerator returns generator id of the model; now is the clock for
// event times. Generators with different ids produce disjoint rooms and users.
func NewGenerator(m *Model, id int, now func() time.Time) *Generator {
	g := &Generator{
		m:   m,
		id:  id,
		rng: rand.New(rand.NewPCG(uint64(m.RunID), uint64(id))),
		now: now,
	}
	for r := range 4 {
		g.rooms = append(g.rooms, &room{
			id:  fmt.Sprintf("live-%08x-%d-%d", m.RunID, id, r),
			app: (id + r) % len(m.Apps),
		})
		g.trtcs = append(g.trtcs, g.newTRTCRoom((id+r)%len(m.Apps)))
	}
	// Two live rooms of one app, so that their streamers can battle.
	for range 2 {
		g.lives = append(g.lives, g.newLiveRoom(id%len(m.Apps)))
	}
	return g
}

// Next returns the next callback.
func (g *Generator) Next() Webhook {
	m := g.m.Mix
	r := g.rng.Float64() * m.total()
	// Viewers first: the load tool's mix of calls and viewers draws as it always has.
	for _, f := range []Family{Viewers, Live, TRTC} {
		if r < m[f] {
			switch f {
			case Viewers:
				return g.viewers()
			case Live:
				return g.live()
			default:
				return g.trtc()
			}
		}
		r -= m[f]
	}
	return g.nextCall()
}

// stamp is now in Unix milliseconds, strictly after the generator's last
// stamp: room and media events that carry nothing else unique stay distinct.
func (g *Generator) stamp() int64 {
	ms := max(g.now().UnixMilli(), g.lastMs+1)
	g.lastMs = ms
	return ms
}

func (g *Generator) begin(command string) []byte {
	b := append(g.buf[:0], `{"CallbackCommand":`...)
	return appendJSONString(b, command)
}

// end closes an IM-family body with its EventTime (Unix ms).
func (g *Generator) end(b []byte, app int, command string, callIdx int64, ms int64) Webhook {
	b = append(b, `,"EventTime":`...)
	b = strconv.AppendInt(b, ms, 10)
	return g.finish(b, app, command, callIdx)
}

// finish closes a body that needs no EventTime.
func (g *Generator) finish(b []byte, app int, command string, callIdx int64) Webhook {
	b = append(b, '}')
	g.buf = b
	fam := Calls
	if callIdx < 0 {
		fam = Live
	}
	return Webhook{App: g.m.Apps[app], AppIdx: app, Family: fam, Command: command, Call: callIdx, Body: b}
}

// account is a user id as Tencent sends it: a JSON string, or a JSON number
// (beyond 2^53) for apps that use numeric ids.
type account struct {
	text    string
	numeric bool
}

// userAccount names user u of an app: apps with an odd index use Tencent's
// large numeric ids, the others strings.
func userAccount(app, u int) account {
	if app%2 == 1 {
		return account{text: strconv.FormatUint(144115212830000000+uint64(app)*100000+uint64(u), 10), numeric: true}
	}
	return account{text: "user" + strconv.Itoa(app) + "_" + strconv.Itoa(u)}
}

// newViewer is a person never seen before in the run.
func (g *Generator) newViewer(app int) account {
	g.viewer++
	who := userAccount(app, 10000+g.id*1_000_000_000+int(g.viewer))
	if !who.numeric {
		who.text = fmt.Sprintf("viewer%d_%d", g.id, g.viewer)
	}
	return who
}

func appendAccount(b []byte, u account) []byte {
	if u.numeric {
		return append(b, u.text...)
	}
	return appendJSONString(b, u.text)
}

// appendJSONString quotes s, which the generator only ever builds from
// ASCII letters, digits, spaces and '-', '_', '#', '@', '!', '.': nothing
// needs escaping.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// IMQuery is the query string Tencent appends to an IM-family callback URL
// (without Sign and RequestTime).
func IMQuery(app uint32, command, clientIP, platform string) string {
	return "SdkAppid=" + strconv.FormatUint(uint64(app), 10) +
		"&CallbackCommand=" + command +
		"&contenttype=json&ClientIP=" + clientIP + "&OptPlatform=" + platform
}
