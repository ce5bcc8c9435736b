// Package natscluster starts a NATS cluster with JetStream inside a test
// process, on loopback, for the tests that need real replication and the loss
// of a node: the event log's cluster tests and the durability tests.
package natscluster

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/natsembed"
)

// Name is the cluster's name.
const Name = "trtc-test"

// Start starts an n-node cluster, each node named nats-<i> with a client
// port the kernel picks and its own store in tb.TempDir(), and returns once
// every node accepts clients. Each node is shut down when the test ends (a
// test may shut one down earlier to lose it); a node that fails to start
// fails the test.
func Start(ctx context.Context, tb testing.TB, n int) []*natsembed.Server {
	tb.Helper()
	routes := routeAddrs(tb, n)
	nodes := make([]*natsembed.Server, n)
	for i := range nodes {
		s, err := natsembed.Start(ctx, natsembed.Options{
			DataDir:    tb.TempDir(),
			Listen:     "127.0.0.1:0",
			ServerName: fmt.Sprintf("nats-%d", i),
			Cluster:    &natsembed.ClusterOptions{Name: Name, Listen: routes[i], Routes: routes},
		})
		if err != nil {
			tb.Fatalf("starting NATS node %d: %v", i, err)
		}
		tb.Cleanup(s.Shutdown)
		nodes[i] = s
	}
	return nodes
}

// ClientURLs returns the nodes' client URLs, in order.
func ClientURLs(nodes []*natsembed.Server) []string {
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		urls[i] = n.ClientURL()
	}
	return urls
}

// routeAddrs returns n loopback addresses that were free a moment ago. Every
// member must know every route address before it starts, so the route ports
// cannot be left to the servers to pick.
func routeAddrs(tb testing.TB, n int) []string {
	tb.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		defer l.Close()
		addrs[i] = l.Addr().String()
	}
	return addrs
}
