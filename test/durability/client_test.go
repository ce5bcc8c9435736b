package durability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

const (
	testApp       = 1400000001
	testAppString = "1400000001"
	// probeCommand is a command the gateway does not model: its body comes
	// back byte for byte in the event's other.json, so each event can be
	// matched to the webhook that caused it by the body's ProbeId.
	probeCommand = "Call.CallbackDurabilityProbe"
	// requestTimeout bounds one webhook request (the gateway's own bound on
	// a JetStream publish is 5s).
	requestTimeout = 15 * time.Second
)

// webhookQuery is what Tencent appends to the callback URL.
var webhookQuery = url.Values{
	"SdkAppid": {testAppString}, "CallbackCommand": {probeCommand}, "contenttype": {"json"},
	"ClientIP": {"203.0.113.7"}, "OptPlatform": {"Server"},
}.Encode()

// probeBody is the body of the webhook with the given unique id.
func probeBody(id string) []byte {
	return []byte(`{"CallbackCommand":"` + probeCommand + `","ProbeId":"` + id + `","EventTime":1740464128807}`)
}

// probeID returns the id of the webhook an event came from, checking that
// the event carries its body byte for byte.
func probeID(ev *gatewayv1.Event) (string, error) {
	raw := ev.GetOther().GetJson()
	var body struct{ ProbeId string }
	if err := json.Unmarshal([]byte(raw), &body); err != nil || body.ProbeId == "" {
		return "", fmt.Errorf("event %d is not a probe: %s", ev.GetSequence(), raw)
	}
	if want := string(probeBody(body.ProbeId)); raw != want || ev.GetCallbackCommand() != probeCommand {
		return "", fmt.Errorf("event %d (command %q) carries body %s, want %s", ev.GetSequence(), ev.GetCallbackCommand(), raw, want)
	}
	return body.ProbeId, nil
}

// newHTTPClient returns a client with its own connection pool, closed at the
// end of the test.
func newHTTPClient(t *testing.T) *http.Client {
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// post sends the webhook with the given id to the gateway at addr once; nil
// means the gateway answered 200 with Tencent's OK body.
func post(ctx context.Context, c *http.Client, addr, id string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/webhook?"+webhookQuery, bytes.NewReader(probeBody(id)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK || string(bytes.TrimSpace(raw)) != `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` {
		return fmt.Errorf("answered %d %s", resp.StatusCode, raw)
	}
	return nil
}

// postOK posts a webhook that must be acknowledged, retrying for up to
// retryFor on any failure (as Tencent retries), spread over addrs.
func postOK(ctx context.Context, t *testing.T, c *http.Client, addrs []string, id string, retryFor time.Duration) {
	t.Helper()
	began := time.Now()
	for attempt := 0; ; attempt++ {
		err := post(ctx, c, addrs[attempt%len(addrs)], id)
		if err == nil {
			return
		}
		if time.Since(began) > retryFor || ctx.Err() != nil {
			t.Fatalf("webhook %s never acknowledged within %s: %v", id, retryFor, err)
		}
		sleep(ctx, 50*time.Millisecond)
	}
}

// sleep pauses between retries, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// waitUntil polls cond until it holds, failing the test when ctx ends first.
func waitUntil(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// load posts distinct webhooks from several workers until stopped, the way
// Tencent does: each worker sends one at a time, and a webhook that is not
// acknowledged is retried with the same body on the next target (a load
// balancer's next replica) for up to retryFor; with retryFor 0 it is given up
// at once.
type load struct {
	client   *http.Client
	targets  func() []string
	retryFor time.Duration

	acks    atomic.Int64
	retries atomic.Int64
	mu      sync.Mutex
	acked   map[string]bool
	unacked map[string]error // given up, with the last error
	slowest time.Duration    // longest time from first attempt to acknowledgement

	stopped chan struct{}
	wg      sync.WaitGroup
}

// startLoad starts `workers` workers posting webhooks named prefix-w<worker>-<n>.
func startLoad(ctx context.Context, t *testing.T, prefix string, workers int, retryFor time.Duration, targets func() []string) *load {
	l := &load{
		client: newHTTPClient(t), targets: targets, retryFor: retryFor,
		acked: map[string]bool{}, unacked: map[string]error{}, stopped: make(chan struct{}),
	}
	for w := range workers {
		l.wg.Add(1)
		go l.work(ctx, fmt.Sprintf("%s-w%d", prefix, w), w)
	}
	t.Cleanup(l.stop)
	return l
}

func (l *load) work(ctx context.Context, prefix string, w int) {
	defer l.wg.Done()
	for n := 0; ; n++ {
		select {
		case <-l.stopped:
			return
		case <-ctx.Done():
			return
		default:
		}
		id := fmt.Sprintf("%s-%d", prefix, n)
		began := time.Now()
		for attempt := 0; ; attempt++ {
			addrs := l.targets()
			err := post(ctx, l.client, addrs[(w+n+attempt)%len(addrs)], id)
			if err == nil {
				l.mu.Lock()
				l.acked[id] = true
				l.slowest = max(l.slowest, time.Since(began))
				l.mu.Unlock()
				l.acks.Add(1)
				break
			}
			if time.Since(began) >= l.retryFor || ctx.Err() != nil {
				l.mu.Lock()
				l.unacked[id] = err
				l.mu.Unlock()
				break
			}
			l.retries.Add(1)
			sleep(ctx, 50*time.Millisecond)
		}
	}
}

// stop ends the load and waits for its workers; a webhook in flight is
// finished (or given up) first.
func (l *load) stop() {
	select {
	case <-l.stopped:
	default:
		close(l.stopped)
	}
	l.wg.Wait()
}

// result returns the acknowledged webhooks and those given up, once stopped.
func (l *load) result() (acked map[string]bool, unacked map[string]error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acked, l.unacked
}

// consumer is a subscriber that keeps every event it received over the
// streams it opened, as a client that resumes after a broken stream does.
type consumer struct {
	name string
	// resuming makes a stream that ends with UNAVAILABLE resume at once
	// from the cursor, at the same address; set it before open.
	resuming bool
	resumes  atomic.Int64
	wg       sync.WaitGroup
	wake     chan struct{}

	mu     sync.Mutex
	events []*gatewayv1.Event
	seen   map[string]int // probe id → times received
	bad    []error        // events that are not the probes sent
	ended  chan struct{}  // closed when the current stream ends
	endErr error          // how it ended
}

// newConsumer returns a consumer whose streams all end with the test.
func newConsumer(t *testing.T, name string) *consumer {
	c := &consumer{name: name, wake: make(chan struct{}, 1), seen: map[string]int{}}
	t.Cleanup(c.wg.Wait) // runs after every stream's own cleanup has cancelled it
	return c
}

// open subscribes to every event after `after` at the gRPC address addr,
// with the cursor's epoch (empty: none), and receives in the background.
func (c *consumer) open(ctx context.Context, t *testing.T, addr string, after uint64, epoch string) {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	client := gatewayv1.NewEventServiceClient(conn)
	subscribe := func(after uint64, epoch string) (gatewayv1.EventService_SubscribeClient, error) {
		return client.Subscribe(ctx, &gatewayv1.SubscribeRequest{AfterSequence: proto.Uint64(after), Epoch: epoch})
	}
	st, err := subscribe(after, epoch)
	if err != nil {
		t.Fatalf("%s: subscribe at %s after %d: %v", c.name, addr, after, err)
	}
	ended := make(chan struct{})
	c.mu.Lock()
	c.ended, c.endErr = ended, nil
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			m, err := st.Recv()
			if err != nil && c.resuming && status.Code(err) == codes.Unavailable && ctx.Err() == nil {
				c.resumes.Add(1)
				sleep(ctx, 100*time.Millisecond)
				if st, err = subscribe(c.cursor()); err == nil {
					continue
				}
			}
			c.mu.Lock()
			if err != nil {
				c.endErr = err
				c.mu.Unlock()
				close(ended)
				c.poke()
				return
			}
			if ev := m.GetEvent(); ev != nil {
				c.events = append(c.events, ev)
				if id, err := probeID(ev); err != nil {
					c.bad = append(c.bad, err)
				} else {
					c.seen[id]++
				}
			}
			c.mu.Unlock()
			c.poke()
		}
	}()
}

func (c *consumer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// count returns how many events the consumer received.
func (c *consumer) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// times returns how many times the consumer received the webhook id.
func (c *consumer) times(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen[id]
}

// snapshot returns the events received so far.
func (c *consumer) snapshot() []*gatewayv1.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*gatewayv1.Event(nil), c.events...)
}

// cursor returns where to resume: the last sequence received and its epoch.
func (c *consumer) cursor() (uint64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events) == 0 {
		return 0, ""
	}
	last := c.events[len(c.events)-1]
	return last.GetSequence(), last.GetEpoch()
}

// waitFor waits until the consumer has received the webhook id, failing the
// test when the stream ends or ctx ends first.
func (c *consumer) waitFor(ctx context.Context, t *testing.T, id string) {
	t.Helper()
	for {
		c.mu.Lock()
		n, ended, err := c.seen[id], c.ended, c.endErr
		c.mu.Unlock()
		if n > 0 {
			return
		}
		select {
		case <-ended:
			if c.times(id) > 0 {
				return
			}
			t.Fatalf("%s: the stream ended with %v before webhook %s arrived (%d events received)", c.name, err, id, c.count())
		default:
		}
		select {
		case <-c.wake:
		case <-ended:
		case <-ctx.Done():
			t.Fatalf("%s: webhook %s never arrived (%d events received): %v", c.name, id, c.count(), ctx.Err())
		}
	}
}

// waitEnd waits for the current stream to end and returns how it ended.
func (c *consumer) waitEnd(ctx context.Context, t *testing.T) error {
	t.Helper()
	c.mu.Lock()
	ended := c.ended
	c.mu.Unlock()
	select {
	case <-ended:
	case <-ctx.Done():
		t.Fatalf("%s: the stream did not end: %v", c.name, ctx.Err())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endErr
}

// streamEnded reports whether the current stream ended, and how.
func (c *consumer) streamEnded() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.ended:
		return true, c.endErr
	default:
		return false, nil
	}
}

// checkStream asserts what a subscriber relies on about everything c
// received: sequences 1, 2, 3, … with no gap and no repeat, every event of
// the given epoch, and each webhook of want exactly once and nothing else.
func (c *consumer) checkStream(t *testing.T, want map[string]bool, epoch string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, err := range c.bad {
		t.Errorf("%s: %v", c.name, err)
	}
	for i, ev := range c.events {
		if ev.GetSequence() != uint64(i+1) {
			t.Fatalf("%s: event #%d has sequence %d, want %d: a gap or a repeat", c.name, i+1, ev.GetSequence(), i+1)
		}
		if ev.GetEpoch() != epoch {
			t.Fatalf("%s: event %d has epoch %q, want %q", c.name, ev.GetSequence(), ev.GetEpoch(), epoch)
		}
	}
	missing, dup := 0, 0
	for id := range want {
		switch n := c.seen[id]; {
		case n == 0:
			if missing++; missing <= 5 {
				t.Errorf("%s: acknowledged webhook %s is not in the log", c.name, id)
			}
		case n > 1:
			if dup++; dup <= 5 {
				t.Errorf("%s: webhook %s is in the log %d times", c.name, id, n)
			}
		}
	}
	for id, n := range c.seen {
		if !want[id] {
			t.Errorf("%s: webhook %s is in the log %d time(s) but was never acknowledged", c.name, id, n)
		}
	}
	if missing+dup > 0 {
		t.Errorf("%s: %d acknowledged webhooks missing, %d duplicated, of %d", c.name, missing, dup, len(want))
	}
}
