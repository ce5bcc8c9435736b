// Package console_test drives the web console in a real browser: Debian's
// Chromium under playwright-core (test/console/browser), against a gateway
// started on loopback with subscriber tokens. The browser and the npm package
// are what `make test-console` installs; the test runs only when
// TRTCGW_CONSOLE_TESTS=1, as that target sets it, and skips otherwise.
package console_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"
	"github.com/trtc-gateway/trtc-gateway/server"
)

const (
	enableEnv = "TRTCGW_CONSOLE_TESTS"
	// screenshotEnv names where to keep the test's screenshot, e.g.
	// docs/console.png to refresh the README's picture; otherwise it goes to
	// a temporary directory.
	screenshotEnv = "TRTCGW_CONSOLE_SCREENSHOT"
	chromium      = "/usr/bin/chromium"

	appA  = "1400000001" // the token reads this app
	appB  = "1400000002" // and not this one
	token = "console-test-token-of-app-a"
)

// runLimit bounds the whole browser run; it is a hang guard, not a speed check.
const runLimit = 3 * time.Minute

func TestConsoleInBrowser(t *testing.T) {
	if os.Getenv(enableEnv) != "1" {
		t.Skipf("set %s=1 (make test-console does) to drive the console in Chromium", enableEnv)
	}
	script, err := filepath.Abs(filepath.Join("browser", "console.test.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("browser", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatalf("test/console/browser has no playwright-core (run make test-console): %v", err)
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (Debian's chromium package; make test-console installs it): %v", chromium, err)
	}

	dir := t.TempDir()
	tokens := filepath.Join(dir, "api-tokens.json")
	if err := os.WriteFile(tokens, []byte(`{"tokens":[{"name":"console-test","sdk_app_ids":[`+appA+`],"secret":"`+token+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &logbuf.Buffer{}
	s := startGateway(t, logs, func(c *server.Config) { c.APITokensFile = tokens })

	shot := os.Getenv(screenshotEnv)
	if shot == "" {
		shot = filepath.Join(dir, "console.png")
	} else if shot, err = filepath.Abs(filepath.Join("..", "..", shot)); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(),
		"CONSOLE_URL=http://"+s.HTTPAddr()+"/console/",
		"WEBHOOK_URL=http://"+s.WebhookAddr()+"/webhook",
		"CONSOLE_TOKEN="+token,
		"APP_A="+appA,
		"APP_B="+appB,
		"CHROMIUM="+chromium,
		"USER_DATA_DIR="+filepath.Join(dir, "chromium-profile"),
		"SCREENSHOT="+shot,
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("node: %v", err)
	}
	checks := readChecks(t, stdout)
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the browser run did not finish within %s; stderr:\n%s", runLimit, stderr.String())
	}
	if checks == 0 {
		t.Fatalf("the browser script ran no check (%v); stderr:\n%s", err, stderr.String())
	}
	if err != nil && !t.Failed() {
		t.Errorf("the browser script failed without a failing check: %v; stderr:\n%s", err, stderr.String())
	}
	if t.Failed() {
		t.Logf("node stderr:\n%s\ngateway log:\n%s", stderr.String(), logs.String())
		return
	}
	if b, err := os.ReadFile(shot); err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Errorf("no PNG screenshot at %s: %v", shot, err)
	} else {
		t.Logf("screenshot: %s (%d bytes)", shot, len(b))
	}
}

// readChecks reports each "ok - …" / "not ok - …" line of the script as it
// comes and returns how many checks ran.
func readChecks(t *testing.T, r io.Reader) int {
	t.Helper()
	n := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "ok - "):
			n++
			t.Log(line)
		case strings.HasPrefix(line, "not ok - "):
			n++
			t.Error(strings.TrimPrefix(line, "not ok - "))
		default:
			t.Log("node: " + line)
		}
	}
	return n
}

// startGateway runs a gateway in this process on loopback ports the kernel
// picks, with the memory store; it is shut down when the test ends.
func startGateway(t *testing.T, logs io.Writer, mutate func(*server.Config)) *server.Server {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = "memory"
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mutate(&cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("starting the gateway: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
	})
	fmt.Fprintf(logs, "gateway: webhook %s, http %s\n", s.WebhookAddr(), s.HTTPAddr())
	return s
}
