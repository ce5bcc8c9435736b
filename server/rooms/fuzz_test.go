package rooms

import (
	"bytes"
	"net/url"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// FuzzApply folds whatever the decoders accept into a projection and reads
// every answer back: no callback body may panic the projection or its readers.
func FuzzApply(f *testing.F) {
	for _, line := range liveStory {
		f.Add(line.command, line.body, line.body)
	}
	f.Fuzz(func(t *testing.T, command, first, second string) {
		p := New(time.Hour)
		at := time.Unix(1739954000, 0)
		for i, body := range []string{first, second} {
			ev, err := callback.DecodeTRTC(liveApp, []byte(body), at)
			if command != "" {
				ev, err = callback.Decode(url.Values{"SdkAppid": {"1400000004"}, "CallbackCommand": {command}}, []byte(body), at)
			}
			if err != nil {
				continue
			}
			ev.Sequence = uint64(i + 1)
			p.Apply(ev)
			if id := liveRoomID(ev); id != "" {
				p.Room(liveApp, id, at, "", 10)
			}
		}
		p.Rooms(liveApp, at, "", 10)
		p.Trim(2)
	})
}

// FuzzReadSnapshot restores whatever it is given (sealed with a checksum that
// holds, or not): a snapshot that does not
// read is refused with an error and leaves the projection empty and usable;
// one that reads answers every read, writes a snapshot that reads back to
// the same state, and goes on applying events. Nothing panics.
func FuzzReadSnapshot(f *testing.F) {
	evs := storyEvents(f)
	seeds := [][]byte{nil, []byte(roomsMagic), snapshotOf(f, New(time.Hour))}
	p := New(time.Hour)
	for i, ev := range evs {
		p.Apply(ev)
		if i%4 == 3 || i == len(evs)-3 {
			seeds = append(seeds, snapshotOf(f, p))
		}
	}
	viewers := New(time.Hour)
	for _, ev := range trafficEvents(f, 300, 5, traffic.Mix{traffic.Live: 1, traffic.Viewers: 1, traffic.TRTC: 1}, time.Second) {
		viewers.Apply(ev)
	}
	full := snapshotOf(f, viewers)
	seeds = append(seeds, full, full[:len(full)/3], full[:len(full)-1])
	// Each seed as it is, and without its end field for the target to seal:
	// a sealed input passes the checksum, so that the fuzzer reaches what
	// lies behind it.
	end := len(snapwire.Seal(nil))
	for _, s := range seeds {
		f.Add(s, false)
		if len(s) >= end {
			f.Add(s[:len(s)-end], true)
		}
	}
	now := time.Unix(1739954100, 0)
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		if seal {
			data = snapwire.Seal(bytes.Clone(data))
		}
		p := New(time.Hour)
		if _, err := p.ReadSnapshot(bytes.NewReader(data)); err != nil {
			if p.Len() != 0 || !p.empty() {
				t.Fatalf("a failed restore (%v) left %d rooms", err, p.Len())
			}
		} else {
			answers(p, p, now)
			first := snapshotOf(t, p)
			q := New(time.Hour)
			if _, err := q.ReadSnapshot(bytes.NewReader(first)); err != nil {
				t.Fatalf("the snapshot of a restored projection does not read: %v", err)
			}
			if second := snapshotOf(t, q); !bytes.Equal(first, second) {
				t.Fatalf("the snapshot of a restored projection changes when restored again")
			}
		}
		seq := p.last
		for _, ev := range evs {
			seq++
			p.Apply(again(ev, seq))
		}
		p.Trim(seq / 2)
		answers(p, p, now)
	})
}

// snapshotOf is p's snapshot.
func snapshotOf(t testing.TB, p *Projection) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := p.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
