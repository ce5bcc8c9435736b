package cli

import (
	"strings"
	"testing"
)

func TestSecretFlag(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		err  string
		app  uint32
		want string
	}{
		{in: []string{"123654"}, app: 1, want: "123654"},
		{in: []string{"dG9rZW4="}, app: 1, want: "dG9rZW4="},
		{in: []string{"1400000001=a,1400000002=b=="}, app: 1400000002, want: "b=="},
		{in: []string{"1400000001=a"}, app: 1400000003, want: ""},
		{in: []string{"fallback", "1400000001=a"}, app: 1400000003, want: "fallback"},
		{in: []string{"1400000001=a,b"}, err: "--webhook-token: item 2 is not SdkAppid=secret (a bare secret may not contain ',')"},
		{in: []string{"0=a"}, err: `--webhook-token: item 1: SdkAppid "0" is not a positive 32-bit decimal number`},
		{in: []string{""}, err: "--webhook-token is empty"},
	} {
		var s secretFlag
		for _, v := range tc.in {
			s.Set(v)
		}
		err := s.resolve("webhook-token")
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %s", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case s.of(tc.app) != tc.want:
			t.Errorf("%q: secret of %d is %q, want %q", tc.in, tc.app, s.of(tc.app), tc.want)
		}
		if s.String() == "" && len(tc.in) > 0 || (s.String() != "" && s.String() != "<redacted>") {
			t.Errorf("%q: String() = %q", tc.in, s.String())
		}
	}
}

// TestFlagsAfterArguments checks that flags may follow the arguments, and
// that "--" makes the rest arguments.
func TestFlagsAfterArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		json bool
		rest []string
	}{
		{[]string{"id", "--json"}, true, []string{"id"}},
		{[]string{"--json", "a", "b"}, true, []string{"a", "b"}},
		{[]string{"a", "--", "--json", "-x"}, false, []string{"a", "--json", "-x"}},
		{[]string{"-"}, false, []string{"-"}},
	} {
		fs := newFlagSet(Env{Getenv: func(string) string { return "" }}, "t", "")
		j := fs.Bool("json", false, "")
		if err := parse(fs, Env{Getenv: func(string) string { return "" }}, tc.args); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if *j != tc.json || strings.Join(fs.Args(), " ") != strings.Join(tc.rest, " ") {
			t.Errorf("%q: json %v args %q, want %v %q", tc.args, *j, fs.Args(), tc.json, tc.rest)
		}
	}
}
