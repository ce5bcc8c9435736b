package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// JSON subscribers read the gateway's JSON stream, GET /v1/events:subscribe,
// one HTTP connection each, as a browser or a script with curl would. Like
// the gRPC subscribers they keep only each event's sequence and id, found
// in the line without decoding the rest, so that their own cost stays small.

// jsonSubscribePath subscribes to every event from now on.
const jsonSubscribePath = "/v1/events:subscribe"

// newJSONClient is the HTTP client of a scenario's JSON subscribers: one
// connection per stream, no timeout on the stream itself.
func newJSONClient(n int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConnsPerHost: n,
		DisableCompression:  true,
	}}
}

// openJSON starts a JSON stream for s on the gateway's JSON listener at
// httpAddr and reads it in a goroutine until ctx ends or the stream does.
func (set *subscriberSet) openJSON(ctx context.Context, r *session, client *http.Client, httpAddr string, s *subscriber) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+jsonSubscribePath, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("JSON subscriber: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		_ = resp.Body.Close()
		return fmt.Errorf("JSON subscriber: HTTP %d %s", resp.StatusCode, b)
	}
	set.subs = append(set.subs, s)
	set.wg.Add(1)
	go func() {
		defer set.wg.Done()
		defer resp.Body.Close()
		s.end = set.readJSON(ctx, r, s, bufio.NewReaderSize(resp.Body, 64<<10))
	}()
	return nil
}

func (set *subscriberSet) readJSON(ctx context.Context, r *session, s *subscriber, br *bufio.Reader) error {
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return errors.New("the gateway ended the JSON stream")
			}
			return err
		}
		l, err := parseJSONLine(line)
		if err != nil {
			return err
		}
		if !l.event {
			continue
		}
		now := r.clock.now()
		s.received++
		set.received.Add(1)
		if l.seq <= s.last {
			s.outOfOrder++
		} else if s.everyEvent && s.last != 0 && l.seq != s.last+1 {
			s.gaps++
		}
		s.last = l.seq
		if r.measuring() {
			s.inWindow++
		}
		sent, ok := int64(0), false
		if l.hasKey {
			sent, ok = r.sent.get(l.key)
		}
		if !ok {
			s.unmatched++
			continue
		}
		if r.inWindow(sent) {
			s.hist.record(durationNs(now - sent))
		}
	}
}

// jsonLine is what a JSON subscriber keeps of one line.
type jsonLine struct {
	event  bool
	seq    uint64
	key    uint64
	hasKey bool
}

// The gateway writes each event as {"result":{"event":{"sequence":"…",
// "epoch":"…","id":"…",…}}}: protojson writes fields in number order, so
// the event's own sequence and id come before any payload field of the
// same name, and 64-bit integers are strings.
var (
	eventPrefix = []byte(`{"result":{"event":{`)
	seqField    = []byte(`"sequence":"`)
	idField     = []byte(`"id":"`)
	errorPrefix = []byte(`{"error":`)
)

// parseJSONLine reads a line of the JSON stream. A heartbeat is not an
// event; an error line (the stream's end, as grpc-gateway writes it) is
// returned as the gRPC status it carries, so that a cut-off is counted as
// one.
func parseJSONLine(line []byte) (jsonLine, error) {
	line = bytes.TrimSpace(line)
	switch {
	case bytes.HasPrefix(line, errorPrefix):
		var e struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(line, &e); err != nil {
			return jsonLine{}, fmt.Errorf("unreadable error line %q: %w", line, err)
		}
		return jsonLine{}, status.Error(codes.Code(e.Error.Code), e.Error.Message)
	case !bytes.HasPrefix(line, eventPrefix):
		return jsonLine{}, nil
	}
	l := jsonLine{event: true}
	ev := line[len(eventPrefix):]
	i := bytes.Index(ev, seqField)
	if i < 0 {
		return jsonLine{}, fmt.Errorf("event line without a sequence: %.200q", line)
	}
	rest := ev[i+len(seqField):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return jsonLine{}, fmt.Errorf("event line with a malformed sequence: %.200q", line)
	}
	seq, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil {
		return jsonLine{}, fmt.Errorf("event line with a malformed sequence: %.200q", line)
	}
	l.seq = seq
	if i := bytes.Index(ev, idField); i >= 0 {
		l.key, l.hasKey = idKey(ev[i+len(idField):])
	}
	return l, nil
}
