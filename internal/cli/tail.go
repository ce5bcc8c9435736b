package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

const tailUsage = `
Usage: trtc-gateway tail [flags]

Subscribe to the gateway's events and print one line per event: sequence,
time, app, event type, call or room, and a summary such as "alice → bob
ANSWER" (in colour on a terminal, unless NO_COLOR is set). With --json, each
event is one JSON object per line (64-bit numbers as exact digit strings).

Without --from-start or --after, it follows new events only. With
--cursor-file it saves the last sequence and epoch after each event, and a
later run resumes from them with no gap and no duplicate. When the stream
breaks (UNAVAILABLE: the gateway restarts, a replica goes away), it
reconnects with backoff from the last event it printed.

Examples:
  trtc-gateway tail
  trtc-gateway tail --event-type CALL_STARTED,CALL_ENDED --sdk-app-id 1400000001
  trtc-gateway tail --call-id 055662e1-bc8a-469c-a334-1126c8c17d58 --from-start
  trtc-gateway tail --json --cursor-file ~/.trtc-tail.cursor | jq .type
  TRTCGW_TOKEN=… trtc-gateway tail --addr gw.internal:9090 --ca ca.pem
`

// tailBackoff bounds the wait between reconnection attempts.
const (
	tailBackoffMin = 250 * time.Millisecond
	tailBackoffMax = 30 * time.Second
)

func runTail(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "tail", tailUsage)
	var api apiFlags
	api.register(fs)
	var (
		types                             eventTypesFlag
		commands, callIDs, roomIDs, users listFlag
		apps                              appsFlag
	)
	fs.Var(&types, "event-type", "only these event types, e.g. CALL_STARTED,LIVE_MEMBER_STATE_CHANGED (repeatable)")
	fs.Var(&commands, "command", "only these callback commands, e.g. Live.CallbackAfterCreateRoom (repeatable)")
	fs.Var(&apps, "sdk-app-id", "only these SdkAppids (repeatable)")
	fs.Var(&callIDs, "call-id", "only these calls (repeatable)")
	fs.Var(&roomIDs, "room-id", "only these rooms (repeatable)")
	fs.Var(&users, "user", "only events naming these user accounts (repeatable)")
	jsonOut := fs.Bool("json", false, "print each event as one JSON object per line")
	fromStart := fs.Bool("from-start", false, "replay every event the gateway still retains, then follow")
	after := fs.Uint64("after", 0, "replay from the event after this sequence, then follow (with --epoch)")
	epoch := fs.String("epoch", "", "the epoch --after belongs to; a different log is refused with FAILED_PRECONDITION")
	cursorFile := fs.String("cursor-file", "", "save the cursor here after each event, and resume from it when it exists (--from-start and --after then apply only to the run that creates it)")
	colour := fs.String("color", "auto", "auto (on a terminal, unless NO_COLOR is set), always or never")
	if err := parse(fs, env, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: every setting is a flag", fs.Arg(0))
	}
	afterGiven := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "after" {
			afterGiven = true
		}
	})
	if env.Getenv(EnvName("after")) != "" {
		afterGiven = true
	}
	if afterGiven && *fromStart {
		return usagef("--after and --from-start both say where to start: give one")
	}
	if *epoch != "" && !afterGiven && !*fromStart {
		return usagef("--epoch goes with --after (or --from-start)")
	}
	useColour, err := colourChoice(*colour, env)
	if err != nil {
		return err
	}

	req := &gatewayv1.SubscribeRequest{
		EventTypes: types, CallbackCommands: commands, SdkAppIds: apps,
		CallIds: callIDs, RoomIds: roomIDs, UserAccounts: users,
	}
	var cur *cursor
	switch {
	case *cursorFile != "":
		c, err := readCursor(*cursorFile)
		if err != nil {
			return err
		}
		if c != nil {
			cur = c
			break
		}
		fallthrough
	default:
		if afterGiven || *fromStart {
			cur = &cursor{Sequence: *after, Epoch: *epoch}
		}
	}

	conn, err := api.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	t := &tailer{
		client: gatewayv1.NewEventServiceClient(conn),
		addr:   api.addr,
		env:    env,
		req:    req,
		cur:    cur,
		file:   *cursorFile,
		print:  newPrinter(env.Stdout, *jsonOut, useColour),
	}
	return t.run(ctx)
}

func colourChoice(v string, env Env) (bool, error) {
	switch v {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return env.Getenv("NO_COLOR") == "" && env.IsTerminal != nil && env.IsTerminal(env.Stdout), nil
	}
	return false, usagef("--color=%q: use auto, always or never", v)
}

// tailer is one tail session: it subscribes, prints, saves the cursor and
// resubscribes after UNAVAILABLE.
type tailer struct {
	client gatewayv1.EventServiceClient
	addr   string
	env    Env
	req    *gatewayv1.SubscribeRequest
	cur    *cursor // where to resume; nil follows new events
	file   string
	print  *printer
	// reached is set once the gateway has accepted a subscription: from then
	// on UNAVAILABLE is a break to recover from, not a wrong address.
	reached bool
}

func (t *tailer) run(ctx context.Context) error {
	backoff := tailBackoffMin
	for {
		progressed, err := t.once(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if progressed {
			backoff = tailBackoffMin
		}
		st := status.Convert(err)
		if st.Code() != codes.Unavailable {
			return t.explain(st)
		}
		if !t.reached {
			return fmt.Errorf("cannot reach the gateway's gRPC API at %s (is it running, and is --addr its --grpc-addr?): %s", t.addr, st.Message())
		}
		where := "following new events"
		if t.cur != nil {
			where = fmt.Sprintf("resuming after sequence %d", t.cur.Sequence)
		}
		fmt.Fprintf(t.env.Stderr, "trtc-gateway tail: stream broken (UNAVAILABLE: %s); reconnecting in %s, %s\n", st.Message(), backoff, where)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, tailBackoffMax)
	}
}

// once subscribes and prints until the stream ends; progressed says whether
// any message came.
func (t *tailer) once(ctx context.Context) (progressed bool, err error) {
	req := t.req
	if t.cur != nil {
		seq := t.cur.Sequence
		req.AfterSequence, req.Epoch = &seq, t.cur.Epoch
	}
	stream, err := t.client.Subscribe(ctx, req, grpc.WaitForReady(t.reached))
	if err != nil {
		return false, err
	}
	t.reached = true
	for {
		resp, err := stream.Recv()
		if err != nil {
			return progressed, err
		}
		progressed = true
		ev := resp.GetEvent()
		if ev == nil {
			continue // a heartbeat
		}
		if err := t.print.event(ev); err != nil {
			return progressed, status.Errorf(codes.Aborted, "write the event: %v", err)
		}
		t.cur = &cursor{Sequence: ev.GetSequence(), Epoch: ev.GetEpoch()}
		if t.file != "" {
			if err := writeCursor(t.file, t.cur); err != nil {
				return progressed, status.Error(codes.Aborted, err.Error())
			}
		}
	}
}

// explain turns a final status into an error a person can act on.
func (t *tailer) explain(st *status.Status) error {
	msg := st.Message()
	switch st.Code() {
	case codes.Unauthenticated:
		return fmt.Errorf("the gateway wants a valid bearer token (UNAUTHENTICATED: %s): set TRTCGW_TOKEN or --token", msg)
	case codes.PermissionDenied:
		return fmt.Errorf("this token may not read what was asked (PERMISSION_DENIED: %s): ask for apps within its scope", msg)
	case codes.FailedPrecondition:
		return fmt.Errorf("the gateway's log was recreated since this cursor (new epoch; FAILED_PRECONDITION: %s): the old sequences are gone; start again with --from-start%s", msg, t.fileHint())
	case codes.OutOfRange:
		return fmt.Errorf("the cursor is outside the gateway's log (OUT_OF_RANGE: %s): start again with --from-start%s", msg, t.fileHint())
	case codes.InvalidArgument:
		return fmt.Errorf("the gateway refused the subscription (INVALID_ARGUMENT: %s)", msg)
	case codes.ResourceExhausted:
		return fmt.Errorf("the gateway cut the stream off (RESOURCE_EXHAUSTED: %s); resume with --after and --epoch, or use --cursor-file", msg)
	case codes.Aborted:
		return errors.New(msg)
	}
	return fmt.Errorf("the stream ended with %s: %s", st.Code(), msg)
}

func (t *tailer) fileHint() string {
	if t.file == "" {
		return ""
	}
	return " after removing " + t.file
}

// cursor is where a tail resumes: the last sequence printed, and its epoch.
type cursor struct {
	Sequence uint64 `json:"sequence"`
	Epoch    string `json:"epoch"`
}

// readCursor reads a cursor file; nil when it does not exist yet.
func readCursor(path string) (*cursor, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--cursor-file: %w", err)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("--cursor-file %s is not a cursor this command wrote (%v): remove it to start afresh", path, err)
	}
	return &c, nil
}

// writeCursor replaces the cursor file atomically (a temporary file in the
// same directory, renamed over it), so that a tail killed mid-write leaves
// the previous cursor, never half of one. It does not fsync: a power cut may
// lose the newest cursor, and the resumed tail then repeats a few events.
func writeCursor(path string, c *cursor) error {
	b, _ := json.Marshal(c)
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save the cursor: %w", err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save the cursor to %s: %w", path, err)
	}
	return nil
}
