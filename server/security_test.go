package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server"
	"github.com/trtc-gateway/trtc-gateway/server/tlsconfig/tlsconfigtest"
	"github.com/trtc-gateway/trtc-gateway/server/webhook"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

const (
	appA = 1400000001
	appB = 1400000002

	webhookToken = "xxxxyyyy"
	tokenA       = "subscriber-token-of-team-a-0123456789"
	tokenOps     = "subscriber-token-of-operations-0123"
	tokenOne     = "subscriber-token-with-one-stream-01"
)

// captureLogs sends the gateway's logs, at every level, to the returned buffer.
func captureLogs(c *server.Config) *logbuf.Buffer {
	buf := &logbuf.Buffer{}
	c.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return buf
}

// assertNoSecret fails when text holds any of the secrets.
func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s reveals a secret (%.6s…):\n%s", where, s, text)
		}
	}
}

// head is the newest sequence in the gateway's log.
func head(t *testing.T, s *server.Server) uint64 {
	t.Helper()
	_, h, err := s.Log().Bounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// callBody is a start-call body whose call id makes it distinct, so the log
// does not take it for a retry of another.
func callBody(id string) []byte {
	return []byte(`{"CallbackCommand":"Call.CallbackAfterStartCall","CallInfo":{"CallId":"` + id + `"},"EventTime":1740464128807}`)
}

func TestWebhookAuthenticationEndToEnd(t *testing.T) {
	var logs *logbuf.Buffer
	s := startGateway(t, func(c *server.Config) {
		logs = captureLogs(c)
		c.WebhookTokens = map[uint32]string{appA: webhookToken}
		c.WebhookAuthWindow = 10 * time.Minute
	})
	now := time.Now().Unix()
	at := func(d time.Duration) string { return strconv.FormatInt(now+int64(d/time.Second), 10) }
	signed := func(app uint32, sign, requestTime string) string {
		q := webhookQuery(app, cmdStart)
		if sign != "" {
			q += "&Sign=" + sign
		}
		if requestTime != "" {
			q += "&RequestTime=" + requestTime
		}
		return q
	}
	fresh := at(0)
	tests := []struct {
		name   string
		query  string
		status int
		msg    string
	}{
		{"valid sign", signed(appA, webhookauth.Sign(webhookToken, fresh), fresh), 200, ""},
		{"wrong sign", signed(appA, webhookauth.Sign("another-token", fresh), fresh), 401, "Sign does not match"},
		{"stale request time", signed(appA, webhookauth.Sign(webhookToken, at(-time.Hour)), at(-time.Hour)), 401, "in the past"},
		{"future request time", signed(appA, webhookauth.Sign(webhookToken, at(time.Hour)), at(time.Hour)), 401, "in the future"},
		{"missing sign", signed(appA, "", fresh), 401, "Sign is missing"},
		{"missing request time", signed(appA, webhookauth.Sign(webhookToken, fresh), ""), 401, "RequestTime is missing"},
		{"app without a token", signed(appB, "", ""), 200, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := head(t, s)
			code, tr := post(t, s, tt.query, callBody("auth-"+strconv.Itoa(i)))
			after := head(t, s)
			if tt.status == 200 {
				if code != 200 || tr != (tencentResponse{ActionStatus: "OK"}) || after != before+1 {
					t.Fatalf("got %d %+v (log %d → %d), want 200 OK and one event", code, tr, before, after)
				}
				return
			}
			if code != tt.status || tr.ActionStatus != "FAIL" || tr.ErrorCode != 40101 || !strings.Contains(tr.ErrorInfo, tt.msg) {
				t.Errorf("got %d %+v, want 401 with ErrorCode 40101 mentioning %q", code, tr, tt.msg)
			}
			if after != before {
				t.Errorf("a rejected callback was appended (log %d → %d)", before, after)
			}
			assertNoSecret(t, "the response", tr.ErrorInfo, webhookToken, webhookauth.Sign(webhookToken, fresh))
		})
	}
	assertNoSecret(t, "the log", logs.String(), webhookToken, webhookauth.Sign(webhookToken, fresh))
}

func TestWebhookAuthenticationTestVector(t *testing.T) {
	// Tencent's documented vector was signed in 2022: a window reaching back
	// to then lets it through end to end.
	const vectorTime = 1669872112
	s := startGateway(t, func(c *server.Config) {
		c.WebhookTokenFile = filepath.Join(t.TempDir(), "webhook-tokens.json")
		writeFile(t, c.WebhookTokenFile, fmt.Sprintf(`{"apps":[{"sdk_app_id":%d,"token":%q}]}`, appA, webhookToken))
		c.WebhookAuthWindow = time.Since(time.Unix(vectorTime, 0)) + time.Hour
	})
	q := webhookQuery(appA, cmdStart) + "&RequestTime=1669872112&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
	if code, tr := post(t, s, q, callBody("vector")); code != 200 || tr.ActionStatus != "OK" {
		t.Fatalf("the test vector: %d %+v", code, tr)
	}
	if code, tr := post(t, s, webhookQuery(appA, cmdStart), callBody("unsigned")); code != 401 || tr.ErrorCode != 40101 {
		t.Fatalf("unsigned callback of an app whose token is in the file: %d %+v", code, tr)
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// apiTokens writes the subscriber token file: team-a reads app A, ops reads
// everything (its secret stored hashed), one reads app A on one stream at most.
func apiTokens(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "api-tokens.json")
	writeFile(t, path, fmt.Sprintf(`{"tokens":[
		{"name":"team-a","sdk_app_ids":[%d],"secret":%q},
		{"name":"ops","sdk_app_ids":"*","secret":"sha256:%s"},
		{"name":"one","sdk_app_ids":[%d],"secret":%q,"max_streams":1}
	]}`, appA, tokenA, sha256Hex(tokenOps), appA, tokenOne))
	return path
}

// subscribeAs opens a stream presenting token ("" sends none) and returns the
// stream, or the error the gateway ended it with before any message.
func subscribeAs(t *testing.T, c gatewayv1.EventServiceClient, token string, req *gatewayv1.SubscribeRequest) (gatewayv1.EventService_SubscribeClient, *gatewayv1.Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	st, err := c.Subscribe(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	m, err := st.Recv()
	if err != nil {
		return nil, nil, err
	}
	return st, m.GetEvent(), nil
}

// postAB posts five callbacks alternating between apps A and B (A, B, A, B,
// A) and returns the sequences of app A's.
func postAB(t *testing.T, s *server.Server) []uint64 {
	t.Helper()
	var seqA []uint64
	for i := range 5 {
		app := uint32(appA)
		if i%2 == 1 {
			app = appB
		}
		postOK(t, s, app, cmdStart, callBody(fmt.Sprintf("ab-%d", i)))
		if app == appA {
			seqA = append(seqA, head(t, s))
		}
	}
	return seqA
}

func TestSubscriberTokensOverGRPC(t *testing.T) {
	var logs *logbuf.Buffer
	s := startGateway(t, func(c *server.Config) {
		logs = captureLogs(c)
		c.APITokensFile = apiTokens(t)
	})
	seqA := postAB(t, s)
	c := dial(t, s)

	t.Run("everything is narrowed to the token's app", func(t *testing.T) {
		st, first, err := subscribeAs(t, c, tokenA, fromStart(&gatewayv1.SubscribeRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		evs := append([]*gatewayv1.Event{first}, recvEvents(t, st, len(seqA)-1)...)
		for i, ev := range evs {
			if ev.GetSdkAppId() != appA || ev.GetSequence() != seqA[i] {
				t.Errorf("event %d: app %d sequence %d, want app %d sequence %d", i, ev.GetSdkAppId(), ev.GetSequence(), appA, seqA[i])
			}
		}
		// A live event of app B posted now never arrives; the next of app A does.
		postOK(t, s, appB, cmdStart, callBody("live-b"))
		postOK(t, s, appA, cmdStart, callBody("live-a"))
		if ev := recvEvents(t, st, 1)[0]; ev.GetSdkAppId() != appA || ev.GetSequence() != head(t, s) {
			t.Errorf("live: app %d sequence %d, want app A's event %d", ev.GetSdkAppId(), ev.GetSequence(), head(t, s))
		}
	})
	t.Run("asking for its own app", func(t *testing.T) {
		_, first, err := subscribeAs(t, c, tokenA, fromStart(&gatewayv1.SubscribeRequest{SdkAppIds: []uint32{appA}}))
		if err != nil || first.GetSdkAppId() != appA {
			t.Fatalf("%v, first event %v", err, first)
		}
	})
	for _, ask := range [][]uint32{{appB}, {appA, appB}} {
		t.Run(fmt.Sprintf("asking for %v", ask), func(t *testing.T) {
			_, _, err := subscribeAs(t, c, tokenA, fromStart(&gatewayv1.SubscribeRequest{SdkAppIds: ask}))
			if status.Code(err) != codes.PermissionDenied || !strings.Contains(err.Error(), "1400000002") {
				t.Fatalf("%v, want PERMISSION_DENIED naming SdkAppid 1400000002", err)
			}
		})
	}
	t.Run("a token for every app sees both", func(t *testing.T) {
		st, first, err := subscribeAs(t, c, tokenOps, fromStart(&gatewayv1.SubscribeRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		second := recvEvents(t, st, 1)[0]
		if first.GetSdkAppId() != appA || second.GetSdkAppId() != appB {
			t.Errorf("apps %d, %d, want A then B", first.GetSdkAppId(), second.GetSdkAppId())
		}
	})
	for _, tt := range []struct{ name, token string }{{"no token", ""}, {"wrong token", "not-a-token-of-this-gateway"}, {"the hash as token", sha256Hex(tokenOps)}} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := subscribeAs(t, c, tt.token, fromStart(&gatewayv1.SubscribeRequest{}))
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("%v, want UNAUTHENTICATED", err)
			}
		})
	}
	t.Run("stream limit", func(t *testing.T) {
		if _, _, err := subscribeAs(t, c, tokenOne, fromStart(&gatewayv1.SubscribeRequest{})); err != nil {
			t.Fatal(err)
		}
		_, _, err := subscribeAs(t, c, tokenOne, fromStart(&gatewayv1.SubscribeRequest{}))
		if status.Code(err) != codes.ResourceExhausted {
			t.Fatalf("second stream: %v, want RESOURCE_EXHAUSTED", err)
		}
	})
	t.Run("health and reflection need no token", func(t *testing.T) {
		conn, err := grpc.NewClient(s.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health: %v %v", resp, err)
		}
	})
	assertNoSecret(t, "the log", logs.String(), tokenA, tokenOps, tokenOne)
	if !strings.Contains(logs.String(), "API call rejected") {
		t.Error("rejected API calls are not logged")
	}
}

// jsonSubscribe opens the JSON stream with the headers given and returns the
// response; its body streams one JSON object per line.
func jsonSubscribe(t *testing.T, client *http.Client, base, query string, header http.Header) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events:subscribe?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// jsonEvents reads n event lines of a JSON stream and returns their apps and sequences.
func jsonEvents(t *testing.T, resp *http.Response, n int) (apps, seqs []string) {
	t.Helper()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for len(seqs) < n && sc.Scan() {
		var line struct {
			Result struct {
				Event *struct {
					SdkAppID json.Number `json:"sdkAppId"`
					Sequence string      `json:"sequence"`
				} `json:"event"`
			} `json:"result"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if ev := line.Result.Event; ev != nil {
			apps, seqs = append(apps, ev.SdkAppID.String()), append(seqs, ev.Sequence)
		}
	}
	if len(seqs) < n {
		t.Fatalf("the stream ended after %d of %d events: %v", len(seqs), n, sc.Err())
	}
	return apps, seqs
}

func TestSubscriberTokensOverJSON(t *testing.T) {
	var logs *logbuf.Buffer
	s := startGateway(t, func(c *server.Config) {
		logs = captureLogs(c)
		c.APITokensFile = apiTokens(t)
		c.GRPCMaxStreams = 1 // caps gRPC connections, never the JSON streams the gateway multiplexes
	})
	seqA := postAB(t, s)
	base := "http://" + s.HTTPAddr()

	t.Run("everything is narrowed to the token's app", func(t *testing.T) {
		resp := jsonSubscribe(t, http.DefaultClient, base, "after_sequence=0", bearer(tokenA))
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		postOK(t, s, appB, cmdStart, callBody("json-live-b"))
		postOK(t, s, appA, cmdStart, callBody("json-live-a"))
		apps, seqs := jsonEvents(t, resp, len(seqA)+1)
		want := append(seqA, head(t, s))
		for i := range seqs {
			if apps[i] != strconv.Itoa(appA) || seqs[i] != strconv.FormatUint(want[i], 10) {
				t.Errorf("event %d: app %s sequence %s, want app A sequence %d", i, apps[i], seqs[i], want[i])
			}
		}
	})
	t.Run("many JSON streams at once despite a gRPC stream cap of 1", func(t *testing.T) {
		var resps []*http.Response
		for range 3 {
			resps = append(resps, jsonSubscribe(t, http.DefaultClient, base, "after_sequence=0", bearer(tokenOps)))
		}
		for i, resp := range resps {
			if resp.StatusCode != 200 {
				t.Fatalf("stream %d: status %d", i, resp.StatusCode)
			}
			if _, seqs := jsonEvents(t, resp, 1); seqs[0] != "1" {
				t.Errorf("stream %d starts at %s", i, seqs[0])
			}
		}
	})
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
		msg    string
	}{
		{"no token", "after_sequence=0", http.Header{}, 401, "Bearer"},
		{"wrong token", "after_sequence=0", bearer("not-a-token-of-this-gateway"), 401, "not valid"},
		{"not a bearer token", "after_sequence=0", http.Header{"Authorization": {"Basic " + tokenA}}, 401, "Bearer"},
		{"two tokens", "after_sequence=0", http.Header{"Authorization": {"Bearer " + tokenA, "Bearer " + tokenOps}}, 401, "exactly one"},
		{"asking for another app", "after_sequence=0&sdk_app_ids=1400000002", bearer(tokenA), 403, "1400000002"},
		{"asking for two apps", "sdk_app_ids=1400000001&sdk_app_ids=1400000002", bearer(tokenA), 403, "1400000002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := jsonSubscribe(t, http.DefaultClient, base, tt.query, tt.header)
			body, _ := io.ReadAll(resp.Body)
			// A refused stream answers like every JSON API error: a google.rpc.Status.
			var e struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			if resp.StatusCode != tt.status || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %d %s, want %d with a JSON error mentioning %q", resp.StatusCode, body, tt.status, tt.msg)
			}
			assertNoSecret(t, "the response", string(body)+fmt.Sprint(resp.Header), tokenA, tokenOps)
		})
	}
	t.Run("stream limit", func(t *testing.T) {
		first := jsonSubscribe(t, http.DefaultClient, base, "after_sequence=0", bearer(tokenOne))
		if first.StatusCode != 200 {
			t.Fatalf("first stream: %d", first.StatusCode)
		}
		jsonEvents(t, first, 1) // the stream is open and holds its slot
		second := jsonSubscribe(t, http.DefaultClient, base, "after_sequence=0", bearer(tokenOne))
		if second.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("second stream: %d, want 429", second.StatusCode)
		}
	})
	t.Run("health needs no token", func(t *testing.T) {
		resp, err := http.Get(base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	})
	assertNoSecret(t, "the log", logs.String(), tokenA, tokenOps, tokenOne)
}

func TestOpenAPIWarnsAtStart(t *testing.T) {
	var logs *logbuf.Buffer
	startGateway(t, func(c *server.Config) { logs = captureLogs(c) })
	if !strings.Contains(logs.String(), "no --api-tokens file") {
		t.Errorf("no warning about the open API:\n%s", logs.String())
	}
}

func TestBadSecurityConfigFailsStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	writeFile(t, bad, `{"tokens":[{"name":"x","sdk_app_ids":"*","secret":"short"}]}`)
	tests := []struct {
		name   string
		mutate func(*server.Config)
		want   string
	}{
		{"missing API token file", func(c *server.Config) { c.APITokensFile = filepath.Join(dir, "absent.json") }, "absent.json"},
		{"weak API token", func(c *server.Config) { c.APITokensFile = bad }, "shorter than"},
		{"missing webhook token file", func(c *server.Config) { c.WebhookTokenFile = filepath.Join(dir, "absent.json") }, "absent.json"},
		{"missing TRTC key file", func(c *server.Config) { c.TRTCKeyFile = filepath.Join(dir, "absent-keys.json") }, "TRTC callback key file"},
		{"empty TRTC key", func(c *server.Config) { c.TRTCKeys = map[uint32]string{testApp: ""} }, "TRTC callback key"},
		{"missing certificate", func(c *server.Config) {
			c.APITLSCert, c.APITLSKey = filepath.Join(dir, "a.crt"), filepath.Join(dir, "a.key")
		}, "--api-tls-cert"},
		{"client CA without a certificate", func(c *server.Config) { c.APIClientCA = filepath.Join(dir, "ca.pem") }, "--api-client-ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			cfg.WebhookAddr, cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
			tt.mutate(&cfg)
			s, err := server.Start(context.Background(), cfg)
			if err == nil {
				_ = s.Shutdown(context.Background())
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// tlsFiles holds the certificates of a TLS test gateway.
type tlsFiles struct {
	dir                          string
	serverCA, clientCA, otherCA  *tlsconfigtest.CA
	apiCert, apiKey, clientCAPEM string
}

func newTLSFiles(t *testing.T) *tlsFiles {
	t.Helper()
	f := &tlsFiles{
		dir:      t.TempDir(),
		serverCA: tlsconfigtest.NewCA(t, "server CA"),
		clientCA: tlsconfigtest.NewCA(t, "client CA"),
		otherCA:  tlsconfigtest.NewCA(t, "other CA"),
	}
	f.apiCert, f.apiKey = f.serverCA.Server(t, "api-1").Write(t, f.dir, "api")
	f.clientCAPEM = filepath.Join(f.dir, "client-ca.pem")
	tlsconfigtest.WriteFile(t, f.clientCAPEM, f.clientCA.PEM)
	return f
}

// grpcTLS dials the gateway's gRPC listener over TLS, presenting client when set.
func grpcTLS(t *testing.T, s *server.Server, roots *tlsconfigtest.CA, client *tls.Certificate) gatewayv1.EventServiceClient {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots.Pool()}
	if client != nil {
		cfg.Certificates = []tls.Certificate{*client}
	}
	conn, err := grpc.NewClient(s.GRPCAddr(), grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return gatewayv1.NewEventServiceClient(conn)
}

// servedCert returns the common name of the certificate addr serves, or the
// handshake's error; the handshake is complete only once the server has
// checked the client's certificate, which a first read confirms.
func servedCert(t *testing.T, addr string, roots *tlsconfigtest.CA, client *tls.Certificate, alpn string) (string, error) {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots.Pool(), NextProtos: []string{alpn}}
	if client != nil {
		cfg.Certificates = []tls.Certificate{*client}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: waitLimit}, "tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

func TestTLSAndMutualTLS(t *testing.T) {
	f := newTLSFiles(t)
	webhookCert, webhookKey := f.serverCA.Server(t, "webhook").Write(t, f.dir, "webhook")
	s := startGateway(t, func(c *server.Config) {
		c.WebhookTLSCert, c.WebhookTLSKey = webhookCert, webhookKey
		c.APITLSCert, c.APITLSKey, c.APIClientCA = f.apiCert, f.apiKey, f.clientCAPEM
	})
	client := f.clientCA.Client(t, "subscriber").TLS
	stranger := f.otherCA.Client(t, "stranger").TLS
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.serverCA.Pool()}}}
	withCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{client}}}}

	t.Run("webhook over HTTPS", func(t *testing.T) {
		resp, err := trusting.Post("https://"+s.WebhookAddr()+"/webhook?"+webhookQuery(appA, cmdStart), "application/json", bytes.NewReader(callBody("tls")))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(raw), `"ActionStatus":"OK"`) || head(t, s) != 1 {
			t.Fatalf("%d %s (head %d)", resp.StatusCode, raw, head(t, s))
		}
	})
	t.Run("plain HTTP to the HTTPS webhook", func(t *testing.T) {
		resp, err := http.Post("http://"+s.WebhookAddr()+"/webhook?"+webhookQuery(appA, cmdStart), "application/json", bytes.NewReader(callBody("plain")))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				t.Fatal("a plain HTTP callback was accepted on the TLS listener")
			}
		}
		if head(t, s) != 1 {
			t.Error("a plain HTTP callback was appended")
		}
	})
	t.Run("gRPC with a client certificate", func(t *testing.T) {
		_, first, err := subscribeAs(t, grpcTLS(t, s, f.serverCA, &client), "", fromStart(&gatewayv1.SubscribeRequest{}))
		if err != nil || first.GetSequence() != 1 {
			t.Fatalf("%v, first event %v", err, first)
		}
	})
	for _, tt := range []struct {
		name   string
		client *tls.Certificate
	}{{"gRPC without a client certificate", nil}, {"gRPC with a certificate of another CA", &stranger}} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := subscribeAs(t, grpcTLS(t, s, f.serverCA, tt.client), "", fromStart(&gatewayv1.SubscribeRequest{}))
			if status.Code(err) != codes.Unavailable {
				t.Fatalf("%v, want the connection refused (UNAVAILABLE)", err)
			}
		})
	}
	t.Run("JSON API with a client certificate", func(t *testing.T) {
		resp := jsonSubscribe(t, withCert, "https://"+s.HTTPAddr(), "after_sequence=0", http.Header{})
		if _, seqs := jsonEvents(t, resp, 1); seqs[0] != "1" {
			t.Errorf("first sequence %s", seqs[0])
		}
	})
	t.Run("JSON API without a client certificate", func(t *testing.T) {
		resp, err := trusting.Get("https://" + s.HTTPAddr() + "/healthz")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("answered %d without a client certificate", resp.StatusCode)
		}
	})
	t.Run("the API certificate is reloaded without a restart", func(t *testing.T) {
		if cn, err := servedCert(t, s.GRPCAddr(), f.serverCA, &client, "h2"); err != nil || cn != "api-1" {
			t.Fatalf("before: %q %v", cn, err)
		}
		renewed := f.serverCA.Server(t, "api-2")
		tlsconfigtest.WriteFile(t, f.apiCert, renewed.CertPEM)
		tlsconfigtest.WriteFile(t, f.apiKey, renewed.KeyPEM)
		for _, addr := range []string{s.GRPCAddr(), s.HTTPAddr()} {
			if cn, err := servedCert(t, addr, f.serverCA, &client, "h2"); err != nil || cn != "api-2" {
				t.Errorf("%s after the renewal: %q %v", addr, cn, err)
			}
		}
		// Existing and new clients keep working with the renewed certificate.
		if _, _, err := subscribeAs(t, grpcTLS(t, s, f.serverCA, &client), "", fromStart(&gatewayv1.SubscribeRequest{})); err != nil {
			t.Errorf("subscribe after the renewal: %v", err)
		}
	})
}

func TestWebhookRateLimitEndToEnd(t *testing.T) {
	s := startGateway(t, func(c *server.Config) {
		// One request per 1000 s after a burst of 2: nothing refills during the test.
		c.WebhookRate, c.WebhookBurst = 0.001, 2
	})
	postOK(t, s, appA, cmdStart, callBody("rate-1"))
	postOK(t, s, appA, cmdStart, callBody("rate-2"))
	code, tr := post(t, s, webhookQuery(appA, cmdStart), callBody("rate-3"))
	if code != http.StatusTooManyRequests || tr.ActionStatus != "FAIL" || tr.ErrorCode != 42901 || tr.ErrorInfo == "" {
		t.Fatalf("third callback: %d %+v, want 429 with ErrorCode 42901", code, tr)
	}
	if head(t, s) != 2 {
		t.Errorf("head %d, want 2: the limited callback was appended", head(t, s))
	}
}

// TestOversizedHeadersOnTheWebhookListener sends callbacks whose header
// fields reach and pass the 64 KiB limit: up to it they are accepted; past it
// the handler answers 431 in Tencent's shape; past net/http's own hard limit
// (ServerMaxHeaderBytes) net/http answers a plain-text 431 before any
// handler runs. Nothing oversized is appended, and the gateway keeps serving.
func TestOversizedHeadersOnTheWebhookListener(t *testing.T) {
	s := startGateway(t, nil)
	u := "http://" + s.WebhookAddr() + "/webhook?" + webhookQuery(appA, cmdStart)
	tests := []struct {
		name     string
		padding  int // bytes of one X-Padding header value
		status   int
		code     int // ErrorCode of a JSON answer; -1 for net/http's plain text
		appended bool
	}{
		{"well under the limit", 1 << 10, http.StatusOK, 0, true},
		{"just under the limit", webhook.DefaultMaxHeaderBytes - 1<<10, http.StatusOK, 0, true},
		{"just over the limit", webhook.DefaultMaxHeaderBytes, http.StatusRequestHeaderFieldsTooLarge, 43101, false},
		{"twice the limit", 2 * webhook.DefaultMaxHeaderBytes, http.StatusRequestHeaderFieldsTooLarge, 43101, false},
		{"over net/http's hard limit", webhook.ServerMaxHeaderBytes + 8<<10, http.StatusRequestHeaderFieldsTooLarge, -1, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := head(t, s)
			req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(callBody(fmt.Sprint("big-header-", i))))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Padding", strings.Repeat("p", tt.padding))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, raw, tt.status)
			}
			if tt.code >= 0 {
				var tr tencentResponse
				if err := json.Unmarshal(raw, &tr); err != nil || tr.ErrorCode != tt.code || resp.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("answer %s (%s, %v), want Tencent's JSON with ErrorCode %d", raw, resp.Header.Get("Content-Type"), err, tt.code)
				}
				if tt.code != 0 && !strings.Contains(tr.ErrorInfo, "limit of 65536") {
					t.Errorf("ErrorInfo %q does not name the limit", tr.ErrorInfo)
				}
			}
			if got := head(t, s) > before; got != tt.appended {
				t.Fatalf("appended = %v, want %v", got, tt.appended)
			}
		})
	}
	postOK(t, s, appA, cmdStart, callBody("after")) // and the gateway keeps serving
}

func TestConnectionCap(t *testing.T) {
	s := startGateway(t, func(c *server.Config) { c.MaxConns = 1 })
	// The one connection allowed is held by a client that sends nothing yet.
	idle, err := net.DialTimeout("tcp", s.WebhookAddr(), waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if _, err := io.WriteString(idle, "POST /webhook?"+webhookQuery(appA, cmdStart)+" HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}

	queued := make(chan error, 1)
	go func() { queued <- postQuiet(s, appA, cmdStart, callBody("queued")) }()
	// Until the idle client finishes, the second one waits unserved.
	select {
	case err := <-queued:
		t.Fatalf("a second connection was served past the cap: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	body := callBody("idle")
	if _, err := fmt.Fprintf(idle, "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(idle); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	select {
	case err := <-queued:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("the second connection was never served")
	}
	if head(t, s) != 2 {
		t.Errorf("head %d, want both callbacks", head(t, s))
	}
}
