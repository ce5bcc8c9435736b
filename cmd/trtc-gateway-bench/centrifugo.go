package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/trtc-gateway/trtc-gateway/internal/gatewayproc"
)

// Centrifugo is the real-time server our users would otherwise run: the
// suite measures it beside the gateway under the same traffic. Its HTTP
// API's /api/publish takes each callback as the data of one publication on
// one channel, and subscribers read that channel on its unidirectional gRPC
// stream. It is pinned in tools/centrifugo/go.mod (a module of its own, so
// `make tools` does not build it) and `make bench` builds it into .bin/.

// centrifugoVersion is the version tools/centrifugo/go.mod pins, for reports.
const centrifugoVersion = "v6.9.1"

// centrifugoChannel is the one channel every callback is published on.
const centrifugoChannel = "trtc"

// centrifugoConfig is the smallest configuration that serves the HTTP
// publish API and the unidirectional gRPC stream without authentication,
// every listener on loopback. Subscribers name the channel in their connect
// request, which client.insecure allows.
func centrifugoConfig(httpPort, grpcPort int) ([]byte, error) {
	cfg := map[string]any{
		"log":         map[string]any{"level": "warn"},
		"http_server": map[string]any{"address": "127.0.0.1", "port": httpPort},
		"client":      map[string]any{"insecure": true},
		"http_api":    map[string]any{"insecure": true},
		"uni_grpc":    map[string]any{"enabled": true, "address": "127.0.0.1", "port": grpcPort},
		"channel": map[string]any{
			"without_namespace": map[string]any{"allow_subscribe_for_client": true},
		},
	}
	return json.MarshalIndent(cfg, "", "  ")
}

// freePort asks the kernel for a free loopback port. Centrifugo takes fixed
// ports in its configuration, so the port is closed again before it binds:
// another process could take it in between, which startCentrifugo reports
// as a failed start.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startCentrifugo runs the Centrifugo binary at bin, pinned to cpus like the
// gateway, with a fresh configuration in a directory under outDir, and
// returns once both its HTTP API and its gRPC stream accept connections.
func startCentrifugo(ctx context.Context, bin, cpus, outDir string) (*child, target, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, target{}, fmt.Errorf("centrifugo binary %s: %w (make bench builds it; or pass --centrifugo-bin=\"\" to skip the Centrifugo rows)", bin, err)
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, target{}, err
	}
	grpcPort, err := freePort()
	if err != nil {
		return nil, target{}, err
	}
	cfg, err := centrifugoConfig(httpPort, grpcPort)
	if err != nil {
		return nil, target{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, target{}, err
	}
	dir, err := os.MkdirTemp(outDir, "centrifugo-")
	if err != nil {
		return nil, target{}, err
	}
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, target{}, err
	}
	argv := []string{bin, "--config=" + cfgPath}
	if cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	c := &child{name: "centrifugo", dataDir: dir}
	// Centrifugo logs in its own format, not the gateway's listening lines:
	// nothing to wait for here, its ports are polled below. Keep its last
	// lines for error reports.
	p, err := gatewayproc.Start(ctx, gatewayproc.Options{
		Argv: argv,
		OnLine: func(line []byte) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.tail) == 20 {
				c.tail = c.tail[1:]
			}
			c.tail = append(c.tail, string(line))
		},
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, target{}, fmt.Errorf("starting centrifugo: %w: %s", err, c.lastLines())
	}
	// taskset execs the program, so the pid is Centrifugo's own.
	c.proc, c.cmd, c.pid = p, p.Cmd, p.Pid()
	httpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
	grpcAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(grpcPort))
	if err := waitListening(ctx, p.Exited(), 60*time.Second, httpAddr, grpcAddr); err != nil {
		c.stop()
		return nil, target{}, fmt.Errorf("centrifugo: %w: %s", err, c.lastLines())
	}
	return c, target{webhook: httpAddr, grpc: grpcAddr, pid: c.pid, centrifugo: true}, nil
}

// waitListening polls until every address accepts a TCP connection, the
// process exits, or the timeout passes.
func waitListening(ctx context.Context, exited <-chan struct{}, timeout time.Duration, addrs ...string) error {
	deadline := time.Now().Add(timeout)
	for _, addr := range addrs {
		for {
			var d net.Dialer
			dctx, cancel := context.WithTimeout(ctx, time.Second)
			conn, err := d.DialContext(dctx, "tcp", addr)
			cancel()
			if err == nil {
				_ = conn.Close()
				break
			}
			select {
			case <-exited:
				return errors.New("exited before listening")
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not listening within %s", addr, timeout)
			}
		}
	}
	return nil
}

// postPublish sends one callback body to Centrifugo's /api/publish as the
// data of a publication on centrifugoChannel; the answer is OK when it is a
// 200 without an error object. Like post, it writes the request by hand so
// that the load generator costs the same per request as against the gateway.
func (c *httpConn) postPublish(ctx context.Context, body []byte) (response, error) {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return response{}, err
		}
	}
	_ = c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	const head, tail = `{"channel":"` + centrifugoChannel + `","data":`, `}`
	w := c.w
	w.WriteString("POST /api/publish HTTP/1.1\r\nHost: ")
	w.WriteString(c.host)
	w.WriteString("\r\nUser-Agent: trtc-gateway-bench\r\nContent-Type: application/json\r\nContent-Length: ")
	var num [20]byte
	w.Write(strconv.AppendInt(num[:0], int64(len(head)+len(body)+len(tail)), 10))
	w.WriteString("\r\n\r\n")
	w.WriteString(head)
	w.Write(body)
	w.WriteString(tail)
	if err := w.Flush(); err != nil {
		c.close()
		return response{}, err
	}
	resp, err := c.readResponse()
	if err != nil {
		c.close()
		return response{}, err
	}
	resp.ok = resp.status == 200 && !bytes.Contains(resp.body, []byte(`"error"`))
	return resp, nil
}

// bodySeed keys bodyKey for the whole run: senders and subscribers must
// agree on it.
var bodySeed = maphash.MakeSeed()

// bodyKey identifies a callback by its body, for peers that deliver the
// body itself rather than the gateway's event id.
func bodyKey(body []byte) uint64 { return maphash.Bytes(bodySeed, body) }

// The unidirectional gRPC stream of Centrifugo (its unistream.proto):
// Consume(ConnectRequest) returns (stream Push). The benchmark writes the
// request and reads each Push straight from the wire, as it does the
// gateway's responses, rather than depend on Centrifugo's internal package.
const (
	uniConsumeMethod = "/centrifugal.centrifugo.unistream.CentrifugoUniStream/Consume"
	// Push fields.
	pushChannel    = 2
	pushPub        = 4
	pushConnect    = 10
	pushDisconnect = 11
	// Publication fields.
	pubData = 4
	// Disconnect fields.
	disconnectCode   = 1
	disconnectReason = 2
)

var uniConsumeDesc = grpc.StreamDesc{StreamName: "Consume", ServerStreams: true}

// uniConnectRequest encodes a ConnectRequest whose subs (field 3, a map of
// channel to SubscribeRequest) name channel with an empty SubscribeRequest.
func uniConnectRequest(channel string) []byte {
	var entry []byte
	entry = protowire.AppendTag(entry, 1, protowire.BytesType) // map key
	entry = protowire.AppendString(entry, channel)
	entry = protowire.AppendTag(entry, 2, protowire.BytesType) // map value
	entry = protowire.AppendBytes(entry, nil)
	var req []byte
	req = protowire.AppendTag(req, 3, protowire.BytesType)
	return protowire.AppendBytes(req, entry)
}

// uniPush is what a Centrifugo subscriber keeps of one Push.
type uniPush struct {
	connect bool
	// pub is set for a publication; key is then the bodyKey of its data.
	pub bool
	key uint64
	// disconnect is set when the server ends the connection.
	disconnect       bool
	disconnectCode   uint64
	disconnectReason string
}

var errBadPush = errors.New("malformed Centrifugo Push")

func (p *uniPush) parse(b []byte) error {
	*p = uniPush{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadPush
		}
		b = b[n:]
		if typ == protowire.BytesType && (num == pushPub || num == pushConnect || num == pushDisconnect) {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errBadPush
			}
			b = b[n:]
			switch num {
			case pushPub:
				p.pub = true
				data, err := protoField(v, pubData)
				if err != nil {
					return err
				}
				p.key = bodyKey(data)
			case pushConnect:
				p.connect = true
			case pushDisconnect:
				p.disconnect = true
				if err := p.parseDisconnect(v); err != nil {
					return err
				}
			}
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return errBadPush
		}
		b = b[n:]
	}
	return nil
}

func (p *uniPush) parseDisconnect(b []byte) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadPush
		}
		b = b[n:]
		switch {
		case num == disconnectCode && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errBadPush
			}
			p.disconnectCode, b = v, b[n:]
		case num == disconnectReason && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errBadPush
			}
			p.disconnectReason, b = string(v), b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errBadPush
			}
			b = b[n:]
		}
	}
	return nil
}

// protoField returns the bytes of field num in message b (empty when absent).
func protoField(b []byte, num protowire.Number) ([]byte, error) {
	var out []byte
	for len(b) > 0 {
		n0, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, errBadPush
		}
		b = b[n:]
		if n0 == num && typ == protowire.BytesType {
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return nil, errBadPush
			}
			out, b = v, b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(n0, typ, b)
		if n < 0 {
			return nil, errBadPush
		}
		b = b[n:]
	}
	return out, nil
}

// uniCodec sends the hand-encoded ConnectRequest and reads each Push into a
// uniPush. It is named "proto", the content subtype Centrifugo serves.
type uniCodec struct{}

func (uniCodec) Name() string { return "proto" }

func (uniCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("uniCodec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (uniCodec) Unmarshal(data mem.BufferSlice, v any) error {
	p, ok := v.(*uniPush)
	if !ok {
		return fmt.Errorf("uniCodec: cannot unmarshal into %T", v)
	}
	if len(data) == 1 {
		return p.parse(data[0].ReadOnlyData())
	}
	return p.parse(data.Materialize())
}

// errCentrifugoDisconnect is how a subscriber's stream ends when Centrifugo
// disconnects it (a slow consumer among others): a cut-off.
var errCentrifugoDisconnect = errors.New("centrifugo disconnected the subscriber")

// openUni starts a Consume stream subscribed to centrifugoChannel for s,
// waits for Centrifugo's Connect push (the subscription is then in place),
// and reads publications in a goroutine until ctx ends or the stream does.
func (set *subscriberSet) openUni(ctx context.Context, r *session, s *subscriber) error {
	cc := set.conns[len(set.subs)%len(set.conns)]
	set.subs = append(set.subs, s)
	cs, err := cc.NewStream(ctx, &uniConsumeDesc, uniConsumeMethod, grpc.ForceCodecV2(uniCodec{}))
	if err != nil {
		return err
	}
	if err := cs.SendMsg(uniConnectRequest(centrifugoChannel)); err != nil {
		return err
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	var p uniPush
	for !p.connect {
		if err := cs.RecvMsg(&p); err != nil {
			return fmt.Errorf("centrifugo Consume before its connect push: %w", err)
		}
		if p.disconnect {
			return fmt.Errorf("%w at connect: code %d, %s", errCentrifugoDisconnect, p.disconnectCode, p.disconnectReason)
		}
	}
	set.wg.Add(1)
	go func() {
		defer set.wg.Done()
		s.end = set.readUni(ctx, r, s, cs)
	}()
	return nil
}

// readUni counts s's publications like read counts gateway events: a
// publication whose body this run never sent is unmatched, one expected
// but never received is lost (a gap). Centrifugo keeps no order across
// publishers without history, so there is no sequence to check.
func (set *subscriberSet) readUni(ctx context.Context, r *session, s *subscriber, cs grpc.ClientStream) error {
	var p uniPush
	for {
		if err := cs.RecvMsg(&p); err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				if ctx.Err() == nil {
					return fmt.Errorf("centrifugo ended the stream: %w", err)
				}
				return nil
			}
			return err
		}
		if p.disconnect {
			return fmt.Errorf("%w: code %d, %s", errCentrifugoDisconnect, p.disconnectCode, p.disconnectReason)
		}
		if !p.pub {
			continue
		}
		now := r.clock.now()
		s.received++
		set.received.Add(1)
		if r.measuring() {
			s.inWindow++
		}
		sent, ok := r.sent.get(p.key)
		if !ok {
			s.unmatched++
			continue
		}
		if r.inWindow(sent) {
			s.hist.record(durationNs(now - sent))
		}
	}
}
