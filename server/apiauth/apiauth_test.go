package apiauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/internal/logbuf"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
)

const (
	appA = 1400000001
	appB = 1400000002
	appC = 1400000003

	secretA    = "token-for-app-a-0123456789abcdef"
	secretAB   = "token-for-apps-a-and-b-01234567"
	secretAll  = "token-for-every-app-0123456789ab"
	secretHash = "token-stored-hashed-0123456789ab"
	secretOne  = "token-with-one-stream-0123456789"
)

// waitLimit bounds every wait; it is a deadlock guard, not a speed check.
const waitLimit = 20 * time.Second

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testTokens() apiauth.File {
	return apiauth.File{Tokens: []apiauth.TokenConfig{
		{Name: "team-a", Apps: apiauth.Apps{IDs: []uint32{appA}}, Secret: secretA},
		{Name: "team-ab", Apps: apiauth.Apps{IDs: []uint32{appB, appA, appB}}, Secret: secretAB},
		{Name: "ops", Apps: apiauth.Apps{All: true}, Secret: secretAll},
		{Name: "hashed", Apps: apiauth.Apps{IDs: []uint32{appC}}, Secret: apiauth.HashPrefix + strings.ToUpper(sha256Hex(secretHash))},
		{Name: "single", Apps: apiauth.Apps{IDs: []uint32{appA}}, Secret: secretOne, MaxStreams: 1},
	}}
}

// narrowingService answers Subscribe with one event per app its filter was
// narrowed to (an OTHER event with command "all" when it was left unnarrowed),
// then an event with command "end", and holds the stream open until the client leaves.
type narrowingService struct {
	gatewayv1.UnimplementedEventServiceServer
}

func (narrowingService) Subscribe(req *gatewayv1.SubscribeRequest, srv gatewayv1.EventService_SubscribeServer) error {
	apps, err := apiauth.NarrowApps(srv.Context(), req.GetSdkAppIds())
	if err != nil {
		return err
	}
	send := func(ev *gatewayv1.Event) error {
		return srv.Send(&gatewayv1.SubscribeResponse{Kind: &gatewayv1.SubscribeResponse_Event{Event: ev}})
	}
	if apps == nil {
		if err := send(&gatewayv1.Event{CallbackCommand: "all"}); err != nil {
			return err
		}
	}
	for _, app := range apps {
		if err := send(&gatewayv1.Event{SdkAppId: app}); err != nil {
			return err
		}
	}
	if err := send(&gatewayv1.Event{CallbackCommand: "end"}); err != nil {
		return err
	}
	<-srv.Context().Done()
	return nil
}

// startServer serves the narrowing EventService, health and reflection on
// loopback behind the interceptors, and returns a connection to it.
func startServer(t *testing.T, logs *logbuf.Buffer) *grpc.ClientConn {
	t.Helper()
	auth, err := apiauth.New(testTokens(), apiauth.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if auth.Tokens() != 5 {
		t.Errorf("Tokens() = %d, want 5", auth.Tokens())
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(auth.UnaryInterceptor()), grpc.ChainStreamInterceptor(auth.StreamInterceptor()))
	gatewayv1.RegisterEventServiceServer(srv, narrowingService{})
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// subscribe opens a stream with the given authorization values and returns
// the apps its filter was narrowed to (nil and all=true when unnarrowed).
func subscribe(t *testing.T, ctx context.Context, c gatewayv1.EventServiceClient, apps []uint32, authorization ...string) (got []uint32, all bool, err error) {
	t.Helper()
	for _, a := range authorization {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", a)
	}
	st, err := c.Subscribe(ctx, &gatewayv1.SubscribeRequest{SdkAppIds: apps})
	if err != nil {
		return nil, false, err
	}
	for {
		m, err := st.Recv()
		if err != nil {
			return nil, false, err
		}
		switch ev := m.GetEvent(); ev.GetCallbackCommand() {
		case "end":
			return got, all, nil
		case "all":
			all = true
		default:
			got = append(got, ev.GetSdkAppId())
		}
	}
}

func TestSubscribeIsScopedToTheTokensApps(t *testing.T) {
	logs := &logbuf.Buffer{}
	conn := startServer(t, logs)
	c := gatewayv1.NewEventServiceClient(conn)
	tests := []struct {
		name    string
		auth    []string
		ask     []uint32
		want    []uint32 // the narrowed filter
		wantAll bool     // the filter stays "every app"
		code    codes.Code
		msg     string
	}{
		{name: "no token", code: codes.Unauthenticated, msg: "Bearer"},
		{name: "unknown token", auth: []string{"Bearer not-a-configured-token-at-all"}, code: codes.Unauthenticated, msg: "not valid"},
		{name: "empty bearer", auth: []string{"Bearer "}, code: codes.Unauthenticated, msg: "Bearer <token>"},
		{name: "basic scheme", auth: []string{"Basic " + secretA}, code: codes.Unauthenticated, msg: "Bearer <token>"},
		{name: "token without scheme", auth: []string{secretA}, code: codes.Unauthenticated, msg: "Bearer <token>"},
		{name: "two authorization values", auth: []string{"Bearer " + secretA, "Bearer " + secretAll}, code: codes.Unauthenticated, msg: "exactly one"},
		{name: "the hash itself is not the token", auth: []string{"Bearer " + sha256Hex(secretHash)}, code: codes.Unauthenticated, msg: "not valid"},
		{name: "everything narrowed to app A", auth: []string{"Bearer " + secretA}, want: []uint32{appA}},
		{name: "scheme in any case", auth: []string{"bearer " + secretA}, want: []uint32{appA}},
		{name: "app A asks for A", auth: []string{"Bearer " + secretA}, ask: []uint32{appA}, want: []uint32{appA}},
		{name: "app A asks for B", auth: []string{"Bearer " + secretA}, ask: []uint32{appB}, code: codes.PermissionDenied, msg: "SdkAppid 1400000002"},
		{name: "app A asks for A and B", auth: []string{"Bearer " + secretA}, ask: []uint32{appA, appB}, code: codes.PermissionDenied, msg: "SdkAppid 1400000002"},
		{name: "two apps, everything", auth: []string{"Bearer " + secretAB}, want: []uint32{appA, appB}},
		{name: "two apps, one of them", auth: []string{"Bearer " + secretAB}, ask: []uint32{appB}, want: []uint32{appB}},
		{name: "two apps, a third", auth: []string{"Bearer " + secretAB}, ask: []uint32{appC}, code: codes.PermissionDenied, msg: "SdkAppid 1400000003"},
		{name: "star token, everything", auth: []string{"Bearer " + secretAll}, wantAll: true},
		{name: "star token, one app", auth: []string{"Bearer " + secretAll}, ask: []uint32{appC}, want: []uint32{appC}},
		{name: "hashed secret", auth: []string{"Bearer " + secretHash}, want: []uint32{appC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			got, all, err := subscribe(t, ctx, c, tt.ask, tt.auth...)
			if tt.code != codes.OK {
				if status.Code(err) != tt.code || !strings.Contains(status.Convert(err).Message(), tt.msg) {
					t.Fatalf("error %v, want %s mentioning %q", err, tt.code, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if all != tt.wantAll || !slices.Equal(got, tt.want) {
				t.Errorf("filter narrowed to %v (all=%v), want %v (all=%v)", got, all, tt.want, tt.wantAll)
			}
		})
	}
	for _, secret := range []string{secretA, secretAB, secretAll, secretHash, secretOne} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows a secret: %s", logs.String())
		}
	}
	if !strings.Contains(logs.String(), "unknown token") {
		t.Errorf("rejections are not logged: %q", logs.String())
	}
}

func TestHealthAndReflectionNeedNoToken(t *testing.T) {
	conn := startServer(t, &logbuf.Buffer{})
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health check without a token: %v", err)
	}
	rc, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := rc.Recv()
	if err != nil {
		t.Fatalf("reflection without a token: %v", err)
	}
	if len(resp.GetListServicesResponse().GetService()) == 0 {
		t.Errorf("reflection listed no services: %v", resp)
	}
}

func TestStreamLimit(t *testing.T) {
	conn := startServer(t, &logbuf.Buffer{})
	c := gatewayv1.NewEventServiceClient(conn)
	first, cancelFirst := context.WithTimeout(context.Background(), waitLimit)
	defer cancelFirst()
	if _, _, err := subscribe(t, first, c, nil, "Bearer "+secretOne); err != nil {
		t.Fatalf("first stream: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	_, _, err := subscribe(t, ctx, c, nil, "Bearer "+secretOne)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), `"single"`) || !strings.Contains(err.Error(), "1 concurrent") {
		t.Fatalf("second stream: %v, want RESOURCE_EXHAUSTED naming the token and its limit", err)
	}
	// Another token is not held back by this one's limit.
	if _, _, err := subscribe(t, ctx, c, nil, "Bearer "+secretA); err != nil {
		t.Fatalf("another token's stream: %v", err)
	}

	// Once the first stream ends its slot is free again. The server notices
	// the cancellation asynchronously, so retry until then.
	cancelFirst()
	for {
		_, _, err := subscribe(t, ctx, c, nil, "Bearer "+secretOne)
		if err == nil {
			break
		}
		if status.Code(err) != codes.ResourceExhausted || ctx.Err() != nil {
			t.Fatalf("stream after the first ended: %v", err)
		}
	}
}

func TestUnaryInterceptor(t *testing.T) {
	auth, err := apiauth.New(testTokens(), apiauth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	intercept := auth.UnaryInterceptor()
	var seen apiauth.Scope
	var scoped bool
	handler := func(ctx context.Context, req any) (any, error) {
		seen, scoped = apiauth.ScopeFromContext(ctx)
		return "ok", nil
	}
	call := func(method string, authorization ...string) error {
		seen, scoped = apiauth.Scope{}, false
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs())
		for _, a := range authorization {
			ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", a))
		}
		_, err := intercept(ctx, nil, &grpc.UnaryServerInfo{FullMethod: method}, handler)
		return err
	}
	if err := call("/trtc.gateway.v1.RecordService/GetCallRecord"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("unary call without a token: %v", err)
	}
	if err := call("/trtc.gateway.v1.RecordService/GetCallRecord", "Bearer "+secretAB); err != nil || !scoped || seen.Token != "team-ab" ||
		!slices.Equal(seen.Apps.IDs, []uint32{appA, appB}) || !seen.Allows(appA) || seen.Allows(appC) {
		t.Errorf("unary call with a token: err %v, scope %+v (scoped %v)", err, seen, scoped)
	}
	if err := call("/grpc.health.v1.Health/Check"); err != nil || scoped {
		t.Errorf("health check: err %v, scoped %v; want it open and unscoped", err, scoped)
	}
}

func TestNarrowAppsFailsClosedWithoutScope(t *testing.T) {
	if _, err := apiauth.NarrowApps(context.Background(), nil); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("NarrowApps without a scope: %v, want UNAUTHENTICATED", err)
	}
}

func TestLoadFile(t *testing.T) {
	hashed := sha256Hex(secretHash)
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{name: "clear, hashed, star and limit", file: `{"tokens":[
			{"name":"a","sdk_app_ids":[1400000001],"secret":"` + secretA + `","max_streams":3},
			{"name":"h","sdk_app_ids":[1400000001,1400000002],"secret":"sha256:` + hashed + `"},
			{"name":"ops","sdk_app_ids":"*","secret":"` + secretAll + `"}]}`},
		{name: "no tokens", file: `{"tokens":[]}`},
		{name: "misspelt field", file: `{"tokens":[{"name":"a","sdk_apps":[1],"secret":"` + secretA + `"}]}`, wantErr: "unknown field"},
		{name: "missing name", file: `{"tokens":[{"sdk_app_ids":[1400000001],"secret":"` + secretA + `"}]}`, wantErr: "name is missing"},
		{name: "duplicate name", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":"` + secretA + `"},{"name":"a","sdk_app_ids":"*","secret":"` + secretAll + `"}]}`, wantErr: "name is used"},
		{name: "same secret twice", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":"` + secretHash + `"},{"name":"b","sdk_app_ids":"*","secret":"sha256:` + hashed + `"}]}`, wantErr: "same secret"},
		{name: "short secret", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":"hunter2"}]}`, wantErr: "shorter than 16"},
		{name: "missing secret", file: `{"tokens":[{"name":"a","sdk_app_ids":"*"}]}`, wantErr: "secret is missing"},
		{name: "bad hash", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":"sha256:abc"}]}`, wantErr: "64 hex digits"},
		{name: "no apps", file: `{"tokens":[{"name":"a","secret":"` + secretA + `"}]}`, wantErr: "sdk_app_ids is missing"},
		{name: "empty apps", file: `{"tokens":[{"name":"a","sdk_app_ids":[],"secret":"` + secretA + `"}]}`, wantErr: "sdk_app_ids is missing"},
		{name: "app zero", file: `{"tokens":[{"name":"a","sdk_app_ids":[0],"secret":"` + secretA + `"}]}`, wantErr: "0 is not an SdkAppid"},
		{name: "apps as a word", file: `{"tokens":[{"name":"a","sdk_app_ids":"all","secret":"` + secretA + `"}]}`, wantErr: `"*" or a list`},
		{name: "app out of range", file: `{"tokens":[{"name":"a","sdk_app_ids":[4294967296],"secret":"` + secretA + `"}]}`, wantErr: "4294967295"},
		{name: "negative limit", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":"` + secretA + `","max_streams":-1}]}`, wantErr: "max_streams"},
		{name: "numeric secret", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":12345678901234567890}]}`, wantErr: "must be a JSON string"},
		{name: "not JSON", file: `{"tokens":[{"name":"a","sdk_app_ids":"*","secret":` + secretA + `}]}`, wantErr: "invalid JSON at byte"},
		{name: "array", file: `[]`, wantErr: "JSON object"},
		{name: "trailing value", file: `{"tokens":[]} {}`, wantErr: "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "api-tokens.json")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := apiauth.LoadFile(path)
			if err == nil {
				_, err = apiauth.New(f, apiauth.Options{})
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
			}
			for _, secret := range []string{secretA, secretAll, secretHash, "hunter2", "12345678901234567890"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q repeats a secret", err)
				}
			}
		})
	}
	if _, err := apiauth.LoadFile(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestLoad(t *testing.T) {
	if a, err := apiauth.Load("", apiauth.Options{}); a != nil || err != nil {
		t.Fatalf("no file: %v, %v; want an open API", a, err)
	}
	path := filepath.Join(t.TempDir(), "api-tokens.json")
	if err := os.WriteFile(path, []byte(`{"tokens":[{"name":"a","sdk_app_ids":[1400000001],"secret":"`+secretA+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := apiauth.Load(path, apiauth.Options{})
	if err != nil || a.Tokens() != 1 {
		t.Fatalf("Load: %v, %v", a, err)
	}
	if err := os.WriteFile(path, []byte(`{"tokens":[{"name":"a","sdk_app_ids":[],"secret":"`+secretA+`"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := apiauth.Load(path, apiauth.Options{}); err == nil {
		t.Error("a token without apps loaded")
	}
}
