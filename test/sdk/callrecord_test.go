package sdk_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
)

// recordScripts are the "get call record" commands of the Node and Python
// examples, beside their subscribers.
var recordScripts = map[string]string{
	"node":   filepath.Join("examples", "node-subscriber", "get-call-record.js"),
	"python": filepath.Join("examples", "python-subscriber", "get_call_record.py"),
}

// TestGetCallRecordExamples posts a call's callbacks and asks for its record
// with each example's get-call-record command: the record it prints is the
// end-call callback's, and an unknown call exits 1 with NOT_FOUND.
func TestGetCallRecordExamples(t *testing.T) {
	requireEnabled(t)
	gw := startGateway(t)
	for _, w := range webhooks {
		gw.post(t, w)
	}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			interpreter := ex.command(t)[0]
			script := filepath.Join(repoRoot, recordScripts[ex.name])
			run := func(args ...string) (string, string, int) {
				var stdout, stderr bytes.Buffer
				cmd := exec.Command(interpreter, append([]string{script, "--addr", gw.grpc}, args...)...)
				cmd.Env = gatewayproc.CleanEnv()
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				code := exitCode(t, ex.name, cmd.Run())
				return stdout.String(), stderr.String(), code
			}
			// The projection follows the log asynchronously: retry until the
			// record is there (the bound is a deadlock guard, not a speed check).
			var out, errOut string
			for deadline := time.Now().Add(60 * time.Second); ; {
				var code int
				if out, errOut, code = run(sdkAppID, callA); code == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("get call record: exit %d, stderr %q", code, errOut)
				}
				time.Sleep(50 * time.Millisecond)
			}
			var answer struct {
				CallRecord struct {
					CallID     string `json:"callId"`
					CallResult string `json:"callResult"`
				} `json:"callRecord"`
				Sequence string `json:"sequence"`
			}
			if err := json.Unmarshal([]byte(out), &answer); err != nil {
				t.Fatalf("output %q is not one JSON answer: %v", out, err)
			}
			if answer.CallRecord.CallID != callA || !strings.HasPrefix(answer.CallRecord.CallResult, "CALL_RESULT_") || answer.Sequence == "" {
				t.Errorf("record = %+v, want call A's record with its sequence", answer)
			}
			if _, errOut, code := run(sdkAppID, "no-such-call"); code != 1 || !containsAny(errOut, "NOT_FOUND", "NotFound") || !strings.Contains(errOut, "101050") {
				t.Errorf("unknown call: exit %d, stderr %q; want 1 with NOT_FOUND and Tencent's 101050", code, errOut)
			}
		})
	}
}
