package webhookauth_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// Tencent's documented test vector (webhook-protocol.md).
const (
	vectorToken = "xxxxyyyy"
	vectorTime  = "1669872112"
	vectorSign  = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
)

const (
	signedApp   = 1400000001
	unsignedApp = 1400000002
)

func TestSignMatchesTencentsVector(t *testing.T) {
	if got := webhookauth.Sign(vectorToken, vectorTime); got != vectorSign {
		t.Fatalf("Sign(%q, %q) = %s, want %s", vectorToken, vectorTime, got, vectorSign)
	}
}

func TestAuthenticate(t *testing.T) {
	v, err := webhookauth.New(map[uint32]string{signedApp: vectorToken}, 0)
	if err != nil {
		t.Fatal(err)
	}
	signedAt := time.Unix(1669872112, 0)
	params := func(app uint32, sign, requestTime string) callback.Params {
		return callback.Params{SdkAppID: app, Command: "Call.CallbackAfterStartCall", Sign: sign, RequestTime: requestTime}
	}
	tests := []struct {
		name    string
		p       callback.Params
		now     time.Time
		wantMsg string // "" means accepted
	}{
		{"test vector", params(signedApp, vectorSign, vectorTime), signedAt, ""},
		{"upper-case hex sign", params(signedApp, strings.ToUpper(vectorSign), vectorTime), signedAt, ""},
		{"59s late", params(signedApp, vectorSign, vectorTime), signedAt.Add(59 * time.Second), ""},
		{"exactly the window late", params(signedApp, vectorSign, vectorTime), signedAt.Add(time.Minute), ""},
		{"exactly the window early", params(signedApp, vectorSign, vectorTime), signedAt.Add(-time.Minute), ""},
		{"app without a token", params(unsignedApp, "", ""), signedAt, ""},
		{"app without a token ignores a bad sign", params(unsignedApp, "nonsense", "soon"), signedAt, ""},
		{"wrong sign", params(signedApp, strings.Repeat("0", 64), vectorTime), signedAt, "Sign does not match"},
		{"sign of another time", params(signedApp, vectorSign, "1669872113"), signedAt, "Sign does not match"},
		{"sign of another token", params(signedApp, webhookauth.Sign("other", vectorTime), vectorTime), signedAt, "Sign does not match"},
		{"stale", params(signedApp, vectorSign, vectorTime), signedAt.Add(61 * time.Second), "in the past"},
		{"replayed an hour later", params(signedApp, vectorSign, vectorTime), signedAt.Add(time.Hour), "1h0m0s in the past"},
		{"future", params(signedApp, vectorSign, vectorTime), signedAt.Add(-61 * time.Second), "in the future"},
		{"missing sign", params(signedApp, "", vectorTime), signedAt, "Sign is missing"},
		{"missing request time", params(signedApp, vectorSign, ""), signedAt, "RequestTime is missing"},
		{"both missing", params(signedApp, "", ""), signedAt, "Sign is missing"},
		{"request time not a number", params(signedApp, vectorSign, "yesterday"), signedAt, "Unix time in whole seconds"},
		{"request time negative", params(signedApp, vectorSign, "-5"), signedAt, "Unix time in whole seconds"},
		{"request time in milliseconds", params(signedApp, vectorSign, "1669872112000"), signedAt, "in the future"},
		{"request time overflows", params(signedApp, vectorSign, "99999999999999999999"), signedAt, "Unix time in whole seconds"},
		{"sign not hex", params(signedApp, strings.Repeat("z", 64), vectorTime), signedAt, "64 hexadecimal digits"},
		{"sign too short", params(signedApp, vectorSign[:62], vectorTime), signedAt, "64 hexadecimal digits"},
		{"sign too long", params(signedApp, vectorSign+"00", vectorTime), signedAt, "64 hexadecimal digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Authenticate(tt.p, tt.now)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var ce *callback.Error
			if !errors.As(err, &ce) || ce.Code != callback.CodeUnauthenticated || ce.HTTPStatus() != 401 {
				t.Fatalf("error %#v, want a *callback.Error with CodeUnauthenticated", err)
			}
			if !strings.Contains(ce.Message, tt.wantMsg) {
				t.Errorf("message %q, want it to mention %q", ce.Message, tt.wantMsg)
			}
			if strings.Contains(ce.Message, vectorToken) || strings.Contains(ce.Message, vectorSign) {
				t.Errorf("message %q reveals the token or the expected sign", ce.Message)
			}
		})
	}
}

func TestWindowIsConfigurable(t *testing.T) {
	v, err := webhookauth.New(map[uint32]string{signedApp: vectorToken}, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p := callback.Params{SdkAppID: signedApp, Sign: vectorSign, RequestTime: vectorTime}
	if err := v.Authenticate(p, time.Unix(1669872112, 0).Add(4*time.Minute)); err != nil {
		t.Errorf("4 minutes off with a 5 minute window: %v", err)
	}
	if err := v.Authenticate(p, time.Unix(1669872112, 0).Add(6*time.Minute)); err == nil {
		t.Error("6 minutes off with a 5 minute window was accepted")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name   string
		tokens map[uint32]string
		window time.Duration
		want   string
	}{
		{"negative window", nil, -time.Second, "negative"},
		{"app zero", map[uint32]string{0: "t"}, 0, "SdkAppid 0"},
		{"empty token", map[uint32]string{signedApp: ""}, 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := webhookauth.New(tt.tokens, tt.window); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestTokensFlag(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    webhookauth.Tokens
		wantErr string
	}{
		{name: "none", args: nil, want: nil},
		{name: "one", args: []string{"--webhook-token", "1400000001=xxxxyyyy"}, want: webhookauth.Tokens{1400000001: "xxxxyyyy"}},
		{name: "repeated and comma-separated", args: []string{"--webhook-token", "1400000001=a, 1400000002=b", "--webhook-token=1400000003=c"},
			want: webhookauth.Tokens{1400000001: "a", 1400000002: "b", 1400000003: "c"}},
		{name: "token with equals signs", args: []string{"--webhook-token", "1400000001=YWJj=="}, want: webhookauth.Tokens{1400000001: "YWJj=="}},
		{name: "same token twice", args: []string{"--webhook-token", "1400000001=a,1400000001=a"}, want: webhookauth.Tokens{1400000001: "a"}},
		{name: "conflicting tokens", args: []string{"--webhook-token", "1400000001=topsecret1", "--webhook-token", "1400000001=topsecret2"}, wantErr: "two different"},
		{name: "no equals sign", args: []string{"--webhook-token", "topsecret"}, wantErr: "SdkAppid=token"},
		{name: "bad app", args: []string{"--webhook-token", "app=topsecret"}, wantErr: "SdkAppid"},
		{name: "app zero", args: []string{"--webhook-token", "0=topsecret"}, wantErr: "SdkAppid"},
		{name: "empty token", args: []string{"--webhook-token", "1400000001="}, wantErr: "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f webhookauth.Flag
			var out strings.Builder
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(&out)
			fs.Var(&f, "webhook-token", "")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatalf("the flag itself must take any text: %v", err)
			}
			got, err := f.Tokens()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "topsecret") {
					t.Errorf("error %q repeats the token", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d tokens, want %v", len(got), tt.want)
			}
			for app, tok := range tt.want {
				if got[app] != tok {
					t.Errorf("app %d: got %q, want %q", app, got[app], tok)
				}
			}
			fs.PrintDefaults()
			if s := f.String() + out.String(); strings.Contains(s, "xxxxyyyy") || strings.Contains(s, "=a") {
				t.Errorf("the flag prints a token: %q", s)
			}
		})
	}
}

func TestTokensLoadFile(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    webhookauth.Tokens
		wantErr string
	}{
		{name: "apps", file: `{"apps":[{"sdk_app_id":1400000001,"token":"xxxxyyyy"},{"sdk_app_id":1400000002,"token":"zz"}]}`,
			want: webhookauth.Tokens{1400000001: "xxxxyyyy", 1400000002: "zz"}},
		{name: "no apps", file: `{"apps":[]}`, want: webhookauth.Tokens{}},
		{name: "misspelt field", file: `{"apps":[{"sdkappid":1400000001,"token":"topsecret"}]}`, wantErr: "unknown field"},
		{name: "app id out of range", file: `{"apps":[{"sdk_app_id":99999999999,"token":"topsecret"}]}`, wantErr: "from 1 to 4294967295"},
		{name: "numeric token", file: `{"apps":[{"sdk_app_id":1400000001,"token":987654321}]}`, wantErr: "must be a string"},
		{name: "missing app", file: `{"apps":[{"token":"topsecret"}]}`, wantErr: "SdkAppid 0"},
		{name: "empty token", file: `{"apps":[{"sdk_app_id":1400000001}]}`, wantErr: "empty"},
		{name: "conflict", file: `{"apps":[{"sdk_app_id":1400000001,"token":"topsecret"},{"sdk_app_id":1400000001,"token":"topsecret2"}]}`, wantErr: "two different"},
		{name: "not JSON", file: `{"apps":[{"sdk_app_id":1400000001,"token":topsecret}]}`, wantErr: "invalid JSON at byte"},
		{name: "array", file: `[]`, wantErr: "JSON object"},
		{name: "trailing value", file: `{"apps":[]} {}`, wantErr: "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "webhook-tokens.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			var got webhookauth.Tokens
			err := got.LoadFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "987654321") {
					t.Errorf("error %q repeats a token", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d tokens, want %v", len(got), tt.want)
			}
			for app, tok := range tt.want {
				if got[app] != tok {
					t.Errorf("app %d: got %q, want %q", app, got[app], tok)
				}
			}
		})
	}
	var got webhookauth.Tokens
	if err := got.LoadFile(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestFileAndFlagMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "webhook-tokens.json")
	if err := os.WriteFile(path, []byte(`{"apps":[{"sdk_app_id":1400000001,"token":"fromfile"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tokens := webhookauth.Tokens{1400000002: "fromflag"}
	if err := tokens.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	if tokens[1400000001] != "fromfile" || tokens[1400000002] != "fromflag" {
		t.Errorf("merged %v", tokens)
	}
	clash := webhookauth.Tokens{1400000001: "different"}
	if err := clash.LoadFile(path); err == nil || !strings.Contains(err.Error(), "two different") {
		t.Errorf("a flag and the file giving app 1400000001 different tokens: %v", err)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "webhook-tokens.json")
	if err := os.WriteFile(path, []byte(`{"apps":[{"sdk_app_id":1400000001,"token":"xxxxyyyy"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	flagTokens := webhookauth.Tokens{unsignedApp: "fromflag"}
	v, err := webhookauth.Load(flagTokens, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Apps() != 2 || len(flagTokens) != 1 {
		t.Fatalf("Load: %d apps (the flag's map now has %d), want 2 (and 1)", v.Apps(), len(flagTokens))
	}
	p := callback.Params{SdkAppID: signedApp, Sign: vectorSign, RequestTime: vectorTime}
	if err := v.Authenticate(p, time.Unix(1669872112, 0)); err != nil {
		t.Errorf("the file's token: %v", err)
	}
	if err := v.Authenticate(callback.Params{SdkAppID: unsignedApp}, time.Unix(1669872112, 0)); err == nil {
		t.Error("the flag's app is not checked")
	}

	open, err := webhookauth.Load(nil, "", 0)
	if err != nil || open.Apps() != 0 {
		t.Fatalf("no tokens: %v, %d apps", err, open.Apps())
	}
	if err := open.Authenticate(callback.Params{SdkAppID: signedApp}, time.Now()); err != nil {
		t.Errorf("with no tokens a request was refused: %v", err)
	}
	if _, err := webhookauth.Load(webhookauth.Tokens{signedApp: "other"}, path, 0); err == nil {
		t.Error("a flag and the file disagreeing on a token loaded")
	}
}
