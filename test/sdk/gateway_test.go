package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
)

// gatewayBinEnv names a prebuilt gateway binary to test instead of building
// ./cmd/trtc-gateway, e.g. a release build.
const gatewayBinEnv = "TRTCGW_SDK_GATEWAY_BIN"

var (
	gatewayOnce sync.Once
	gatewayBin  string
	gatewayErr  error
)

// gatewayBinary returns $TRTCGW_SDK_GATEWAY_BIN, or builds ./cmd/trtc-gateway
// once for all tests.
func gatewayBinary(t *testing.T) string {
	t.Helper()
	gatewayOnce.Do(func() {
		if gatewayBin = os.Getenv(gatewayBinEnv); gatewayBin != "" {
			return
		}
		gatewayBin = filepath.Join(scratch, "trtc-gateway")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		gatewayErr = gatewayproc.Build(ctx, gatewayBin)
	})
	if gatewayErr != nil {
		t.Fatal(gatewayErr)
	}
	return gatewayBin
}

// gateway is a running trtc-gateway with its listeners' addresses.
type gateway struct {
	webhook, grpc, http string

	proc *gatewayproc.Process
	logs *logbuf.Buffer
}

// startGateway runs the gateway with the memory store on loopback ports the
// kernel picks (args may override any flag, the last one wins) and waits for
// its "listening" log lines. It is stopped at the end of the test if still up.
func startGateway(t *testing.T, args ...string) *gateway {
	t.Helper()
	gw, err := launchGateway(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

// restartGateway is startGateway on a listen address the test has just
// freed, which something else may hold for a moment: a subscriber
// reconnecting to it can be given that very port as its own and connect to
// itself until its handshake fails. It retries for up to ten seconds while
// the gateway exits saying the address is in use.
func restartGateway(t *testing.T, args ...string) *gateway {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		gw, err := launchGateway(t, args...)
		if err == nil {
			return gw
		}
		if !errors.Is(err, gatewayproc.ErrExited) || !strings.Contains(err.Error(), "address already in use") || time.Now().After(deadline) {
			t.Fatal(err)
		}
		t.Logf("restarting the gateway on a held address, again: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
}

// launchGateway starts the gateway as startGateway does; its error carries
// the gateway's log.
func launchGateway(t *testing.T, args ...string) (*gateway, error) {
	t.Helper()
	args = append([]string{gatewayBinary(t), "--store=memory", "--webhook-addr=127.0.0.1:0", "--grpc-addr=127.0.0.1:0",
		"--http-addr=127.0.0.1:0", "--log-format=json"}, args...)
	gw := &gateway{logs: &logbuf.Buffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	proc, err := gatewayproc.Start(ctx, gatewayproc.Options{
		Argv: args,
		Env:  gatewayproc.CleanEnv(),
		Log:  gw.logs,
		Want: []string{"webhook", "grpc", "http"},
	})
	if err != nil {
		return nil, fmt.Errorf("starting the gateway: %w; log:\n%s", err, gw.logs.String())
	}
	gw.proc = proc
	t.Cleanup(func() {
		gw.stop(t)
		if t.Failed() {
			t.Logf("gateway log:\n%s", gw.logs.String())
		}
	})
	gw.webhook, gw.grpc, gw.http = proc.Addrs["webhook"], proc.Addrs["grpc"], proc.Addrs["http"]
	return gw, nil
}

// stop shuts the gateway down with SIGTERM, killing it when it takes more
// than 15s; stopping a stopped gateway does nothing.
func (gw *gateway) stop(t *testing.T) {
	t.Helper()
	if err := gw.proc.Stop(15 * time.Second); err != nil {
		t.Errorf("stopping the gateway: %v", err)
	}
}

// post sends one callback of app sdkAppID the way Tencent does and requires
// the OK answer.
func (gw *gateway) post(t *testing.T, w webhook) {
	t.Helper()
	gw.postApp(t, w, sdkAppID)
}

// postApp is post for the application app.
func (gw *gateway) postApp(t *testing.T, w webhook, app string) {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", w.file))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"SdkAppid":        {app},
		"CallbackCommand": {w.command},
		"contenttype":     {"json"},
		"ClientIP":        {"127.0.0.1"},
		"OptPlatform":     {"Web"},
	}
	u := "http://" + gw.webhook + "/webhook?" + q.Encode()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", w.file, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the answer: %v", w.file, err)
	}
	var answer map[string]any
	if err := json.Unmarshal(got, &answer); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("POST %s: answer is not JSON: %v: %s", w.file, err, got)
	}
	want := map[string]any{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": float64(0)}
	if res.StatusCode != http.StatusOK || !reflect.DeepEqual(answer, want) {
		t.Fatalf("POST %s: %d %s, want 200 {\"ActionStatus\":\"OK\",\"ErrorInfo\":\"\",\"ErrorCode\":0}", w.file, res.StatusCode, got)
	}
}
