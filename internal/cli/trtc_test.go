package cli

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// tencentVectorSign is Tencent's published signature of
// trtc-sign-vector-body.json under key 123654.
const tencentVectorSign = "kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA="

func vectorBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTRTCSignMatchesTencentsVector(t *testing.T) {
	if got := webhookauth.TRTCSign("123654", vectorBody(t)); got != tencentVectorSign {
		t.Errorf("TRTCSign = %s, want %s", got, tencentVectorSign)
	}
}

// trtcReceiver verifies TRTC callbacks as a TRTC backend would: no query,
// SdkAppId header, Sign = base64(HMAC-SHA256(key, body)); it answers {"code":0}.
type trtcReceiver struct {
	mu       sync.Mutex
	key      string
	got      int
	failures []string
}

func (rc *trtcReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	mac := hmac.New(sha256.New, []byte(rc.key))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got++
	var problem string
	switch {
	case r.URL.RawQuery != "":
		problem = "query " + r.URL.RawQuery
	case r.Header.Get("SdkAppId") != "1400000001":
		problem = "SdkAppId " + r.Header.Get("SdkAppId")
	case !hmac.Equal([]byte(r.Header.Get("Sign")), []byte(want)):
		problem = "Sign " + r.Header.Get("Sign") + " for " + string(body)
	case r.Header.Get("Content-Type") != "application/json":
		problem = "Content-Type " + r.Header.Get("Content-Type")
	}
	if problem != "" {
		rc.failures = append(rc.failures, problem)
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"code":1}`)
		return
	}
	io.WriteString(w, `{"code":0}`)
}

// TestSendTRTCVector sends Tencent's vector body byte for byte to a receiver
// that checks its signature; the Sign header is Tencent's own.
func TestSendTRTCVector(t *testing.T) {
	var sign string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sign = r.Header.Get("Sign")
		(&trtcReceiver{key: "123654"}).ServeHTTP(w, r)
	}))
	defer srv.Close()
	r := runCmd(t, map[string]string{"TRTCGW_TRTC_KEY": "123654"}, "", "send", "--url", srv.URL+"/trtc", "--sdk-app-id", "1400000001", filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if r.code != 0 || strings.TrimSpace(r.stdout) != `{"code":0}` {
		t.Fatalf("send: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if sign != tencentVectorSign {
		t.Errorf("Sign header %q, want Tencent's %q", sign, tencentVectorSign)
	}
	// A wrong key is refused by the receiver, and send says so.
	r = runCmd(t, nil, "", "send", "--url", srv.URL, "--trtc-key", "1400000001=654321", "--sdk-app-id", "1400000001", filepath.Join("testdata", "trtc-sign-vector-body.json"))
	if r.code != 1 || !strings.Contains(r.stderr, `not accepted: HTTP 401 {"code":1}`) || strings.Contains(r.stderr, "654321") {
		t.Errorf("wrong key: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestSimulateTRTCSigned posts simulated TRTC traffic to the receiver: every
// callback carries a signature that verifies.
func TestSimulateTRTCSigned(t *testing.T) {
	rc := &trtcReceiver{key: "k3y"}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	r := runCmd(t, nil, "", "simulate", "--url", srv.URL, "--count", "120", "--rate", "0", "--mix", "trtc", "--trtc-key", "k3y")
	if r.code != 0 || !strings.Contains(r.stdout, "ok       120") {
		t.Fatalf("simulate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.got != 120 || len(rc.failures) > 0 {
		t.Errorf("receiver got %d, failures %v", rc.got, rc.failures)
	}
	for _, kind := range []string{"TRTC 101", "TRTC 103"} {
		if !strings.Contains(r.stdout, kind) {
			t.Errorf("summary lacks %s:\n%s", kind, r.stdout)
		}
	}
}
