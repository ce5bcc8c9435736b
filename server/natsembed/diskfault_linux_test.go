package natsembed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"

	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// mountTmpfs mounts a tmpfs of size bytes on a new directory and unmounts it
// when the test ends (after the cleanups registered later, such as the
// server's shutdown). It skips the test where mounting is not permitted.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("this test mounts a small tmpfs to fill it up, and mount is not permitted here (run it as root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillDisk writes a file in dir until the file system is full.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte{'x'}, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return name
		}
	}
}

// TestRecoverAfterDiskFault breaks the data directory's file system until
// JetStream cannot store, and repairs it (a read-only directory is tested in
// test/durability, with the gateway running as a user that is not root):
// Check must fail while the stream cannot take messages, and Watch must
// bring JetStream back by itself (restarting the server inside), with the
// messages stored before.
func TestRecoverAfterDiskFault(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(t *testing.T, dir string) (repair func())
	}{
		{"full", func(t *testing.T, dir string) func() {
			filler := fillDisk(t, dir)
			return func() {
				if err := os.Remove(filler); err != nil {
					t.Fatal(err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { testDiskFault(t, tc.break_) })
	}
}

func testDiskFault(t *testing.T, breakDisk func(t *testing.T, dir string) (repair func())) {
	dir := mountTmpfs(t, 8<<20)
	var logs logbuf.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("NATS server log:\n%s", logs.String())
		}
	})
	s := start(t, natsembed.Options{DataDir: filepath.Join(dir, "data"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	nc := connect(t, s)
	ctx := testContext(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "DISK", Subjects: []string{"disk"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatalf("create stream: %v", err)
	}
	publish := func(i int) error {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err := js.Publish(pctx, "disk", bytes.Repeat([]byte{byte('a' + i%26)}, 16<<10))
		return err
	}
	if err := publish(0); err != nil {
		t.Fatalf("publish on an empty disk: %v", err)
	}

	reports := make(chan error, 16)
	wctx, stop := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { s.Watch(wctx, 20*time.Millisecond, func(err error) { reports <- err }); close(watched) }()
	t.Cleanup(func() { stop(); <-watched })

	repair := breakDisk(t, dir)
	acked := 1
	var failed error
	for i := 1; i < 200 && failed == nil; i++ {
		if err := publish(i); err != nil {
			failed = err
		} else {
			acked++
		}
	}
	if failed == nil {
		t.Fatal("every publish succeeded on a broken disk")
	}
	t.Logf("after %d acknowledged messages, a publish failed: %v", acked, failed)

	select {
	case err := <-reports:
		if err == nil {
			t.Fatal("Watch reported healthy first")
		}
		t.Logf("Watch reported: %v", err)
	case <-ctx.Done():
		t.Fatalf("Watch reported nothing while publishes fail (last: %v); Check says %v", failed, s.Check())
	}
	if err := publish(1000); err == nil {
		t.Fatal("a publish succeeded while the disk is still broken")
	}

	repair()
	for {
		select {
		case err := <-reports:
			if err != nil {
				continue
			}
		case <-ctx.Done():
			t.Fatalf("JetStream did not recover after the disk was repaired: %v", s.Check())
		}
		break
	}
	// The stream is back with the messages acknowledged before.
	if err := publish(2000); err != nil {
		t.Fatalf("publish after recovery: %v", err)
	}
	st, err := js.Stream(ctx, "DISK")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs < uint64(acked)+1 {
		t.Fatalf("the stream holds %d messages after recovery, want at least the %d acknowledged ones", info.State.Msgs, acked+1)
	}
}

// TestRecoverAfterStoreLimit fills a stream until JetStream's storage limit,
// which nats-server sized from the small disk's free space at start, leaves
// no room: Check must say so (nats-server itself reports healthy, and every
// publish fails as "insufficient resources" until a restart), and once space
// is freed (here by purging the stream) Watch must bring JetStream back with
// a limit sized from the space free then.
func TestRecoverAfterStoreLimit(t *testing.T) {
	dir := mountTmpfs(t, 8<<20)
	var logs logbuf.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("NATS server log:\n%s", logs.String())
		}
	})
	s := start(t, natsembed.Options{DataDir: filepath.Join(dir, "data"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	nc := connect(t, s)
	ctx := testContext(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LIMIT", Subjects: []string{"limit"}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatalf("create stream: %v", err)
	}
	reports := make(chan error, 64)
	wctx, stop := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { s.Watch(wctx, 20*time.Millisecond, func(err error) { reports <- err }); close(watched) }()
	t.Cleanup(func() { stop(); <-watched })

	var failed error
	for i := 0; i < 1000 && failed == nil; i++ {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, failed = js.Publish(pctx, "limit", bytes.Repeat([]byte{'l'}, 64<<10))
		cancel()
	}
	if failed == nil {
		t.Fatal("every publish succeeded")
	}
	t.Logf("a publish failed: %v", failed)
	var reported error
	for reported == nil {
		select {
		case reported = <-reports:
		case <-ctx.Done():
			t.Fatalf("Watch reported nothing while publishes fail (%v); Check says %v", failed, s.Check())
		}
	}
	t.Logf("Watch reported: %v", reported)

	if err := st.Purge(ctx); err != nil {
		t.Fatalf("purge: %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.Publish(pctx, "limit", []byte("after"))
		cancel()
		if err == nil && s.Check() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("JetStream did not recover after the stream was purged: publish: %v; Check: %v", err, s.Check())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRecoverRestartsServer fills the data directory's file system until a
// publish fails and frees it again: Recover must restart the nats-server
// with the same name and client address on the same files, the stream must
// keep its creation time (the event log's epoch derives from it) and its
// messages, and a client connected before the restart must reconnect by
// itself, keep its subscriptions and get a JetStream ack for a publish after
// it.
func TestRecoverRestartsServer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		listen string
	}{
		{"in-process", ""},
		{"client port", "127.0.0.1:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := mountTmpfs(t, 8<<20)
			var logs logbuf.Buffer
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("NATS server log:\n%s", logs.String())
				}
			})
			s := start(t, natsembed.Options{DataDir: filepath.Join(dir, "data"), Listen: tc.listen,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			name, url := s.Name(), s.ClientURL()
			nc := connect(t, s)
			ctx := testContext(t)
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "DISK", Subjects: []string{"disk"}, Storage: jetstream.FileStorage})
			if err != nil {
				t.Fatalf("create stream: %v", err)
			}
			created := st.CachedInfo().Created
			sub, err := nc.SubscribeSync("core")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := js.Publish(ctx, "disk", []byte("before")); err != nil {
				t.Fatalf("publish on an empty disk: %v", err)
			}
			acked := 1
			var failed error
			filler := fillDisk(t, dir)
			for i := 0; i < 200 && failed == nil; i++ {
				pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				_, failed = js.Publish(pctx, "disk", bytes.Repeat([]byte{'d'}, 16<<10))
				cancel()
				if failed == nil {
					acked++
				}
			}
			if failed == nil {
				t.Fatal("every publish succeeded on a full disk")
			}
			if err := s.Check(); err == nil {
				t.Fatalf("Check passes after a publish failed on a full disk: %v", failed)
			}
			if err := s.Recover(); err == nil {
				t.Fatal("Recover passed while the disk is still full")
			}

			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			if err := s.Recover(); err != nil {
				t.Fatalf("Recover once the disk has room: %v", err)
			}
			if got := s.Name(); got != name {
				t.Errorf("the restarted server is named %q, want %q", got, name)
			}
			if got := s.ClientURL(); got != url {
				t.Errorf("the restarted server's client URL is %q, want %q", got, url)
			}
			// The client follows: it reconnects by itself.
			for nc.Status() != nats.CONNECTED || nc.Reconnects == 0 {
				if ctx.Err() != nil {
					t.Fatalf("the client did not reconnect to the restarted server: status %s, %d reconnects", nc.Status(), nc.Reconnects)
				}
				time.Sleep(10 * time.Millisecond)
			}
			ack, err := js.Publish(ctx, "disk", []byte("after"))
			if err != nil {
				t.Fatalf("publish after the restart: %v", err)
			}
			// A publish that failed on the full disk may still have been
			// stored: the stream holds at least the acked ones.
			if ack.Stream != "DISK" || ack.Sequence <= uint64(acked) {
				t.Errorf("the publish after the restart was acked as %s #%d, want DISK after #%d", ack.Stream, ack.Sequence, acked)
			}
			info, err := st.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !info.Created.Equal(created) {
				t.Errorf("the stream was created at %s before the restart and at %s after it: its epoch changed", created, info.Created)
			}
			if info.State.Msgs < uint64(acked)+1 || info.State.LastSeq != ack.Sequence {
				t.Errorf("the stream holds %d messages up to #%d, want the %d acked before the restart and #%d after it",
					info.State.Msgs, info.State.LastSeq, acked, ack.Sequence)
			}
			if err := nc.Publish("core", []byte("still subscribed")); err != nil {
				t.Fatal(err)
			}
			if msg, err := sub.NextMsg(time.Minute); err != nil {
				t.Errorf("the subscription made before the restart got nothing after it: %v", err)
			} else if string(msg.Data) != "still subscribed" {
				t.Errorf("the subscription got %q", msg.Data)
			}
		})
	}
}
