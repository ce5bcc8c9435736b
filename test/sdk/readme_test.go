package sdk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// readmeAddr is the gRPC address the README's commands name.
const readmeAddr = "localhost:9090"

// readmeExamples maps the way the README starts each example to how the test
// starts it; the arguments after it are taken from the README as written.
var readmeExamples = []struct {
	name, readme string
	command      func(t *testing.T) []string
}{
	{"go", "go run ./examples/go-subscriber", goCommand},
	{"node", "node subscribe.js", nodeCommand},
	{"python", ".venv/bin/python examples/python-subscriber/subscribe.py", pythonCommand},
}

var (
	goExampleOnce sync.Once
	goExampleBin  string
	goExampleErr  error
)

// goCommand builds examples/go-subscriber once, as `go run` would.
func goCommand(t *testing.T) []string {
	t.Helper()
	goExampleOnce.Do(func() {
		goExampleBin = filepath.Join(scratch, "go-subscriber")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		build := exec.CommandContext(ctx, "go", "build", "-o", goExampleBin, "./examples/go-subscriber")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			goExampleErr = fmt.Errorf("go build ./examples/go-subscriber: %w\n%s", err, out)
		}
	})
	if goExampleErr != nil {
		t.Fatal(goExampleErr)
	}
	return []string{goExampleBin}
}

// TestReadmeTryIt follows the README's "Try it" section as a new user does:
// it posts the README's callback first and then runs each example with the
// arguments the README shows, and every example must print that callback's
// event. An example that starts at the live tail prints nothing here.
func TestReadmeTryIt(t *testing.T) {
	requireEnabled(t)
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## Try it"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section, "## Subscribing"); i >= 0 {
		section = section[:i]
	}
	post := regexp.MustCompile(`curl -s 'http://localhost:8080(/webhook\?[^']+)'[^-]*(?:-H '[^']*'\s*\\?\s*)*-d '([^']+)'`).FindStringSubmatch(section)
	if post == nil {
		t.Fatal("README's Try it section has no `curl -s 'http://localhost:8080/webhook?…' … -d '…'` post")
	}
	callID := regexp.MustCompile(`"CallId":"([^"]+)"`).FindStringSubmatch(post[2])
	if callID == nil {
		t.Fatalf("README's callback has no CallId: %s", post[2])
	}

	gw := startGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+gw.webhook+post[1], strings.NewReader(post[2]))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(answer, []byte(`"ActionStatus":"OK"`)) {
		t.Fatalf("posting the README's callback: %d %s", res.StatusCode, answer)
	}

	for _, ex := range readmeExamples {
		t.Run(ex.name, func(t *testing.T) {
			var line string
			for l := range strings.SplitSeq(section, "\n") {
				if strings.HasPrefix(l, ex.readme+" ") {
					line = l
					break
				}
			}
			if line == "" {
				t.Fatalf("README's Try it section has no %q command", ex.readme)
			}
			args := strings.Fields(strings.TrimPrefix(line, ex.readme))
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, readmeAddr, gw.grpc)
			}
			sub := startSubscriber(t, example{name: ex.name, command: ex.command}, ex.name, nil, args...)
			evs := sub.events(t, 1, 60*time.Second)
			if got := evs[0].str("type"); got != "EVENT_TYPE_CALL_STARTED" || !strings.Contains(evs[0].raw, callID[1]) {
				t.Errorf("`%s` printed %s, want the README's EVENT_TYPE_CALL_STARTED of call %s", line, evs[0].raw, callID[1])
			}
			sub.terminate(t, 30*time.Second)
		})
	}
}
