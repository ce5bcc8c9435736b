package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// TestConsoleMount: the console is served on the JSON API listener with its
// security headers, and --console=false removes it.
func TestConsoleMount(t *testing.T) {
	tests := []struct {
		name       string
		console    bool
		wantStatus int
	}{
		{"on", true, http.StatusOK},
		{"off", false, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startGateway(t, func(c *server.Config) { c.Console = tt.console })
			res, err := http.Get("http://" + s.HTTPAddr() + "/console/")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("GET /console/: %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if !tt.console {
				return
			}
			if !strings.Contains(string(body), "trtc-gateway console") {
				t.Errorf("not the console page: %.200s", body)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}
