package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestFailuresAreClear checks that each way a subcommand fails says what
// went wrong and exits non-zero: 2 for the command line, 1 for the rest.
func TestFailuresAreClear(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.WebhookTokens = map[uint32]string{testApp: "right-token"} })
	url := "http://" + s.WebhookAddr() + "/webhook"
	app := fmt.Sprint(testApp)
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte(`{"CallbackCommand":"Call.CallbackAfterStartCall",`), 0o600)
	noCommand := filepath.Join(dir, "nocommand.json")
	os.WriteFile(noCommand, []byte(`{"EventTime":1}`), 0o600)
	badCursor := filepath.Join(dir, "bad.cursor")
	os.WriteFile(badCursor, []byte("sequence five"), 0o600)
	down := closedAddr(t)

	for _, tc := range []struct {
		name  string
		vars  map[string]string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{name: "send wrong token", vars: map[string]string{"TRTCGW_WEBHOOK_TOKEN": "wrong-token"},
			args: []string{"send", "--url", url, "--sdk-app-id", app, seedPath("start_call.json")},
			code: 1, want: `not accepted: HTTP 401 {"ActionStatus":"FAIL"`},
		{name: "send unsigned", args: []string{"send", "--url", url, "--sdk-app-id", app, seedPath("start_call.json")},
			code: 1, want: "HTTP 401"},
		{name: "send unreachable", args: []string{"send", "--url", "http://" + down + "/webhook", "--sdk-app-id", app, seedPath("start_call.json")},
			code: 1, want: "connection refused"},
		{name: "send invalid JSON", args: []string{"send", "--url", url, "--sdk-app-id", app, badJSON},
			code: 1, want: "bad input: not JSON at byte"},
		{name: "send no command", args: []string{"send", "--url", url, "--sdk-app-id", app, noCommand},
			code: 1, want: "bad input: the body has neither CallbackCommand nor EventGroupId; give --command"},
		{name: "send empty stdin", args: []string{"send", "--url", url, "--sdk-app-id", app},
			code: 1, want: "bad input: stdin is empty"},
		{name: "send missing file", args: []string{"send", "--url", url, "--sdk-app-id", app, filepath.Join(dir, "none.json")},
			code: 1, want: "bad input: open"},
		{name: "send no app", args: []string{"send", "--url", url, seedPath("start_call.json")},
			code: 2, want: "--sdk-app-id: give exactly one SdkAppid"},
		{name: "send bad url", args: []string{"send", "--url", "localhost:8080", "--sdk-app-id", app, seedPath("start_call.json")},
			code: 2, want: `--url="localhost:8080" is not an http:// or https:// URL`},
		{name: "send bad token pairs", vars: map[string]string{"TRTCGW_WEBHOOK_TOKEN": "1400000001=a,x=b"},
			args: []string{"send", "--url", url, "--sdk-app-id", app, seedPath("start_call.json")},
			code: 2, want: `--webhook-token: item 2: SdkAppid "x"`},
		{name: "simulate wrong token", vars: map[string]string{"TRTCGW_WEBHOOK_TOKEN": "wrong-token"},
			args: []string{"simulate", "--url", url, "--count", "5", "--rate", "0"},
			code: 1, want: "5 of 5 callbacks were not accepted"},
		{name: "simulate unreachable", args: []string{"simulate", "--url", "http://" + down + "/webhook", "--count", "3", "--rate", "0"},
			code: 1, want: "3 of 3 callbacks were not accepted"},
		{name: "simulate bad mix", args: []string{"simulate", "--mix", "calls,radio"},
			code: 2, want: `--mix: unknown family "radio"`},
		{name: "tail unreachable", args: []string{"tail", "--addr", down},
			code: 1, want: "cannot reach the gateway's gRPC API at " + down},
		{name: "tail new epoch", args: []string{"tail", "--addr", s.GRPCAddr(), "--after", "0", "--epoch", "not-this-log"},
			code: 1, want: "the gateway's log was recreated since this cursor (new epoch; FAILED_PRECONDITION"},
		{name: "tail future cursor", args: []string{"tail", "--addr", s.GRPCAddr(), "--after", "99", "--epoch", ""},
			code: 1, want: "the cursor is outside the gateway's log (OUT_OF_RANGE: after_sequence 99"},
		{name: "tail bad filter", args: []string{"tail", "--addr", s.GRPCAddr(), "--call-id", strings.Repeat("c", 4096)},
			code: 1, want: "the gateway refused the subscription (INVALID_ARGUMENT: invalid filter"},
		{name: "tail bad event type", args: []string{"tail", "--addr", s.GRPCAddr(), "--event-type", "CALL_RINGING"},
			code: 2, want: `unknown event type "CALL_RINGING"`},
		{name: "tail after and from-start", args: []string{"tail", "--after", "3", "--from-start"},
			code: 2, want: "--after and --from-start both say where to start"},
		{name: "tail bad cursor file", args: []string{"tail", "--addr", s.GRPCAddr(), "--cursor-file", badCursor},
			code: 1, want: "is not a cursor this command wrote"},
		{name: "tail bad env", vars: map[string]string{"TRTCGW_SDK_APP_ID": "abc"}, args: []string{"tail"},
			code: 2, want: `TRTCGW_SDK_APP_ID="abc": SdkAppid "abc" is not a positive 32-bit decimal number`},
		{name: "unknown flag", args: []string{"tail", "--colour", "never"},
			code: 2, want: "flag provided but not defined: -colour"},
		{name: "help", args: []string{"simulate", "--help"}, code: 0, want: "trtc-gateway simulate --count 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, tc.vars, tc.stdin, tc.args[0], tc.args[1:]...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr should contain %q:\n%s", r.code, tc.code, tc.want, r.stderr)
			}
			if strings.Contains(r.stderr, "wrong-token") || strings.Contains(r.stderr, "right-token") {
				t.Errorf("stderr shows a token:\n%s", r.stderr)
			}
		})
	}
}

// TestTailUnauthenticated checks tail against a gateway with API tokens:
// no token is UNAUTHENTICATED, another app's token PERMISSION_DENIED, and
// TRTCGW_TOKEN opens the stream.
func TestTailUnauthenticated(t *testing.T) {
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	os.WriteFile(tokens, []byte(`{"tokens":[{"name":"ops","sdk_app_ids":[1400000001],"secret":"0123456789abcdef-ops"}]}`), 0o600)
	s := startGateway(t, func(c *server.Config) { c.APITokensFile = tokens })
	r := runCmd(t, nil, "", "tail", "--addr", s.GRPCAddr())
	if r.code != 1 || !strings.Contains(r.stderr, "the gateway wants a valid bearer token (UNAUTHENTICATED") {
		t.Errorf("no token: exit %d, stderr %s", r.code, r.stderr)
	}
	vars := map[string]string{"TRTCGW_TOKEN": "0123456789abcdef-ops"}
	r = runCmd(t, vars, "", "tail", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000009")
	if r.code != 1 || !strings.Contains(r.stderr, "PERMISSION_DENIED") {
		t.Errorf("other app: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "send", "--url", "http://"+s.WebhookAddr()+"/webhook", "--sdk-app-id", "1400000001", seedPath("end_call.json")); r.code != 0 {
		t.Fatalf("send: %d %s", r.code, r.stderr)
	}
	tail := startTail(t, vars, "--addr", s.GRPCAddr(), "--from-start")
	if l := tail.next(); !strings.Contains(l, "CALL_ENDED") {
		t.Errorf("tail line %q", l)
	}
}
