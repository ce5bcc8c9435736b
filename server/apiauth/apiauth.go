// Package apiauth authenticates subscribers of the gRPC API (and so of the
// JSON API, which grpc-gateway forwards to it) by bearer token, and scopes each
// token to the SdkAppids it may read.
//
// A client sends the metadata "authorization: Bearer <token>" (over HTTP, the
// Authorization header, which grpc-gateway forwards as that metadata). The
// interceptors reject a missing or unknown token with UNAUTHENTICATED, cap the
// token's concurrent streams with RESOURCE_EXHAUSTED, and put the token's
// Scope into the call's context; NarrowApps then turns a subscriber's app
// filter into one within that scope. The health and reflection services stay
// open: load balancers probe health without credentials, and reflection
// describes only the public API schema, never an event.
package apiauth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// publicServices are the gRPC services reachable without a token.
var publicServices = []string{
	"/grpc.health.v1.Health/",
	"/grpc.reflection.v1.ServerReflection/",
	"/grpc.reflection.v1alpha.ServerReflection/",
}

// IsPublic reports whether fullMethod ("/package.Service/Method") belongs to
// a service that needs no token: health checking and server reflection.
func IsPublic(fullMethod string) bool {
	for _, prefix := range publicServices {
		if strings.HasPrefix(fullMethod, prefix) {
			return true
		}
	}
	return false
}

// Options configure an Authenticator.
type Options struct {
	// Logger receives a line per rejected call, naming the token when known,
	// never its secret. Nil discards them.
	Logger *slog.Logger
}

// Authenticator checks bearer tokens. It is safe for concurrent use.
type Authenticator struct {
	tokens map[[sha256.Size]byte]*token
	logger *slog.Logger
}

// New returns an Authenticator for the tokens of f; it fails when a token is
// incomplete, two share a name or a secret, or a clear secret is too short.
func New(f File, opts Options) (*Authenticator, error) {
	tokens, err := compile(f.Tokens)
	if err != nil {
		return nil, fmt.Errorf("API tokens: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Authenticator{tokens: tokens, logger: logger}, nil
}

// Load returns an Authenticator for the token file at path (see File), or
// nil when path is "": the API is then open to every client.
func Load(path string, opts Options) (*Authenticator, error) {
	if path == "" {
		return nil, nil
	}
	f, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	return New(f, opts)
}

// Tokens returns how many tokens are configured, for the start-up log line.
func (a *Authenticator) Tokens() int { return len(a.tokens) }

// Scope is what an authenticated call may read.
type Scope struct {
	// Token is the name of the token the call presented.
	Token string
	// Apps are the SdkAppids the token may read.
	Apps Apps
}

// Allows reports whether the scope covers app.
func (s Scope) Allows(app uint32) bool {
	if s.Apps.All {
		return true
	}
	_, found := slices.BinarySearch(s.Apps.IDs, app)
	return found
}

type scopeKey struct{}

// ScopeFromContext returns the scope the interceptors put into a call's
// context; ok is false for a call they did not authenticate.
func ScopeFromContext(ctx context.Context) (s Scope, ok bool) {
	s, ok = ctx.Value(scopeKey{}).(Scope)
	return s, ok
}

// NarrowApps returns the SdkAppids a subscriber reads, given the ones it asked
// for (empty is every app) and the scope in ctx: an empty request becomes the
// token's apps, a request within the scope stays as it is, and a request for
// an app outside it is PERMISSION_DENIED naming that app. A context without a
// scope is UNAUTHENTICATED, so a service wired without the interceptors fails
// closed. The result is never nil for a scoped token, so it never means "all".
func NarrowApps(ctx context.Context, requested []uint32) ([]uint32, error) {
	s, ok := ScopeFromContext(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "the call carries no authenticated token")
	}
	if s.Apps.All {
		return requested, nil
	}
	if len(requested) == 0 {
		return slices.Clone(s.Apps.IDs), nil
	}
	for _, app := range requested {
		if !s.Allows(app) {
			return nil, status.Errorf(codes.PermissionDenied,
				"token %q may not read SdkAppid %d; it may read SdkAppids %s", s.Token, app, appList(s.Apps.IDs))
		}
	}
	return requested, nil
}

func appList(ids []uint32) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(parts, ", ")
}

// UnaryInterceptor authenticates unary calls to every service but the public
// ones and puts the token's Scope into the handler's context.
func (a *Authenticator) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if IsPublic(info.FullMethod) {
			return handler(ctx, req)
		}
		tok, err := a.authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(withScope(ctx, tok), req)
	}
}

// StreamInterceptor authenticates streams to every service but the public
// ones, holds one of the token's concurrent streams for the stream's life
// (RESOURCE_EXHAUSTED when none is left), and puts the token's Scope into the
// stream's context.
func (a *Authenticator) StreamInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if IsPublic(info.FullMethod) {
			return handler(srv, ss)
		}
		ctx := ss.Context()
		tok, err := a.authenticate(ctx, info.FullMethod)
		if err != nil {
			return err
		}
		if !tok.streams.acquire(tok.maxStreams) {
			a.reject(ctx, info.FullMethod, codes.ResourceExhausted, "concurrent stream limit reached", "token", tok.name, "max_streams", tok.maxStreams)
			return status.Errorf(codes.ResourceExhausted,
				"token %q already has its limit of %d concurrent streams open; close one or ask for a higher max_streams", tok.name, tok.maxStreams)
		}
		defer tok.streams.release()
		return handler(srv, &scopedStream{ServerStream: ss, ctx: withScope(ctx, tok)})
	}
}

// authenticate finds the token the call presents. Tokens are looked up by the
// SHA-256 of what was sent, so the comparison's timing reveals nothing about
// a secret, and hashed secrets in the file work the same as clear ones.
func (a *Authenticator) authenticate(ctx context.Context, method string) (*token, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get("authorization")
	switch {
	case len(values) == 0:
		a.reject(ctx, method, codes.Unauthenticated, "no token")
		return nil, status.Error(codes.Unauthenticated, "a bearer token is required: send the header authorization: Bearer <token>")
	case len(values) > 1:
		a.reject(ctx, method, codes.Unauthenticated, "more than one authorization header")
		return nil, status.Error(codes.Unauthenticated, "send exactly one authorization header")
	}
	scheme, secret, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		a.reject(ctx, method, codes.Unauthenticated, "not a bearer token")
		return nil, status.Error(codes.Unauthenticated, "the authorization header must be: Bearer <token>")
	}
	tok, ok := a.tokens[sha256.Sum256([]byte(secret))]
	if !ok {
		a.reject(ctx, method, codes.Unauthenticated, "unknown token")
		return nil, status.Error(codes.Unauthenticated, "the bearer token is not valid")
	}
	return tok, nil
}

// reject logs a refused call with where it came from; it never logs a secret.
func (a *Authenticator) reject(ctx context.Context, method string, code codes.Code, reason string, attrs ...any) {
	args := []any{"method", method, "code", code.String(), "reason", reason}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		args = append(args, "peer", p.Addr.String())
	}
	// grpc-gateway names the HTTP client here; the peer is then the gateway itself.
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if fwd := md.Get("x-forwarded-for"); len(fwd) > 0 {
			args = append(args, "forwarded_for", strings.Join(fwd, ","))
		}
	}
	a.logger.Warn("API call rejected", append(args, attrs...)...)
}

func withScope(ctx context.Context, tok *token) context.Context {
	return ContextWithScope(ctx, Scope{Token: tok.name, Apps: tok.apps})
}

// ContextWithScope returns ctx carrying s, as the interceptors do for an
// authenticated call; for tests of services that read the scope.
func ContextWithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// scopedStream is a ServerStream whose context carries the token's Scope.
type scopedStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the stream's context with the Scope.
func (s *scopedStream) Context() context.Context { return s.ctx }

// streamCount counts a token's open streams.
type streamCount struct{ n atomic.Int64 }

// acquire takes one stream unless max (> 0) are open; max 0 is no cap.
func (c *streamCount) acquire(max int) bool {
	if c.n.Add(1) > int64(max) && max > 0 {
		c.n.Add(-1)
		return false
	}
	return true
}

func (c *streamCount) release() { c.n.Add(-1) }
