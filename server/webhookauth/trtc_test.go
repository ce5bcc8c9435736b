package webhookauth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// Tencent's published vector: key 123654 over the exact bytes of
// testdata/trtc-sign-vector-body.json (tabs and newlines, no final newline).
const (
	vectorKey  = "123654"
	vectorSign = "kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA="
	vectorApp  = 1400000001
)

func vectorBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTRTCSignVector(t *testing.T) {
	if got := TRTCSign(vectorKey, vectorBody(t)); got != vectorSign {
		t.Fatalf("TRTCSign = %s, want Tencent's %s", got, vectorSign)
	}
}

func TestAuthenticateTRTC(t *testing.T) {
	body := vectorBody(t)
	changed := append([]byte(nil), body...)
	changed[len(changed)/2] ^= 1
	v, err := NewTRTC(map[uint32]string{vectorApp: vectorKey, vectorApp + 1: "otherkey"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		app  uint32
		sign string
		body []byte
		msg  string // "" accepts
	}{
		{"Tencent's vector", vectorApp, vectorSign, body, ""},
		{"app without a key", vectorApp + 2, "", body, ""},
		{"one changed byte", vectorApp, vectorSign, changed, "does not match SdkAppId 1400000001"},
		{"wrong key", vectorApp, TRTCSign("654321", body), body, "does not match"},
		{"another app's key", vectorApp + 1, vectorSign, body, "does not match SdkAppId 1400000002"},
		{"missing header", vectorApp, "", body, "header Sign is missing"},
		{"not base64", vectorApp, "!!", body, "base64"},
		{"hex instead of base64", vectorApp, strings.Repeat("ab", 32), body, "base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.AuthenticateTRTC(tt.app, tt.sign, tt.body)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var e *callback.Error
			if !errors.As(err, &e) || e.Code != callback.CodeUnauthenticated || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("err = %v, want CodeUnauthenticated containing %q", err, tt.msg)
			}
			if strings.Contains(e.Message, vectorKey) || strings.Contains(e.Message, vectorSign) {
				t.Fatalf("message %q reveals the key or the expected Sign", e.Message)
			}
		})
	}
}

func TestLoadTRTC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, []byte(`{"apps":[{"sdk_app_id":1400000002,"token":"k2"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := LoadTRTC(Tokens{vectorApp: vectorKey}, path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Apps() != 2 {
		t.Fatalf("Apps() = %d, want 2", v.Apps())
	}
	if _, err := LoadTRTC(Tokens{vectorApp: "a"}, filepath.Join(t.TempDir(), "absent.json")); err == nil || !strings.Contains(err.Error(), "TRTC callback key file") {
		t.Fatalf("missing file: err = %v", err)
	}
	if _, err := NewTRTC(map[uint32]string{0: "k"}); err == nil {
		t.Fatal("SdkAppId 0 accepted")
	}
}
