package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// floorGaps are the pauses between the calls of each --rpc-floor round:
// back to back, then paced as the scale scenario's clients are (each of
// its workers calls every 20 ms), so that the cost of waking an idle
// machine shows apart from the RPC's.
var floorGaps = []time.Duration{0, time.Millisecond, 20 * time.Millisecond}

// floorCalls is how many calls each round of --rpc-floor makes.
const floorCalls = 500

// runFloor measures the latency of grpc.health.v1.Health/Check, an RPC
// that does no work, against a running gateway's gRPC address, calls times
// per pause between calls: the floor under any read's latency on this
// machine.
func runFloor(ctx context.Context, addr string, calls int, out io.Writer) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing %s: %w", addr, err)
	}
	defer conn.Close()
	c := healthpb.NewHealthClient(conn)
	if _, err := c.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		return fmt.Errorf("health check of %s: %w", addr, err)
	}
	for _, gap := range floorGaps {
		var h histogram
		for range calls {
			if gap > 0 {
				if err := sleep(ctx, gap); err != nil {
					return err
				}
			}
			t0 := time.Now()
			if _, err := c.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
				return fmt.Errorf("health check of %s: %w", addr, err)
			}
			h.record(time.Since(t0))
		}
		l := h.summary()
		fmt.Fprintf(out, "Health/Check, %d calls %v apart: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", calls, gap, l.P50, l.P99, l.Max)
	}
	return nil
}
