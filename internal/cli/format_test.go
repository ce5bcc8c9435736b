package cli

import (
	"bytes"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestTailLinesGolden renders the seeds and a run of simulated traffic as
// tail's text lines, with and without colour, against testdata/golden.
func TestTailLinesGolden(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	var bodies [][2]string // command, body
	for _, sd := range seeds {
		b, err := os.ReadFile(seedPath(sd.file))
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, [2]string{sd.command, string(b)})
	}
	mix, _ := traffic.ParseMix("calls,live")
	g := traffic.NewGenerator(&traffic.Model{Apps: []uint32{testApp, 1400000002}, Mix: mix, ActiveCalls: 2, RunID: 0x5eed}, 0, func() time.Time { return now })
	for range 40 {
		wh := g.Next()
		bodies = append(bodies, [2]string{wh.Command, string(wh.Body)})
	}
	for _, colour := range []bool{false, true} {
		var out bytes.Buffer
		p := newPrinter(&out, false, colour)
		p.loc = time.UTC
		for i, cb := range bodies {
			q := url.Values{"SdkAppid": {"1400000001"}, "CallbackCommand": {cb[0]}}
			ev, err := callback.Decode(q, []byte(cb[1]), now)
			if err != nil {
				t.Fatalf("%s: %v", cb[1], err)
			}
			ev.Sequence = uint64(i + 1)
			if err := p.event(ev); err != nil {
				t.Fatal(err)
			}
		}
		name := "tail.txt"
		if colour {
			name = "tail-colour.txt"
		} else if strings.Contains(out.String(), "\x1b[") {
			t.Error("colour without --color")
		}
		golden(t, name, out.Bytes())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
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
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// TestColourChoice checks colour is on for a terminal only, and off with NO_COLOR.
func TestColourChoice(t *testing.T) {
	for _, tc := range []struct {
		flag    string
		tty     bool
		noColor string
		want    bool
	}{
		{"auto", true, "", true},
		{"auto", false, "", false},
		{"auto", true, "1", false},
		{"always", false, "1", true},
		{"never", true, "", false},
	} {
		env := Env{Getenv: func(k string) string {
			if k == "NO_COLOR" {
				return tc.noColor
			}
			return ""
		}, IsTerminal: func(any) bool { return tc.tty }}
		if got, err := colourChoice(tc.flag, env); err != nil || got != tc.want {
			t.Errorf("--color=%s tty=%v NO_COLOR=%q: %v, %v; want %v", tc.flag, tc.tty, tc.noColor, got, err, tc.want)
		}
	}
}
