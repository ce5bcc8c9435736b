package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server"
)

func TestParseSecurityFlags(t *testing.T) {
	runConfigCases(t, []configCase{
		{name: "defaults", check: func(t *testing.T, c server.Config) {
			if len(c.WebhookTokens) != 0 || c.WebhookAuthWindow != time.Minute || c.WebhookRate != 0 || c.APITokensFile != "" ||
				c.MaxConns != 4096 || c.GRPCMaxStreams != 100 || c.APITLSCert != "" || c.WebhookTLSCert != "" {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "flags", args: []string{
			"--webhook-token", "1400000001=aaaa", "--webhook-token=1400000002=bbbb,1400000003=cccc",
			"--webhook-token-file", "/etc/trtc/webhook.json", "--webhook-auth-window", "2m",
			"--webhook-rate", "2.5", "--webhook-burst", "10", "--api-tokens", "/etc/trtc/api.json",
			"--webhook-tls-cert", "w.crt", "--webhook-tls-key", "w.key",
			"--api-tls-cert", "a.crt", "--api-tls-key", "a.key", "--api-client-ca", "ca.pem",
			"--max-conns", "10", "--grpc-max-streams", "7",
		}, check: func(t *testing.T, c server.Config) {
			if c.WebhookTokens[1400000001] != "aaaa" || c.WebhookTokens[1400000002] != "bbbb" || c.WebhookTokens[1400000003] != "cccc" ||
				c.WebhookTokenFile != "/etc/trtc/webhook.json" || c.WebhookAuthWindow != 2*time.Minute || c.WebhookRate != 2.5 || c.WebhookBurst != 10 ||
				c.APITokensFile != "/etc/trtc/api.json" || c.WebhookTLSCert != "w.crt" || c.WebhookTLSKey != "w.key" ||
				c.APITLSCert != "a.crt" || c.APITLSKey != "a.key" || c.APIClientCA != "ca.pem" || c.MaxConns != 10 || c.GRPCMaxStreams != 7 {
				t.Errorf("flags: %+v", c)
			}
		}},
		{name: "environment, comma-separated tokens", env: map[string]string{
			"TRTCGW_WEBHOOK_TOKEN": "1400000001=aaaa,1400000002=bbbb", "TRTCGW_API_TOKENS": "/run/api.json", "TRTCGW_WEBHOOK_RATE": "5",
		}, check: func(t *testing.T, c server.Config) {
			if len(c.WebhookTokens) != 2 || c.WebhookTokens[1400000002] != "bbbb" || c.APITokensFile != "/run/api.json" || c.WebhookRate != 5 {
				t.Errorf("env: %+v", c)
			}
		}},
		{name: "TRTC keys from flags", args: []string{"--trtc-key", "1400000001=123654", "--trtc-key=1400000002=k2", "--trtc-key-file", "/etc/trtc/keys.json"},
			check: func(t *testing.T, c server.Config) {
				if len(c.TRTCKeys) != 2 || c.TRTCKeys[1400000001] != "123654" || c.TRTCKeys[1400000002] != "k2" || c.TRTCKeyFile != "/etc/trtc/keys.json" {
					t.Errorf("TRTC keys: %+v", c)
				}
			}},
		{name: "TRTC keys from the environment", env: map[string]string{"TRTCGW_TRTC_KEY": "1400000001=a,1400000003=c", "TRTCGW_TRTC_KEY_FILE": "/run/keys.json"},
			check: func(t *testing.T, c server.Config) {
				if len(c.TRTCKeys) != 2 || c.TRTCKeys[1400000003] != "c" || c.TRTCKeyFile != "/run/keys.json" {
					t.Errorf("TRTC keys from env: %+v", c)
				}
			}},
		{name: "bad TRTC key does not echo the key", args: []string{"--trtc-key", "topsecret"}, wantErr: "--trtc-key"},
		{name: "bad token flag does not echo the token", args: []string{"--webhook-token", "topsecret"}, wantErr: "SdkAppid=token"},
		{name: "bad token variable does not echo the token", env: map[string]string{"TRTCGW_WEBHOOK_TOKEN": "1400000001=topsecret,x"}, wantErr: "SdkAppid=token"},
		{name: "window under a second", args: []string{"--webhook-auth-window=500ms"}, wantErr: "--webhook-auth-window"},
		{name: "negative rate", args: []string{"--webhook-rate=-1"}, wantErr: "--webhook-rate"},
		{name: "negative burst", args: []string{"--webhook-burst=-1"}, wantErr: "--webhook-burst"},
		{name: "certificate without key", args: []string{"--api-tls-cert=a.crt"}, wantErr: "--api-tls-key"},
		{name: "webhook key without certificate", args: []string{"--webhook-tls-key=w.key"}, wantErr: "--webhook-tls-cert"},
		{name: "client CA without TLS", args: []string{"--api-client-ca=ca.pem"}, wantErr: "--api-client-ca"},
		{name: "negative connection cap", args: []string{"--max-conns=-1"}, wantErr: "--max-conns"},
		{name: "zero streams", args: []string{"--grpc-max-streams=0"}, wantErr: "grpc-max-streams"},
	})
}

func TestHelpShowsNoToken(t *testing.T) {
	var stderr bytes.Buffer
	_, _, err := parseConfig([]string{"--webhook-token=1400000001=topsecret", "-help"}, func(string) string { return "" }, &stderr)
	if err == nil {
		t.Fatal("-help did not stop parsing")
	}
	if strings.Contains(stderr.String(), "topsecret") || !strings.Contains(stderr.String(), "-webhook-token") {
		t.Errorf("help output:\n%s", stderr.String())
	}
}
