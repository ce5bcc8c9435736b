package durability_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trtc-gateway/trtc-gateway/internal/natscluster"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// retryWindow bounds how long one webhook may take to be acknowledged while
// a replica or a NATS node is going away: Tencent keeps retrying, and so does
// the test, but not forever.
const retryWindow = 30 * time.Second

// TestClusterFailover runs three gateway replicas on a three-node NATS
// cluster with the stream replicated three times. A webhook posted to one
// replica reaches subscribers of the others; under a steady load spread over
// the replicas, replica A is stopped and its subscriber resumes on B from its
// last sequence; then the NATS node leading the stream is stopped and ingest
// and streaming go on. In the end every subscriber has every acknowledged
// webhook exactly once, in one gap-free sequence.
func TestClusterFailover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nodes := natscluster.Start(ctx, t, 3)
	urls := natscluster.ClientURLs(nodes)

	names := []string{"A", "B", "C"}
	gws := make([]*gateway, len(names))
	for i, name := range names {
		// Each replica lists every node, its "own" first, as a deployment would.
		own := append(slices.Clone(urls[i:]), urls[:i]...)
		// While a replica replaces a consumer it lost with a NATS node, the
		// load goes on; the backlog then reaches its hub at once. A queue
		// far smaller than that backlog overflows, and the subscriber must
		// read it from the log instead of being cut off.
		gws[i] = startGateway(t, "replica "+name, "--nats-url="+strings.Join(own, ","), "--stream-replicas=3", "--queue=8")
	}
	subs := make([]*consumer, len(gws))
	for i, gw := range gws {
		subs[i] = newConsumer(t, "subscriber of "+names[i])
		subs[i].open(ctx, t, gw.grpc, 0, "")
	}
	client := newHTTPClient(t)

	// One webhook to A reaches the subscribers of every replica.
	const hello = "cluster-hello"
	postOK(ctx, t, client, []string{gws[0].webhook}, hello, retryWindow)
	for _, s := range subs {
		s.waitFor(ctx, t, hello)
	}
	_, epoch := subs[1].cursor()

	// A load balancer spreads webhooks over the replicas that are up.
	var (
		liveMu sync.Mutex
		live   = []string{gws[0].webhook, gws[1].webhook, gws[2].webhook}
	)
	targets := func() []string {
		liveMu.Lock()
		defer liveMu.Unlock()
		return live
	}
	ld := startLoad(ctx, t, "cluster", 6, retryWindow, targets)
	waitUntil(ctx, t, "150 acknowledged webhooks", func() bool { return ld.acks.Load() >= 150 })

	// Replica A goes away under load. Its subscriber is told where to
	// resume and resumes on B.
	gws[0].terminate(t)
	liveMu.Lock()
	live = []string{gws[1].webhook, gws[2].webhook}
	liveMu.Unlock()
	err := subs[0].waitEnd(ctx, t)
	last, lastEpoch := subs[0].cursor()
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), fmt.Sprintf("after_sequence=%d ", last)) ||
		!strings.Contains(err.Error(), epoch) || lastEpoch != epoch {
		t.Fatalf("A's subscriber (last sequence %d, epoch %q) was ended with %v, want UNAVAILABLE naming after_sequence=%d and epoch %q",
			last, lastEpoch, err, last, epoch)
	}
	// From now on it resumes by itself whenever its stream breaks, as a
	// client does: a replay that meets the NATS node loss below may fail
	// with UNAVAILABLE (a live stream must not).
	subs[0].resuming = true
	subs[0].open(ctx, t, gws[1].grpc, last, epoch)
	mark := ld.acks.Load()
	waitUntil(ctx, t, "150 more acknowledged webhooks on B and C", func() bool { return ld.acks.Load() >= mark+150 })

	// The NATS node leading the stream goes away; the other two hold a
	// quorum, so ingest continues once they have a new leader.
	leader := streamLeader(ctx, t, nodes)
	t.Logf("stopping NATS node %s, the stream leader, after %d acknowledged webhooks", nodes[leader].Name(), ld.acks.Load())
	nodes[leader].Shutdown()
	mark = ld.acks.Load()
	streamed := subs[2].count()
	waitUntil(ctx, t, "150 more acknowledged webhooks without the NATS node", func() bool { return ld.acks.Load() >= mark+150 })
	waitUntil(ctx, t, "C's subscriber receiving after the NATS node loss", func() bool { return subs[2].count() > streamed+100 })
	ld.stop()
	acked, unacked := ld.result()
	for id, err := range unacked {
		t.Errorf("webhook %s was not acknowledged within %s: %v", id, retryWindow, err)
	}
	t.Logf("%d webhooks acknowledged, %d retries; the slowest took %s to be acknowledged", len(acked), ld.retries.Load(), ld.slowest)

	const final = "cluster-final"
	postOK(ctx, t, client, []string{gws[1].webhook, gws[2].webhook}, final, retryWindow)
	want := maps.Clone(acked)
	want[hello], want[final] = true, true
	for _, s := range subs {
		s.waitFor(ctx, t, final)
		s.checkStream(t, want, epoch)
	}
	if n := subs[0].resumes.Load(); n > 0 {
		t.Logf("A's subscriber resumed %d more time(s) on B", n)
	}
	// B's and C's streams stayed open through both losses.
	for _, s := range subs[1:] {
		if ended, err := s.streamEnded(); ended {
			t.Errorf("%s: the stream ended with %v", s.name, err)
		}
	}
}

// streamLeader returns the index of the node that leads the gateway's stream.
func streamLeader(ctx context.Context, t *testing.T, nodes []*natsembed.Server) int {
	t.Helper()
	nc, err := nodes[0].Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var leader string
	waitUntil(ctx, t, "the stream's leader", func() bool {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := js.Stream(rctx, eventlog.DefaultStreamName)
		if err != nil {
			return false
		}
		info, err := st.Info(rctx)
		if err != nil || info.Cluster == nil {
			return false
		}
		leader = info.Cluster.Leader
		return leader != ""
	})
	i := slices.IndexFunc(nodes, func(n *natsembed.Server) bool { return n.Name() == leader })
	if i < 0 {
		t.Fatalf("the stream's leader %q is not one of the nodes", leader)
	}
	return i
}
