package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server"
)

// configCase is one parseConfig case: flags and environment in, and either
// a check of the resulting configuration or an error fragment out.
type configCase struct {
	name    string
	args    []string
	env     map[string]string
	check   func(t *testing.T, c server.Config)
	wantErr string
}

// runConfigCases runs parseConfig for each case. Whatever the case, no
// error or help output may repeat a token given to it ("topsecret").
func runConfigCases(t *testing.T, tests []configCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, _, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				if out := err.Error() + stderr.String(); strings.Contains(out, "topsecret") {
					t.Errorf("a token is echoed: %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestParseConfig(t *testing.T) {
	runConfigCases(t, []configCase{
		{name: "defaults", check: func(t *testing.T, c server.Config) {
			if c.WebhookAddr != ":8080" || c.GRPCAddr != ":9090" || c.HTTPAddr != ":8081" || c.Retention != 100000 || c.MaxBody != 1<<20 || c.Heartbeat != 15*time.Second {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "flags", args: []string{"--grpc-addr=127.0.0.1:1", "--queue", "7", "--sdk-app-id=1400000001,1400000002", "--sdk-app-id", "1400000003"}, check: func(t *testing.T, c server.Config) {
			if c.GRPCAddr != "127.0.0.1:1" || c.Queue != 7 || !reflect.DeepEqual(c.SdkAppIDs, []uint32{1400000001, 1400000002, 1400000003}) {
				t.Errorf("flags: %+v", c)
			}
		}},
		{name: "environment", env: map[string]string{"TRTCGW_HTTP_ADDR": "127.0.0.1:2", "TRTCGW_SDK_APP_ID": "1400000005", "TRTCGW_HEARTBEAT": "3s"}, check: func(t *testing.T, c server.Config) {
			if c.HTTPAddr != "127.0.0.1:2" || c.Heartbeat != 3*time.Second || !reflect.DeepEqual(c.SdkAppIDs, []uint32{1400000005}) {
				t.Errorf("env: %+v", c)
			}
		}},
		{name: "flag wins over environment", args: []string{"--retention=5"}, env: map[string]string{"TRTCGW_RETENTION": "9"}, check: func(t *testing.T, c server.Config) {
			if c.Retention != 5 {
				t.Errorf("retention %d, want the flag's 5", c.Retention)
			}
		}},
		{name: "bad app id", args: []string{"--sdk-app-id=abc"}, wantErr: "positive 32-bit"},
		{name: "zero app id", args: []string{"--sdk-app-id=0"}, wantErr: "positive 32-bit"},
		{name: "bad env value names the variable", env: map[string]string{"TRTCGW_QUEUE": "many"}, wantErr: "TRTCGW_QUEUE"},
		{name: "unknown store", args: []string{"--store=disk"}, wantErr: "--store"},
		{name: "durable by default", check: func(t *testing.T, c server.Config) {
			if c.Store != "jetstream" || c.DataDir != "./data" || c.NATSURL != "" || c.StreamReplicas != 1 {
				t.Errorf("default store: %+v", c)
			}
		}},
		{name: "external cluster", args: []string{"--nats-url=nats://127.0.0.1:4222", "--stream-replicas=3", "--retention-age=24h"}, check: func(t *testing.T, c server.Config) {
			if c.NATSURL != "nats://127.0.0.1:4222" || c.StreamReplicas != 3 || c.RetentionAge != 24*time.Hour {
				t.Errorf("cluster flags: %+v", c)
			}
		}},
		{name: "replicas out of range", args: []string{"--stream-replicas=7"}, wantErr: "--stream-replicas"},
		{name: "nats-listen with nats-url", args: []string{"--nats-url=nats://x", "--nats-listen=127.0.0.1:4222"}, wantErr: "--nats-listen"},
		{name: "data-sync always", args: []string{"--data-sync=always"}, check: func(t *testing.T, c server.Config) {
			if !c.SyncAlways || c.SyncInterval != 0 {
				t.Errorf("--data-sync=always: SyncAlways %v, SyncInterval %s", c.SyncAlways, c.SyncInterval)
			}
		}},
		{name: "data-sync interval from the environment", env: map[string]string{"TRTCGW_DATA_SYNC": "10s"}, check: func(t *testing.T, c server.Config) {
			if c.SyncAlways || c.SyncInterval != 10*time.Second {
				t.Errorf("TRTCGW_DATA_SYNC=10s: SyncAlways %v, SyncInterval %s", c.SyncAlways, c.SyncInterval)
			}
		}},
		{name: "data-sync default is NATS's", check: func(t *testing.T, c server.Config) {
			if c.SyncAlways || c.SyncInterval != 0 {
				t.Errorf("default: SyncAlways %v, SyncInterval %s", c.SyncAlways, c.SyncInterval)
			}
		}},
		{name: "data-sync nonsense", args: []string{"--data-sync=sometimes"}, wantErr: "neither always nor"},
		{name: "data-sync zero", args: []string{"--data-sync=0s"}, wantErr: "positive duration"},
		{name: "data-sync with nats-url", args: []string{"--nats-url=nats://x", "--data-sync=always"}, wantErr: "--data-sync applies to the embedded"},
		{name: "dedup window below JetStream's minimum", args: []string{"--dedup-window=10ms"}, wantErr: "minimum"},
		// JetStream always de-duplicates; 0 would silently mean its default 2m.
		{name: "dedup window 0 with JetStream", args: []string{"--dedup-window=0"}, wantErr: "does not disable"},
		{name: "dedup window 0 with the memory store", args: []string{"--store=memory", "--dedup-window=0"}, check: func(t *testing.T, c server.Config) {
			if c.DedupWindow != 0 {
				t.Errorf("dedup window %s, want 0 (off)", c.DedupWindow)
			}
		}},
		{name: "console on by default", check: func(t *testing.T, c server.Config) {
			if !c.Console {
				t.Error("the console is off by default")
			}
		}},
		{name: "console off by flag", args: []string{"--console=false"}, check: func(t *testing.T, c server.Config) {
			if c.Console {
				t.Error("--console=false left the console on")
			}
		}},
		{name: "console off by environment", env: map[string]string{"TRTCGW_CONSOLE": "false"}, check: func(t *testing.T, c server.Config) {
			if c.Console {
				t.Error("TRTCGW_CONSOLE=false left the console on")
			}
		}},
		{name: "console flag nonsense", env: map[string]string{"TRTCGW_CONSOLE": "maybe"}, wantErr: "TRTCGW_CONSOLE"},
		{name: "checkpoints every 5m by default", check: func(t *testing.T, c server.Config) {
			if c.CheckpointInterval != 5*time.Minute {
				t.Errorf("checkpoint interval %s, want 5m", c.CheckpointInterval)
			}
		}},
		{name: "checkpoints off", env: map[string]string{"TRTCGW_CHECKPOINT_INTERVAL": "0"}, check: func(t *testing.T, c server.Config) {
			if c.CheckpointInterval != 0 {
				t.Errorf("checkpoint interval %s, want 0 (off)", c.CheckpointInterval)
			}
		}},
		{name: "checkpoint interval", args: []string{"--checkpoint-interval=90s"}, check: func(t *testing.T, c server.Config) {
			if c.CheckpointInterval != 90*time.Second {
				t.Errorf("checkpoint interval %s, want 90s", c.CheckpointInterval)
			}
		}},
		{name: "checkpoint interval too short", args: []string{"--checkpoint-interval=10ms"}, wantErr: "--checkpoint-interval"},
		{name: "non-positive queue", args: []string{"--queue=0"}, wantErr: "--queue"},
		{name: "bad log format", args: []string{"--log-format=xml"}, wantErr: "--log-format"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected argument"},
	})
}
