package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

const callsUsage = `
Usage: trtc-gateway calls get [flags] CALL_ID
       trtc-gateway calls list [flags]

Ask the gateway about TUICallKit calls, from the events its log retains
(CallService). "get" shows one call — in progress or ended — with its
members, timeline and record; "list" shows call records, newest first,
like Tencent's get_record_by_filter. Tables on a terminal or in a pipe;
--json prints protojson (64-bit numbers as exact digit strings): the call
for get, one record per line for list.

Examples:
  trtc-gateway calls get --sdk-app-id 1400000001 055662e1-bc8a-469c-a334-1126c8c17d58
  trtc-gateway calls list --sdk-app-id 1400000001 --since 1h --result NORMAL_END
  trtc-gateway calls list --sdk-app-id 1400000001 --caller alice --all --json
`

const roomsUsage = `
Usage: trtc-gateway rooms get [flags] ROOM_ID
       trtc-gateway rooms list [flags]

Ask the gateway which live rooms are live and who is online in them, from
the events its log retains (RoomService). "get" shows one room and its
online members; "list" shows the live rooms of an app. --json prints
protojson: the room (with its members) for get, one room per line for list.

Examples:
  trtc-gateway rooms list --sdk-app-id 1400000001
  trtc-gateway rooms get --sdk-app-id 1400000001 live_room_42
  trtc-gateway rooms get --sdk-app-id 1400000001 live_room_42 --json | jq .onlineMembers
`

// stateFlags are the flags every calls and rooms query shares.
type stateFlags struct {
	api     apiFlags
	app     appsFlag
	jsonOut bool
	all     bool
	limit   int
	token   string
}

func (f *stateFlags) register(fs *flag.FlagSet) {
	f.api.register(fs)
	fs.Var(&f.app, "sdk-app-id", "the SdkAppid to ask about (required)")
	fs.BoolVar(&f.jsonOut, "json", false, "print protojson instead of a table")
	fs.BoolVar(&f.all, "all", false, "follow every page, not only the first")
	fs.IntVar(&f.limit, "limit", 0, "the most items per page (1-1000); 0 is the gateway's default")
	fs.StringVar(&f.token, "page-token", "", "start from this page (the token a previous page printed)")
}

func (f *stateFlags) appID() (uint32, error) {
	if len(f.app) != 1 {
		return 0, usagef("--sdk-app-id: give exactly one SdkAppid (or TRTCGW_SDK_APP_ID)")
	}
	return f.app[0], nil
}

// splitVerb takes "get" or "list" off the front of args.
func splitVerb(name string, args []string, usage string, env Env) (string, []string, error) {
	if len(args) == 0 || (args[0] != "get" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(env.Stderr, strings.TrimSpace(usage))
			return "", nil, flag.ErrHelp
		}
		return "", nil, usagef("say get or list, e.g. trtc-gateway %s list --sdk-app-id 1400000001", name)
	}
	return args[0], args[1:], nil
}

func runCalls(ctx context.Context, env Env, args []string) error {
	verb, args, err := splitVerb("calls", args, callsUsage, env)
	if err != nil {
		return err
	}
	fs := newFlagSet(env, "calls "+verb, callsUsage)
	var f stateFlags
	f.register(fs)
	since := fs.String("since", "", "list: only calls started at or after this: a duration ago (1h) or an RFC 3339 time")
	until := fs.String("until", "", "list: only calls started before this: a duration ago or an RFC 3339 time")
	result := fs.String("result", "", "list: only calls that ended this way, e.g. NORMAL_END, NOT_ANSWER, REJECT, CANCEL")
	callType := fs.String("type", "", "list: only SINGLE_CALL or MULTI_CALL")
	caller := fs.String("caller", "", "list: only calls this user started")
	callee := fs.String("callee", "", "list: only calls this user was called in")
	room := fs.String("room-id", "", "list: only calls in this TRTC room")
	if err := parse(fs, env, args); err != nil {
		return err
	}
	app, err := f.appID()
	if err != nil {
		return err
	}
	conn, err := f.api.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	client := gatewayv1.NewCallServiceClient(conn)
	now := time.Now()

	if verb == "get" {
		if fs.NArg() != 1 {
			return usagef("calls get takes one CALL_ID")
		}
		resp, err := client.GetCall(ctx, &gatewayv1.GetCallRequest{SdkAppId: app, CallId: fs.Arg(0)})
		if err != nil {
			return explainQuery(err, f.api.addr, "call "+fs.Arg(0))
		}
		if f.jsonOut {
			return printJSON(env.Stdout, resp.GetCall())
		}
		printCall(env.Stdout, resp.GetCall())
		return nil
	}

	if fs.NArg() > 0 {
		return usagef("calls list takes no arguments, only flags: got %q", fs.Arg(0))
	}
	req := &gatewayv1.ListCallRecordsRequest{
		SdkAppId: app, CallerAccount: *caller, CalleeAccount: *callee, RoomId: *room,
		PageSize: int32(f.limit), PageToken: f.token,
	}
	if req.StartTime, err = timeFlag("since", *since, now); err != nil {
		return err
	}
	if req.EndTime, err = timeFlag("until", *until, now); err != nil {
		return err
	}
	if *result != "" {
		v, ok := enumValue(gatewayv1.CallResult_value, "CALL_RESULT_", *result)
		if !ok {
			return usagef("--result=%q: use one of %s", *result, enumNames(gatewayv1.CallResult_name, "CALL_RESULT_"))
		}
		req.CallResult = gatewayv1.CallResult(v)
	}
	if *callType != "" {
		v, ok := enumValue(gatewayv1.CallType_value, "CALL_TYPE_", *callType)
		if !ok {
			return usagef("--type=%q: use one of %s", *callType, enumNames(gatewayv1.CallType_name, "CALL_TYPE_"))
		}
		req.CallType = gatewayv1.CallType(v)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	if !f.jsonOut {
		fmt.Fprintln(tw, "CALL ID\tSTARTED\tDURATION\tRESULT\tTYPE\tMEDIA\tCALLER\tCALLEES")
	}
	var total int32
	var shown int
	for {
		resp, err := client.ListCallRecords(ctx, req)
		if err != nil {
			tw.Flush()
			return explainQuery(err, f.api.addr, "call records")
		}
		total = resp.GetTotalSize()
		for _, r := range resp.GetCallRecords() {
			shown++
			if f.jsonOut {
				if err := printJSON(env.Stdout, r); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.GetCallId(), fmtTime(r.GetStartTime()),
				callDuration(r), trimEnum(r.GetCallResult().String(), "CALL_RESULT_", r.GetCallResultText()),
				trimEnum(r.GetCallType().String(), "CALL_TYPE_", r.GetCallTypeText()),
				trimEnum(r.GetMediaType().String(), "MEDIA_TYPE_", r.GetMediaTypeText()),
				r.GetCallerAccount(), list(r.GetCalleeAccounts()))
		}
		if resp.GetNextPageToken() == "" || !f.all {
			tw.Flush()
			if !f.jsonOut {
				fmt.Fprintf(env.Stdout, "%d of %d records", shown, total)
				if next := resp.GetNextPageToken(); next != "" {
					fmt.Fprintf(env.Stdout, "; more with --all or --page-token %s", next)
				}
				fmt.Fprintln(env.Stdout)
			}
			return nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

func runRooms(ctx context.Context, env Env, args []string) error {
	verb, args, err := splitVerb("rooms", args, roomsUsage, env)
	if err != nil {
		return err
	}
	fs := newFlagSet(env, "rooms "+verb, roomsUsage)
	var f stateFlags
	f.register(fs)
	if err := parse(fs, env, args); err != nil {
		return err
	}
	app, err := f.appID()
	if err != nil {
		return err
	}
	conn, err := f.api.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	client := gatewayv1.NewRoomServiceClient(conn)

	if verb == "get" {
		if fs.NArg() != 1 {
			return usagef("rooms get takes one ROOM_ID")
		}
		req := &gatewayv1.GetRoomRequest{SdkAppId: app, RoomId: fs.Arg(0), MemberPageSize: int32(f.limit), MemberPageToken: f.token}
		var room *gatewayv1.GetRoomResponse
		for {
			resp, err := client.GetRoom(ctx, req)
			if err != nil {
				return explainQuery(err, f.api.addr, "room "+fs.Arg(0))
			}
			if room == nil {
				room = resp
			} else {
				room.OnlineMembers = append(room.OnlineMembers, resp.GetOnlineMembers()...)
				room.NextMemberPageToken = resp.GetNextMemberPageToken()
			}
			if resp.GetNextMemberPageToken() == "" || !f.all {
				break
			}
			req.MemberPageToken = resp.GetNextMemberPageToken()
		}
		if f.jsonOut {
			return printJSON(env.Stdout, room)
		}
		printRoom(env.Stdout, room)
		return nil
	}

	if fs.NArg() > 0 {
		return usagef("rooms list takes no arguments, only flags: got %q", fs.Arg(0))
	}
	req := &gatewayv1.ListRoomsRequest{SdkAppId: app, PageSize: int32(f.limit), PageToken: f.token}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	if !f.jsonOut {
		fmt.Fprintln(tw, "ROOM ID\tONLINE\tLAST EVENT\tEXPIRES\tCOMPLETE")
	}
	shown := 0
	for {
		resp, err := client.ListRooms(ctx, req)
		if err != nil {
			tw.Flush()
			return explainQuery(err, f.api.addr, "rooms")
		}
		for _, r := range resp.GetRooms() {
			shown++
			if f.jsonOut {
				if err := printJSON(env.Stdout, r); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.GetRoomId(), r.GetOnlineMemberCount(),
				fmtTime(r.GetLastEventTime()), fmtTime(r.GetExpireTime()), yesNo(r.GetCoverage().GetComplete()))
		}
		if resp.GetNextPageToken() == "" || !f.all {
			tw.Flush()
			if !f.jsonOut {
				fmt.Fprintf(env.Stdout, "%d of %d live rooms", shown, resp.GetTotalSize())
				if next := resp.GetNextPageToken(); next != "" {
					fmt.Fprintf(env.Stdout, "; more with --all or --page-token %s", next)
				}
				fmt.Fprintln(env.Stdout)
			}
			return nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

func printCall(w io.Writer, c *gatewayv1.Call) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "call\t%s\n", c.GetCallId())
	fmt.Fprintf(tw, "app\t%d\n", c.GetSdkAppId())
	fmt.Fprintf(tw, "state\t%s\n", trimEnum(c.GetState().String(), "CALL_STATE_", ""))
	fmt.Fprintf(tw, "caller\t%s\n", c.GetCallerAccount())
	fmt.Fprintf(tw, "media\t%s\n", trimEnum(c.GetMediaType().String(), "MEDIA_TYPE_", ""))
	if c.GetRoomId() != "" {
		fmt.Fprintf(tw, "room\t%s\n", c.GetRoomId())
	}
	fmt.Fprintf(tw, "started\t%s\n", fmtTime(c.GetStartTime()))
	fmt.Fprintf(tw, "ended\t%s\n", fmtTime(c.GetEndTime()))
	if r := c.GetCallRecord(); r != nil {
		fmt.Fprintf(tw, "result\t%s, %s\n", trimEnum(r.GetCallResult().String(), "CALL_RESULT_", r.GetCallResultText()), callDuration(r))
	}
	fmt.Fprintf(tw, "coverage\t%s\n", coverage(c.GetCoverage()))
	tw.Flush()
	fmt.Fprintln(w, "\nmembers:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER\tSTATE\tLAST ACTION\t")
	for _, m := range c.GetMembers() {
		user := m.GetUserAccount()
		if m.GetCaller() {
			user += " (caller)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", user, trimEnum(m.GetState().String(), "CALL_MEMBER_STATE_", ""), trimEnum(m.GetLastAction().String(), "ACTION_TYPE_", ""))
	}
	tw.Flush()
	fmt.Fprintln(w, "\ntimeline:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SEQ\tTIME\tEVENT\tUSER\tACTION")
	for _, e := range c.GetTimeline() {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", e.GetSequence(), fmtTime(e.GetTime()),
			trimEnum(e.GetEventType().String(), "EVENT_TYPE_", ""), e.GetUserAccount(),
			trimEnum(e.GetActionType().String(), "ACTION_TYPE_", e.GetActionTypeText()))
	}
	tw.Flush()
}

func printRoom(w io.Writer, r *gatewayv1.GetRoomResponse) {
	room := r.GetRoom()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "room\t%s\n", room.GetRoomId())
	fmt.Fprintf(tw, "app\t%d\n", room.GetSdkAppId())
	fmt.Fprintf(tw, "online\t%d\n", room.GetOnlineMemberCount())
	fmt.Fprintf(tw, "last event\t%s\n", fmtTime(room.GetLastEventTime()))
	fmt.Fprintf(tw, "expires\t%s\n", fmtTime(room.GetExpireTime()))
	fmt.Fprintf(tw, "coverage\t%s\n", coverage(room.GetCoverage()))
	tw.Flush()
	fmt.Fprintln(w, "\nonline members:")
	for _, m := range r.GetOnlineMembers() {
		fmt.Fprintf(w, "  %s\n", m)
	}
	if next := r.GetNextMemberPageToken(); next != "" {
		fmt.Fprintf(w, "  … more with --all or --page-token %s\n", next)
	}
}

// explainQuery turns a CallService or RoomService error into one a person
// can act on.
func explainQuery(err error, addr, what string) error {
	st := status.Convert(err)
	msg := st.Message()
	switch st.Code() {
	case codes.NotFound:
		return fmt.Errorf("no %s in the gateway's log (NOT_FOUND: %s)", what, msg)
	case codes.Unavailable:
		return fmt.Errorf("cannot reach the gateway's gRPC API at %s (UNAVAILABLE: %s)", addr, msg)
	case codes.Unauthenticated:
		return fmt.Errorf("the gateway wants a valid bearer token (UNAUTHENTICATED: %s): set TRTCGW_TOKEN or --token", msg)
	case codes.PermissionDenied:
		return fmt.Errorf("this token may not read that app (PERMISSION_DENIED: %s)", msg)
	case codes.InvalidArgument:
		return fmt.Errorf("the gateway refused the query (INVALID_ARGUMENT: %s)", msg)
	case codes.Unimplemented:
		return fmt.Errorf("this gateway does not answer %s queries (UNIMPLEMENTED: %s): it is older than this client", what, msg)
	}
	return fmt.Errorf("%s: %s", st.Code(), msg)
}

func printJSON(w io.Writer, m proto.Message) error {
	b, err := protojson.Marshal(m)
	if err != nil {
		return err
	}
	// protojson varies its spacing on purpose; a line is compact.
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

// timeFlag reads --since/--until: a duration before now, or an RFC 3339 time.
func timeFlag(name, v string, now time.Time) (*timestamppb.Timestamp, error) {
	if v == "" {
		return nil, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return timestamppb.New(now.Add(-d)), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usagef("--%s=%q: use a duration ago (90m) or an RFC 3339 time (2026-12-02T03:00:00Z)", name, v)
	}
	return timestamppb.New(t), nil
}

func enumValue(values map[string]int32, prefix, v string) (int32, bool) {
	name := strings.ToUpper(v)
	if !strings.HasPrefix(name, prefix) {
		name = prefix + name
	}
	n, ok := values[name]
	return n, ok && n != 0
}

func enumNames(names map[int32]string, prefix string) string {
	var s []string
	for i := int32(1); ; i++ {
		n, ok := names[i]
		if !ok {
			break
		}
		s = append(s, strings.TrimPrefix(n, prefix))
	}
	return strings.Join(s, ", ")
}

// trimEnum is an enum value's name without its prefix, or text when the
// value is unspecified (a spelling the gateway did not recognise).
func trimEnum(name, prefix, text string) string {
	if strings.HasSuffix(name, "_UNSPECIFIED") {
		if text != "" {
			return text
		}
		return "-"
	}
	return strings.TrimPrefix(name, prefix)
}

func fmtTime(t *timestamppb.Timestamp) string {
	if t == nil || (t.GetSeconds() == 0 && t.GetNanos() == 0) {
		return "-"
	}
	return t.AsTime().Local().Format("2006-01-02 15:04:05")
}

func callDuration(r *gatewayv1.CallRecord) string {
	a, e := r.GetAcceptTime(), r.GetEndTime()
	if a == nil || e == nil || a.GetSeconds() == 0 || e.GetSeconds() < a.GetSeconds() {
		return "-"
	}
	return e.AsTime().Sub(a.AsTime()).String()
}

func coverage(c *gatewayv1.Coverage) string {
	if c == nil {
		return "-"
	}
	s := fmt.Sprintf("%d events, sequences %d–%d", c.GetEventCount(), c.GetFirstSequence(), c.GetLastSequence())
	if !c.GetComplete() {
		s += "; incomplete: the log lacks part of the story"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
