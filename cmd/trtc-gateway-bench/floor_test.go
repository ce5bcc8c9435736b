package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunFloor measures the empty RPC against a real gateway: one line per
// pause, each with its quantiles; and an address with no gateway is an
// error, not a row of zeros.
func TestRunFloor(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := startTestGateway(ctx, t)
	var out bytes.Buffer
	if err := runFloor(ctx, s.GRPCAddr(), 20, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(floorGaps) {
		t.Fatalf("%d lines, want one per pause:\n%s", len(lines), out.String())
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, "Health/Check, 20 calls "+floorGaps[i].String()+" apart: p50 ") {
			t.Errorf("line %d = %q", i, l)
		}
	}
	if err := runFloor(ctx, "127.0.0.1:1", 20, &out); err == nil {
		t.Fatal("runFloor against a closed port succeeded")
	}
}
