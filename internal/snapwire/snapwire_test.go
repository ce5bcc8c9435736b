package snapwire

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestTimes: every int64 comes back exactly, whatever the base, in the
// fewest bytes for the times Tencent sends (whole milliseconds near the
// base).
func TestTimes(t *testing.T) {
	const ms = int64(1e6)
	start := int64(1741231146123) * ms
	for _, tc := range []struct {
		name      string
		t, base   int64
		wantBytes int // with the tag; 0 is not checked
	}{
		{"the base itself", start, start, 2},
		{"a minute later, in ms", start + 60_000*ms, start, 4},
		{"a second earlier", start - 1000*ms, start, 3},
		{"not whole ms", start + 1, start, 2},
		{"without a base", start, 0, 8},
		{"zero", 0, start, 0},
		{"the smallest", math.MinInt64, start, 0},
		{"the largest", math.MaxInt64, start, 0},
		{"the largest from the smallest (a difference of -1, wrapped)", math.MaxInt64, math.MinInt64, 2},
		{"far from the base, not whole ms", math.MaxInt64, 0, 9},
		{"a wrap", math.MinInt64 + 5, math.MaxInt64 - 5, 0},
	} {
		b := AppendTime(nil, 7, tc.t, tc.base)
		if tc.wantBytes != 0 && len(b) != tc.wantBytes {
			t.Errorf("%s: %d bytes, want %d", tc.name, len(b), tc.wantBytes)
		}
		f := Fields{B: b}
		if !f.Next() || f.Num != 7 {
			t.Fatalf("%s: no field 7 in %x", tc.name, b)
		}
		if got := f.Time(tc.base); got != tc.t || f.Err != nil || len(f.B) != 0 {
			t.Errorf("%s: read back %d (%v, %d bytes left), want %d", tc.name, got, f.Err, len(f.B), tc.t)
		}
	}
	if b := AppendTimeSet(nil, 7, 0, start); len(b) != 0 {
		t.Errorf("AppendTimeSet of 0 wrote %x, want nothing", b)
	}
}

// TestMessages: a message's length is filled in whatever its size.
func TestMessages(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 20000} {
		b, at := BeginMessage([]byte("x"), 3)
		b = append(b, bytes.Repeat([]byte{'a'}, n)...)
		b = EndMessage(b, at)
		f := Fields{B: b[1:]}
		if !f.Next() || f.Num != 3 {
			t.Fatalf("%d bytes: no field 3", n)
		}
		if v := f.Bytes(); len(v) != n || f.Err != nil || len(f.B) != 0 {
			t.Errorf("%d bytes: read %d bytes (%v, %d left)", n, len(v), f.Err, len(f.B))
		}
	}
}

// TestStream: a sealed stream reads to its end; one cut short, changed,
// or followed by more bytes does not.
func TestStream(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Write(AppendHeader(nil, "magic\n", 1, 42))
	w.Write(AppendBytes(nil, 1, "one"))
	w.Write(AppendBytes(nil, 2, strings.Repeat("two", 50000))) // more than a read buffer
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(b []byte) (fields int, err error) {
		s := NewStream(bytes.NewReader(b))
		if _, _, err := s.Header("magic\n"); err != nil {
			return 0, err
		}
		for {
			_, _, err := s.Field()
			if errors.Is(err, io.EOF) {
				return fields, nil
			}
			if err != nil {
				return fields, err
			}
			fields++
		}
	}
	whole := buf.Bytes()
	if n, err := read(whole); n != 2 || err != nil {
		t.Fatalf("the whole stream: %d fields, %v; want 2 and its end", n, err)
	}
	changed := bytes.Clone(whole)
	changed[len(changed)/2] ^= 1
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"cut before the end":  {whole[:len(whole)-len(Seal(nil))], "cut short"},
		"cut inside a field":  {whole[:len(whole)/2], "unexpected EOF"},
		"a bit changed":       {changed, "corrupt"},
		"bytes after the end": {append(bytes.Clone(whole), AppendBytes(nil, 1, "x")...), "follow the end"},
		"another magic":       {[]byte("other\n\x01\x00"), "not a snapshot"},
	} {
		if _, err := read(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}

// TestFieldsRefuseWrongWireTypes: a field read as another wire type than
// it has is an error, not a misreading.
func TestFieldsRefuseWrongWireTypes(t *testing.T) {
	b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 5)
	f := Fields{B: b}
	f.Next()
	if f.Bytes(); f.Err == nil {
		t.Error("a varint read as bytes gave no error")
	}
}
