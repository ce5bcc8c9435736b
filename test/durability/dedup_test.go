package durability_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// dedupWindow is the --dedup-window of TestRetriedWebhook: short, so the
// test can outwait it, and long enough for two posts to fit in it.
const dedupWindow = time.Second

// TestRetriedWebhook posts the same callback (same SdkAppid, command and
// body) twice within --dedup-window and once more after it, on both stores:
// within the window both posts are answered OK and the log holds one event;
// after it the callback is a new event.
func TestRetriedWebhook(t *testing.T) {
	for _, store := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"jetstream", func(t *testing.T) []string { return []string{"--data-dir=" + t.TempDir()} }},
		{"memory", func(*testing.T) []string { return []string{"--store=memory"} }},
	} {
		t.Run(store.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			args := append(store.args(t), "--dedup-window="+dedupWindow.String())
			gw := startGateway(t, "gateway ("+store.name+")", args...)
			sub := newConsumer(t, "subscriber")
			sub.open(ctx, t, gw.grpc, 0, "")
			client := newHTTPClient(t)
			mustPost := func(id string) {
				t.Helper()
				if err := post(ctx, client, gw.webhook, id); err != nil {
					t.Fatalf("posting %s: %v", id, err)
				}
			}
			// seen posts a distinct webhook and waits for it, after which
			// everything posted before it has been streamed too.
			seen := func(marker string) {
				t.Helper()
				mustPost(marker)
				sub.waitFor(ctx, t, marker)
			}

			// Twice within the window. On a machine too busy to post twice
			// within it, try again with another body.
			var id string
			var second time.Time
			for attempt := 0; ; attempt++ {
				id = fmt.Sprintf("retried-%d", attempt)
				began := time.Now()
				mustPost(id)
				mustPost(id)
				if second = time.Now(); second.Sub(began) < dedupWindow {
					break
				}
				if attempt == 4 {
					t.Fatalf("two posts never fit within %s", dedupWindow)
				}
				t.Logf("the two posts of %s took %s, longer than the window; trying another body", id, second.Sub(began))
			}
			seen(id + "-then")
			if n := sub.times(id); n != 1 {
				t.Fatalf("the same callback posted twice within %s is %d events, want 1", dedupWindow, n)
			}

			// After the window it is a new event. JetStream forgets an id
			// on a timer, shortly after the window: post again until it does.
			sleep(ctx, time.Until(second.Add(dedupWindow)))
			for try := 1; ; try++ {
				mustPost(id)
				seen(fmt.Sprintf("%s-after-%d", id, try))
				n := sub.times(id)
				if n == 2 {
					t.Logf("a new event after the window on post %d", try)
					break
				}
				if n != 1 || try == 20 {
					t.Fatalf("posted again after the window (%d times): %d events in all, want 2", try, n)
				}
				sleep(ctx, 100*time.Millisecond)
			}
			// And the window starts again from the new event.
			mustPost(id)
			seen(id + "-last")
			if n := sub.times(id); n != 2 {
				t.Fatalf("a retry right after the new event: %d events in all, want 2", n)
			}
			for i, ev := range sub.snapshot() {
				if ev.GetSequence() != uint64(i+1) {
					t.Fatalf("event #%d has sequence %d: the log has a gap", i+1, ev.GetSequence())
				}
			}
		})
	}
}
