package callback

import (
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
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the decoder's output")

// receivedAt is the fixed receive time of every decoded test event.
var receivedAt = time.Date(2025, 3, 6, 7, 8, 9, 123_000_000, time.UTC)

// testCase is one input under testdata/input: <name>.query holds the raw query
// string, <name>.json the body.
type testCase struct {
	name  string
	query url.Values
	body  []byte
}

// loadCases reads every input case, in name order.
func loadCases(t testing.TB) []testCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "input", "*.query"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no cases under testdata/input")
	}
	var cases []testCase
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".query")
		rawQuery, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		q, err := url.ParseQuery(strings.TrimSpace(string(rawQuery)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := os.ReadFile(filepath.Join("testdata", "input", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, testCase{name: name, query: q, body: body})
	}
	return cases
}

// render is the stable JSON form of m: protojson's output varies its
// whitespace on purpose, so it is compacted and re-indented.
func render(t testing.TB, m proto.Message) []byte {
	t.Helper()
	raw, err := protojson.Marshal(m)
	if err != nil {
		t.Fatalf("protojson.Marshal: %v", err)
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

func TestGolden(t *testing.T) {
	for _, tc := range loadCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := Decode(tc.query, tc.body, receivedAt)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got := render(t, ev)
			path := filepath.Join("testdata", "golden", tc.name+".json")
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
				t.Errorf("decoded event differs from %s (run go test -update after checking the change)\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}
