// Package webhook is the gateway's public endpoint: it takes Tencent's
// callback POSTs, checks them exactly as Tencent's protocol asks, appends each
// accepted one to the event log, and answers in Tencent's JSON shape only
// after the append succeeded.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/eventlog"
)

// Path is where Tencent posts callbacks; configure the app's callback URL to it.
const Path = "/webhook"

// Appender is the part of the event log the webhook needs.
type Appender interface {
	Append(ctx context.Context, ev *gatewayv1.Event) (uint64, error)
}

// SizedAppender is an Appender that can also take an event with a bound on
// its encoded size, which it may trust instead of measuring the event
// (eventlog.Memory's AppendWithin). The handler uses it when Options.Log
// has it.
type SizedAppender interface {
	AppendWithin(ctx context.Context, ev *gatewayv1.Event, bound int64) (uint64, error)
}

// Authenticator checks a callback's webhook authentication (Sign and
// RequestTime) for its app; a non-nil error must be a *callback.Error.
type Authenticator interface {
	Authenticate(p callback.Params, now time.Time) error
}

// TRTCAuthenticator checks the Sign header of a TRTC event (room, media,
// recording, transcription) against its raw body for its app; a non-nil
// error must be a *callback.Error.
type TRTCAuthenticator interface {
	AuthenticateTRTC(sdkAppID uint32, sign string, body []byte) error
}

// Options configure a Handler.
type Options struct {
	// Log is where accepted events go. Required.
	Log Appender
	// AllowedApps is the SdkAppid allowlist; empty accepts every app.
	AllowedApps []uint32
	// MaxBody is the largest body accepted, in bytes; 0 means 1 MiB.
	MaxBody int64
	// MaxHeaderBytes is the largest request line plus header fields
	// accepted, in bytes, counted as net/http counts them; 0 means
	// DefaultMaxHeaderBytes. The http.Server's own MaxHeaderBytes must be
	// larger (ServerMaxHeaderBytes), so that a request over this limit
	// reaches the handler and gets Tencent's JSON shape, not net/http's
	// plain-text 431.
	MaxHeaderBytes int
	// AppendTimeout, when positive, bounds how long a callback waits for the
	// log. 0 leaves the bound to the log, which is cheaper per callback:
	// every eventlog.Log bounds its appends (the memory log never waits, the
	// JetStream log waits at most its PublishTimeout, 5s by default).
	AppendTimeout time.Duration
	// BeforeBudget bounds how long a "before" callback
	// (Live.CallbackBeforeSendGift, Group.CallbackBeforeSendMsg) waits for
	// the log before the gateway answers "allow" without it; 0 means
	// DefaultBeforeBudget. Tencent waits at most 2 s for these answers and
	// blocks the gift or message when none comes, so the budget stays well
	// below that.
	BeforeBudget time.Duration
	// Auth verifies webhook authentication; nil accepts every request.
	Auth Authenticator
	// TRTCAuth verifies the Sign header of TRTC events; nil accepts every one.
	TRTCAuth TRTCAuthenticator
	// RateLimit caps each source address's request rate; the zero value is no limit.
	RateLimit RateLimit
	// Logger receives one line per rejected callback (debug for accepted ones).
	Logger *slog.Logger
	// Registerer receives the webhook metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultBeforeBudget is the default of Options.BeforeBudget: 1.5 s of
// Tencent's 2 s, leaving room for the network and the answer itself.
const DefaultBeforeBudget = 1500 * time.Millisecond

// DefaultMaxHeaderBytes is the default of Options.MaxHeaderBytes.
const DefaultMaxHeaderBytes = 64 << 10

// ServerMaxHeaderBytes is the http.Server MaxHeaderBytes to serve a Handler
// with: a hard limit net/http enforces with a plain-text 431 before the
// handler runs, four times the default soft limit the handler answers in
// Tencent's JSON shape.
const ServerMaxHeaderBytes = 4 * DefaultMaxHeaderBytes

// headerBytes is the size of r's request line and header fields as they
// came over the wire: "METHOD URI PROTO\r\n" and "Key: value\r\n" per field.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	if r.Host != "" {
		n += len("Host: \r\n") + len(r.Host) // net/http moves Host out of Header
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// Handler serves POST /webhook. It is safe for concurrent use.
type Handler struct {
	log           Appender
	sized         SizedAppender // log, when it takes a size bound; else nil
	allowed       map[uint32]struct{}
	maxBody       int64
	maxHeader     int
	appendTimeout time.Duration
	beforeBudget  time.Duration
	auth          Authenticator
	trtcAuth      TRTCAuthenticator
	limiter       *ipLimiter // nil when there is no rate limit
	logger        *slog.Logger
	now           func() time.Time
	metrics       *metrics
	warnings      *rate.Limiter // how many rejections per second are logged as warnings
}

// New returns a Handler for opts.
func New(opts Options) (*Handler, error) {
	if opts.Log == nil {
		return nil, errors.New("webhook: Options.Log is required")
	}
	h := &Handler{
		log:           opts.Log,
		sized:         asSized(opts.Log),
		maxBody:       opts.MaxBody,
		maxHeader:     opts.MaxHeaderBytes,
		appendTimeout: opts.AppendTimeout,
		beforeBudget:  opts.BeforeBudget,
		auth:          opts.Auth,
		trtcAuth:      opts.TRTCAuth,
		logger:        opts.Logger,
		now:           opts.Now,
		warnings:      rate.NewLimiter(10, 20),
	}
	if h.maxBody <= 0 {
		h.maxBody = 1 << 20
	}
	if h.beforeBudget <= 0 {
		h.beforeBudget = DefaultBeforeBudget
	}
	if h.maxHeader <= 0 {
		h.maxHeader = DefaultMaxHeaderBytes
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if len(opts.AllowedApps) > 0 {
		h.allowed = make(map[uint32]struct{}, len(opts.AllowedApps))
		for _, id := range opts.AllowedApps {
			h.allowed[id] = struct{}{}
		}
	}
	limiter, err := newIPLimiter(opts.RateLimit)
	if err != nil {
		return nil, err
	}
	h.limiter = limiter
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	h.metrics = m
	return h, nil
}

// asSized returns log as a SizedAppender, or nil when it is none.
func asSized(log Appender) SizedAppender {
	if s, ok := log.(SizedAppender); ok {
		return s
	}
	return nil
}

// ServeHTTP answers every request in Tencent's JSON shape: 200 with
// ActionStatus OK once the event is in the log, otherwise FAIL with the
// status and code of the first check that failed. A TRTC event (no command
// in the URL, EventGroupId in the body) is answered in that family's shape
// instead: {"code":0}, or {"code":<n>,"message":"…"} with the same status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	command, trtc, err := h.serve(r, start)
	if err != nil {
		e := callback.AsError(err)
		if e.Code == callback.CodeRateLimited {
			// Debug only: a flood must not become a flood of log lines.
			h.logger.Debug("webhook rate limited", "remote", r.RemoteAddr)
		} else if e.Code == callback.CodeInternal || e.Code == callback.CodeLogUnavailable {
			h.logger.Error("webhook failed", "code", int(e.Code), "command", command, "remote", r.RemoteAddr, "err", e.Err)
		} else if e.Code == callback.CodeClientGone {
			// Not the gateway's failure: the sender gave up waiting (Tencent
			// after its timeout) and retries if it wants the answer. Many
			// at once mean the log is slow, which is worth a warning.
			level := slog.LevelInfo
			if h.warnings.Allow() {
				level = slog.LevelWarn
			}
			h.logger.Log(r.Context(), level, "webhook client went away", "code", int(e.Code), "command", callback.Clip(command), "remote", r.RemoteAddr,
				"reason", "the client closed the connection before the event was stored", "err", e.Err)
		} else {
			// Rejections are the sender's fault and can come in floods: a few
			// per second are warnings, the rest debug lines.
			level := slog.LevelDebug
			if h.warnings.Allow() {
				level = slog.LevelWarn
			}
			h.logger.Log(r.Context(), level, "webhook rejected", "code", int(e.Code), "status", e.HTTPStatus(), "command", callback.Clip(command), "remote", r.RemoteAddr, "reason", e.Message)
		}
		if e.Code == callback.CodeMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		if trtc {
			writeTRTCResponse(w, e.HTTPStatus(), e.Code, e.Message)
		} else {
			writeResponse(w, e.HTTPStatus(), e.Code, e.Message)
		}
		h.metrics.observe(command, e.Code, h.now().Sub(start))
		return
	}
	if trtc {
		writeTRTCResponse(w, http.StatusOK, callback.CodeOK, "")
	} else {
		writeResponse(w, http.StatusOK, callback.CodeOK, "")
	}
	h.metrics.observe(command, callback.CodeOK, h.now().Sub(start))
}

// serve runs every check in order and appends the event; it returns the
// command (for metrics and logs, once known), whether the request is a TRTC
// event (answered in that family's shape), and the first failure.
func (h *Handler) serve(r *http.Request, now time.Time) (command string, trtc bool, err error) {
	command, err = h.serveIM(r, now, &trtc)
	return command, trtc, err
}

// serveIM serves an IM-style callback, whose URL names the command, and hands
// a request whose URL names none to serveTRTC; *trtc is set when it did.
func (h *Handler) serveIM(r *http.Request, now time.Time, trtc *bool) (string, error) {
	if h.limiter != nil && !h.limiter.allow(r.RemoteAddr, now) {
		return "", h.limiter.rejection()
	}
	if n := headerBytes(r); n > h.maxHeader {
		return "", callback.Errorf(callback.CodeHeadersTooLarge, "the request line and header fields are %d bytes, more than the limit of %d", n, h.maxHeader)
	}
	if r.URL.Path != Path {
		return "", callback.Errorf(callback.CodeNotFound, "no such endpoint %q: Tencent callbacks are posted to %s", callback.Clip(r.URL.Path), Path)
	}
	if r.Method != http.MethodPost {
		return "", callback.Errorf(callback.CodeMethodNotAllowed, "method %s is not allowed: Tencent callbacks are POST requests", callback.Clip(r.Method))
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return "", err
	}
	// What Tencent sends takes the fast path; anything unusual (escapes,
	// errors, a TRTC event's URL without a command) the exact slow one.
	p, ok := callback.ParseRawQuery(r.URL.RawQuery)
	if !ok {
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return "", &callback.Error{Code: callback.CodeBadQuery, Message: "the query string is malformed: " + err.Error(), Err: err}
		}
		if p, err = callback.ParseParams(query); err != nil {
			if callback.QueryNamesCommand(query) {
				return "", err
			}
			// No command in the URL: a TRTC event if its body says so, else
			// the same rejection as before TRTC events were served.
			return h.serveTRTC(r, now, err, trtc)
		}
	}
	if h.allowed != nil {
		if _, ok := h.allowed[p.SdkAppID]; !ok {
			return p.Command, callback.Errorf(callback.CodeAppNotAllowed, "SdkAppid %d is not served by this gateway", p.SdkAppID)
		}
	}
	if h.auth != nil {
		if err := h.auth.Authenticate(p, now); err != nil {
			return p.Command, err
		}
	}
	body, buf, err := h.readBody(r)
	if err != nil {
		return p.Command, err
	}
	ev, err := callback.DecodeBody(p, body, now)
	before := callback.IsBefore(p.Command)
	if before && err != nil && callback.AsError(err).Code == callback.CodeBadField {
		// A decision must not be refused because Tencent changed a field:
		// keep the callback untyped, byte for byte, and allow it.
		h.metrics.beforeUntyped.WithLabelValues(callback.TypeToken(callback.EventTypeOf(p.Command))).Inc()
		h.logger.Warn("before callback kept untyped: a field has an unexpected type", "command", p.Command, "sdk_app_id", p.SdkAppID, "reason", callback.AsError(err).Message)
		ev, err = callback.DecodeBodyUntyped(p, body, now)
	}
	// The event holds copies of what it took from the body, so the buffer
	// can serve the next request.
	bound := h.sizeBound(len(body))
	releaseBody(buf)
	if err != nil {
		return p.Command, err
	}
	if before {
		return p.Command, h.appendBefore(r.Context(), p, ev, bound)
	}
	return p.Command, h.append(r.Context(), ev, bound)
}

// serveTRTC serves a request whose URL names no command. When its body is a
// TRTC event (a JSON object with EventGroupId) it is checked, decoded and
// appended with *trtc set; otherwise notIM, the query's own rejection, is
// returned as it always was.
func (h *Handler) serveTRTC(r *http.Request, now time.Time, notIM error, trtc *bool) (string, error) {
	body, buf, err := h.readBody(r)
	if err != nil {
		return "", notIM
	}
	defer releaseBody(buf)
	if !callback.IsTRTCEvent(body) {
		return "", notIM
	}
	*trtc = true
	app, err := trtcApp(r.Header.Values("SdkAppId"))
	if err != nil {
		return "", err
	}
	if h.allowed != nil {
		if _, ok := h.allowed[app]; !ok {
			return "", callback.Errorf(callback.CodeAppNotAllowed, "SdkAppId %d is not served by this gateway", app)
		}
	}
	if h.trtcAuth != nil {
		if err := h.trtcAuth.AuthenticateTRTC(app, r.Header.Get("Sign"), body); err != nil {
			return "", err
		}
	}
	ev, err := callback.DecodeTRTC(app, body, now)
	if err != nil {
		return "", err
	}
	return ev.GetCallbackCommand(), h.append(r.Context(), ev, h.sizeBound(len(body)))
}

// trtcApp reads the SdkAppId header of a TRTC event.
func trtcApp(values []string) (uint32, error) {
	if len(values) == 0 || values[0] == "" {
		return 0, callback.Errorf(callback.CodeBadQuery, "header SdkAppId is missing: TRTC event callbacks name their application in it")
	}
	for _, v := range values[1:] {
		if v != values[0] {
			return 0, callback.Errorf(callback.CodeBadQuery, "header SdkAppId is given twice with different values")
		}
	}
	id, err := strconv.ParseUint(values[0], 10, 32)
	if err != nil || id == 0 {
		return 0, callback.Errorf(callback.CodeBadQuery, "header SdkAppId %q must be a decimal number from 1 to 4294967295", callback.Clip(values[0]))
	}
	return uint32(id), nil
}

// sizeBound bounds the encoded size of an event decoded from a body of n
// bytes: eventlog.MaxEventBytes(n) covers the body's text with its framing
// and 64 KiB of request headers (the fields taken from the URL); the
// handler's own header limit is added on top, in case it is larger.
func (h *Handler) sizeBound(n int) int64 {
	return eventlog.MaxEventBytes(int64(n)) + int64(h.maxHeader)
}

// logAppend appends ev, handing a log that takes it (the memory log) the
// bound on ev's size, so that it need not measure the event again.
func (h *Handler) logAppend(ctx context.Context, ev *gatewayv1.Event, bound int64) (uint64, error) {
	if h.sized != nil {
		return h.sized.AppendWithin(ctx, ev, bound)
	}
	return h.log.Append(ctx, ev)
}

// append puts ev, of at most bound encoded bytes, in the log, bounded by the
// append timeout when one is set.
func (h *Handler) append(reqCtx context.Context, ev *gatewayv1.Event, bound int64) error {
	ctx := reqCtx
	if h.appendTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.appendTimeout)
		defer cancel()
	}
	seq, err := h.logAppend(ctx, ev, bound)
	if err != nil {
		return appendError(reqCtx, ev.GetCallbackCommand(), err)
	}
	h.logAccepted(reqCtx, ev.GetCallbackCommand(), ev.GetSdkAppId(), seq, ev.GetId())
	return nil
}

// logAccepted logs an accepted callback at debug level. Enabled is checked
// first: the arguments alone would cost allocations per callback.
func (h *Handler) logAccepted(ctx context.Context, command string, app uint32, seq uint64, id string) {
	if h.logger.Enabled(ctx, slog.LevelDebug) {
		h.logger.Debug("webhook accepted", "command", command, "sdk_app_id", app, "sequence", seq, "id", id)
	}
}

// appendBefore logs a "before" callback, a decision Tencent waits at most 2 s
// for, and always allows it: the gateway observes gifts and messages, it
// does not judge them, and an unwell observer must never block a gift. The
// append gets h.beforeBudget (or the append timeout, when shorter); when
// the log is slow or down the callback is still answered "allow" in time,
// counted in trtcgw_before_callbacks_unlogged_total and logged as a warning
// (the event is then not in the log and no subscriber sees it).
func (h *Handler) appendBefore(ctx context.Context, p callback.Params, ev *gatewayv1.Event, bound int64) error {
	budget := h.beforeBudget
	if h.appendTimeout > 0 && h.appendTimeout < budget {
		budget = h.appendTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	seq, err := h.logAppend(ctx, ev, bound)
	if err != nil {
		h.metrics.beforeUnlogged.WithLabelValues(callback.TypeToken(ev.GetType())).Inc()
		h.logger.Warn("before callback allowed without being logged", "command", p.Command, "sdk_app_id", p.SdkAppID, "id", ev.GetId(), "budget", budget, "err", err)
		return nil
	}
	h.logAccepted(ctx, p.Command, p.SdkAppID, seq, ev.GetId())
	return nil
}

// appendError classifies a failed append: an event the log can never store
// (a permanent 413, so that the sender stops retrying), a client that went
// away first (reqCtx ended; nobody reads the answer), or a log that cannot
// take it now (503, retry).
func appendError(reqCtx context.Context, command string, err error) *callback.Error {
	err = fmt.Errorf("append %s: %w", command, err)
	var tooLarge *eventlog.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return &callback.Error{
			Code: callback.CodeEventTooLarge,
			Message: fmt.Sprintf("the callback's event is %d bytes, more than the %d bytes the event log stores; "+
				"it can never be stored, so do not retry it", tooLarge.Size, tooLarge.Limit),
			Err: err,
		}
	case reqCtx.Err() != nil:
		return &callback.Error{
			Code:    callback.CodeClientGone,
			Message: "the client closed the connection before the event was stored; it may or may not be in the log, and a retry within the de-duplication window is stored once",
			Err:     err,
		}
	default:
		return &callback.Error{
			Code:    callback.CodeLogUnavailable,
			Message: "the event log cannot take the callback right now; retry later",
			Err:     err,
		}
	}
}

// bodyBuffers recycles request body buffers: a callback body is read into
// one, decoded, and the buffer is free again.
var bodyBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledBody is the largest buffer kept for reuse; a rare large body's
// buffer is left to the garbage collector.
const maxPooledBody = 64 << 10

// readBody reads the whole body, refusing one larger than the limit before
// reading it when Content-Length says so, and while reading otherwise. The
// body is valid until releaseBody(buf) is called (a buffer, not a closure:
// one allocation less per callback).
func (h *Handler) readBody(r *http.Request) (body []byte, buf *[]byte, err error) {
	if r.ContentLength > h.maxBody {
		return nil, nil, tooLarge(h.maxBody)
	}
	buf = bodyBuffers.Get().(*[]byte)
	b := (*buf)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		// Read at most one byte past the limit: enough to know it is exceeded.
		n, err := r.Body.Read(b[len(b):min(int64(cap(b)), h.maxBody+1)])
		b = b[:len(b)+n]
		*buf = b
		if int64(len(b)) > h.maxBody {
			releaseBody(buf)
			return nil, nil, tooLarge(h.maxBody)
		}
		if errors.Is(err, io.EOF) {
			return b, buf, nil
		}
		if err != nil {
			releaseBody(buf)
			return nil, nil, &callback.Error{Code: callback.CodeBadBody, Message: "the request body could not be read completely (truncated or malformed transfer encoding)", Err: err}
		}
	}
}

// releaseBody gives a buffer of readBody back for the next request.
func releaseBody(buf *[]byte) {
	if cap(*buf) <= maxPooledBody {
		*buf = (*buf)[:0]
		bodyBuffers.Put(buf)
	}
}

func tooLarge(limit int64) error {
	return callback.Errorf(callback.CodeTooLarge, "the body is larger than the limit of %d bytes", limit)
}

// checkContentType refuses only what cannot carry a raw JSON body: a
// malformed header, multipart framing, or a charset other than UTF-8. Any
// other type passes, because the body itself is validated as JSON and senders
// (curl among them) often declare a form type for a JSON body; refusing them
// would lose callbacks for nothing.
func checkContentType(v string) error {
	if v == "" || v == "application/json" {
		return nil // what Tencent sends: no need to parse it
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		return callback.Errorf(callback.CodeUnsupportedMedia, "malformed Content-Type %q: send application/json", callback.Clip(v))
	}
	if strings.HasPrefix(mt, "multipart/") {
		return callback.Errorf(callback.CodeUnsupportedMedia, "Content-Type %s is not supported: send the JSON body as application/json", callback.Clip(mt))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "utf8") {
		return callback.Errorf(callback.CodeUnsupportedMedia, "charset %q is not supported: send UTF-8", callback.Clip(cs))
	}
	return nil
}

var okBody = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// Header values every answer carries; read-only.
var (
	jsonContentType = []string{"application/json"}
	noSniff         = []string{"nosniff"}
	okBodyLength    = []string{strconv.Itoa(len(okBody))}
)

// writeResponse writes Tencent's response shape.
func writeResponse(w http.ResponseWriter, status int, code callback.Code, info string) {
	h := w.Header()
	// Canonical keys and shared, never-modified values: setting them
	// allocates nothing.
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = noSniff
	if code == callback.CodeOK {
		h["Content-Length"] = okBodyLength
		w.WriteHeader(status)
		_, _ = w.Write(okBody)
		return
	}
	body := failBody(code, info)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var trtcOKBody = []byte(`{"code":0}`)

var trtcOKBodyLength = []string{strconv.Itoa(len(trtcOKBody))}

// writeTRTCResponse writes the answer TRTC's event callbacks expect: status
// 200 with {"code":0} (Tencent ignores the body but recommends this one, under
// 2000 bytes), or a failure as {"code":<n>,"message":"…"}.
func writeTRTCResponse(w http.ResponseWriter, status int, code callback.Code, message string) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = noSniff
	if code == callback.CodeOK {
		h["Content-Length"] = trtcOKBodyLength
		w.WriteHeader(status)
		_, _ = w.Write(trtcOKBody)
		return
	}
	body, err := json.Marshal(trtcResponse{Code: int(code), Message: message})
	if err != nil { // unreachable: the struct always marshals
		body = []byte(`{"code":50001,"message":"internal error"}`)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// trtcResponse is the failure body of a TRTC event callback.
type trtcResponse struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// response is Tencent's response body; field order matches Tencent's samples.
type response struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
}

func failBody(code callback.Code, info string) []byte {
	b, err := json.Marshal(response{ActionStatus: "FAIL", ErrorInfo: info, ErrorCode: int(code)})
	if err != nil { // unreachable: the struct always marshals
		return []byte(`{"ActionStatus":"FAIL","ErrorInfo":"internal error","ErrorCode":50001}`)
	}
	return b
}
