package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// ANSI colours of the text lines.
const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiCyan   = "\x1b[36m"
	ansiBlue   = "\x1b[34m"
)

// printer writes events as text lines or JSON lines, flushing after each
// so that a pipe sees every event as it comes.
type printer struct {
	w      *bufio.Writer
	json   bool
	colour bool
	loc    *time.Location
	jsonMO protojson.MarshalOptions
	buf    bytes.Buffer
}

func newPrinter(w io.Writer, jsonOut, colour bool) *printer {
	return &printer{w: bufio.NewWriter(w), json: jsonOut, colour: colour, loc: time.Local}
}

func (p *printer) event(ev *gatewayv1.Event) error {
	if p.json {
		// protojson writes uint64 and int64 fields as strings of exact digits.
		b, err := p.jsonMO.Marshal(ev)
		if err != nil {
			return err
		}
		// protojson varies its spacing on purpose; a line is compact.
		p.buf.Reset()
		if err := json.Compact(&p.buf, b); err != nil {
			return err
		}
		p.w.Write(p.buf.Bytes())
	} else {
		p.w.WriteString(p.line(ev))
	}
	p.w.WriteByte('\n')
	return p.w.Flush()
}

func (p *printer) paint(colour, s string) string {
	if !p.colour || s == "" {
		return s
	}
	return colour + s + ansiReset
}

// line is one event at a glance:
// "#12  15:04:05.000  1400000001  CALL_MEMBER_CHANGED  call 0556…  alice → bob ANSWER".
func (p *printer) line(ev *gatewayv1.Event) string {
	at := ev.GetEventTime()
	if at == nil {
		at = ev.GetReceivedAt()
	}
	when := at.AsTime().In(p.loc).Format("15:04:05.000")
	kind, colour := typeLabel(ev)
	var where string
	switch {
	case ev.GetCallId() != "":
		where = "call " + ev.GetCallId()
	case ev.GetRoomId() != "":
		where = "room " + ev.GetRoomId()
	}
	fields := []string{
		p.paint(ansiDim, fmt.Sprintf("#%-6d", ev.GetSequence())),
		p.paint(ansiDim, when),
		strconv.FormatUint(uint64(ev.GetSdkAppId()), 10),
		p.paint(colour, fmt.Sprintf("%-26s", kind)),
	}
	if where != "" {
		fields = append(fields, where)
	}
	if s := summary(ev); s != "" {
		fields = append(fields, s)
	}
	return strings.TrimRight(strings.Join(fields, "  "), " ")
}

// typeLabel is the event type without its prefix, or for an event the
// gateway does not model yet, its callback command.
func typeLabel(ev *gatewayv1.Event) (string, string) {
	switch ev.GetType() {
	case gatewayv1.EventType_EVENT_TYPE_CALL_STARTED:
		return "CALL_STARTED", ansiGreen
	case gatewayv1.EventType_EVENT_TYPE_CALL_MEMBER_CHANGED:
		return "CALL_MEMBER_CHANGED", ansiYellow
	case gatewayv1.EventType_EVENT_TYPE_CALL_ENDED:
		return "CALL_ENDED", ansiRed
	case gatewayv1.EventType_EVENT_TYPE_LIVE_MEMBER_STATE_CHANGED:
		return "LIVE_MEMBER_STATE_CHANGED", ansiCyan
	case gatewayv1.EventType_EVENT_TYPE_OTHER:
		if c := ev.GetCallbackCommand(); c != "" {
			return c, ansiBlue
		}
	}
	return strings.TrimPrefix(ev.GetType().String(), "EVENT_TYPE_"), ansiBlue
}

// summary says what happened, in the callback's own terms.
func summary(ev *gatewayv1.Event) string {
	switch pl := ev.GetPayload().(type) {
	case *gatewayv1.Event_CallStarted:
		var caller string
		var callees []string
		for _, m := range pl.CallStarted.GetUserList() {
			if caller == "" && m.GetStatus() == gatewayv1.MemberStatus_MEMBER_STATUS_CALLING {
				caller = m.GetUserAccount()
			} else {
				callees = append(callees, m.GetUserAccount())
			}
		}
		return strings.TrimSpace(fmt.Sprintf("%s → %s %s", caller, list(callees), upper(pl.CallStarted.GetCallInfo().GetMediaTypeText())))
	case *gatewayv1.Event_CallMemberChanged:
		var caller string
		if users := pl.CallMemberChanged.GetUserList(); len(users) > 0 {
			caller = users[0].GetUserAccount()
		}
		var parts []string
		for _, c := range pl.CallMemberChanged.GetChangedUserList() {
			action := strings.TrimPrefix(c.GetActionType().String(), "ACTION_TYPE_")
			if c.GetActionType() == gatewayv1.ActionType_ACTION_TYPE_UNSPECIFIED {
				action = c.GetActionTypeText()
			}
			if caller != "" && caller != c.GetUserAccount() {
				parts = append(parts, fmt.Sprintf("%s → %s %s", caller, c.GetUserAccount(), action))
			} else {
				parts = append(parts, fmt.Sprintf("%s %s", c.GetUserAccount(), action))
			}
		}
		return strings.Join(parts, "; ")
	case *gatewayv1.Event_CallEnded:
		r := pl.CallEnded.GetCallRecord()
		result := strings.TrimPrefix(r.GetCallResult().String(), "CALL_RESULT_")
		if r.GetCallResult() == gatewayv1.CallResult_CALL_RESULT_UNSPECIFIED {
			result = r.GetCallResultText()
		}
		s := fmt.Sprintf("%s → %s %s", r.GetCallerAccount(), list(r.GetCalleeAccounts()), result)
		if a, e := r.GetAcceptTime(), r.GetEndTime(); a != nil && e != nil && a.GetSeconds() > 0 && e.AsTime().After(a.AsTime()) {
			s += " " + e.AsTime().Sub(a.AsTime()).String()
		}
		return s
	case *gatewayv1.Event_LiveMemberStateChanged:
		var who []string
		for _, m := range pl.LiveMemberStateChanged.GetMemberList() {
			who = append(who, m.GetMemberAccount())
		}
		sign := "+"
		if pl.LiveMemberStateChanged.GetEventType() == gatewayv1.LiveEventType_LIVE_EVENT_TYPE_OFFLINE {
			sign = "−"
		}
		return fmt.Sprintf("%s %s %s", sign, list(who), upper(pl.LiveMemberStateChanged.GetEventCauseText()))
	}
	return list(ev.GetUserAccounts())
}

// list joins accounts, naming at most three.
func list(accounts []string) string {
	if len(accounts) > 3 {
		return strings.Join(accounts[:3], ", ") + fmt.Sprintf(" +%d", len(accounts)-3)
	}
	return strings.Join(accounts, ", ")
}

func upper(s string) string { return strings.ToUpper(s) }
