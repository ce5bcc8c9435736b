package callback

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Params are the query parameters Tencent appends to the callback URL.
//
// Keys match in any letter case. An empty value counts as absent. A parameter
// given more than once (also under its other spelling) must repeat the same
// value. Parameters the gateway does not know, such as ones the operator put
// into the configured callback URL, are ignored.
type Params struct {
	// SdkAppID is the Tencent application that sent the callback ("SdkAppid",
	// spelled "SdkAppId" on the Live pages); always 1 or more.
	SdkAppID uint32
	// Command names the callback exactly as sent ("CallbackCommand", spelled
	// "WebhookCommand" on the Live pages), e.g. "Call.CallbackAfterStartCall".
	Command string
	// ClientIP is the end user's client IP as Tencent reports it ("ClientIP").
	ClientIP string
	// OptPlatform is the end user's platform, e.g. "iOS" or "RESTAPI" ("OptPlatform").
	OptPlatform string
	// ContentType is the declared body type as sent ("contenttype"); empty or
	// "json" in any letter case.
	ContentType string
	// Sign is the webhook signature ("Sign"); it is verified by the ingress, not here.
	Sign string
	// RequestTime is the signing time in Unix seconds as sent ("RequestTime");
	// it is verified by the ingress, not here.
	RequestTime string
}

// queryParam is one parameter ParseParams reads: its name in messages, the
// key spellings it accepts (in any letter case) and where its value goes.
type queryParam struct {
	name string
	keys []string
	dst  func(*rawParams) *string
}

// rawParams holds the parameter values as text, before SdkAppid is parsed.
type rawParams struct {
	sdkAppID string
	Params
}

var queryParams = []queryParam{
	{"SdkAppid", []string{"SdkAppid"}, func(r *rawParams) *string { return &r.sdkAppID }},
	{"CallbackCommand", []string{"CallbackCommand", "WebhookCommand"}, func(r *rawParams) *string { return &r.Command }},
	{"ClientIP", []string{"ClientIP"}, func(r *rawParams) *string { return &r.ClientIP }},
	{"OptPlatform", []string{"OptPlatform"}, func(r *rawParams) *string { return &r.OptPlatform }},
	{"contenttype", []string{"contenttype"}, func(r *rawParams) *string { return &r.ContentType }},
	{"Sign", []string{"Sign"}, func(r *rawParams) *string { return &r.Sign }},
	{"RequestTime", []string{"RequestTime"}, func(r *rawParams) *string { return &r.RequestTime }},
}

// paramOf returns the parameter a query key stands for, or nil for a key the
// gateway does not read.
func paramOf(key string) *queryParam {
	for i := range queryParams {
		for _, k := range queryParams[i].keys {
			if strings.EqualFold(key, k) {
				return &queryParams[i]
			}
		}
	}
	return nil
}

// ParseParams reads the callback's query parameters. SdkAppid (a decimal
// number from 1 to 4294967295) and CallbackCommand are required; contenttype,
// when present, must be "json". Every error is an *Error with CodeBadQuery
// whose message names the parameter and says what it must be.
func ParseParams(q url.Values) (Params, error) {
	var raw rawParams
	for key, values := range q {
		param := paramOf(key)
		if param == nil {
			continue
		}
		dst := param.dst(&raw)
		for _, v := range values {
			if v == "" {
				continue
			}
			if *dst != "" && *dst != v {
				return Params{}, conflictError(q, param)
			}
			*dst = v
		}
	}

	p := raw.Params
	if raw.sdkAppID == "" {
		return Params{}, Errorf(CodeBadQuery, "query parameter SdkAppid is missing: Tencent appends SdkAppid=<your SDKAppID> to the callback URL")
	}
	id, err := strconv.ParseUint(raw.sdkAppID, 10, 32)
	if err != nil || id == 0 {
		return Params{}, &Error{
			Code:    CodeBadQuery,
			Message: "query parameter SdkAppid must be a decimal number from 1 to 4294967295, got " + strconv.Quote(clip(raw.sdkAppID)),
			Err:     err,
		}
	}
	p.SdkAppID = uint32(id)
	if err := p.check(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// check reports the first thing that makes p unusable for an event: a zero
// SdkAppID, no command, a contenttype other than json, or a value that is not
// valid UTF-8 (an event's strings must be).
func (p Params) check() *Error {
	if p.SdkAppID == 0 {
		return Errorf(CodeBadQuery, "query parameter SdkAppid is missing: Tencent appends SdkAppid=<your SDKAppID> to the callback URL")
	}
	if p.Command == "" {
		return Errorf(CodeBadQuery, "query parameter CallbackCommand (or WebhookCommand) is missing: it names the callback, e.g. %s", CommandStartCall)
	}
	for _, v := range []struct{ name, value string }{
		{"CallbackCommand", p.Command},
		{"ClientIP", p.ClientIP},
		{"OptPlatform", p.OptPlatform},
		{"contenttype", p.ContentType},
		{"Sign", p.Sign},
		{"RequestTime", p.RequestTime},
	} {
		if !utf8.ValidString(v.value) {
			if v.name == "Sign" {
				return Errorf(CodeBadQuery, "query parameter Sign is not valid UTF-8")
			}
			return Errorf(CodeBadQuery, "query parameter %s is not valid UTF-8: %q", v.name, clip(v.value))
		}
	}
	if p.ContentType != "" && !strings.EqualFold(p.ContentType, "json") {
		return Errorf(CodeBadQuery, "query parameter contenttype must be \"json\", got %q", clip(p.ContentType))
	}
	return nil
}

// conflictError reports a parameter given with different values, listing the
// values in sorted order so the message does not depend on map order.
func conflictError(q url.Values, param *queryParam) *Error {
	var values []string
	for key, vs := range q {
		if paramOf(key) != param {
			continue
		}
		for _, v := range vs {
			if v != "" {
				values = append(values, v)
			}
		}
	}
	slices.Sort(values)
	values = slices.Compact(values)
	name := param.name
	if len(param.keys) > 1 {
		name += " (or " + strings.Join(param.keys[1:], ", ") + ")"
	}
	if param.name == "Sign" { // a signature is never echoed, not even a wrong one
		return Errorf(CodeBadQuery, "query parameter %s is given more than once with different values", name)
	}
	for i, v := range values {
		values[i] = strconv.Quote(clip(v))
	}
	return Errorf(CodeBadQuery, "query parameter %s is given more than once with different values: %s",
		name, strings.Join(values, ", "))
}

// QueryNamesCommand reports whether q names a command: a non-empty
// CallbackCommand (or WebhookCommand) in any letter case. A callback whose
// URL names none may be a TRTC event, which names its type in the body.
func QueryNamesCommand(q url.Values) bool {
	for key, values := range q {
		if p := paramOf(key); p != nil && p.name == "CallbackCommand" {
			for _, v := range values {
				if v != "" {
					return true
				}
			}
		}
	}
	return false
}

// ParseRawQuery is ParseParams for a raw query string on its fast path: when
// raw holds nothing that needs unescaping ('%', '+') or is refused (';'),
// and its parameters are complete and valid, it returns what
// url.ParseQuery followed by ParseParams would, without building a map of
// every parameter (the webhook's most frequent allocations after net/http's
// own). Otherwise it returns false and the caller takes the slow path, which
// produces the precise error.
func ParseRawQuery(raw string) (Params, bool) {
	if strings.ContainsAny(raw, "%+;") {
		return Params{}, false
	}
	var p rawParams
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		param := paramOf(key)
		if param == nil || value == "" {
			continue
		}
		dst := p.slot(param)
		if *dst != "" && *dst != value {
			return Params{}, false // a conflict: the slow path words it
		}
		*dst = value
	}
	if p.sdkAppID == "" {
		return Params{}, false
	}
	id, err := strconv.ParseUint(p.sdkAppID, 10, 32)
	if err != nil || id == 0 {
		return Params{}, false
	}
	p.SdkAppID = uint32(id)
	if p.check() != nil {
		return Params{}, false
	}
	return p.Params, true
}

// slot is param.dst(r) without the indirect call, through which r would
// escape to the heap: one allocation per callback on the fast path.
func (r *rawParams) slot(param *queryParam) *string {
	switch param.name {
	case "SdkAppid":
		return &r.sdkAppID
	case "CallbackCommand":
		return &r.Command
	case "ClientIP":
		return &r.ClientIP
	case "OptPlatform":
		return &r.OptPlatform
	case "contenttype":
		return &r.ContentType
	case "Sign":
		return &r.Sign
	default:
		return &r.RequestTime
	}
}
