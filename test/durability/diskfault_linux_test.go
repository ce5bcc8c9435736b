package durability_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// diskFaultTimeout bounds each phase of a disk fault test: the gateway checks
// its store every second, and a recovery restarts the embedded NATS server.
const diskFaultTimeout = 60 * time.Second

// mountTmpfs mounts a tmpfs of size bytes on a new directory, unmounted when
// the test ends (after the gateway, started later, has stopped). It skips the
// test where mounting is not permitted.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		t.Skipf("this test fills a small tmpfs, and mounting one is not permitted here (run it as root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillDisk writes a file in dir until its file system is full and returns
// the file's name.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := bytes.Repeat([]byte{'x'}, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return name
		}
	}
}

// health returns the gateway's /healthz status code and its gRPC health
// status for the whole server.
func health(ctx context.Context, t *testing.T, c *http.Client, hc healthpb.HealthClient, gw *gateway) (int, healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	code := 0
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+gw.http+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := c.Do(req); err == nil {
		code = resp.StatusCode
		resp.Body.Close()
	}
	st := healthpb.HealthCheckResponse_UNKNOWN
	if resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{}); err == nil {
		st = resp.GetStatus()
	}
	return code, st
}

// TestDiskFullRecovers fills the file system of the gateway's data directory
// while it takes webhooks, and frees it again. While the embedded JetStream
// cannot store, webhooks are refused (never acknowledged and lost) and both
// health endpoints say NOT_SERVING; once the disk has room the gateway takes
// webhooks again without a restart of the process, and every acknowledged one
// is in the log.
// Before, health said SERVING throughout and every webhook got 503 until the
// process was restarted by hand.
func TestDiskFullRecovers(t *testing.T) {
	dir := mountTmpfs(t, 32<<20)
	gw := startGateway(t, "gateway", "--data-dir="+filepath.Join(dir, "data"))
	ctx, cancel := context.WithTimeout(context.Background(), 4*diskFaultTimeout)
	defer cancel()
	c := newHTTPClient(t)
	conn, err := grpc.NewClient(gw.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	hc := healthpb.NewHealthClient(conn)
	serving := func() bool {
		code, st := health(ctx, t, c, hc, gw)
		return code == http.StatusOK && st == healthpb.HealthCheckResponse_SERVING
	}
	notServing := func() bool {
		code, st := health(ctx, t, c, hc, gw)
		return code == http.StatusServiceUnavailable && st == healthpb.HealthCheckResponse_NOT_SERVING
	}
	if !serving() {
		t.Fatal("a fresh gateway is not SERVING")
	}

	acked := []string{"before"}
	postOK(ctx, t, c, []string{gw.webhook}, "before", requestTimeout)
	// A subscriber that follows the log through the fault.
	live := newConsumer(t, "live")
	live.open(ctx, t, gw.grpc, 0, "")
	live.waitFor(ctx, t, "before")
	filler := fillDisk(t, dir)
	var refused error
	for i := 0; i < 100 && refused == nil; i++ {
		id := fmt.Sprintf("full-%d", i)
		if err := post(ctx, c, gw.webhook, id); err != nil {
			refused = err
		} else {
			acked = append(acked, id)
		}
	}
	if refused == nil {
		t.Fatal("every webhook was acknowledged on a full disk")
	}
	t.Logf("after %d acknowledged webhooks, one was refused: %v", len(acked), refused)
	pctx, pcancel := context.WithTimeout(ctx, diskFaultTimeout)
	waitUntil(pctx, t, "health to say NOT_SERVING on a full disk", notServing)
	pcancel()
	if err := post(ctx, c, gw.webhook, "while-full"); err == nil {
		t.Fatal("a webhook was acknowledged while the disk is full")
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	pctx, pcancel = context.WithTimeout(ctx, diskFaultTimeout)
	waitUntil(pctx, t, "health to say SERVING once the disk has room", serving)
	pcancel()
	select {
	case <-gw.proc.Exited():
		t.Fatalf("the gateway exited: %v", gw.proc.Cmd.ProcessState)
	default:
	}
	postOK(ctx, t, c, []string{gw.webhook}, "after", requestTimeout)
	acked = append(acked, "after")

	// Every acknowledged webhook is in the log, and a new subscriber sees
	// the next one live.
	cons := newConsumer(t, "reader")
	cons.open(ctx, t, gw.grpc, 0, "")
	for _, id := range acked {
		cons.waitFor(ctx, t, id)
	}
	postOK(ctx, t, c, []string{gw.webhook}, "live", requestTimeout)
	cons.waitFor(ctx, t, "live")
	// The stream opened before the fault is still open and got everything.
	for _, id := range append(acked, "live") {
		live.waitFor(ctx, t, id)
		if n := live.times(id); n != 1 {
			t.Errorf("webhook %s arrived %d times", id, n)
		}
	}
}

// chmodTree sets the permission bits of dir and everything in it: add or
// remove the write bits of owner, group and others.
func chmodTree(t *testing.T, dir string, writable bool) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := info.Mode().Perm()
		if writable {
			mode |= 0o200
		} else {
			mode &^= 0o222
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		t.Fatalf("chmod %s: %v", dir, err)
	}
}

// bigBody is a distinct webhook body (n makes it so: identical ones are one
// event) of about size bytes.
func bigBody(n, size int) []byte {
	head := `{"CallbackCommand":"` + probeCommand + `","N":` + strconv.Itoa(n) + `,"Padding":"`
	const tail = `","EventTime":1740464128807}`
	return []byte(head + string(bytes.Repeat([]byte{'p'}, size-len(head)-len(tail))) + tail)
}

// TestReadOnlyDataDirRecovers runs the gateway as an unprivileged user and
// takes the write permission of its data directory away while webhooks come
// in, then gives it back. nats-server disables JetStream when it is denied a
// file; health must say NOT_SERVING until the directory is writable again,
// and the gateway must then take webhooks without a restart.
func TestReadOnlyDataDirRecovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("this test runs the gateway as user nobody, which needs root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody to run the gateway as: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	dir := mountTmpfs(t, 64<<20)
	// nobody must reach the binary and the data directory.
	for _, d := range []string{filepath.Dir(gatewayBin), filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, uid, gid); err != nil {
		t.Fatal(err)
	}
	gw := startGatewayAs(t, "gateway", &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, "--data-dir="+data)
	ctx, cancel := context.WithTimeout(context.Background(), 4*diskFaultTimeout)
	defer cancel()
	c := newHTTPClient(t)
	conn, err := grpc.NewClient(gw.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	hc := healthpb.NewHealthClient(conn)
	serving := func() bool {
		code, st := health(ctx, t, c, hc, gw)
		return code == http.StatusOK && st == healthpb.HealthCheckResponse_SERVING
	}
	notServing := func() bool {
		code, st := health(ctx, t, c, hc, gw)
		return code == http.StatusServiceUnavailable && st == healthpb.HealthCheckResponse_NOT_SERVING
	}
	postOK(ctx, t, c, []string{gw.webhook}, "before", requestTimeout)
	cons := newConsumer(t, "live")
	cons.open(ctx, t, gw.grpc, 0, "")
	cons.waitFor(ctx, t, "before")

	chmodTree(t, data, false)
	// Large events fill the stream's current file, so that nats-server has
	// to create the next one in the read-only directory.
	var refused error
	for i := 0; i < 64 && refused == nil; i++ {
		rctx, rcancel := context.WithTimeout(ctx, requestTimeout)
		req, err := http.NewRequestWithContext(rctx, http.MethodPost, "http://"+gw.webhook+"/webhook?"+webhookQuery, bytes.NewReader(bigBody(i, 1<<19)))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			refused = err
		} else if resp.StatusCode != http.StatusOK {
			refused = fmt.Errorf("answered %d", resp.StatusCode)
		}
		if resp != nil {
			resp.Body.Close()
		}
		rcancel()
	}
	if refused == nil {
		out, _ := exec.Command("ls", "-laR", data).CombinedOutput()
		t.Logf("%s", out)
		t.Fatal("every webhook was acknowledged with a read-only data directory")
	}
	t.Logf("a webhook was refused: %v", refused)
	pctx, pcancel := context.WithTimeout(ctx, diskFaultTimeout)
	waitUntil(pctx, t, "health to say NOT_SERVING with a read-only data directory", notServing)
	pcancel()

	chmodTree(t, data, true)
	pctx, pcancel = context.WithTimeout(ctx, diskFaultTimeout)
	waitUntil(pctx, t, "health to say SERVING once the data directory is writable", serving)
	pcancel()
	postOK(ctx, t, c, []string{gw.webhook}, "after", requestTimeout)
	cons.waitFor(ctx, t, "after")
}
