package calls

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the projection's answers")

// receivedAt is when the gateway "received" a scenario's first callback; each
// next one comes a second later.
var receivedAt = time.Date(2025, 3, 6, 7, 8, 9, 0, time.UTC)

// scenario reads testdata/scenarios/<name>.txt: one callback per line, its
// command then its JSON body, decoded by the gateway's real decoder and
// numbered from sequence 1 in file order.
func scenario(t testing.TB, path string) []*gatewayv1.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []*gatewayv1.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		command, body, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: %q is not `<command> <json body>`", path, line)
		}
		q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {command}, "contenttype": {"json"}}
		ev, err := callback.Decode(q, []byte(body), receivedAt.Add(time.Duration(len(evs))*time.Second))
		if err != nil {
			t.Fatalf("%s: decoding %s: %v", path, command, err)
		}
		ev.Sequence = uint64(len(evs) + 1)
		evs = append(evs, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

// render is the stable JSON form of m (protojson varies its whitespace on purpose).
func render(t testing.TB, m proto.Message) []byte {
	t.Helper()
	raw, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var compact, out bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// golden compares got with testdata/golden/<name>, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("answer differs from %s (run go test -update after checking the change)\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestGoldenTimelines folds each scenario into a projection and compares
// GetCall's answer for its call with the golden file.
func TestGoldenTimelines(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no scenarios under testdata/scenarios: %v", err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			evs := scenario(t, path)
			p := New()
			for _, ev := range evs {
				p.Apply(ev)
			}
			id := callID(evs[0])
			c := p.Call(1400000001, id)
			if c == nil {
				t.Fatalf("no call %q after %d events", id, len(evs))
			}
			golden(t, name+".json", render(t, &gatewayv1.GetCallResponse{Call: c}))
			// The record, when there is one, is the end-call callback's as is.
			r, _, ok := p.Record(1400000001, id)
			if ok != (c.GetState() == gatewayv1.CallState_CALL_STATE_ENDED) || (ok && !proto.Equal(r, c.GetCallRecord())) {
				t.Errorf("Record = %v, %v; want the call's record exactly when it ended", r, ok)
			}
		})
	}
}
