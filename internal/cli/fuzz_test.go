package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzClassify feeds send's body reader anything: it never panics, and a
// body it accepts as IM-family has the command it reports.
func FuzzClassify(f *testing.F) {
	for _, sd := range seeds {
		if b, err := os.ReadFile(seedPath(sd.file)); err == nil {
			f.Add(b)
		}
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "trtc-sign-vector-body.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"CallbackCommand":1}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"EventGroupId":1,"CallbackCommand":"Live.CallbackAfterCloudRecordingChanged"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		trtc, command, err := classify(body)
		if err == nil && trtc && command != "" {
			t.Errorf("TRTC body with command %q", command)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "bad input: ") {
			t.Errorf("error %q does not say bad input", err)
		}
	})
}

// FuzzCursorFile feeds tail's cursor reader anything: it never panics, and
// what it reads it writes back the same.
func FuzzCursorFile(f *testing.F) {
	f.Add([]byte(`{"sequence":55,"epoch":"932b70e27a6e5b03"}`))
	f.Add([]byte(`{"sequence":"55"}`))
	f.Add([]byte(`{"sequence":18446744073709551615,"epoch":""}`))
	f.Add([]byte(``))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := readCursor(path)
		if err != nil || c == nil {
			return
		}
		out := filepath.Join(dir, "out")
		if err := writeCursor(out, c); err != nil {
			t.Fatal(err)
		}
		back, err := readCursor(out)
		if err != nil || *back != *c {
			t.Errorf("cursor %+v read back as %+v, %v", c, back, err)
		}
	})
}

// FuzzSecretFlag feeds --webhook-token anything: it never panics, and no
// error repeats the value.
func FuzzSecretFlag(f *testing.F) {
	f.Add("token")
	f.Add("1400000001=a,1400000002=b")
	f.Add("1400000001=a,secretpart")
	f.Add("=,=")
	f.Fuzz(func(t *testing.T, v string) {
		var s secretFlag
		s.Set(v)
		err := s.resolve("webhook-token")
		if err != nil && len(v) >= 8 && strings.Contains(err.Error(), v) {
			t.Errorf("error %q repeats the secret", err)
		}
	})
}
