package traffic

import "testing"

// FuzzParseMix feeds --mix anything: it never panics, and what it accepts
// it prints back in a form it reads the same.
func FuzzParseMix(f *testing.F) {
	for _, s := range []string{"calls,live", "calls=1,live=4,trtc", "viewers=0.2,calls=0.8", "x", "calls=1e309", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMix(s)
		if err != nil {
			return
		}
		back, err := ParseMix(m.String())
		if err != nil || back != m {
			t.Errorf("ParseMix(%q) = %v, which reads back as %v, %v", s, m, back, err)
		}
	})
}
