// Package durability_test runs the trtc-gateway binary as a process and checks
// what survives: a SIGKILL under load (embedded JetStream), the loss of a
// replica and of a NATS node in a three-node cluster, and retried callbacks
// within and after the de-duplication window. NATS runs inside the test
// process (server/natsembed); the gateway is built once per package run.
package durability_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
)

// gatewayBin is the trtc-gateway binary TestMain builds.
var gatewayBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "trtc-durability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gatewayBin = filepath.Join(dir, "trtc-gateway")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var flags []string
	if raceEnabled {
		flags = append(flags, "-race")
	}
	if err := gatewayproc.Build(ctx, gatewayBin, flags...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
