package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
)

// BenchmarkGateway runs the whole gateway in this process: callbacks posted
// over loopback keep-alive HTTP connections, appended to the memory log, and
// streamed over gRPC to subscribers that receive every event. It is the
// harness for CPU and allocation profiles of the hot path:
//
//	go test -run='^$' -bench=Gateway -cpuprofile=cpu.prof ./server
//
// The subscribers only count the messages they receive, so the profile is
// the gateway's plus the posting client's.
func BenchmarkGateway(b *testing.B) {
	for _, subs := range []int{1, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) { benchGateway(b, "memory", subs) })
	}
}

// BenchmarkGatewayJetStream is BenchmarkGateway/subscribers=1 on the
// default store, an embedded JetStream log on a temporary directory.
func BenchmarkGatewayJetStream(b *testing.B) { benchGateway(b, "jetstream", 1) }

func benchGateway(b *testing.B, store string, subscribers int) {
	cfg := server.DefaultConfig()
	cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Store = store
	cfg.DataDir = b.TempDir()
	cfg.Heartbeat = time.Hour
	// The harness measures cost, not the slow-consumer policy: a queue
	// deep enough that no counting subscriber is ever cut off.
	cfg.Queue = 1 << 16
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.Start(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		_ = s.Shutdown(sctx)
	}()

	var received atomic.Int64
	var wg sync.WaitGroup
	for i := range subscribers {
		cc, err := grpc.NewClient("passthrough:///"+s.GRPCAddr(),
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodecV2(countingCodec{})))
		if err != nil {
			b.Fatal(err)
		}
		defer cc.Close()
		st, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, gatewayv1.EventService_Subscribe_FullMethodName)
		if err != nil {
			b.Fatal(err)
		}
		// after_sequence=0: every event reaches every subscriber, however
		// late its registration.
		if err := st.SendMsg(&gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(0)}); err != nil {
			b.Fatal(err)
		}
		_ = st.CloseSend()
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n counted
			for st.RecvMsg(&n) == nil {
				received.Add(1)
			}
		}()
		_ = i
	}

	query := "/webhook?" + webhookQuery(testApp, cmdMember)
	body := []byte(`{"CallbackCommand":"Call.CallbackAfterMemberChanged","CallId":"%d","UserList":[{"User_Account":"user1","Status":"Calling"},{"User_Account":144115212948889925,"Status":"Calling"}],"ChangedUserList":[{"User_Account":144115212948889925,"ActionType":"Answer"}],"EventTime":1740464128807}`)
	head, tail, _ := bytes.Cut(body, []byte("%d"))
	var calls atomic.Int64
	b.SetParallelism(16) // ×GOMAXPROCS posting connections
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		conn, err := net.Dial("tcp", s.WebhookAddr())
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		var req, buf []byte
		for pb.Next() {
			// A unique CallId per callback, so none is dropped as a retry.
			buf = append(strconv.AppendInt(append(buf[:0], head...), calls.Add(1), 10), tail...)
			req = append(req[:0], "POST "+query+" HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: "...)
			req = append(strconv.AppendInt(req, int64(len(buf)), 10), "\r\n\r\n"...)
			if _, err := conn.Write(append(req, buf...)); err != nil {
				b.Error(err)
				return
			}
			if err := readOK(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	want := int64(b.N) * int64(subscribers)
	deadline := time.Now().Add(time.Minute)
	for received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := received.Load(); got < want {
		b.Fatalf("subscribers received %d of %d events", got, want)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
	cancel()
	wg.Wait()
}

// readOK reads one HTTP response and fails unless it is 200 with a body.
func readOK(r *bufio.Reader) error {
	status, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(status, "HTTP/1.1 200 ") {
		return fmt.Errorf("response %q", status)
	}
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			length, _ = strconv.Atoi(v)
		}
	}
	if length < 0 {
		return errors.New("response without Content-Length")
	}
	_, err = r.Discard(length)
	return err
}

// counted is a received SubscribeResponse the benchmark does not decode.
type counted struct{}

// countingCodec sends requests as protobuf and discards responses unread,
// so that subscribers cost the profile as little as possible.
type countingCodec struct{}

func (countingCodec) Name() string { return "proto" }

func (countingCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, err := proto.Marshal(v.(proto.Message))
	return mem.BufferSlice{mem.SliceBuffer(b)}, err
}

func (countingCodec) Unmarshal(mem.BufferSlice, any) error { return nil }
