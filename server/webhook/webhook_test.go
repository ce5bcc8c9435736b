package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

const (
	testApp     = 1400000001
	signedApp   = 1400000002
	foreignApp  = 1400000009
	testMaxBody = 256 << 10
	testToken   = "xxxxyyyy"

	cmdStart  = "Call.CallbackAfterStartCall"
	cmdMember = "Call.CallbackAfterMemberChanged"
	cmdEnd    = "Call.CallbackAfterEndCall"
	cmdLive   = "Live.CallbackAfterMemberStateChanged"
)

// Valid bodies of the four modelled callbacks, as in Tencent's documentation.
const (
	startBody  = `{"CallbackCommand":"Call.CallbackAfterStartCall","CallInfo":{"CallId":"055662e1-bc8a-469c-a334-1126c8c17d58","CallMediaType":"Audio","ChatGroupId":"","RoomId":"","RoomIdType":1},"UserList":[{"User_Account":144115212830834855,"Status":"Calling"},{"User_Account":144115212948889925,"Status":"Waiting"}],"EventTime":1740464128807}`
	memberBody = `{"CallbackCommand":"Call.CallbackAfterMemberChanged","CallId":"055662e1-bc8a-469c-a334-1126c8c17d58","UserList":[{"User_Account":"user1","Status":"Calling"},{"User_Account":"user2","Status":"Calling"}],"ChangedUserList":[{"User_Account":"user2","ActionType":"Answer"}],"EventTime":1740464128807}`
	endBody    = `{"CallbackCommand":"Call.CallbackAfterEndCall","CallRecord":{"CallId":"055662e1-bc8a-469c-a334-1126c8c17d58","Caller_Account":"10001","MediaType":"Audio","CallType":"SingleCall","StartTime":1741231146,"EndTime":1741231296,"AcceptTime":0,"CallResult":"NotAnswer","CalleeList_Account":["10001","user2"],"RoomId":"roomid-1434","RoomIdType":2},"EventTime":1703589922780}`
	liveBody   = `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_id","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],"EventTime":1703589922780}`
)

// bodyOf is the valid body of each modelled command.
var bodyOf = map[string]string{cmdStart: startBody, cmdMember: memberBody, cmdEnd: endBody, cmdLive: liveBody}

// waitLimit bounds every request; it is a deadlock guard, not a speed check.
const waitLimit = 20 * time.Second

// recorder is an event log that counts what it is given and keeps the last event.
type recorder struct {
	mu   sync.Mutex
	n    int
	last *gatewayv1.Event
}

func (r *recorder) Append(_ context.Context, ev *gatewayv1.Event) (uint64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.last = ev
	return uint64(r.n), nil
}

// len returns how many events were appended.
func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// lastEvent returns the event appended last.
func (r *recorder) lastEvent() *gatewayv1.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// signedAt is the fixed clock of the test handlers: Tencent's test vector's RequestTime.
var signedAt = time.Unix(1669872112, 0)

// newHandler returns the real handler with every protection but the rate
// limit on: an allowlist, a token for signedApp and a 256 KiB body limit.
func newHandler(t testing.TB, mutate func(*webhook.Options)) (*webhook.Handler, *recorder) {
	t.Helper()
	auth, err := webhookauth.New(map[uint32]string{signedApp: testToken}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	opts := webhook.Options{
		Log:         rec,
		AllowedApps: []uint32{testApp, signedApp},
		MaxBody:     testMaxBody,
		Auth:        auth,
		Now:         func() time.Time { return signedAt },
	}
	if mutate != nil {
		mutate(&opts)
	}
	h, err := webhook.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, rec
}

// serveLoopback serves h on a loopback listener with the header limit the
// gateway's webhook listener has.
func serveLoopback(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.MaxHeaderBytes = 64 << 10
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// query is the query Tencent appends for app and command.
func query(app uint32, command string) string {
	return "SdkAppid=" + strconv.FormatUint(uint64(app), 10) + "&CallbackCommand=" + url.QueryEscape(command) +
		"&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS"
}

// tencentResponse is the body every answer of the webhook has.
type tencentResponse struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
}

// decodeResponse checks that raw is exactly Tencent's response shape.
func decodeResponse(raw []byte) (tencentResponse, error) {
	var tr tencentResponse
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tr); err != nil {
		return tr, fmt.Errorf("not Tencent's response shape: %w", err)
	}
	if dec.More() {
		return tr, fmt.Errorf("more than one JSON value")
	}
	return tr, nil
}

// hostile is one request of the hostile-input table and the answer it must get.
type hostile struct {
	name        string
	method      string            // "" is POST
	target      string            // path and query; "" is /webhook with the query of app testApp and cmd
	cmd         string            // the URL's command when target is ""; "" is cmdStart
	contentType string            // "" is application/json; "-" sends none
	header      map[string]string // more headers
	body        string
	chunked     bool // send the body without a Content-Length

	status int           // the HTTP status
	code   callback.Code // the Tencent ErrorCode; CodeOK for an accepted request
	msg    string        // a substring of ErrorInfo
	// plain marks an answer net/http gives before the handler runs, in plain text.
	plain bool
}

// with returns body with the value at path replaced by the JSON text raw (or
// removed when raw is ""). A path is member names and [index]es, e.g.
// "UserList[0].User_Account". Numbers keep their digits.
func with(body, path, raw string) string {
	var doc any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		panic(err)
	}
	doc = set(doc, splitPath(path), raw)
	out, err := json.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("with(%s, %s): %v", path, raw, err))
	}
	return string(out)
}

func splitPath(path string) []string {
	var parts []string
	for _, p := range strings.Split(path, ".") {
		name, idx, ok := strings.Cut(p, "[")
		parts = append(parts, name)
		if ok {
			parts = append(parts, "["+idx)
		}
	}
	return parts
}

func set(node any, path []string, raw string) any {
	if len(path) == 0 {
		return json.RawMessage(raw)
	}
	if i, ok := strings.CutPrefix(path[0], "["); ok {
		n, _ := strconv.Atoi(strings.TrimSuffix(i, "]"))
		list := node.([]any)
		list[n] = set(list[n], path[1:], raw)
		return list
	}
	obj := node.(map[string]any)
	if len(path) == 1 && raw == "" {
		delete(obj, path[0])
		return obj
	}
	obj[path[0]] = set(obj[path[0]], path[1:], raw)
	return obj
}

// field is a member of a modelled callback and the JSON type it must have.
type field struct {
	cmd, path string
	kind      string // string, id, number, object, array, element, millis, seconds
}

// modelledFields lists every field the decoder reads, of every modelled callback.
var modelledFields = []field{
	{cmdStart, "EventTime", "millis"},
	{cmdStart, "CallInfo", "object"},
	{cmdStart, "CallInfo.CallId", "string"},
	{cmdStart, "CallInfo.CallMediaType", "string"},
	{cmdStart, "CallInfo.ChatGroupId", "string"},
	{cmdStart, "CallInfo.RoomId", "id"},
	{cmdStart, "CallInfo.RoomIdType", "number"},
	{cmdStart, "UserList", "array"},
	{cmdStart, "UserList[1]", "element"},
	{cmdStart, "UserList[0].User_Account", "id"},
	{cmdStart, "UserList[1].Status", "string"},
	{cmdMember, "EventTime", "millis"},
	{cmdMember, "CallId", "string"},
	{cmdMember, "UserList", "array"},
	{cmdMember, "UserList[0]", "element"},
	{cmdMember, "UserList[1].User_Account", "id"},
	{cmdMember, "UserList[0].Status", "string"},
	{cmdMember, "ChangedUserList", "array"},
	{cmdMember, "ChangedUserList[0]", "element"},
	{cmdMember, "ChangedUserList[0].User_Account", "id"},
	{cmdMember, "ChangedUserList[0].ActionType", "string"},
	{cmdEnd, "EventTime", "millis"},
	{cmdEnd, "CallRecord", "object"},
	{cmdEnd, "CallRecord.CallId", "string"},
	{cmdEnd, "CallRecord.Caller_Account", "id"},
	{cmdEnd, "CallRecord.MediaType", "string"},
	{cmdEnd, "CallRecord.CallType", "string"},
	{cmdEnd, "CallRecord.StartTime", "seconds"},
	{cmdEnd, "CallRecord.EndTime", "seconds"},
	{cmdEnd, "CallRecord.AcceptTime", "seconds"},
	{cmdEnd, "CallRecord.CallResult", "string"},
	{cmdEnd, "CallRecord.CalleeList_Account", "array"},
	{cmdEnd, "CallRecord.CalleeList_Account[1]", "id"},
	{cmdEnd, "CallRecord.RoomId", "id"},
	{cmdEnd, "CallRecord.RoomIdType", "number"},
	{cmdLive, "EventTime", "millis"},
	{cmdLive, "RoomId", "id"},
	{cmdLive, "EventType", "string"},
	{cmdLive, "EventCause", "string"},
	{cmdLive, "MemberList", "array"},
	{cmdLive, "MemberList[1]", "element"},
	{cmdLive, "MemberList[0].Member_Account", "id"},
}

// wrongValues are values of the wrong JSON type, or impossible ones, for each kind.
var wrongValues = map[string][]string{
	"string":  {`17`, `true`, `{"a":"b"}`, `["x"]`},
	"id":      {`true`, `{}`, `1.5`, `-42`, `1e3`},
	"number":  {`"1"`, `false`, `[1]`},
	"object":  {`"CallInfo"`, `[]`, `7`},
	"array":   {`{}`, `"a,b"`, `0`},
	"element": {`"user1"`, `12`, `[]`},
	"millis":  {`"soon"`, `-1`, `1740464128807.5`, `1.7e12`, `253402300800000`, `99999999999999999999999999`},
	"seconds": {`"noon"`, `-5`, `2.5`, `253402300800`, `{}`},
}

// wrongTypeCases are one rejected request per wrong value of every modelled field.
func wrongTypeCases() []hostile {
	var cases []hostile
	for _, f := range modelledFields {
		for _, v := range wrongValues[f.kind] {
			cases = append(cases, hostile{
				name: fmt.Sprintf("wrong type %s %s=%s", f.cmd, f.path, v),
				cmd:  f.cmd, body: with(bodyOf[f.cmd], f.path, v),
				status: 400, code: callback.CodeBadField, msg: "field " + f.path,
			})
		}
	}
	return cases
}

func nested(depth int, open, close, inner string) string {
	return strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
}

func hostileCases() []hostile {
	bad := func(name, body string, code callback.Code, msg string) hostile {
		return hostile{name: name, body: body, status: code.HTTPStatus(), code: code, msg: msg}
	}
	ok := func(name, body string) hostile {
		return hostile{name: name, body: body, status: 200, code: callback.CodeOK}
	}
	q := func(name, rawQuery string, status int, code callback.Code, msg string) hostile {
		return hostile{name: name, target: "/webhook?" + rawQuery, body: startBody, status: status, code: code, msg: msg}
	}
	const (
		app = "SdkAppid=1400000001"
		cmd = "CallbackCommand=Call.CallbackAfterStartCall"
	)
	signed := func(sign, requestTime string) string {
		return fmt.Sprintf("/webhook?SdkAppid=%d&%s&Sign=%s&RequestTime=%s", signedApp, cmd, sign, requestTime)
	}
	vectorSign := webhookauth.Sign(testToken, "1669872112")
	giant := strings.Repeat("x", testMaxBody-1024)

	cases := []hostile{
		// Malformed JSON, at every depth.
		bad("unclosed object", `{`, callback.CodeInvalidJSON, "invalid JSON at byte"),
		bad("unclosed nested object", `{"CallInfo":{`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("unclosed object at depth 2", `{"CallInfo":{"CallId":"x"`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("unclosed array at depth 2", `{"UserList":[{"User_Account":"a"}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("missing value at depth 3", `{"UserList":[{"User_Account":}]}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("trailing comma at depth 1", `{"EventTime":1740464128807,}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("trailing comma at depth 2", `{"CallInfo":{"CallId":"x",},"EventTime":1}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("trailing comma at depth 3", `{"UserList":[{"User_Account":"a",}]}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("trailing comma in array", `{"UserList":[{"User_Account":"a"},]}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("missing comma, as in the doc samples", `{"EventTime":1 "CallId":"x"}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("missing colon", `{"EventTime" 1}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("comment, as in the doc samples", "{\"EventTime\":1, // ms\n}", callback.CodeInvalidJSON, "line 1"),
		bad("error on line 3", "{\n\"EventTime\":1,\n\"CallId\":x}", callback.CodeInvalidJSON, "line 3"),
		bad("single quotes", `{'EventTime':1}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("NaN", `{"EventTime":NaN}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("Infinity", `{"EventTime":-Infinity}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("leading zero", `{"EventTime":01}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("plus sign", `{"EventTime":+1}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("bare fraction", `{"EventTime":.5}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("hex number", `{"EventTime":0x10}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("unterminated string", `{"CallId":"abc}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("bad escape", `{"CallId":"a\xb"}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("short unicode escape", `{"CallId":"\u12"}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("raw control character in a string", "{\"CallId\":\"a\tb\"}", callback.CodeInvalidJSON, "invalid JSON"),
		bad("raw newline in a string", "{\"CallId\":\"a\nb\"}", callback.CodeInvalidJSON, "invalid JSON"),
		bad("misspelt literal", `{"CallInfo":tru}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("garbage after the object", startBody+` x`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("two objects", `{}{}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("closing brace only", `}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("unbalanced brackets", `{"a":[[[1]]}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("byte order mark", "\ufeff"+startBody, callback.CodeInvalidJSON, "invalid JSON"),
		bad("NUL byte between tokens", "{\"EventTime\":1,\x00\"CallId\":\"x\"}", callback.CodeInvalidJSON, "invalid JSON"),
		bad("key without quotes", `{EventTime:1}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("non-string key", `{1:2}`, callback.CodeInvalidJSON, "invalid JSON"),

		// Deep nesting.
		bad("nesting past encoding/json's limit", `{"x":`+nested(10001, "[", "]", "")+`}`, callback.CodeInvalidJSON, "invalid JSON"),
		bad("100000 opening brackets", strings.Repeat("[", 100000), callback.CodeInvalidJSON, "invalid JSON"),
		bad("deep nesting where an object belongs", `{"CallInfo":`+nested(5000, "[", "]", "")+`}`, callback.CodeBadField, "field CallInfo"),
		bad("deep objects where a string belongs", `{"CallInfo":{"CallId":`+nested(5000, `{"a":`, "}", "1")+`}}`, callback.CodeBadField, "field CallInfo.CallId"),
		ok("deep nesting in a member the gateway does not read", `{"Extra":`+nested(2500, `{"a":[`, "]}", "1")+`,"EventTime":1740464128807}`),

		// Not a JSON object.
		bad("empty body", ``, callback.CodeEmptyBody, "empty"),
		bad("whitespace only", " \r\n\t ", callback.CodeEmptyBody, "empty"),
		bad("null", `null`, callback.CodeNotObject, "object"),
		bad("array", `[`+startBody+`]`, callback.CodeNotObject, "object"),
		bad("string", `"hello"`, callback.CodeNotObject, "object"),
		bad("number", `1740464128807`, callback.CodeNotObject, "object"),
		bad("boolean", `true`, callback.CodeNotObject, "object"),

		// Invalid UTF-8, checked before the syntax.
		bad("invalid byte in a value", "{\"CallId\":\"\xff\"}", callback.CodeInvalidUTF8, "byte 12"),
		bad("invalid byte in a key", "{\"\xfe\":1}", callback.CodeInvalidUTF8, "UTF-8"),
		bad("overlong encoding of /", "{\"CallId\":\"\xc0\xaf\"}", callback.CodeInvalidUTF8, "UTF-8"),
		bad("encoded surrogate half", "{\"CallId\":\"\xed\xa0\x80\"}", callback.CodeInvalidUTF8, "UTF-8"),
		bad("beyond U+10FFFF", "{\"CallId\":\"\xf5\x80\x80\x80\"}", callback.CodeInvalidUTF8, "UTF-8"),
		bad("truncated sequence at the end", "{\"CallId\":\"x\"}\xe2\x82", callback.CodeInvalidUTF8, "UTF-8"),
		bad("Latin-1 text", "{\"CallId\":\"caf\xe9\"}", callback.CodeInvalidUTF8, "UTF-8"),
		bad("invalid UTF-8 in broken JSON", "{\xff", callback.CodeInvalidUTF8, "UTF-8"),
		ok("escaped lone surrogate is valid JSON", with(startBody, "CallInfo.CallId", `"\ud800"`)),
		ok("non-ASCII text", with(startBody, "CallInfo.CallId", `"通话-📞-ünïcode"`)),

		// Huge numbers.
		ok("account of 40 digits keeps its digits", with(startBody, "UserList[0].User_Account", "1234567890123456789012345678901234567890")),
		ok("the last millisecond of year 9999", with(startBody, "EventTime", "253402300799999")),
		ok("unread member with a huge exponent", with(startBody, "Extra", "1e999999")),
		ok("unknown RoomIdType number", with(startBody, "CallInfo.RoomIdType", "1e999")),
		bad("EventTime with a huge exponent", with(startBody, "EventTime", "1e400"), callback.CodeBadField, "field EventTime"),
		bad("EventTime past uint64", with(startBody, "EventTime", "184467440737095516160"), callback.CodeBadField, "field EventTime"),

		// Giant strings within the size limit.
		ok("giant call id", with(startBody, "CallInfo.CallId", `"`+giant+`"`)),
		ok("giant unread key", `{"`+giant+`":1,"EventTime":1740464128807}`),
		ok("many escapes", with(startBody, "CallInfo.CallId", `"`+strings.Repeat(`\u0041`, 20000)+`"`)),
		ok("10000 users", with(startBody, "UserList", "["+strings.TrimSuffix(strings.Repeat(`{"User_Account":"u","Status":"Calling"},`, 5000), ",")+"]")),
		bad("body one byte over the limit", `{"x":"`+strings.Repeat("a", testMaxBody-7)+`"}`, callback.CodeTooLarge, strconv.Itoa(testMaxBody)),
		{name: "chunked body over the limit", body: `{"x":"` + strings.Repeat("a", 2*testMaxBody) + `"}`, chunked: true, status: 413, code: callback.CodeTooLarge, msg: "limit"},
		{name: "chunked body within the limit", body: startBody, chunked: true, status: 200, code: callback.CodeOK},

		// Duplicate keys: the last one counts, as with encoding/json.
		ok("command twice, the last one matching", `{"CallbackCommand":"Call.CallbackAfterEndCall","CallbackCommand":"Call.CallbackAfterStartCall","EventTime":1}`),
		bad("command twice, the last one contradicting", `{"CallbackCommand":"Call.CallbackAfterStartCall","CallbackCommand":"Call.CallbackAfterEndCall"}`, callback.CodeCommandMismatch, "contradicts"),
		bad("EventTime twice, the last one wrong", `{"EventTime":1,"EventTime":"x"}`, callback.CodeBadField, "field EventTime"),
		ok("EventTime twice, the first one wrong", `{"EventTime":"x","EventTime":1}`),
		bad("CallInfo twice, the last one a string", `{"CallInfo":{"CallId":"a"},"CallInfo":"b"}`, callback.CodeBadField, "field CallInfo"),
		bad("nested key twice, the last one wrong", `{"CallInfo":{"CallId":"a","CallId":5}}`, callback.CodeBadField, "field CallInfo.CallId"),

		// The body's command against the URL's.
		bad("body names another command", endBody, callback.CodeCommandMismatch, "contradicts"),
		bad("body command is a number", `{"CallbackCommand":17}`, callback.CodeCommandMismatch, "must be a string"),
		bad("body command is an object", `{"CallbackCommand":{"a":1}}`, callback.CodeCommandMismatch, "must be a string"),
		ok("body command in another letter case", `{"CallbackCommand":"call.callbackafterstartcall"}`),
		ok("body command null", `{"CallbackCommand":null,"EventTime":1}`),

		// Query parameter tricks.
		q("no query", "", 400, callback.CodeBadQuery, "SdkAppid is missing"),
		q("no SdkAppid", cmd, 400, callback.CodeBadQuery, "SdkAppid is missing"),
		q("no command", app, 400, callback.CodeBadQuery, "CallbackCommand"),
		q("SdkAppid empty", "SdkAppid=&"+cmd, 400, callback.CodeBadQuery, "SdkAppid is missing"),
		q("SdkAppid without =", "SdkAppid&"+cmd, 400, callback.CodeBadQuery, "SdkAppid is missing"),
		q("SdkAppid not a number", "SdkAppid=abc&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid zero", "SdkAppid=0&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid past uint32", "SdkAppid=4294967296&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid negative", "SdkAppid=-1400000001&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid with a plus sign", "SdkAppid=%2B1400000001&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid with a space", "SdkAppid=+1400000001&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid with a fraction", "SdkAppid=1400000001.0&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid in hex", "SdkAppid=0x537240a1&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid with a NUL", "SdkAppid=1400000001%00&"+cmd, 400, callback.CodeBadQuery, "decimal number"),
		q("SdkAppid of 1000 digits", "SdkAppid="+strings.Repeat("9", 1000)+"&"+cmd, 400, callback.CodeBadQuery, "…"),
		q("SdkAppid twice, conflicting", app+"&SdkAppid=1400000002&"+cmd, 400, callback.CodeBadQuery, "more than once"),
		q("SdkAppid in two spellings, conflicting", app+"&SdkAppId=1400000002&"+cmd, 400, callback.CodeBadQuery, "more than once"),
		q("SdkAppid in two cases, conflicting", app+"&sdkappid=1400000002&"+cmd, 400, callback.CodeBadQuery, "more than once"),
		q("command in two spellings, conflicting", app+"&"+cmd+"&WebhookCommand=Live.CallbackAfterMemberStateChanged", 400, callback.CodeBadQuery, "more than once"),
		q("contenttype xml", app+"&"+cmd+"&contenttype=xml", 400, callback.CodeBadQuery, "contenttype"),
		q("semicolon separator", app+";x=y&"+cmd, 400, callback.CodeBadQuery, "malformed"),
		q("bad percent-encoding", "SdkAppid=14%zz&"+cmd, 400, callback.CodeBadQuery, "malformed"),
		q("bad percent-encoding in an unread parameter", app+"&"+cmd+"&x=%", 400, callback.CodeBadQuery, "malformed"),
		q("key with a leading space is another key", "%20SdkAppid=1400000001&"+cmd, 400, callback.CodeBadQuery, "SdkAppid is missing"),
		q("app not on the allowlist", fmt.Sprintf("SdkAppid=%d&%s", foreignApp, cmd), 403, callback.CodeAppNotAllowed, "1400000009"),
		q("command with an encoded space", app+"&CallbackCommand=Call.Callback+AfterStartCall", 400, callback.CodeCommandMismatch, "contradicts"),
		q("SdkAppid twice, the same", app+"&"+app+"&"+cmd, 200, callback.CodeOK, ""),
		q("SdkAppid in capitals", "SDKAPPID=1400000001&"+cmd, 200, callback.CodeOK, ""),
		q("SdkAppid in lower case", "sdkappid=1400000001&"+cmd, 200, callback.CodeOK, ""),
		q("Live spellings", "SdkAppId=1400000001&WebhookCommand=Call.CallbackAfterStartCall", 200, callback.CodeOK, ""),
		q("percent-encoded key and value", "%53dkAppid=%31%34%30%30%30%30%30%30%30%31&"+cmd, 200, callback.CodeOK, ""),
		q("contenttype in capitals", app+"&"+cmd+"&contenttype=JSON", 200, callback.CodeOK, ""),
		q("empty contenttype", app+"&"+cmd+"&contenttype=", 200, callback.CodeOK, ""),
		q("unknown parameters", app+"&"+cmd+"&foo=bar&x="+strings.Repeat("y", 8000), 200, callback.CodeOK, ""),
		q("empty Sign for an app without a token", app+"&"+cmd+"&Sign=&RequestTime=", 200, callback.CodeOK, ""),

		// Webhook authentication for an app with a token.
		{name: "test vector", target: signed(vectorSign, "1669872112"), body: startBody, status: 200, code: callback.CodeOK},
		{name: "wrong sign", target: signed(strings.Repeat("ab", 32), "1669872112"), body: startBody, status: 401, code: callback.CodeUnauthenticated, msg: "Sign does not match"},
		{name: "stale request time", target: signed(webhookauth.Sign(testToken, "1669872000"), "1669872000"), body: startBody, status: 401, code: callback.CodeUnauthenticated, msg: "in the past"},
		{name: "future request time", target: signed(webhookauth.Sign(testToken, "1669872300"), "1669872300"), body: startBody, status: 401, code: callback.CodeUnauthenticated, msg: "in the future"},
		{name: "missing sign", target: fmt.Sprintf("/webhook?SdkAppid=%d&%s&RequestTime=1669872112", signedApp, cmd), body: startBody, status: 401, code: callback.CodeUnauthenticated, msg: "Sign is missing"},
		{name: "missing request time", target: fmt.Sprintf("/webhook?SdkAppid=%d&%s&Sign=%s", signedApp, cmd, vectorSign), body: startBody, status: 401, code: callback.CodeUnauthenticated, msg: "RequestTime is missing"},
		{name: "sign twice, conflicting", target: signed(vectorSign, "1669872112") + "&sign=" + strings.Repeat("0", 64), body: startBody, status: 400, code: callback.CodeBadQuery, msg: "Sign"},
		{name: "unauthenticated with a bad body", target: signed("00", "1669872112"), body: `{`, status: 401, code: callback.CodeUnauthenticated, msg: "Sign"},

		// Methods and paths.
		{name: "GET", method: http.MethodGet, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "PUT", method: http.MethodPut, body: startBody, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "DELETE", method: http.MethodDelete, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "PATCH", method: http.MethodPatch, body: startBody, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "OPTIONS", method: http.MethodOptions, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "TRACE", method: http.MethodTrace, status: 405, code: callback.CodeMethodNotAllowed, msg: "POST"},
		{name: "HEAD", method: http.MethodHead, status: 405, code: callback.CodeMethodNotAllowed},
		{name: "lower-case post", method: "post", body: startBody, status: 405, code: callback.CodeMethodNotAllowed, msg: "post"},
		{name: "made-up method", method: "BREW", body: startBody, status: 405, code: callback.CodeMethodNotAllowed, msg: "BREW"},
		{name: "root path", target: "/?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "trailing slash", target: "/webhook/?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "path in capitals", target: "/WEBHOOK?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "dot segments", target: "/x/../webhook?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "double slash", target: "//webhook?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "encoded slash", target: "/webhook%2F?" + query(testApp, cmdStart), body: startBody, status: 404, code: callback.CodeNotFound, msg: "/webhook"},
		{name: "percent-encoded letter in the path", target: "/web%68ook?" + query(testApp, cmdStart), body: startBody, status: 200, code: callback.CodeOK},

		// Content types.
		{name: "multipart form", contentType: "multipart/form-data; boundary=x", body: startBody, status: 415, code: callback.CodeUnsupportedMedia, msg: "multipart"},
		{name: "Latin-1 charset", contentType: "application/json; charset=latin1", body: startBody, status: 415, code: callback.CodeUnsupportedMedia, msg: "latin1"},
		{name: "UTF-16 charset", contentType: "application/json; charset=utf-16", body: startBody, status: 415, code: callback.CodeUnsupportedMedia, msg: "utf-16"},
		{name: "malformed content type", contentType: "application/json; charset", body: startBody, status: 415, code: callback.CodeUnsupportedMedia, msg: "malformed"},
		{name: "content type without subtype", contentType: "json", body: startBody, status: 200, code: callback.CodeOK},
		{name: "unterminated quoted parameter", contentType: `application/json; charset="utf-8`, body: startBody, status: 415, code: callback.CodeUnsupportedMedia, msg: "malformed"},
		{name: "no content type", contentType: "-", body: startBody, status: 200, code: callback.CodeOK},
		{name: "content type in capitals", contentType: "APPLICATION/JSON; CHARSET=UTF-8", body: startBody, status: 200, code: callback.CodeOK},
		{name: "text/plain", contentType: "text/plain", body: startBody, status: 200, code: callback.CodeOK},

		// Headers. net/http allows up to 8 KiB of buffering slack past MaxHeaderBytes.
		{name: "oversized header", header: map[string]string{"X-Padding": strings.Repeat("p", 100<<10)}, body: startBody, status: 431, plain: true},
		{name: "large header within the limit", header: map[string]string{"X-Padding": strings.Repeat("p", 32<<10)}, body: startBody, status: 200, code: callback.CodeOK},
		{name: "Content-Length over the limit", header: map[string]string{"X-Declared": "yes"}, body: strings.Repeat(" ", testMaxBody+1), status: 413, code: callback.CodeTooLarge, msg: "limit"},
	}
	return append(cases, wrongTypeCases()...)
}

// do sends one hostile request and returns the status, the content type and the body.
func (c hostile) do(t *testing.T, srv *httptest.Server) (int, string, []byte) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	target := c.target
	if target == "" {
		command := c.cmd
		if command == "" {
			command = cmdStart
		}
		target = "/webhook?" + query(testApp, command)
	}
	var body io.Reader = strings.NewReader(c.body)
	if c.chunked {
		body = io.MultiReader(strings.NewReader(c.body)) // hides the length, so the client sends chunks
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+target, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.body == "" && !c.chunked {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	switch c.contentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", c.contentType)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), raw
}

func TestHostileInput(t *testing.T) {
	h, rec := newHandler(t, nil)
	srv := serveLoopback(t, h)
	cases := hostileCases()
	if len(cases) < 100 {
		t.Fatalf("only %d hostile requests; the table must hold at least 100", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := rec.len()
			status, contentType, raw := c.do(t, srv)
			appended := rec.len() - before
			if status != c.status {
				t.Fatalf("status %d, want %d (body %.300s)", status, c.status, raw)
			}
			if c.plain {
				// net/http answers before any handler runs; Tencent counts
				// it as a failed delivery like any other non-200.
				if appended != 0 {
					t.Errorf("%d events appended", appended)
				}
				return
			}
			if contentType != "application/json" {
				t.Errorf("Content-Type %q, want application/json", contentType)
			}
			if c.method == http.MethodHead {
				if len(raw) != 0 || appended != 0 {
					t.Errorf("HEAD: body %q, %d events appended", raw, appended)
				}
				return
			}
			tr, err := decodeResponse(raw)
			if err != nil {
				t.Fatalf("%v: %.300s", err, raw)
			}
			if c.code == callback.CodeOK {
				if tr != (tencentResponse{ActionStatus: "OK"}) || appended != 1 {
					t.Errorf("got %+v with %d events appended, want OK and one event", tr, appended)
				}
				return
			}
			if tr.ActionStatus != "FAIL" || tr.ErrorCode != int(c.code) || status != c.code.HTTPStatus() {
				t.Errorf("got %d %+v, want %d FAIL with ErrorCode %d", status, tr, c.status, c.code)
			}
			if !strings.Contains(tr.ErrorInfo, c.msg) {
				t.Errorf("ErrorInfo %q does not mention %q", tr.ErrorInfo, c.msg)
			}
			if appended != 0 {
				t.Errorf("a rejected request appended %d events", appended)
			}
			if strings.Contains(tr.ErrorInfo, testToken) || strings.Contains(tr.ErrorInfo, webhookauth.Sign(testToken, "1669872112")) {
				t.Errorf("ErrorInfo %q reveals the token or the expected sign", tr.ErrorInfo)
			}
		})
	}

	// The gateway keeps serving, over a fresh connection and a reused one.
	for range 2 {
		status, _, raw := hostile{body: startBody}.do(t, srv)
		if status != 200 {
			t.Fatalf("after the hostile table a good callback gets %d %s", status, raw)
		}
	}
	if got := rec.lastEvent().GetCallStarted().GetUserList()[0].GetUserAccount(); got != "144115212830834855" {
		t.Errorf("the last event's account is %q", got)
	}
}

func TestHugeAccountKeepsItsDigits(t *testing.T) {
	h, rec := newHandler(t, nil)
	srv := serveLoopback(t, h)
	const digits = "1234567890123456789012345678901234567890"
	status, _, raw := hostile{body: with(startBody, "UserList[0].User_Account", digits)}.do(t, srv)
	if status != 200 {
		t.Fatalf("%d %s", status, raw)
	}
	if got := rec.lastEvent().GetUserAccounts()[0]; got != digits {
		t.Errorf("account %q, want %q", got, digits)
	}
}

func TestRateLimit(t *testing.T) {
	now := signedAt
	h, rec := newHandler(t, func(o *webhook.Options) {
		o.RateLimit = webhook.RateLimit{Rate: 1, Burst: 2}
		o.Now = func() time.Time { return now }
	})
	post := func(remote, target string) (int, tencentResponse) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(startBody))
		req.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if ct := w.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		tr, err := decodeResponse(w.Body.Bytes())
		if err != nil {
			t.Fatalf("%v: %s", err, w.Body.Bytes())
		}
		return w.Code, tr
	}
	good := "/webhook?" + query(testApp, cmdStart)
	if code, _ := post("192.0.2.1:1000", good); code != 200 {
		t.Fatalf("first request: %d", code)
	}
	// A rejected request counts too: the limit is on requests, not on events.
	if code, _ := post("192.0.2.1:1001", "/nowhere"); code != 404 {
		t.Fatalf("second request: %d", code)
	}
	appended := rec.len()
	code, tr := post("192.0.2.1:1002", good)
	if code != 429 || tr.ActionStatus != "FAIL" || tr.ErrorCode != int(callback.CodeRateLimited) || !strings.Contains(tr.ErrorInfo, "1 per second") {
		t.Fatalf("third request: %d %+v, want 429 with ErrorCode 42901", code, tr)
	}
	if rec.len() != appended {
		t.Error("a rate-limited request was appended")
	}
	if code, _ := post("192.0.2.2:1000", good); code != 200 {
		t.Errorf("another address: %d", code)
	}
	now = now.Add(time.Second)
	if code, _ := post("192.0.2.1:1003", good); code != 200 {
		t.Errorf("a second later: %d", code)
	}
}

func TestNewRejectsBadRateLimit(t *testing.T) {
	_, err := webhook.New(webhook.Options{Log: &recorder{}, RateLimit: webhook.RateLimit{Rate: -1}})
	if err == nil {
		t.Fatal("a negative rate was accepted")
	}
}

// The gateway also keeps serving when a client sends a request line or
// headers net/http refuses before any handler runs.
func TestMalformedRequestsOnTheWire(t *testing.T) {
	h, rec := newHandler(t, nil)
	srv := serveLoopback(t, h)
	tests := []struct {
		name, request string
		status        string
	}{
		{"space in the method", "PO ST /webhook HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"header without a colon", "POST /webhook HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n", "400"},
		{"bad header name", "POST /webhook HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", "400"},
		{"two Content-Lengths", "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}", "400"},
		{"unknown transfer encoding", "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "501"},
		{"no Host", "POST /webhook HTTP/1.1\r\n\r\n", "400"},
		{"HTTP/2 preface over cleartext", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), waitLimit)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(waitLimit))
			if _, err := io.WriteString(conn, tt.request); err != nil {
				t.Fatal(err)
			}
			line := make([]byte, 12)
			if _, err := io.ReadFull(conn, line); err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if got := string(line[9:]); !strings.HasPrefix(got, tt.status) {
				t.Errorf("status line %q, want status %s", line, tt.status)
			}
		})
	}
	if status, _, raw := (hostile{body: startBody}).do(t, srv); status != 200 || rec.len() != 1 {
		t.Fatalf("afterwards a good callback gets %d %s (%d events)", status, raw, rec.len())
	}
}
