package console_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server/console"
)

func TestHandler(t *testing.T) {
	h, err := console.Handler()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Path, h)

	tests := []struct {
		name, method, path string
		header             map[string]string
		wantStatus         int
		wantType           string // prefix of Content-Type
		wantBody           string // substring
		wantLocation       string
	}{
		{name: "page", method: "GET", path: "/console/", wantStatus: 200, wantType: "text/html", wantBody: `<script src="app.js" defer>`},
		{name: "index by name", method: "GET", path: "/console/index.html", wantStatus: 200, wantType: "text/html"},
		{name: "script", method: "GET", path: "/console/app.js", wantStatus: 200, wantType: "text/javascript", wantBody: "events:subscribe"},
		{name: "style", method: "GET", path: "/console/style.css", wantStatus: 200, wantType: "text/css"},
		{name: "icon", method: "GET", path: "/console/favicon.svg", wantStatus: 200, wantType: "image/svg+xml"},
		{name: "head", method: "HEAD", path: "/console/", wantStatus: 200, wantType: "text/html"},
		{name: "no slash redirects", method: "GET", path: "/console", wantStatus: 307, wantLocation: "/console/"},
		{name: "unknown file", method: "GET", path: "/console/secrets.json", wantStatus: 404, wantType: "text/plain"},
		{name: "directory escape", method: "GET", path: "/console/../go.mod", wantStatus: 307, wantLocation: "/go.mod"},
		{name: "post", method: "POST", path: "/console/", wantStatus: 405, wantType: "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %q", res.StatusCode, tt.wantStatus, rec.Body.String())
			}
			if ct := res.Header.Get("Content-Type"); tt.wantType != "" && !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %s…", ct, tt.wantType)
			}
			if tt.wantBody != "" && !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body lacks %q", tt.wantBody)
			}
			if tt.wantLocation != "" && res.Header.Get("Location") != tt.wantLocation {
				t.Errorf("Location %q, want %q", res.Header.Get("Location"), tt.wantLocation)
			}
			if res.StatusCode == http.StatusTemporaryRedirect {
				return // the mux's own redirect to a clean path
			}
			for k, want := range map[string]string{
				"Content-Security-Policy": console.ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "no-referrer",
			} {
				if got := res.Header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestRevalidation: an unchanged asset answers 304 to its ETag, so that
// no-cache costs a round trip and no body.
func TestRevalidation(t *testing.T) {
	h, err := console.Handler()
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/console/app.js", nil))
	etag := rec.Result().Header.Get("ETag")
	if etag == "" || rec.Result().Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, rec.Result().Header.Get("Cache-Control"))
	}
	req := httptest.NewRequest("GET", "/console/app.js", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Fatalf("revalidation: %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
}

// TestContentSecurityPolicy: the policy forbids what an injected script
// would need: inline code, other origins, framing.
func TestContentSecurityPolicy(t *testing.T) {
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(console.ContentSecurityPolicy, want) {
			t.Errorf("policy lacks %q", want)
		}
	}
	if strings.Contains(console.ContentSecurityPolicy, "unsafe-") {
		t.Errorf("policy allows something unsafe: %s", console.ContentSecurityPolicy)
	}
}

// TestAssetsSelfContained: the page loads nothing from another origin and has
// no inline script or style the policy would block, so it works offline and
// under its own CSP.
func TestAssetsSelfContained(t *testing.T) {
	offsite := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[/"')]`)
	allowed := map[string]bool{"http://www.w3.org/": true} // SVG's namespace name, never fetched
	inline := []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`), // a script with a body
		regexp.MustCompile(`(?i)<style`),
		regexp.MustCompile(`(?i)\sstyle=`),
		regexp.MustCompile(`(?i)\son[a-z]+=`),
		regexp.MustCompile(`(?i)javascript:`),
	}
	err := fs.WalkDir(os.DirFS("assets"), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(filepath.Join("assets", name))
		if err != nil {
			return err
		}
		for _, m := range offsite.FindAllString(string(body), -1) {
			if !allowed[m] {
				t.Errorf("%s refers to another origin: %q", name, m)
			}
		}
		if strings.HasSuffix(name, ".html") {
			for _, tag := range regexp.MustCompile(`(?i)<script[^>]*>`).FindAllString(string(body), -1) {
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s has an inline script: %q", name, tag)
				}
			}
			for _, re := range inline {
				if m := re.FindString(string(body)); m != "" {
					t.Errorf("%s has inline code the CSP blocks: %q", name, m)
				}
			}
		}
		if strings.HasSuffix(name, ".js") && regexp.MustCompile(`\.innerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function`).Match(body) {
			t.Errorf("%s builds markup or code from strings; use textContent and DOM nodes", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
