package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
	"github.com/trtc-gateway/trtc-gateway/internal/natscluster"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// waitForReplicas waits until the stream has a leader and replicas-1
// current followers, and returns its info.
func waitForReplicas(ctx context.Context, t *testing.T, js jetstream.JetStream, replicas int) *jetstream.StreamInfo {
	t.Helper()
	for {
		if s, err := js.Stream(ctx, eventlog.DefaultStreamName); err == nil {
			if info, err := s.Info(ctx); err == nil && info.Cluster != nil && info.Cluster.Leader != "" &&
				len(info.Cluster.Replicas) == replicas-1 &&
				!slices.ContainsFunc(info.Cluster.Replicas, func(p *jetstream.PeerInfo) bool { return !p.Current }) {
				return info
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stream never had a leader and %d current replicas: %v", replicas-1, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// retryUnavailable runs op until it succeeds, failing the test on an error
// that is not ErrUnavailable: while a cluster elects a new leader the log is
// allowed to be unavailable, never wrong.
func retryUnavailable(ctx context.Context, t *testing.T, what string, op func() error) {
	t.Helper()
	for {
		err := op()
		if err == nil {
			return
		}
		if !errors.Is(err, eventlog.ErrUnavailable) {
			t.Fatalf("%s: %v (want success or ErrUnavailable)", what, err)
		}
		t.Logf("%s: retrying: %v", what, err)
		select {
		case <-ctx.Done():
			t.Fatalf("%s never succeeded: %v", what, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// follower runs Follow from 0 on a log and hands its events over a channel.
type follower struct {
	events chan *gatewayv1.Event
	cancel context.CancelFunc
	done   chan error
}

func follow(ctx context.Context, l eventlog.Log) *follower {
	ctx, cancel := context.WithCancel(ctx)
	f := &follower{events: make(chan *gatewayv1.Event, 1000), cancel: cancel, done: make(chan error, 1)}
	go func() {
		f.done <- l.Follow(ctx, 0, func(ev *gatewayv1.Event) error {
			select {
			case f.events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return f
}

// expect fails unless the follower delivers exactly want next.
func (f *follower) expect(ctx context.Context, t *testing.T, name string, want []*gatewayv1.Event) {
	t.Helper()
	for _, w := range want {
		select {
		case ev := <-f.events:
			if !proto.Equal(ev, w) {
				t.Fatalf("%s followed\n %v\nwant %v", name, ev, w)
			}
		case err := <-f.done:
			t.Fatalf("%s: Follow ended with %v before sequence %d", name, err, w.Sequence)
		case <-ctx.Done():
			t.Fatalf("%s: sequence %d never arrived: %v", name, w.Sequence, ctx.Err())
		}
	}
}

func (f *follower) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	if err := <-f.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow ended with %v, want context.Canceled", err)
	}
}

func TestJetStreamCluster(t *testing.T) {
	ctx := testCtx(t)
	nodes := natscluster.Start(testCtx(t), t, 3)
	opts := eventlog.JetStreamOptions{Replicas: 3, PublishTimeout: 2 * time.Second}

	conns := make([]*nats.Conn, len(nodes))
	logs := make([]*eventlog.JetStream, len(nodes))
	for i, n := range nodes {
		nc, err := nats.Connect(n.ClientURL(), nats.Name(n.Name()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		conns[i] = nc
		// OpenJetStream waits for the cluster to elect its JetStream leader.
		logs[i] = openJS(t, nc, opts)
	}
	for i, l := range logs {
		if l.Epoch() != logs[0].Epoch() {
			t.Fatalf("node %d sees epoch %q, node 0 sees %q", i, l.Epoch(), logs[0].Epoch())
		}
	}
	js, err := jetstream.New(conns[0])
	if err != nil {
		t.Fatal(err)
	}
	info := waitForReplicas(ctx, t, js, 3)

	// A and B stay up; C, the stream leader, is shut down later.
	c := slices.IndexFunc(nodes, func(n *natsembed.Server) bool { return n.Name() == info.Cluster.Leader })
	if c < 0 {
		t.Fatalf("stream leader %q is not one of the nodes", info.Cluster.Leader)
	}
	a, b := (c+1)%3, (c+2)%3
	t.Logf("appending via %s, reading via %s and %s (the stream leader)", nodes[a].Name(), nodes[b].Name(), nodes[c].Name())

	followB := follow(ctx, logs[b])
	followC := follow(ctx, logs[c])
	want := appendN(t, logs[a], 1, 50)
	for i, ev := range want {
		if ev.Sequence != uint64(i+1) {
			t.Fatalf("append %d got sequence %d", i, ev.Sequence)
		}
	}
	for _, r := range []int{b, c} {
		var got []*gatewayv1.Event
		got, err = logs[r].Read(ctx, 0, 100)
		if err != nil {
			t.Fatalf("Read via %s: %v", nodes[r].Name(), err)
		}
		sameEvents(t, got, want)
	}
	// Read-your-writes across nodes: an event acknowledged via A is in the
	// very next Read via B or C, even if their copy of the stream lags.
	for i := 51; i <= 70; i++ {
		ev := event(i)
		if _, err := logs[a].Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, ev)
		r := []int{b, c}[i%2]
		got, err := logs[r].Read(ctx, ev.Sequence-1, 10)
		if err != nil {
			t.Fatalf("Read via %s: %v", nodes[r].Name(), err)
		}
		sameEvents(t, got, want[len(want)-1:])
	}
	followB.expect(ctx, t, "follower on B", want)
	followC.expect(ctx, t, "follower on C", want)
	followC.stop(t)

	// Lose the stream leader. Appends via A succeed again once the other
	// two elect a new one; an append that failed meanwhile is retried with
	// the same id, so it is stored once.
	logs[c].Close()
	conns[c].Close()
	nodes[c].Shutdown()
	for i := 71; i <= 100; i++ {
		ev := event(i)
		retryUnavailable(ctx, t, fmt.Sprintf("append %d", i), func() error {
			_, err := logs[a].Append(ctx, ev)
			return err
		})
		if ev.Sequence != uint64(i) {
			t.Fatalf("append %d after losing the leader got sequence %d", i, ev.Sequence)
		}
		want = append(want, ev)
	}

	followB.expect(ctx, t, "follower on B after the leader loss", want[70:])
	retryUnavailable(ctx, t, "read via B", func() error {
		got, err := logs[b].Read(ctx, 0, 200)
		if err == nil {
			sameEvents(t, got, want)
		}
		return err
	})
	retryUnavailable(ctx, t, "reopen via B", func() error {
		l, err := eventlog.OpenJetStream(ctx, conns[b], opts)
		if err != nil {
			return err
		}
		defer l.Close()
		if l.Epoch() != logs[a].Epoch() {
			t.Fatalf("epoch after the leader loss = %q, want %q", l.Epoch(), logs[a].Epoch())
		}
		return nil
	})
	followB.stop(t)
}

// TestJetStreamTooFewServers asks a three-node cluster for five replicas:
// OpenJetStream keeps asking for CreateWait, as it would while a starting
// cluster hears from its servers, then fails saying how many servers the
// stream needs.
func TestJetStreamTooFewServers(t *testing.T) {
	ctx := testCtx(t)
	nodes := natscluster.Start(testCtx(t), t, 3)
	nc, err := nats.Connect(nodes[0].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	var logs logbuf.Buffer
	l, err := eventlog.OpenJetStream(ctx, nc, eventlog.JetStreamOptions{
		Replicas:   5,
		CreateWait: 2 * time.Second,
		Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err == nil {
		l.Close()
		t.Fatal("opened a stream with five replicas on three servers")
	}
	for _, want := range []string{"asks for 5 replicas", "at least 5 connected servers", "no suitable peers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if !strings.Contains(logs.String(), "no suitable peers") {
		t.Errorf("no retry was logged before giving up; log:\n%s", logs.String())
	}
}
