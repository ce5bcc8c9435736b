package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/checkpoint"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// checkpointApps are the apps the checkpoint tests' traffic belongs to: one
// with string accounts, one with Tencent's large numeric ones.
var checkpointApps = []uint32{testApp, testApp + 1}

// trafficSource posts realistic traffic (calls, live rooms, viewers, TRTC
// events) and remembers which calls it started.
type trafficSource struct {
	model *traffic.Model
	gen   *traffic.Generator
	calls int64 // call indexes below it were started
	clock time.Time
}

func newTrafficSource() *trafficSource {
	m := &traffic.Model{Apps: checkpointApps, ActiveCalls: 6, RunID: 0x5eed}
	m.Mix[traffic.Calls], m.Mix[traffic.Live], m.Mix[traffic.Viewers], m.Mix[traffic.TRTC] = 2, 2, 1, 1
	src := &trafficSource{model: m, clock: time.Now().Add(-time.Hour).Truncate(time.Second)}
	// A clock of its own, 10ms a callback: event times are not the test's.
	src.gen = traffic.NewGenerator(m, 0, func() time.Time {
		src.clock = src.clock.Add(10 * time.Millisecond)
		return src.clock
	})
	return src
}

// post posts n callbacks to s; each must be accepted.
func (src *trafficSource) post(t *testing.T, s *server.Server, n int) {
	t.Helper()
	for range n {
		wh := src.gen.Next()
		if wh.Call >= src.calls {
			src.calls = wh.Call + 1
		}
		if wh.Family == traffic.TRTC {
			if code, answer := postTRTC(t, s, wh.App, "", wh.Body); code != http.StatusOK {
				t.Fatalf("post TRTC event: %d %v", code, answer)
			}
			continue
		}
		postOK(t, s, wh.App, wh.Command, wh.Body)
	}
}

// caughtUp waits until s's projections have applied every event of its log.
func caughtUp(t *testing.T, s *server.Server) uint64 {
	t.Helper()
	_, head, err := s.Log().Bounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, func() (float64, error) {
		v := metricSample(t, s, "trtcgw_follower_sequence")
		if v < float64(head) {
			return v, fmt.Errorf("the projections are at %v of %d", v, head)
		}
		return v, nil
	})
	return head
}

// metric reads one sample of s's /metrics, by its name and labels as
// Prometheus prints them (`name{a="b"}`); -1 when there is none.
func metricSample(t *testing.T, s *server.Server, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + s.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if ok && name == series {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return v
		}
	}
	return -1
}

// restoredFrom is the source each projection's state came from at start.
func restoredFrom(t *testing.T, s *server.Server) string {
	t.Helper()
	var out []string
	for _, p := range []string{"calls", "rooms"} {
		src := "none"
		for _, from := range []string{"checkpoint", "log"} {
			if metricSample(t, s, fmt.Sprintf(`trtcgw_state_restore_source{projection=%q,source=%q}`, p, from)) == 1 {
				src = from
			}
		}
		out = append(out, p+"="+src)
	}
	return strings.Join(out, " ")
}

// stateAnswers asks s, through its gRPC API, everything the traffic of src
// could have told it: every call (GetCall, GetCallRecord), every page of
// each app's call records and live rooms, and every live room; each answer
// (or error code) is keyed by the question.
func stateAnswers(t *testing.T, s *server.Server, src *trafficSource) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c := dialState(t, s)
	// The first answer waits for the projections to be ready.
	eventually(t, func() (*gatewayv1.ListRoomsResponse, error) {
		return c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: checkpointApps[0]})
	})
	out := map[string]string{}
	add := func(key string, m proto.Message, err error) {
		if err != nil {
			if st, ok := status.FromError(err); ok && st.Code() == codes.NotFound {
				out[key] = "NOT_FOUND"
				return
			}
			t.Fatalf("%s: %v", key, err)
		}
		out[key] = protojson.Format(m)
	}
	for _, app := range checkpointApps {
		for i := range src.calls {
			id := src.model.CallID(i)
			r1, err := c.calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: app, CallId: id})
			add(fmt.Sprintf("GetCall %d %s", app, id), r1, err)
			r2, err := c.calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: app, CallId: id})
			add(fmt.Sprintf("GetCallRecord %d %s", app, id), r2, err)
		}
		token := ""
		for page := 0; ; page++ {
			r, err := c.calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: app, PageSize: 7, PageToken: token})
			add(fmt.Sprintf("ListCallRecords %d page %d", app, page), r, err)
			if token = r.GetNextPageToken(); token == "" {
				break
			}
		}
		token = ""
		for page := 0; ; page++ {
			r, err := c.rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: app, PageSize: 3, PageToken: token})
			add(fmt.Sprintf("ListRooms %d page %d", app, page), r, err)
			for _, room := range r.GetRooms() {
				g, err := c.rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: app, RoomId: room.GetRoomId()})
				add(fmt.Sprintf("GetRoom %d %s", app, room.GetRoomId()), g, err)
			}
			if token = r.GetNextPageToken(); token == "" {
				break
			}
		}
	}
	return out
}

// sameAnswers fails the test when two gateways answered differently.
func sameAnswers(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	bad := 0
	for _, k := range keys {
		if want[k] != got[k] {
			if bad++; bad <= 3 {
				t.Errorf("%s: %s differs:\n--- want\n%s\n--- got\n%s", what, k, want[k], got[k])
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d answers of %d differ", what, bad, len(keys))
	}
}

// startCfg starts a gateway with cfg; it is shut down at the end of the test
// unless the test did.
func startCfg(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s
}

// stopWithoutCheckpoint stops s the way a crash does as far as checkpoints
// go: the shutdown's time is up before the final checkpoint.
func stopWithoutCheckpoint(s *server.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.Shutdown(ctx)
}

func stop(t *testing.T, s *server.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointRestart: a gateway restored from a checkpoint, with the
// events logged after the checkpoint replayed on top, answers every
// question exactly as the gateway before the restart did and as a gateway
// that rebuilt from the log alone; after a graceful shutdown, whose last
// checkpoint is at the head, the next start replays nothing and answers
// the same again.
func TestCheckpointRestart(t *testing.T) {
	cfg := jetStreamConfig(t.TempDir(), "")
	cfg.CheckpointInterval = time.Hour // only explicit checkpoints
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	src := newTrafficSource()

	s1 := startCfg(t, cfg)
	src.post(t, s1, 300)
	atCheckpoint := caughtUp(t, s1)
	if err := s1.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if got := metricSample(t, s1, `trtcgw_checkpoint_sequence{projection="calls"}`); got != float64(atCheckpoint) {
		t.Fatalf("trtcgw_checkpoint_sequence{calls} = %v, want %d", got, atCheckpoint)
	}
	if got := metricSample(t, s1, `trtcgw_checkpoint_bytes{projection="rooms"}`); got <= 0 {
		t.Fatalf("trtcgw_checkpoint_bytes{rooms} = %v", got)
	}
	src.post(t, s1, 200) // after the checkpoint: replayed at the restart
	head := caughtUp(t, s1)
	before := stateAnswers(t, s1, src)
	for _, q := range []string{"GetCallRecord ", "GetCall ", "GetRoom "} {
		if n := found(before, q); n < 5 {
			t.Fatalf("only %d answers to %q to compare", n, q)
		}
	}
	stopWithoutCheckpoint(s1)

	s2 := startCfg(t, cfg)
	after := stateAnswers(t, s2, src)
	if got := restoredFrom(t, s2); got != "calls=checkpoint rooms=checkpoint" {
		t.Fatalf("restored from %s", got)
	}
	if got := metricSample(t, s2, `trtcgw_checkpoint_sequence{projection="calls"}`); got != float64(atCheckpoint) {
		t.Errorf("restored checkpoint at %v, want %d", got, atCheckpoint)
	}
	if caughtUp(t, s2) != head {
		t.Fatal("the log grew across the restart")
	}
	sameAnswers(t, "restored from a checkpoint and replayed", before, after)
	stop(t, s2) // its final checkpoint is at the head

	noCheckpoints := cfg
	noCheckpoints.CheckpointInterval = 0
	s3 := startCfg(t, noCheckpoints)
	sameAnswers(t, "rebuilt from the log alone", before, stateAnswers(t, s3, src))
	if got := restoredFrom(t, s3); got != "calls=none rooms=none" {
		t.Errorf("with --checkpoint-interval=0: restore metrics say %s", got)
	}
	if err := s3.Checkpoint(ctx); !errors.Is(err, server.ErrNoCheckpoints) {
		t.Errorf("Checkpoint with checkpoints off = %v, want ErrNoCheckpoints", err)
	}
	stop(t, s3)

	s4 := startCfg(t, cfg)
	sameAnswers(t, "restored from the shutdown's checkpoint", before, stateAnswers(t, s4, src))
	if got := metricSample(t, s4, `trtcgw_checkpoint_sequence{projection="rooms"}`); got != float64(head) {
		t.Errorf("the shutdown's checkpoint is at %v, want the head %d", got, head)
	}
	// Events after the restore are applied as usual.
	src.post(t, s4, 50)
	caughtUp(t, s4)
	live := stateAnswers(t, s4, src)
	stop(t, s4)
	s5 := startCfg(t, noCheckpoints)
	sameAnswers(t, "after more events", live, stateAnswers(t, s5, src))
}

// externalNATS runs a NATS server for gateways started with --nats-url,
// so that a test can reach the stream and the bucket under them, and stop
// and restart NATS while a gateway runs.
type externalNATS struct {
	dir, listen string
	srv         *natsembed.Server
}

func startNATS(t *testing.T) *externalNATS {
	t.Helper()
	n := &externalNATS{dir: t.TempDir(), listen: closedPort(t)}
	n.start(t)
	t.Cleanup(func() { n.srv.Shutdown() })
	return n
}

func (n *externalNATS) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	srv, err := natsembed.Start(ctx, natsembed.Options{DataDir: n.dir, Listen: n.listen})
	if err != nil {
		t.Fatal(err)
	}
	n.srv = srv
}

// config is a gateway on this NATS server.
func (n *externalNATS) config() server.Config {
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.NATSURL = "nats://" + n.listen
	cfg.CheckpointInterval = time.Hour
	return cfg
}

func (n *externalNATS) connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect("nats://" + n.listen)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestUnusableCheckpointsAreRebuilt: a checkpoint whose content does not
// decode, and an object in the bucket the gateway did not write, are
// reported and the projections rebuilt from the log, with the same
// answers; so is a checkpoint of a stream since recreated (a new epoch),
// whose events the new log does not hold.
func TestUnusableCheckpointsAreRebuilt(t *testing.T) {
	n := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	src := newTrafficSource()
	cfg := n.config()
	s1 := startCfg(t, cfg)
	src.post(t, s1, 200)
	seq := caughtUp(t, s1)
	epoch := s1.Log().Epoch()
	before := stateAnswers(t, s1, src)
	stop(t, s1)

	nc := n.connect(t)
	store, err := checkpoint.OpenJetStream(nc, checkpoint.JetStreamOptions{Stream: cfg.Stream})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := store.Info(ctx, "calls"); err != nil || m.Sequence != seq || m.Epoch != epoch {
		t.Fatalf("the shutdown's checkpoint: %+v, %v; want sequence %d of epoch %s", m, err, seq, epoch)
	}
	// Garbage under the right metadata, and a stranger's object.
	if err := store.Save(ctx, checkpoint.Meta{Name: "calls", Epoch: epoch, Sequence: seq, Format: checkpoint.Format}, []byte("not a snapshot")); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := js.ObjectStore(ctx, store.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obs.PutString(ctx, "rooms", "somebody else's object"); err != nil {
		t.Fatal(err)
	}
	s2 := startCfg(t, cfg)
	sameAnswers(t, "rebuilt after unusable checkpoints", before, stateAnswers(t, s2, src))
	if got := restoredFrom(t, s2); got != "calls=log rooms=log" {
		t.Fatalf("restored from %s, want the log for both", got)
	}
	stop(t, s2) // writes good checkpoints over the bad ones

	// Recreate the stream: the checkpoints belong to the old epoch.
	if err := js.DeleteStream(ctx, cfg.Stream); err != nil {
		t.Fatal(err)
	}
	s3 := startCfg(t, cfg)
	if s3.Log().Epoch() == epoch {
		t.Fatal("the recreated stream kept its epoch")
	}
	after := stateAnswers(t, s3, src)
	if got := restoredFrom(t, s3); got != "calls=log rooms=log" {
		t.Fatalf("restored from %s on a new epoch, want the log", got)
	}
	for k, v := range after {
		if strings.HasPrefix(k, "Get") && v != "NOT_FOUND" {
			t.Fatalf("%s on a recreated, empty log: %s", k, v)
		}
	}
}

// TestCheckpointWhileNATSIsDown: a checkpoint that cannot be written is
// reported and counted, and the gateway goes on; once NATS is back the
// next one is written.
func TestCheckpointWhileNATSIsDown(t *testing.T) {
	n := startNATS(t)
	src := newTrafficSource()
	s := startCfg(t, n.config())
	src.post(t, s, 100)
	caughtUp(t, s)
	n.srv.Shutdown()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	err := s.Checkpoint(ctx)
	cancel()
	if !errors.Is(err, eventlog.ErrUnavailable) {
		t.Fatalf("Checkpoint with NATS down = %v, want ErrUnavailable", err)
	}
	if got := metricSample(t, s, `trtcgw_checkpoint_failures_total{projection="calls"}`); got < 1 {
		t.Errorf("failures counted: %v", got)
	}
	n.start(t)
	src.post(t, s, 10) // the webhook takes events again once reconnected
	caughtUp(t, s)
	eventually(t, func() (bool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return true, s.Checkpoint(ctx)
	})
	if got := metricSample(t, s, `trtcgw_checkpoints_written_total{projection="calls"}`); got != 1 {
		t.Errorf("checkpoints written: %v, want 1", got)
	}
}

// TestLiveDeliveryDuringRestore: while the projections are being restored
// (held here before they download their checkpoints), a subscriber gets new
// events at once and the state RPCs answer UNAVAILABLE saying so; once
// released, the state is there.
func TestLiveDeliveryDuringRestore(t *testing.T) {
	n := startNATS(t)
	src := newTrafficSource()
	cfg := n.config()
	s1 := startCfg(t, cfg)
	src.post(t, s1, 100)
	caughtUp(t, s1)
	before := stateAnswers(t, s1, src)
	stop(t, s1)

	release := make(chan struct{})
	var once sync.Once
	held := make(chan struct{})
	reset := server.SetRestoreHook(func(ctx context.Context, _ string) {
		once.Do(func() { close(held) })
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	s2 := startCfg(t, cfg)
	reset()
	<-held
	st, cancelSub := subscribe(t, dial(t, s2), &gatewayv1.SubscribeRequest{})
	defer cancelSub()
	postOK(t, s2, testApp, cmdStart, sample(t, "start_call"))
	if evs := recvEvents(t, st, 1); evs[0].GetCallId() != sampleCallID {
		t.Fatalf("live event %v", evs[0])
	}
	_, err := dialState(t, s2).calls.GetCall(context.Background(), &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "checkpoint") {
		t.Fatalf("GetCall while restoring = %v, want UNAVAILABLE saying the state is being restored", err)
	}
	close(release)
	after := stateAnswers(t, s2, src)
	if got := restoredFrom(t, s2); got != "calls=checkpoint rooms=checkpoint" {
		t.Fatalf("restored from %s", got)
	}
	sameAnswers(t, "restored while live delivery went on", before, after)
	call := eventually(t, func() (*gatewayv1.GetCallResponse, error) {
		return dialState(t, s2).calls.GetCall(context.Background(), &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: sampleCallID})
	})
	if call.GetCall().GetCoverage().GetEventCount() != 1 {
		t.Errorf("the event posted during the restore: %v", call)
	}
}

// found counts the answers to questions starting with prefix that found
// something, so that a comparison is not one of empty answers.
func found(answers map[string]string, prefix string) int {
	n := 0
	for k, v := range answers {
		if strings.HasPrefix(k, prefix) && v != "NOT_FOUND" {
			n++
		}
	}
	return n
}

// TestReplicasShareCheckpoints: two gateways on one NATS system share the
// bucket; a checkpoint one wrote at the head is not written again by the
// other, which writes one only once it has something newer.
func TestReplicasShareCheckpoints(t *testing.T) {
	n := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	src := newTrafficSource()
	a, b := startCfg(t, n.config()), startCfg(t, n.config())
	src.post(t, a, 100)
	head := caughtUp(t, a)
	if err := a.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() (uint64, error) {
		if got := caughtUp(t, b); got != head {
			return got, fmt.Errorf("replica b at %d of %d", got, head)
		}
		return head, nil
	})
	if err := b.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	written := func(s *server.Server) float64 {
		return metricSample(t, s, `trtcgw_checkpoints_written_total{projection="calls"}`)
	}
	if wa, wb := written(a), written(b); wa != 1 || wb != 0 {
		t.Fatalf("checkpoints written: a %v, b %v; want 1 and 0 (b's would be no newer)", wa, wb)
	}
	src.post(t, b, 10)
	caughtUp(t, b)
	if err := b.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if wb := written(b); wb != 1 {
		t.Fatalf("b wrote %v checkpoints with newer events, want 1", wb)
	}
}

// TestCheckpointKeepsWhatLeftTheLog: with retention dropping the oldest
// events, a gateway restored from a checkpoint still knows what the gateway
// that wrote it knew from them (the first events of a call), as a gateway
// that never stopped does, while one rebuilt from the log knows only the
// retained events.
func TestCheckpointKeepsWhatLeftTheLog(t *testing.T) {
	n := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cfg := n.config()
	cfg.Retention = 150
	src := newTrafficSource()
	s1 := startCfg(t, cfg)
	src.post(t, s1, 400)
	caughtUp(t, s1)
	if err := s1.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	src.post(t, s1, 100) // within retention of the checkpoint: replayed
	caughtUp(t, s1)
	neverStopped := stateAnswers(t, s1, src)
	stopWithoutCheckpoint(s1)

	s2 := startCfg(t, cfg)
	sameAnswers(t, "restored, against the gateway that never stopped", neverStopped, stateAnswers(t, s2, src))
	if got := restoredFrom(t, s2); got != "calls=checkpoint rooms=checkpoint" {
		t.Fatalf("restored from %s", got)
	}
	stopWithoutCheckpoint(s2)

	noCheckpoints := cfg
	noCheckpoints.CheckpointInterval = 0
	rebuilt := stateAnswers(t, startCfg(t, noCheckpoints), src)
	differ := 0
	for k, v := range neverStopped {
		if rebuilt[k] != v {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("retention dropped nothing a rebuild would miss: the test proves nothing")
	}
}

// TestShutdownDuringRestore: a gateway stopped while its projections are
// still being restored stops at once and leaves the stored checkpoint as it
// was, which the next start restores.
func TestShutdownDuringRestore(t *testing.T) {
	n := startNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	src := newTrafficSource()
	cfg := n.config()
	s1 := startCfg(t, cfg)
	src.post(t, s1, 100)
	head := caughtUp(t, s1)
	before := stateAnswers(t, s1, src)
	stop(t, s1) // checkpoint at the head

	held := make(chan struct{})
	var once sync.Once
	reset := server.SetRestoreHook(func(ctx context.Context, _ string) {
		once.Do(func() { close(held) })
		<-ctx.Done() // released only by the shutdown
	})
	s2 := startCfg(t, cfg)
	reset()
	<-held
	stop(t, s2)

	store, err := checkpoint.OpenJetStream(n.connect(t), checkpoint.JetStreamOptions{Stream: cfg.Stream})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"calls", "rooms"} {
		if m, err := store.Info(ctx, p); err != nil || m.Sequence != head {
			t.Fatalf("%s's checkpoint after a shutdown during the restore: %+v, %v; want it at %d still", p, m, err, head)
		}
	}
	s3 := startCfg(t, cfg)
	sameAnswers(t, "restored after a shutdown during the previous restore", before, stateAnswers(t, s3, src))
	if got := restoredFrom(t, s3); got != "calls=checkpoint rooms=checkpoint" {
		t.Fatalf("restored from %s", got)
	}
}
