package checkpoint

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

const waitLimit = 20 * time.Second

// embedded starts a NATS server with JetStream for one test and connects to it.
func embedded(t *testing.T) (*natsembed.Server, *nats.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
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
	return srv, nc
}

func TestBucketName(t *testing.T) {
	for stream, want := range map[string]string{
		"":            "TRTC_EVENTS_CHECKPOINTS",
		"TRTC_EVENTS": "TRTC_EVENTS_CHECKPOINTS",
		"my-events":   "my-events_CHECKPOINTS",
		"ev$nts#1":    "ev_nts_1_CHECKPOINTS",
	} {
		if got := BucketName(stream); got != want {
			t.Errorf("BucketName(%q) = %q, want %q", stream, got, want)
		}
	}
}

// TestJetStreamStoreRoundTrip: nothing before the first Save (and no
// bucket: Info and Load do not create it); Save creates the bucket; a
// checkpoint comes back with its metadata and bytes, larger than a chunk;
// a second Save replaces it and leaves only its own chunks.
func TestJetStreamStoreRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, nc := embedded(t)
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Info(ctx, "calls"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Info before any Save = %v, want ErrNotFound", err)
	}
	if _, _, err := load(ctx, st, "calls"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load before any Save = %v, want ErrNotFound", err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.ObjectStore(ctx, st.Bucket()); !errors.Is(err, jetstream.ErrBucketNotFound) {
		t.Fatalf("the bucket exists before the first Save: %v", err)
	}

	data := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB: several chunks
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 42, Format: Format}, data); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Info(ctx, "rooms"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Info of another name = %v, want ErrNotFound", err)
	}
	m, got, err := load(ctx, st, "calls")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "calls" || m.Epoch != "e1" || m.Sequence != 42 || m.Format != Format || m.Bytes != int64(len(data)) || m.Written.IsZero() {
		t.Errorf("Load's metadata = %+v", m)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("Load returned %d bytes that differ from the %d saved", len(got), len(data))
	}
	info, err := st.Info(ctx, "calls")
	if err != nil || info.Sequence != 42 {
		t.Fatalf("Info = %+v, %v", info, err)
	}

	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 50, Format: Format}, []byte("newer")); err != nil {
		t.Fatal(err)
	}
	m, got, err = load(ctx, st, "calls")
	if err != nil || m.Sequence != 50 || string(got) != "newer" {
		t.Fatalf("after the second Save: %+v %q %v", m, got, err)
	}
	if subjects := chunkSubjects(ctx, t, js, st); len(subjects) != 1 {
		t.Errorf("chunk subjects after a replacement: %v, want the new object's only", subjects)
	}
}

// chunkSubjects lists the bucket's chunk subjects and their message counts.
func chunkSubjects(ctx context.Context, t *testing.T, js jetstream.JetStream, st *JetStream) map[string]uint64 {
	t.Helper()
	stream, err := js.Stream(ctx, "OBJ_"+st.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(st.chunkPrefix()+">"))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects
}

// TestKilledUploadKeepsThePreviousCheckpoint does what a process killed in
// the middle of Save leaves behind — chunks under a new id, and no object
// description naming them, since nats.go's Put publishes the description
// last — and checks that the previous checkpoint still loads whole, and
// that a later Save purges the orphaned chunks once they are old enough,
// and never an upload in progress.
func TestKilledUploadKeepsThePreviousCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, nc := embedded(t)
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 7, Format: Format}, []byte("the good one")); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	orphan := st.chunkPrefix() + "KILLEDUPLOAD"
	for i := range 3 {
		if _, err := js.Publish(ctx, orphan, fmt.Appendf(nil, "half of a newer checkpoint %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	m, got, err := load(ctx, st, "calls")
	if err != nil || m.Sequence != 7 || string(got) != "the good one" {
		t.Fatalf("Load after a killed upload = %+v %q %v, want the previous checkpoint", m, got, err)
	}

	// Young orphans may be an upload in progress on another replica: kept.
	if err := st.Save(ctx, Meta{Name: "rooms", Epoch: "e1", Sequence: 8, Format: Format}, []byte("rooms")); err != nil {
		t.Fatal(err)
	}
	if _, ok := chunkSubjects(ctx, t, js, st)[orphan]; !ok {
		t.Fatal("Save purged chunks younger than the orphan age")
	}
	// Old enough, they are purged; the checkpoints stay whole.
	st.orphan = time.Nanosecond
	if err := st.Save(ctx, Meta{Name: "rooms", Epoch: "e1", Sequence: 9, Format: Format}, []byte("rooms 2")); err != nil {
		t.Fatal(err)
	}
	subjects := chunkSubjects(ctx, t, js, st)
	if _, ok := subjects[orphan]; ok || len(subjects) != 2 {
		t.Fatalf("chunk subjects after Save with old orphans: %v, want the two objects' only", subjects)
	}
	for name, want := range map[string]string{"calls": "the good one", "rooms": "rooms 2"} {
		if _, got, err := load(ctx, st, name); err != nil || string(got) != want {
			t.Errorf("Load(%s) = %q, %v, want %q", name, got, err, want)
		}
	}
}

// TestForeignAndCorruptObjects: an object the gateway did not write is a
// *ForeignError, one whose chunks are gone a *CorruptError; neither is
// handed out as a checkpoint.
func TestForeignAndCorruptObjects(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, nc := embedded(t)
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 7, Format: Format}, bytes.Repeat([]byte("x"), 3<<20)); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	obs, err := js.ObjectStore(ctx, st.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := obs.PutString(ctx, "rooms", "somebody else's"); err != nil {
		t.Fatal(err)
	}
	var foreign *ForeignError
	if _, _, err := load(ctx, st, "rooms"); !errors.As(err, &foreign) {
		t.Errorf("Load of a foreign object = %v, want a *ForeignError", err)
	}
	if _, err := st.Info(ctx, "rooms"); !errors.As(err, &foreign) {
		t.Errorf("Info of a foreign object = %v, want a *ForeignError", err)
	}

	// Lose the first of the checkpoint's chunks, as a damaged store would.
	info, err := obs.GetInfo(ctx, "calls")
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(ctx, "OBJ_"+st.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject(st.chunkPrefix()+info.NUID), jetstream.WithPurgeKeep(uint64(info.Chunks-1))); err != nil {
		t.Fatal(err)
	}
	var corrupt *CorruptError
	if _, _, err := load(ctx, st, "calls"); !errors.As(err, &corrupt) {
		t.Errorf("Load of a checkpoint missing a chunk = %v, want a *CorruptError", err)
	}
}

// TestStoreUnavailable: with NATS gone, Save and Load fail with
// eventlog.ErrUnavailable, so the Keeper retries them or rebuilds.
func TestStoreUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	srv, nc := embedded(t)
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 7, Format: Format}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	srv.Shutdown()
	short, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	if err := st.Save(short, Meta{Name: "calls", Epoch: "e1", Sequence: 8, Format: Format}, []byte("y")); !errors.Is(err, eventlog.ErrUnavailable) {
		t.Errorf("Save with NATS down = %v, want ErrUnavailable", err)
	}
	if _, _, err := load(short, st, "calls"); !errors.Is(err, eventlog.ErrUnavailable) || !strings.Contains(err.Error(), st.Bucket()) {
		t.Errorf("Load with NATS down = %v, want ErrUnavailable naming the bucket", err)
	}
}

// load opens the checkpoint of name and reads its content whole.
func load(ctx context.Context, st *JetStream, name string) (Meta, []byte, error) {
	m, r, err := st.Open(ctx, name)
	if err != nil {
		return m, nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return m, data, err
}

// TestDigestMismatchWithholdsTheLastBytes: a content whose digest does not
// match (the bytes changed, the size did not) fails before its last byte
// is handed out, so a decoder that reads to the end never completes.
func TestDigestMismatchWithholdsTheLastBytes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, nc := embedded(t)
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("y"), 2<<20+17)
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 7, Format: Format}, data); err != nil {
		t.Fatal(err)
	}
	// Rewrite the object's description with another digest, as if its
	// chunks had been altered.
	js, _ := jetstream.New(nc)
	obs, err := js.ObjectStore(ctx, st.Bucket())
	if err != nil {
		t.Fatal(err)
	}
	info, err := obs.GetInfo(ctx, "calls")
	if err != nil {
		t.Fatal(err)
	}
	info.Digest = "SHA-256=" + strings.Repeat("A", 43) + "="
	raw, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("$O." + st.Bucket() + ".M." + base64.URLEncoding.EncodeToString([]byte("calls")))
	msg.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	msg.Data = raw
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
	_, r, err := st.Open(ctx, "calls")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) {
		t.Fatalf("reading a content with another digest: %v, want a *CorruptError", err)
	}
	if len(got) >= len(data) {
		t.Fatalf("the reader handed out all %d bytes before failing", len(got))
	}
}

// TestCheckpointLeavesRoomForTheLog: under an account with a JetStream
// storage limit, a checkpoint that would take more than half of what is
// left is refused (the event log shares that storage), and a small one
// is stored.
func TestCheckpointLeavesRoomForTheLog(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, `
listen: "127.0.0.1:-1"
jetstream { store_dir: %q }
accounts { GW { jetstream { max_file: 4MB, max_mem: 1MB }, users [{user: gw, password: gw}] } }
`, filepath.Join(dir, "js")), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := natsserver.ProcessConfigFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	opts.NoLog, opts.NoSigs = true, true
	ns, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(waitLimit) {
		t.Fatal("NATS did not start")
	}
	nc, err := nats.Connect(ns.ClientURL(), nats.UserInfo("gw", "gw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	st, err := OpenJetStream(nc, JetStreamOptions{Stream: "EVENTS"})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 1, Format: Format}, make([]byte, 3<<20))
	if !errors.Is(err, eventlog.ErrUnavailable) || !strings.Contains(err.Error(), "event log needs") {
		t.Fatalf("a checkpoint of 3 MiB under a 4 MB limit: %v, want it refused", err)
	}
	if err := st.Save(ctx, Meta{Name: "calls", Epoch: "e1", Sequence: 1, Format: Format}, make([]byte, 100<<10)); err != nil {
		t.Fatalf("a checkpoint of 100 KiB under a 4 MB limit: %v", err)
	}
}
