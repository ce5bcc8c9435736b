package sdk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBearerTokenAgainstGateway runs each example against a gateway that
// requires API tokens: with TRTCGW_TOKEN set to a token scoped to one app the
// example sees that app's events and never another app's; without a token it
// is refused with UNAUTHENTICATED and stops with status 1 rather than retrying.
func TestBearerTokenAgainstGateway(t *testing.T) {
	requireEnabled(t)
	const secret = "sdk-test-token-5d1c0f9e2b7a4c38"
	tokens := filepath.Join(t.TempDir(), "api-tokens.json")
	if err := os.WriteFile(tokens, []byte(`{"tokens":[{"name":"sdk-test","sdk_app_ids":[`+sdkAppID+`],"secret":"`+secret+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	gw := startGateway(t, "--api-tokens="+tokens)

	type pair struct{ scoped, anonymous *subscriber }
	var subs []pair
	for _, ex := range examples {
		subs = append(subs, pair{
			scoped: startSubscriber(t, ex, ex.name+"-token", []string{"TRTCGW_TOKEN=" + secret},
				"--addr", gw.grpc, "--after-sequence", "0", "--max-events", "2"),
			anonymous: startSubscriber(t, ex, ex.name+"-no-token", []string{"TRTCGW_TOKEN="},
				"--addr", gw.grpc, "--after-sequence", "0"),
		})
	}
	gw.post(t, webhooks[0])                  // call A, the token's app
	gw.postApp(t, webhooks[1], "1400000002") // another app: must stay invisible
	gw.post(t, webhooks[len(webhooks)-1])    // call A ends, logged after the other app's event

	for _, p := range subs {
		evs := p.scoped.events(t, 2, 60*time.Second)
		for i, want := range []string{"EVENT_TYPE_CALL_STARTED", "EVENT_TYPE_CALL_ENDED"} {
			if got := evs[i].str("type"); got != want {
				t.Errorf("%s event %d: type %s, want %s: %s", p.scoped.name, i, got, want, evs[i].raw)
			}
			if v, _ := evs[i].get("sdkAppId"); fmt.Sprint(v) != sdkAppID {
				t.Errorf("%s event %d: sdkAppId %v, want %s", p.scoped.name, i, v, sdkAppID)
			}
		}
		if code := p.scoped.wait(t, 30*time.Second); code != 0 {
			t.Errorf("%s: exit status %d after --max-events, want 0", p.scoped.name, code)
		}
		p.scoped.drain(t)

		if code := p.anonymous.wait(t, 30*time.Second); code != 1 {
			t.Errorf("%s: exit status %d without a token, want 1", p.anonymous.name, code)
		}
		p.anonymous.drain(t)
		if stderr := p.anonymous.stderr.String(); !containsAny(stderr, "UNAUTHENTICATED", "Unauthenticated") {
			t.Errorf("%s: stderr does not report UNAUTHENTICATED:\n%s", p.anonymous.name, stderr)
		}
	}
}
