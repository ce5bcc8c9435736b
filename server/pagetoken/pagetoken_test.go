package pagetoken

import (
	"errors"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	fp := Fingerprint("1400000001", "NormalEnd")
	tok := Encode(fp, []byte("cursor"))
	got, err := Decode(tok, fp)
	if err != nil || string(got) != "cursor" {
		t.Fatalf("Decode(Encode) = %q, %v; want cursor", got, err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	fp := Fingerprint("a", "b")
	for _, tc := range []struct {
		name, token string
		fp          uint64
		want        error
	}{
		{"not base64", "!!", fp, ErrInvalid},
		{"too short", "AQ", fp, ErrInvalid},
		{"other version", Encode(fp, nil)[:0] + "AgAAAAAAAAAA", fp, ErrInvalid},
		{"other filters", Encode(Fingerprint("a", "c"), []byte("x")), fp, ErrOtherRequest},
		{"concatenation is not equality", Encode(Fingerprint("ab", ""), nil), Fingerprint("a", "b"), ErrOtherRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.token, tc.fp); !errors.Is(err, tc.want) {
				t.Fatalf("Decode(%q) = %v, want %v", tc.token, err, tc.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	fp := Fingerprint("x")
	f.Add(Encode(fp, []byte("abc")))
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, token string) {
		cur, err := Decode(token, fp)
		if err == nil && Encode(fp, cur) != token {
			t.Fatalf("Decode(%q) accepted a token Encode does not make", token)
		}
	})
}
