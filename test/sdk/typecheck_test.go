package sdk_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestNodeExampleTypechecks compiles the Node example with TypeScript's
// checker against the SDK's generated .d.ts files, so a declaration that does
// not match the JavaScript beside it, or an SDK change that breaks consumers,
// fails here rather than in a user's build.
func TestNodeExampleTypechecks(t *testing.T) {
	requireEnabled(t)
	dir := filepath.Join(repoRoot, "examples", "node-subscriber")
	nodeCommand(t) // fails clearly when node or the installed SDK is missing
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", "tsc"), "-p", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc -p examples/node-subscriber: %v\n%s", err, out)
	}
}
