package eventlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// unreachableConsumer opens a log on an embedded server holding n events and
// returns it with a handle to a consumer from sequence 1 that the server no
// longer has: a pull through the handle is answered "no responders", as a
// pull through a server the consumer's interest has not reached yet is.
// recreate makes the consumer exist again under the same name.
func unreachableConsumer(t *testing.T, n int) (l *JetStream, cons jetstream.Consumer, recreate func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	l, err = OpenJetStream(ctx, nc, JetStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for i := 1; i <= n; i++ {
		ev := &gatewayv1.Event{Id: fmt.Sprintf("ev-%d", i), SdkAppId: 1400000001, CallId: fmt.Sprintf("call-%d", i)}
		if _, err := l.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	cons, err = l.createConsumer(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	name := cons.CachedInfo().Name
	if err := l.js.DeleteConsumer(ctx, l.name, name); err != nil {
		t.Fatal(err)
	}
	return l, cons, func() error {
		_, err := l.js.CreateConsumer(ctx, l.name, jetstream.ConsumerConfig{
			Name:              name,
			DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
			OptStartSeq:       1,
			AckPolicy:         jetstream.AckNonePolicy,
			InactiveThreshold: jsConsumerIdle,
			Replicas:          1,
			MemoryStorage:     true,
		})
		return err
	}
}

// TestAwaitReachableRetriesNoResponders: a consumer nobody answers for is
// not taken for an idle one (which would leave Follow waiting for missed
// heartbeats): awaitReachable keeps asking until its context ends.
func TestAwaitReachableRetriesNoResponders(t *testing.T) {
	l, cons, _ := unreachableConsumer(t, 1)
	// The bound ends a wait that would otherwise last for jsUnreachableRetries pauses.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := l.awaitReachable(ctx, cons, func(jetstream.Msg) error {
		t.Error("a message from a consumer that does not exist")
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("awaitReachable on an unreachable consumer = %v, want it still retrying when its context ended", err)
	}
}

// TestAwaitReachableDeliversOnceReachable: once the consumer answers,
// awaitReachable hands over what it already holds, in order.
func TestAwaitReachableDeliversOnceReachable(t *testing.T) {
	l, cons, recreate := unreachableConsumer(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		time.Sleep(100 * time.Millisecond) // after a first attempt, usually; the outcome is the same either way
		if err := recreate(); err != nil {
			t.Error(err)
		}
	}()
	var got []uint64
	err := l.awaitReachable(ctx, cons, func(msg jetstream.Msg) error {
		meta, err := msg.Metadata()
		if err != nil {
			return err
		}
		got = append(got, meta.Sequence.Stream)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("awaitReachable delivered sequences %v, want [1 2 3]", got)
	}
}
