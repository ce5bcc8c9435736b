package durability_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/internal/traffic"
)

// TestCheckpointAfterSIGKILL: a gateway writes a checkpoint and is killed;
// the next one restores it, takes more events and is killed in turn, with
// no checkpoint of those; the one after restores the same checkpoint and
// replays them. Each answers every call and room question exactly as the
// gateway before the kill did, and as a gateway that rebuilt from the log
// alone (--checkpoint-interval=0).
func TestCheckpointAfterSIGKILL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	src := newCheckpointTraffic()
	client := newHTTPClient(t)

	gw := startGateway(t, "gateway", "--data-dir="+dataDir, "--checkpoint-interval=1s")
	src.post(ctx, t, client, gw, 300)
	head := gw.caughtUp(ctx, t)
	waitUntil(ctx, t, "a checkpoint of both projections at the head", func() bool {
		return gw.metric(t, `trtcgw_checkpoint_sequence{projection="calls"}`) == float64(head) &&
			gw.metric(t, `trtcgw_checkpoint_sequence{projection="rooms"}`) == float64(head)
	})
	atCheckpoint := gw.answers(ctx, t, src)
	if n := found(atCheckpoint, "GetCallRecord "); n < 5 {
		t.Fatalf("only %d call records to compare", n)
	}
	if n := found(atCheckpoint, "GetRoom "); n < 2 {
		t.Fatalf("only %d live rooms to compare", n)
	}
	gw.kill(t)

	gw = startGateway(t, "gateway after the first SIGKILL", "--data-dir="+dataDir, "--checkpoint-interval=1h")
	sameStateAnswers(t, "restored after SIGKILL", atCheckpoint, gw.answers(ctx, t, src))
	gw.restoredFromCheckpoint(t, head)
	src.post(ctx, t, client, gw, 200) // not in any checkpoint
	gw.caughtUp(ctx, t)
	beforeKill := gw.answers(ctx, t, src)
	gw.kill(t)

	gw = startGateway(t, "gateway after the second SIGKILL", "--data-dir="+dataDir, "--checkpoint-interval=1h")
	sameStateAnswers(t, "restored and the tail replayed", beforeKill, gw.answers(ctx, t, src))
	gw.restoredFromCheckpoint(t, head)
	gw.terminate(t)

	gw = startGateway(t, "gateway without checkpoints", "--data-dir="+dataDir, "--checkpoint-interval=0")
	sameStateAnswers(t, "rebuilt from the log alone", beforeKill, gw.answers(ctx, t, src))
}

// checkpointTraffic is realistic traffic of testApp: calls, live rooms,
// viewers and TRTC events.
type checkpointTraffic struct {
	model *traffic.Model
	gen   *traffic.Generator
	calls int64
	clock time.Time
}

func newCheckpointTraffic() *checkpointTraffic {
	m := &traffic.Model{Apps: []uint32{testApp}, ActiveCalls: 6, RunID: 0xdead}
	m.Mix[traffic.Calls], m.Mix[traffic.Live], m.Mix[traffic.Viewers], m.Mix[traffic.TRTC] = 2, 2, 1, 1
	src := &checkpointTraffic{model: m, clock: time.Now().Add(-time.Hour).Truncate(time.Second)}
	src.gen = traffic.NewGenerator(m, 0, func() time.Time {
		src.clock = src.clock.Add(10 * time.Millisecond)
		return src.clock
	})
	return src
}

// post posts n callbacks to gw; each must be accepted.
func (src *checkpointTraffic) post(ctx context.Context, t *testing.T, c *http.Client, gw *gateway, n int) {
	t.Helper()
	for range n {
		wh := src.gen.Next()
		src.calls = max(src.calls, wh.Call+1)
		u := "http://" + gw.webhook + "/webhook"
		if wh.Family != traffic.TRTC {
			u += "?" + traffic.IMQuery(wh.App, wh.Command, "203.0.113.7", "iOS")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(wh.Body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if wh.Family == traffic.TRTC {
			req.Header.Set("SdkAppId", strconv.FormatUint(uint64(wh.App), 10))
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: answered %d", wh.Kind(), resp.StatusCode)
		}
	}
}

// metric reads one sample of gw's /metrics by its name and labels as
// Prometheus prints them; -1 when there is none.
func (gw *gateway) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + gw.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), " "); ok && name == series {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	return -1
}

// caughtUp waits until gw's projections are ready and have applied every
// event it has seen, and returns that head.
func (gw *gateway) caughtUp(ctx context.Context, t *testing.T) uint64 {
	t.Helper()
	var head float64
	waitUntil(ctx, t, gw.name+"'s projections to catch up", func() bool {
		head = gw.metric(t, "trtcgw_log_head_sequence")
		return gw.metric(t, "trtcgw_state_rebuild_seconds") > 0 && gw.metric(t, "trtcgw_follower_sequence") >= head
	})
	return uint64(head)
}

// restoredFromCheckpoint fails unless both projections were restored from
// the checkpoint at seq.
func (gw *gateway) restoredFromCheckpoint(t *testing.T, seq uint64) {
	t.Helper()
	for _, p := range []string{"calls", "rooms"} {
		if v := gw.metric(t, `trtcgw_state_restore_source{projection="`+p+`",source="checkpoint"}`); v != 1 {
			t.Errorf("%s: %s not restored from its checkpoint", gw.name, p)
		}
		if v := gw.metric(t, `trtcgw_checkpoint_sequence{projection="`+p+`"}`); v != float64(seq) {
			t.Errorf("%s: %s restored from the checkpoint at %v, want %d", gw.name, p, v, seq)
		}
	}
}

// answers asks gw, through its gRPC API, about every call src started and
// every live room of the app (every page), once its projections are ready.
func (gw *gateway) answers(ctx context.Context, t *testing.T, src *checkpointTraffic) map[string]string {
	t.Helper()
	conn, err := grpc.NewClient(gw.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	calls, rooms := gatewayv1.NewCallServiceClient(conn), gatewayv1.NewRoomServiceClient(conn)
	waitUntil(ctx, t, gw.name+"'s state to be ready", func() bool {
		_, err := rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: testApp})
		return err == nil
	})
	out := map[string]string{}
	add := func(key string, m proto.Message, err error) {
		switch {
		case status.Code(err) == codes.NotFound:
			out[key] = "NOT_FOUND"
		case err != nil:
			t.Fatalf("%s: %s: %v", gw.name, key, err)
		default:
			out[key] = protojson.Format(m)
		}
	}
	for i := range src.calls {
		id := src.model.CallID(i)
		r1, err := calls.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: testApp, CallId: id})
		add("GetCall "+id, r1, err)
		r2, err := calls.GetCallRecord(ctx, &gatewayv1.GetCallRecordRequest{SdkAppId: testApp, CallId: id})
		add("GetCallRecord "+id, r2, err)
	}
	for page, token := 0, ""; ; page++ {
		r, err := calls.ListCallRecords(ctx, &gatewayv1.ListCallRecordsRequest{SdkAppId: testApp, PageSize: 7, PageToken: token})
		add(fmt.Sprintf("ListCallRecords page %d", page), r, err)
		if token = r.GetNextPageToken(); token == "" {
			break
		}
	}
	for page, token := 0, ""; ; page++ {
		r, err := rooms.ListRooms(ctx, &gatewayv1.ListRoomsRequest{SdkAppId: testApp, PageSize: 3, PageToken: token})
		add(fmt.Sprintf("ListRooms page %d", page), r, err)
		for _, room := range r.GetRooms() {
			g, err := rooms.GetRoom(ctx, &gatewayv1.GetRoomRequest{SdkAppId: testApp, RoomId: room.GetRoomId()})
			add("GetRoom "+room.GetRoomId(), g, err)
		}
		if token = r.GetNextPageToken(); token == "" {
			break
		}
	}
	return out
}

// sameStateAnswers fails the test when two gateways answered differently.
func sameStateAnswers(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	bad := 0
	for _, k := range sorted {
		if want[k] != got[k] {
			if bad++; bad <= 3 {
				t.Errorf("%s: %s differs:\n--- want\n%s\n--- got\n%s", what, k, want[k], got[k])
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d answers of %d differ", what, bad, len(sorted))
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
