package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// okBody is what a webhook answers once an IM-family callback is accepted;
// trtcOKBody once a TRTC event is (the catalog's {"code":0}).
var (
	okBody     = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	trtcOKBody = []byte(`{"code":0}`)
)

// httpConn is one keep-alive HTTP/1.1 connection that posts one callback at
// a time, as Tencent does. It writes requests and parses responses by hand
// so that the load generator spends as little CPU as possible per request:
// the gateway, not the client, should be what a benchmark measures.
type httpConn struct {
	addr string
	host string
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	line []byte
	body []byte
}

func newHTTPConn(addr string) *httpConn {
	return &httpConn{addr: addr, host: addr}
}

func (c *httpConn) dial(ctx context.Context) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	c.conn = conn
	c.r = bufio.NewReaderSize(conn, 4096)
	c.w = bufio.NewWriterSize(conn, 8192)
	return nil
}

func (c *httpConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// response is the outcome of one post.
type response struct {
	status int
	ok     bool   // 200 with the family's OK body
	body   []byte // the response body, valid until the next post
}

// trtcHeaders are what a TRTC event carries instead of a query string:
// its app in SdkAppId and, when the app has a key, Sign =
// base64(HMAC-SHA256(key, body)).
type trtcHeaders struct {
	app  uint32
	sign string
}

// post sends one callback and reads the answer: an IM-family one with its
// query string, or, when trtc is set, a TRTC event to the bare /webhook with
// its headers. An error means the connection is unusable (it is closed);
// the caller may post again, which reconnects.
func (c *httpConn) post(ctx context.Context, query string, trtc *trtcHeaders, body []byte) (response, error) {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return response{}, err
		}
	}
	// A gateway that stops answering must not hang the benchmark.
	_ = c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	w := c.w
	var num [20]byte
	if trtc == nil {
		w.WriteString("POST /webhook?")
		w.WriteString(query)
		w.WriteString(" HTTP/1.1\r\nHost: ")
	} else {
		w.WriteString("POST /webhook HTTP/1.1\r\nSdkAppId: ")
		w.Write(strconv.AppendUint(num[:0], uint64(trtc.app), 10))
		if trtc.sign != "" {
			w.WriteString("\r\nSign: ")
			w.WriteString(trtc.sign)
		}
		w.WriteString("\r\nHost: ")
	}
	w.WriteString(c.host)
	w.WriteString("\r\nUser-Agent: trtc-gateway-bench\r\nContent-Type: application/json\r\nContent-Length: ")
	w.Write(strconv.AppendInt(num[:0], int64(len(body)), 10))
	w.WriteString("\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		c.close()
		return response{}, err
	}
	resp, err := c.readResponse()
	if err != nil {
		c.close()
		return response{}, err
	}
	want := okBody
	if trtc != nil {
		want = trtcOKBody
	}
	resp.ok = resp.status == 200 && bytes.Equal(resp.body, want)
	return resp, nil
}

var errBadResponse = errors.New("malformed HTTP response")

func (c *httpConn) readResponse() (response, error) {
	line, err := c.readLine()
	if err != nil {
		return response{}, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return response{}, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return response{}, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	length, closing := -1, false
	for {
		line, err := c.readLine()
		if err != nil {
			return response{}, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return response{}, fmt.Errorf("%w: header %q", errBadResponse, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return response{}, fmt.Errorf("%w: Content-Length %q", errBadResponse, value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return response{}, fmt.Errorf("%w: Transfer-Encoding %q is not expected from a webhook", errBadResponse, value)
		}
	}
	if length < 0 {
		return response{}, fmt.Errorf("%w: no Content-Length", errBadResponse)
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.r, c.body); err != nil {
		return response{}, err
	}
	if closing {
		c.close()
	}
	return response{status: status, body: c.body}, nil
}

// readLine returns one CRLF-terminated line without its terminator, valid
// until the next read.
func (c *httpConn) readLine() ([]byte, error) {
	line, err := c.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		c.line = append(c.line[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = c.r.ReadSlice('\n')
			c.line = append(c.line, line...)
		}
		line = c.line
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// clock is a monotonic clock in nanoseconds since the run started,
// cheap to store and compare.
type clock struct{ start time.Time }

func (c clock) now() int64 { return int64(time.Since(c.start)) }
