package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// TestEveryFamilyAnswered posts the full mix one callback at a time to a
// real gateway that requires a TRTC key, as the load does, and checks each
// answer: 200 with the IM family's OK body for calls and live rooms, 200
// with {"code":0} for TRTC events; and that a TRTC event signed with
// another key or not at all is refused with 401, so an accepted one was
// really checked.
func TestEveryFamilyAnswered(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := startTestGateway(ctx, t)

	mix, err := traffic.ParseMix(fullMix)
	if err != nil {
		t.Fatal(err)
	}
	m := &traffic.Model{Apps: defaultApps[:4], Mix: mix, ActiveCalls: 8, RunID: 0x5e4d}
	g := traffic.NewGenerator(m, 0, time.Now)
	c := newHTTPConn(s.WebhookAddr())
	defer c.close()
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{name: "signed", key: defaultTRTCKey, ok: true},
		{name: "wrong key", key: "not-the-key"},
		{name: "unsigned", key: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPreparer(0, tt.key, false)
			seen := make(map[traffic.Family]int)
			for range 300 {
				wh := g.Next()
				req := p.prepare(wh)
				resp, err := c.post(ctx, req.query, req.trtc, wh.Body)
				if err != nil {
					t.Fatal(err)
				}
				seen[wh.Family]++
				want := tt.ok || wh.Family != traffic.TRTC
				if resp.ok != want {
					t.Fatalf("%s answered HTTP %d %s, ok=%t, want %t\n%s", wh.Kind(), resp.status, resp.body, resp.ok, want, wh.Body)
				}
				if wh.Family == traffic.TRTC && !tt.ok && resp.status != 401 {
					t.Fatalf("%s with a bad Sign answered HTTP %d %s, want 401", wh.Kind(), resp.status, resp.body)
				}
			}
			for _, f := range []traffic.Family{traffic.Calls, traffic.Live, traffic.TRTC} {
				if seen[f] == 0 {
					t.Errorf("no %s callback in 300", f)
				}
			}
		})
	}
}

// TestTRTCKeyFlag checks that the --trtc-key the benchmark gives the
// gateways it starts reads, as the gateway reads it, as the key of every
// app the load sends for.
func TestTRTCKeyFlag(t *testing.T) {
	name, value, ok := strings.Cut(trtcKeyFlag(defaultTRTCKey), "=")
	if !ok || name != "--trtc-key" {
		t.Fatalf("flag %q", trtcKeyFlag(defaultTRTCKey))
	}
	f := &webhookauth.Flag{Name: name}
	if err := f.Set(value); err != nil {
		t.Fatal(err)
	}
	keys, err := f.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(defaultApps) {
		t.Errorf("%d keys, want one per app (%d)", len(keys), len(defaultApps))
	}
	for _, app := range defaultApps {
		if keys[app] != defaultTRTCKey {
			t.Errorf("app %d: key %q, want %q", app, keys[app], defaultTRTCKey)
		}
	}
}
