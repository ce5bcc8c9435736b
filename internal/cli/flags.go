package cli

import (
	"fmt"
	"strconv"
	"strings"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
)

// listFlag is a repeatable, comma-separated flag of strings.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

// appsFlag is a repeatable, comma-separated flag of SdkAppids.
type appsFlag []uint32

func (l *appsFlag) String() string {
	s := make([]string, len(*l))
	for i, id := range *l {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}

func (l *appsFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := parseApp(part)
		if err != nil {
			return err
		}
		*l = append(*l, id)
	}
	return nil
}

func parseApp(s string) (uint32, error) {
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("SdkAppid %q is not a positive 32-bit decimal number", s)
	}
	return uint32(id), nil
}

// eventTypesFlag is a repeatable, comma-separated flag of event types, by
// their proto names with or without EVENT_TYPE_, in any case.
type eventTypesFlag []gatewayv1.EventType

func (l *eventTypesFlag) String() string {
	s := make([]string, len(*l))
	for i, t := range *l {
		s[i] = strings.TrimPrefix(t.String(), "EVENT_TYPE_")
	}
	return strings.Join(s, ",")
}

func (l *eventTypesFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name := strings.ToUpper(part)
		if !strings.HasPrefix(name, "EVENT_TYPE_") {
			name = "EVENT_TYPE_" + name
		}
		t, ok := gatewayv1.EventType_value[name]
		if !ok || t == 0 {
			return fmt.Errorf("unknown event type %q: use one of %s", part, eventTypeNames())
		}
		*l = append(*l, gatewayv1.EventType(t))
	}
	return nil
}

func eventTypeNames() string {
	var names []string
	for i := int32(1); ; i++ {
		n, ok := gatewayv1.EventType_name[i]
		if !ok {
			break
		}
		names = append(names, strings.TrimPrefix(n, "EVENT_TYPE_"))
	}
	return strings.Join(names, ", ")
}

// secretFlag is a token or key, for every app or per SdkAppid: "secret", or
// comma-separated "SdkAppid=secret" pairs — the form of the server's
// TRTCGW_WEBHOOK_TOKEN, so client and server can share one variable. Set only
// collects the text, so the flag package never quotes a secret in an error;
// parsing happens afterwards, with errors that do not repeat it.
type secretFlag struct {
	raw    []string
	all    string
	perApp map[uint32]string
}

func (s *secretFlag) String() string {
	if s == nil || len(s.raw) == 0 {
		return ""
	}
	return "<redacted>"
}

func (s *secretFlag) Set(v string) error {
	s.raw = append(s.raw, v)
	return nil
}

// resolve parses the collected values; name is the flag, for errors.
func (s *secretFlag) resolve(name string) error {
	s.all, s.perApp = "", map[uint32]string{}
	for _, v := range s.raw {
		if app, _, pair := strings.Cut(v, "="); !strings.Contains(v, ",") && (!pair || !isDigits(app)) {
			// A bare secret, which may hold '=' (base64 padding) but not after digits only.
			if v == "" {
				return fmt.Errorf("--%s is empty", name)
			}
			s.all = v
			continue
		}
		for i, pair := range strings.Split(v, ",") {
			app, secret, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || secret == "" {
				return fmt.Errorf("--%s: item %d is not SdkAppid=secret (a bare secret may not contain ',')", name, i+1)
			}
			id, err := parseApp(app)
			if err != nil {
				return fmt.Errorf("--%s: item %d: %w", name, i+1, err)
			}
			s.perApp[id] = secret
		}
	}
	return nil
}

// of is the secret for app, or "" when there is none.
func (s *secretFlag) of(app uint32) string {
	if v, ok := s.perApp[app]; ok {
		return v
	}
	return s.all
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
