package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// seeds are the gateway's own sample callbacks, one per modelled command.
var seeds = []struct{ file, command string }{
	{"start_call.json", "Call.CallbackAfterStartCall"},
	{"member_changed.json", "Call.CallbackAfterMemberChanged"},
	{"end_call.json", "Call.CallbackAfterEndCall"},
	{"live_member_state_changed.json", "Live.CallbackAfterMemberStateChanged"},
}

func seedPath(name string) string {
	return filepath.Join("..", "..", "server", "testdata", "samples", name)
}

// TestSendSeedsAppearInTail sends every seed fixture, signed, and finds each
// in `tail --json --from-start` in order, with its command and app.
func TestSendSeedsAppearInTail(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.WebhookTokens = map[uint32]string{testApp: "seed-token"} })
	vars := map[string]string{"TRTCGW_WEBHOOK_TOKEN": fmt.Sprintf("%d=seed-token", testApp)}
	url := "http://" + s.WebhookAddr() + "/webhook"
	for i, sd := range seeds {
		args := []string{"--url", url, "--sdk-app-id", fmt.Sprint(testApp), seedPath(sd.file)}
		if i%2 == 1 { // flags may follow the file
			args = []string{seedPath(sd.file), "--url", url, "--sdk-app-id", fmt.Sprint(testApp)}
		}
		r := runCmd(t, vars, "", "send", args...)
		if r.code != 0 || !strings.Contains(r.stdout, `"ActionStatus":"OK"`) {
			t.Fatalf("send %s: exit %d\nstdout %s\nstderr %s", sd.file, r.code, r.stdout, r.stderr)
		}
	}
	// stdin, with the command given on the command line.
	body, err := os.ReadFile(seedPath("start_call.json"))
	if err != nil {
		t.Fatal(err)
	}
	body = []byte(strings.Replace(string(body), "055662e1", "155662e1", 1)) // another call
	if r := runCmd(t, vars, string(body), "send", "--url", url, "--sdk-app-id", fmt.Sprint(testApp), "--command", "Call.CallbackAfterStartCall"); r.code != 0 {
		t.Fatalf("send from stdin: exit %d, %s", r.code, r.stderr)
	}

	tail := startTail(t, nil, "--addr", s.GRPCAddr(), "--json", "--from-start")
	evs := tail.events(len(seeds) + 1)
	for i, ev := range evs {
		want := "Call.CallbackAfterStartCall"
		if i < len(seeds) {
			want = seeds[i].command
		}
		if ev["callbackCommand"] != want || ev["sdkAppId"] != float64(testApp) || ev["sequence"] != fmt.Sprint(i+1) {
			t.Errorf("event %d: %v, want command %s, app %d, sequence %q", i, ev, want, testApp, fmt.Sprint(i+1))
		}
	}
	if code := tail.stop(); code != 0 {
		t.Errorf("tail stopped with %d, stderr %s", code, tail.stderr)
	}
}

// TestTailCursorFileResumes stops a tail, posts more, and restarts it from
// its cursor file: every event once, in order, none missing.
func TestTailCursorFileResumes(t *testing.T) {
	s := startGateway(t, nil)
	url := "http://" + s.WebhookAddr() + "/webhook"
	cursor := filepath.Join(t.TempDir(), "tail.cursor")
	simulate := func(n int) {
		t.Helper()
		r := runCmd(t, nil, "", "simulate", "--url", url, "--count", fmt.Sprint(n), "--rate", "0")
		if r.code != 0 {
			t.Fatalf("simulate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	simulate(30)
	var seen []string
	tail := startTail(t, nil, "--addr", s.GRPCAddr(), "--json", "--from-start", "--cursor-file", cursor)
	for _, ev := range tail.events(30) {
		seen = append(seen, ev["sequence"].(string))
	}
	tail.stop()
	simulate(25)
	// --from-start is ignored once the cursor file exists.
	tail = startTail(t, nil, "--addr", s.GRPCAddr(), "--json", "--from-start", "--cursor-file", cursor)
	for _, ev := range tail.events(25) {
		seen = append(seen, ev["sequence"].(string))
	}
	tail.stop()
	for i, seq := range seen {
		if seq != fmt.Sprint(i+1) {
			t.Fatalf("sequences %v: position %d is %s, want %d (a gap or a duplicate)", seen, i, seq, i+1)
		}
	}
	b, err := os.ReadFile(cursor)
	if err != nil || !strings.Contains(string(b), `"sequence":55`) {
		t.Errorf("cursor file %q, %v: want sequence 55", b, err)
	}
}

// TestSimulateSignedMix runs simulate --count 200 against a gateway that
// requires webhook signatures for both apps: all 200 are accepted (so every
// signature verified), and the events carry the calls-and-live mix.
func TestSimulateSignedMix(t *testing.T) {
	const app2 = 1400000002
	s := startGateway(t, func(c *server.Config) {
		c.WebhookTokens = map[uint32]string{testApp: "token-one", app2: "token-two"}
	})
	vars := map[string]string{"TRTCGW_WEBHOOK_TOKEN": fmt.Sprintf("%d=token-one,%d=token-two", testApp, app2)}
	r := runCmd(t, vars, "", "simulate", "--url", "http://"+s.WebhookAddr()+"/webhook",
		"--count", "200", "--rate", "0", "--sdk-app-id", fmt.Sprintf("%d,%d", testApp, app2), "--mix", "calls,live")
	if r.code != 0 {
		t.Fatalf("simulate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"sent     200 callbacks", "ok       200", "failed   0", "latency  p50 "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
	}
	tail := startTail(t, nil, "--addr", s.GRPCAddr(), "--json", "--from-start")
	evs := tail.events(200)
	tail.stop()
	calls, live, apps := 0, 0, map[float64]int{}
	for _, ev := range evs {
		apps[ev["sdkAppId"].(float64)]++
		switch cmd := ev["callbackCommand"].(string); {
		case strings.HasPrefix(cmd, "Call."):
			calls++
		case strings.HasPrefix(cmd, "Live."), strings.HasPrefix(cmd, "Mic."), strings.HasPrefix(cmd, "Group."):
			live++
		default:
			t.Errorf("event of command %q in a calls,live mix", cmd)
		}
	}
	// The mix is 1:4; with 200 draws the live share is 0.8 ± 0.03 (one sd).
	if share := float64(live) / 200; share < 0.65 || share > 0.92 {
		t.Errorf("live rooms are %.2f of the events (calls %d, live %d), want about 0.8", share, calls, live)
	}
	if apps[testApp] == 0 || apps[app2] == 0 {
		t.Errorf("events per app %v: want both apps", apps)
	}
	if !strings.Contains(r.stdout, "Live.CallbackAfterMemberStateChanged") {
		t.Errorf("summary does not list the commands:\n%s", r.stdout)
	}
}

// TestSimulateDuration stops on --duration, with every callback it counts
// answered: what was cut off by the end of the run is not counted as sent.
func TestSimulateDuration(t *testing.T) {
	s := startGateway(t, nil)
	r := runCmd(t, nil, "", "simulate", "--url", "http://"+s.WebhookAddr()+"/webhook", "--duration", "200ms", "--rate", "0", "--conns", "2", "--mix", "calls,viewers")
	if r.code != 0 || !strings.Contains(r.stdout, "failed   0") || strings.Contains(r.stdout, "sent     0 ") {
		t.Fatalf("simulate --duration: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestSimulateProgressOnlyOnTerminal checks the progress line is drawn (and
// cleared before the summary) on a terminal, and absent in a pipe.
func TestSimulateProgressOnlyOnTerminal(t *testing.T) {
	s := startGateway(t, nil)
	for _, tty := range []bool{false, true} {
		var out, errb bytes.Buffer
		env := testEnv(nil, "", &out, &errb)
		env.IsTerminal = func(stream any) bool { return tty && stream == any(&errb) }
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		code := Main(ctx, env, "simulate", []string{"--url", "http://" + s.WebhookAddr() + "/webhook", "--count", "5", "--rate", "0"})
		cancel()
		if code != 0 {
			t.Fatalf("simulate: exit %d\n%s", code, errb.String())
		}
		if got := strings.Contains(errb.String(), "\r\x1b[K"); got != tty {
			t.Errorf("terminal %v: progress drawn %v: %q", tty, got, errb.String())
		}
		if strings.Contains(out.String(), "\x1b[") {
			t.Errorf("escape codes in the summary: %q", out.String())
		}
	}
}
