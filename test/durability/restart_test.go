package durability_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// TestSIGKILLUnderLoad crashes the gateway (default store: embedded
// JetStream) while webhooks pour in and a subscriber follows them, restarts
// it on the same data directory, and checks that nothing acknowledged was
// lost or doubled: every webhook answered 200 is in the log exactly once,
// every webhook Tencent retries because it got no answer is stored once too,
// the epoch is the same, and the subscriber resumes from its last sequence
// with no gap. Then a graceful restart keeps the log as well, and a wiped
// data directory is a new log whose old cursors are refused.
func TestSIGKILLUnderLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	gw := startGateway(t, "gateway", "--data-dir="+dataDir)

	sub := newConsumer(t, "subscriber")
	sub.open(ctx, t, gw.grpc, 0, "")
	ld := startLoad(ctx, t, "crash", 8, 0, func() []string { return []string{gw.webhook} })
	waitUntil(ctx, t, "300 acknowledged webhooks, 100 of them streamed", func() bool {
		return ld.acks.Load() >= 300 && sub.count() >= 100
	})
	gw.kill(t)
	ld.stop()
	acked, unacked := ld.result()
	t.Logf("SIGKILL after %d webhooks acknowledged; %d posted without an answer", len(acked), len(unacked))

	err := sub.waitEnd(ctx, t)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("the subscriber's stream ended with %v when the gateway was killed, want UNAVAILABLE", err)
	}
	last, epoch := sub.cursor()
	before := sub.snapshot()
	if epoch == "" {
		t.Fatal("the subscriber received no event before the kill")
	}

	gw = startGateway(t, "gateway after SIGKILL", "--data-dir="+dataDir)
	// Tencent retries every callback it got no answer for. Some of those
	// were stored before the kill: the de-duplication window survives the
	// restart, so they are not stored twice.
	client := newHTTPClient(t)
	for id := range unacked {
		if err := post(ctx, client, gw.webhook, id); err != nil {
			t.Fatalf("retrying webhook %s after the restart: %v", id, err)
		}
	}
	const final = "crash-final"
	if err := post(ctx, client, gw.webhook, final); err != nil {
		t.Fatalf("posting after the restart: %v", err)
	}

	// The subscriber resumes where it was; a new one reads the whole log.
	sub.open(ctx, t, gw.grpc, last, epoch)
	sub.waitFor(ctx, t, final)
	all := newConsumer(t, "reader of the whole log after the restart")
	all.open(ctx, t, gw.grpc, 0, "")
	all.waitFor(ctx, t, final)

	want := maps.Clone(acked)
	for id := range unacked {
		want[id] = true
	}
	want[final] = true
	sub.checkStream(t, want, epoch)
	all.checkStream(t, want, epoch)
	// What the subscriber saw before the crash is what the log holds now.
	after := all.snapshot()
	for i, ev := range before {
		if i >= len(after) || !proto.Equal(ev, after[i]) {
			t.Fatalf("event %d as streamed before the kill differs from the log after it:\n before %v\n after  %v", ev.GetSequence(), ev, after[min(i, len(after)-1)])
		}
	}

	// A graceful restart keeps the log as well: the stream ends with its
	// cursor, and resuming from it after the restart continues the log.
	gw.terminate(t)
	err = all.waitEnd(ctx, t)
	last, _ = all.cursor()
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), fmt.Sprintf("after_sequence=%d ", last)) {
		t.Fatalf("on SIGTERM the stream ended with %v, want UNAVAILABLE naming after_sequence=%d", err, last)
	}
	gw = startGateway(t, "gateway after SIGTERM", "--data-dir="+dataDir)
	all.open(ctx, t, gw.grpc, last, epoch)
	const graceful = "crash-after-sigterm"
	if err := post(ctx, client, gw.webhook, graceful); err != nil {
		t.Fatalf("posting after the graceful restart: %v", err)
	}
	all.waitFor(ctx, t, graceful)
	want[graceful] = true
	all.checkStream(t, want, epoch)

	// A wiped data directory is a new log: a cursor of the old one is
	// refused instead of being replayed against other events.
	gw.terminate(t)
	if err := os.RemoveAll(dataDir); err != nil {
		t.Fatal(err)
	}
	gw = startGateway(t, "gateway on a wiped data directory", "--data-dir="+dataDir)
	last, _ = all.cursor()
	wiped := newConsumer(t, "subscriber resuming on a wiped log")
	wiped.open(ctx, t, gw.grpc, last, epoch)
	if err := wiped.waitEnd(ctx, t); status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), epoch) {
		t.Fatalf("resuming after %d of epoch %q on a wiped log: %v, want FAILED_PRECONDITION naming the epoch", last, epoch, err)
	}
}
