package calls

import (
	"bufio"
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/snapwire"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// FuzzApply folds whatever the decoder accepts from a callback body into a
// projection and reads every answer back: nothing Tencent (or anyone who can
// post a callback) sends may panic the projection or its readers.
func FuzzApply(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	for _, path := range paths {
		file, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if command, body, ok := strings.Cut(sc.Text(), " "); ok && !strings.HasPrefix(command, "#") {
				f.Add(command, body, body)
			}
		}
		file.Close()
	}
	f.Fuzz(func(t *testing.T, command, first, second string) {
		p := New()
		q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {command}, "contenttype": {"json"}}
		var ids []string
		for i, body := range []string{first, second} {
			ev, err := callback.Decode(q, []byte(body), receivedAt)
			if err != nil {
				continue
			}
			ev.Sequence = uint64(i + 1)
			p.Apply(ev)
			ids = append(ids, callID(ev))
		}
		for _, id := range ids {
			p.Call(1400000001, id)
			p.Record(1400000001, id)
		}
		p.Records(1400000001, Filter{}, nil, 10)
		p.Trim(2)
		p.Trim(3)
	})
}

// FuzzReadSnapshot restores whatever it is given (sealed with a checksum that
// holds, or not): a snapshot that does not
// read is refused with an error and leaves the projection empty and usable;
// one that reads answers every read, writes a snapshot that reads back to
// the same state, and goes on applying events. Nothing panics.
func FuzzReadSnapshot(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	var evs []*gatewayv1.Event
	for _, path := range paths {
		evs = append(evs, scenario(f, path)...)
	}
	for i, ev := range evs {
		ev.Sequence = uint64(i + 1)
	}
	seeds := [][]byte{nil, []byte(callsMagic), snapshotOf(f, New())}
	p := New()
	for i, ev := range evs {
		p.Apply(ev)
		if i%5 == 4 || i == len(evs)-1 {
			seeds = append(seeds, snapshotOf(f, p))
		}
	}
	full := seeds[len(seeds)-1]
	seeds = append(seeds, full[:len(full)/3], full[:len(full)-1])
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
	f.Fuzz(func(t *testing.T, data []byte, seal bool) {
		if seal {
			data = snapwire.Seal(bytes.Clone(data))
		}
		p := New()
		if _, err := p.ReadSnapshot(bytes.NewReader(data)); err != nil {
			if p.Len() != 0 || !p.empty() {
				t.Fatalf("a failed restore (%v) left %d calls", err, p.Len())
			}
		} else {
			answers(t, p, p)
			first := snapshotOf(t, p)
			q := New()
			if _, err := q.ReadSnapshot(bytes.NewReader(first)); err != nil {
				t.Fatalf("the snapshot of a restored projection does not read: %v", err)
			}
			if second := snapshotOf(t, q); !bytes.Equal(first, second) {
				t.Fatalf("the snapshot of a restored projection changes when restored again")
			}
		}
		// Usable either way.
		seq := p.last.Load()
		for _, ev := range evs[:min(len(evs), 6)] {
			seq++
			p.Apply(again(ev, seq))
		}
		p.Trim(seq / 2)
		answers(t, p, p)
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
