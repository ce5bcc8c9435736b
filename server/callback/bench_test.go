package callback

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDecode measures Decode, query parameters included, on the four
// call and member callbacks, on a few of the live ones (whose decoders also
// keep unknown members) and on a command the gateway does not model.
func BenchmarkDecode(b *testing.B) {
	benchmarks := []struct {
		name string
		file string // a case under testdata/input
	}{
		{"start-call", "start-call"},
		{"member-changed", "member-changed"},
		{"end-call", "end-call"},
		{"live-member-state", "live-member-state"},
		{"live-destroy-room", "live-destroy-room"},
		{"live-seat-info", "mic-seat-info-changed"},
		{"live-gift", "live-before-send-gift"},
		{"group-message", "group-after-send-msg-live-capture"},
		{"other", "other-command"},
	}
	at := time.Unix(1740464128, 0)
	for _, bm := range benchmarks {
		rawQuery, err := os.ReadFile(filepath.Join("testdata", "input", bm.file+".query"))
		if err != nil {
			b.Fatal(err)
		}
		q, err := url.ParseQuery(string(rawQuery[:len(rawQuery)-1]))
		if err != nil {
			b.Fatal(err)
		}
		body, err := os.ReadFile(filepath.Join("testdata", "input", bm.file+".json"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Decode(q, body, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidJSON compares checkBody's validator with json.Valid, which it
// replaced, on the bodies of every case under testdata/input together.
func BenchmarkValidJSON(b *testing.B) {
	var bodies [][]byte
	var size int64
	for _, tc := range loadCases(b) {
		bodies = append(bodies, tc.body)
		size += int64(len(tc.body))
	}
	for _, bm := range []struct {
		name  string
		valid func([]byte) bool
	}{
		{"validJSON", validJSON},
		{"json.Valid", json.Valid},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				for _, body := range bodies {
					if !bm.valid(body) {
						b.Fatalf("%s rejected %q", bm.name, body)
					}
				}
			}
		})
	}
}
