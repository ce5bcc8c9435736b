package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCallsAndRooms simulates calls and viewers, then asks the gateway
// about them: records listed and found by id, rooms listed with their
// online members, as tables and as JSON.
func TestCallsAndRooms(t *testing.T) {
	s := startGateway(t, nil)
	if r := runCmd(t, nil, "", "simulate", "--url", "http://"+s.WebhookAddr()+"/webhook", "--count", "300", "--rate", "0", "--conns", "1", "--mix", "calls=1,viewers=1"); r.code != 0 {
		t.Fatalf("simulate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The projections follow the log asynchronously: poll, bounded.
	var records []map[string]any
	waitFor(t, func() bool {
		r := runCmd(t, nil, "", "calls", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "--all", "--json")
		if r.code != 0 {
			t.Fatalf("calls list: exit %d\n%s", r.code, r.stderr)
		}
		records = jsonLines(t, r.stdout)
		return len(records) > 0
	})
	id := records[0]["callId"].(string)
	r := runCmd(t, nil, "", "calls", "get", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", id)
	if r.code != 0 || !strings.Contains(r.stdout, "state     ENDED") || !strings.Contains(r.stdout, "timeline:") {
		t.Errorf("calls get: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "", "calls", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "--limit", "2")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "CALL ID") || !strings.Contains(r.stdout, "2 of ") {
		t.Errorf("calls list table: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "", "calls", "get", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "no-such-call")
	if r.code != 1 || !strings.Contains(r.stderr, "NOT_FOUND") {
		t.Errorf("calls get of an unknown call: exit %d\n%s", r.code, r.stderr)
	}

	var rooms []map[string]any
	waitFor(t, func() bool {
		r := runCmd(t, nil, "", "rooms", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "--all", "--json")
		if r.code != 0 {
			t.Fatalf("rooms list: exit %d\n%s", r.code, r.stderr)
		}
		rooms = jsonLines(t, r.stdout)
		return len(rooms) > 0
	})
	room := rooms[0]["roomId"].(string)
	r = runCmd(t, nil, "", "rooms", "get", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", room, "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "online members:") {
		t.Errorf("rooms get: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "", "rooms", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ROOM ID") {
		t.Errorf("rooms list table: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"calls"}, 2, "say get or list"},
		{[]string{"calls", "get", "--addr", s.GRPCAddr(), "x"}, 2, "--sdk-app-id: give exactly one SdkAppid"},
		{[]string{"calls", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "--result", "HAPPY"}, 2, `--result="HAPPY": use one of`},
		{[]string{"calls", "list", "--addr", s.GRPCAddr(), "--sdk-app-id", "1400000001", "--since", "yesterday"}, 2, `--since="yesterday"`},
		{[]string{"rooms", "get", "--addr", closedAddr(t), "--sdk-app-id", "1400000001", "r"}, 1, "cannot reach the gateway's gRPC API"},
		{[]string{"rooms", "--help"}, 0, "trtc-gateway rooms list --sdk-app-id 1400000001"},
	} {
		r := runCmd(t, nil, "", tc.args[0], tc.args[1:]...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d, want %d and %q:\n%s", tc.args, r.code, tc.code, tc.want, r.stderr)
		}
	}
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var items []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		items = append(items, m)
	}
	return items
}
