package webhook

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// BenchmarkServeHTTP measures one accepted callback through the handler
// alone (checks, body read, decode, append to a memory log with the default
// de-duplication window, answer, metrics), without the HTTP server around
// it, so its CPU and allocations per callback can be compared change by change.
func BenchmarkServeHTTP(b *testing.B) {
	log := eventlog.NewMemory(eventlog.MemoryOptions{DedupWindow: 120e9})
	defer log.Close()
	h, err := New(Options{Log: log, Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse("/webhook?SdkAppid=1400000001&CallbackCommand=Call.CallbackAfterMemberChanged&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS")
	if err != nil {
		b.Fatal(err)
	}
	head := []byte(`{"CallbackCommand":"Call.CallbackAfterMemberChanged","CallId":"`)
	tail := []byte(`","UserList":[{"User_Account":"user1","Status":"Calling"},{"User_Account":144115212948889925,"Status":"Calling"}],"ChangedUserList":[{"User_Account":144115212948889925,"ActionType":"Answer"}],"EventTime":1740464128807}`)
	var body []byte
	var rd bytes.Reader
	w := &discardWriter{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// A unique CallId per callback, so none is dropped as a retry.
		body = append(strconv.AppendInt(append(body[:0], head...), int64(i), 10), tail...)
		rd.Reset(body)
		r := &http.Request{
			Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(&rd), ContentLength: int64(len(body)), RemoteAddr: "203.0.113.7:40000",
		}
		r = r.WithContext(b.Context())
		w.header, w.status = make(http.Header), 0
		h.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

// discardWriter is the least a ResponseWriter can be, like the server's own
// with a fresh header map per request.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
