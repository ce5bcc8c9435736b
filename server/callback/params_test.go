package callback

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseParams(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  Params
	}{
		{
			name:  "call spelling",
			query: "SdkAppid=1400000001&CallbackCommand=Call.CallbackAfterStartCall&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS",
			want:  Params{SdkAppID: 1400000001, Command: "Call.CallbackAfterStartCall", ContentType: "json", ClientIP: "203.0.113.7", OptPlatform: "iOS"},
		},
		{
			name:  "live spelling",
			query: "SdkAppId=1400000002&WebhookCommand=Live.CallbackMemberStateChanged",
			want:  Params{SdkAppID: 1400000002, Command: "Live.CallbackMemberStateChanged"},
		},
		{
			name:  "any key case, value kept as sent",
			query: "SDKAPPID=7&callbackcommand=call.CallbackAfterEndCall&CONTENTTYPE=JSON&clientIP=::1&optplatform=RESTAPI&sign=abc&REQUESTTIME=1669872112",
			want:  Params{SdkAppID: 7, Command: "call.CallbackAfterEndCall", ContentType: "JSON", ClientIP: "::1", OptPlatform: "RESTAPI", Sign: "abc", RequestTime: "1669872112"},
		},
		{
			name:  "largest SdkAppid",
			query: "SdkAppid=4294967295&CallbackCommand=x",
			want:  Params{SdkAppID: 4294967295, Command: "x"},
		},
		{
			name:  "leading zeros",
			query: "SdkAppid=0001400000001&CallbackCommand=x",
			want:  Params{SdkAppID: 1400000001, Command: "x"},
		},
		{
			name:  "repeated with the same value",
			query: "SdkAppid=5&sdkappid=5&CallbackCommand=x&WebhookCommand=x&ClientIP=1.2.3.4&ClientIP=1.2.3.4",
			want:  Params{SdkAppID: 5, Command: "x", ClientIP: "1.2.3.4"},
		},
		{
			name:  "empty values count as absent",
			query: "SdkAppid=&SdkAppid=5&CallbackCommand=x&contenttype=&ClientIP=",
			want:  Params{SdkAppID: 5, Command: "x"},
		},
		{
			name:  "unknown parameters ignored",
			query: "SdkAppid=5&CallbackCommand=x&tenant=acme&SdkAppidX=9",
			want:  Params{SdkAppID: 5, Command: "x"},
		},
		{
			name:  "signature kept for the ingress",
			query: "SdkAppid=5&CallbackCommand=x&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061&RequestTime=1669872112",
			want:  Params{SdkAppID: 5, Command: "x", Sign: "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061", RequestTime: "1669872112"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseParams(q)
			if err != nil {
				t.Fatalf("ParseParams: %v", err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestParseParamsConflictMessageIsStable checks that the message for a
// repeated parameter does not depend on map iteration order.
func TestParseParamsConflictMessageIsStable(t *testing.T) {
	q := url.Values{"SdkAppid": {"3", "1"}, "sdkappid": {"2"}, "SDKAPPID": {"1"}, "CallbackCommand": {"x"}}
	const want = `query parameter SdkAppid is given more than once with different values: "1", "2", "3"`
	for range 50 {
		_, err := ParseParams(q)
		if e := AsError(err); e.Code != CodeBadQuery || e.Message != want {
			t.Fatalf("got %d %q, want %d %q", e.Code, e.Message, CodeBadQuery, want)
		}
	}
}

// TestParseParamsNeverEchoesSign: a signature (even a wrong one) is a
// credential's proof and must not reach a response or a log line.
func TestParseParamsNeverEchoesSign(t *testing.T) {
	for _, query := range []string{
		"SdkAppid=1&CallbackCommand=x&Sign=secret-sign-aaaa&sign=secret-sign-bbbb",
		"SdkAppid=1&CallbackCommand=x&Sign=secret-sign-%ff",
	} {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseParams(q)
		if err == nil {
			t.Fatalf("%s: accepted", query)
		}
		if e := AsError(err); e.Code != CodeBadQuery || strings.Contains(e.Message, "secret-sign") {
			t.Errorf("%s: %d %q must be CodeBadQuery without the Sign value", query, e.Code, e.Message)
		}
	}
}

// rawQueryCases are queries ParseRawQuery takes (ok) or leaves to the slow
// path; they also seed FuzzParseRawQuery.
var rawQueryCases = []struct {
	name string
	raw  string
	ok   bool
}{
	{"what Tencent sends", "SdkAppid=1400000001&CallbackCommand=Call.CallbackAfterStartCall&contenttype=json&ClientIP=203.0.113.7&OptPlatform=iOS", true},
	{"live spelling and any case", "sdkappid=1400000001&webhookcommand=Live.CallbackAfterMemberStateChanged&CONTENTTYPE=JSON", true},
	{"signed", "SdkAppid=1&CallbackCommand=Call.CallbackAfterStartCall&Sign=abc&RequestTime=1700000000", true},
	{"repeated with the same value, empty pairs and values", "SdkAppid=1&&SdkAppid=1&ClientIP=&CallbackCommand=X&other&x=y", true},
	{"escaped", "SdkAppid=1&CallbackCommand=Call.CallbackAfterStartCall&ClientIP=%3A%3A1", false},
	{"plus", "SdkAppid=1&CallbackCommand=a+b", false},
	{"semicolon", "SdkAppid=1&CallbackCommand=X;y", false},
	{"conflict", "SdkAppid=1&SdkAppid=2&CallbackCommand=X", false},
	{"command twice", "SdkAppid=1&CallbackCommand=X&WebhookCommand=Y", false},
	{"no app", "CallbackCommand=X", false},
	{"app zero", "SdkAppid=0&CallbackCommand=X", false},
	{"app too large", "SdkAppid=4294967296&CallbackCommand=X", false},
	{"no command", "SdkAppid=1", false},
	{"bad contenttype", "SdkAppid=1&CallbackCommand=X&contenttype=xml", false},
	{"invalid UTF-8", "SdkAppid=1&CallbackCommand=X\xff", false},
	{"empty", "", false},
}

// TestParseRawQuery checks that the fast path takes what Tencent sends and
// leaves everything unusual to url.ParseQuery and ParseParams, agreeing
// with them whenever it takes a query.
func TestParseRawQuery(t *testing.T) {
	for _, tc := range rawQueryCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseRawQuery(tc.raw)
			if ok != tc.ok {
				t.Fatalf("ParseRawQuery(%q) ok = %v, want %v", tc.raw, ok, tc.ok)
			}
			q, qerr := url.ParseQuery(tc.raw)
			want, err := ParseParams(q)
			if !ok {
				if qerr == nil && err == nil && !strings.ContainsAny(tc.raw, "%+") {
					t.Fatalf("ParseRawQuery left %q to the slow path, which takes it as %+v", tc.raw, want)
				}
				return
			}
			if qerr != nil || err != nil {
				t.Fatalf("the slow path refuses %q (%v, %v)", tc.raw, qerr, err)
			}
			if got != want {
				t.Fatalf("ParseRawQuery(%q) = %+v, want %+v", tc.raw, got, want)
			}
		})
	}
}

// TestRawParamsSlot checks that slot, the fast path's copy of each
// parameter's dst, points where dst does.
func TestRawParamsSlot(t *testing.T) {
	var r rawParams
	for i := range queryParams {
		if got, want := r.slot(&queryParams[i]), queryParams[i].dst(&r); got != want {
			t.Errorf("slot(%s) and dst differ", queryParams[i].name)
		}
	}
}
