package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

// webhookFlags are how a subcommand posts callbacks: where, and with which
// secrets, as Tencent would.
type webhookFlags struct {
	url      string
	tokens   secretFlag
	trtcKeys secretFlag
	timeout  time.Duration
}

func (w *webhookFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&w.url, "url", "http://localhost:8080/webhook", "where to post: the gateway's webhook (its --webhook-addr, path /webhook) or any URL")
	fs.Var(&w.tokens, "webhook-token", "sign IM-family callbacks (Sign, RequestTime) with this token, or SdkAppid=token pairs (prefer TRTCGW_WEBHOOK_TOKEN: flags show in ps)")
	fs.Var(&w.trtcKeys, "trtc-key", "sign TRTC room and media callbacks (Sign header) with this key, or SdkAppid=key pairs (prefer TRTCGW_TRTC_KEY)")
	fs.DurationVar(&w.timeout, "timeout", 10*time.Second, "how long to wait for each answer")
}

// poster sends callbacks the way Tencent does.
type poster struct {
	client   *http.Client
	base     *url.URL
	tokens   *secretFlag
	trtcKeys *secretFlag
	now      func() time.Time
}

func (w *webhookFlags) poster() (*poster, error) {
	u, err := url.Parse(w.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--url=%q is not an http:// or https:// URL", w.url)
	}
	if err := w.tokens.resolve("webhook-token"); err != nil {
		return nil, usageError{err}
	}
	if err := w.trtcKeys.resolve("trtc-key"); err != nil {
		return nil, usageError{err}
	}
	if w.timeout <= 0 {
		return nil, usagef("--timeout=%s: must be positive", w.timeout)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &poster{
		client:   &http.Client{Transport: tr, Timeout: w.timeout},
		base:     u,
		tokens:   &w.tokens,
		trtcKeys: &w.trtcKeys,
		now:      time.Now,
	}, nil
}

// imParams are the query parameters Tencent appends to an IM-family callback.
type imParams struct {
	app      uint32
	command  string
	clientIP string
	platform string
}

// answer is the gateway's (or any receiver's) reply to one callback.
type answer struct {
	status int
	body   []byte
	// ok: HTTP 200 and, when the body is Tencent's answer shape, ActionStatus OK.
	ok bool
	// errorCode is the answer's ErrorCode, when it has one.
	errorCode int
}

// postIM posts an IM-family callback: the command and app in the query,
// signed with the app's webhook token when there is one.
func (p *poster) postIM(ctx context.Context, q imParams, body []byte) (answer, error) {
	var b strings.Builder
	if p.base.RawQuery != "" {
		b.WriteString(p.base.RawQuery)
		b.WriteByte('&')
	}
	v := url.Values{}
	b.WriteString("SdkAppid=" + strconv.FormatUint(uint64(q.app), 10))
	b.WriteString("&CallbackCommand=" + url.QueryEscape(q.command))
	b.WriteString("&contenttype=json")
	b.WriteString("&ClientIP=" + url.QueryEscape(q.clientIP))
	b.WriteString("&OptPlatform=" + url.QueryEscape(q.platform))
	if token := p.tokens.of(q.app); token != "" {
		rt := strconv.FormatInt(p.now().Unix(), 10)
		v.Set("RequestTime", rt)
		v.Set("Sign", webhookauth.Sign(token, rt))
		b.WriteString("&" + v.Encode())
	}
	u := *p.base
	u.RawQuery = b.String()
	return p.post(ctx, u.String(), nil, body)
}

// postTRTC posts a TRTC family-2 callback: no query parameters, the app in
// the SdkAppId header, signed with the app's key in the Sign header.
func (p *poster) postTRTC(ctx context.Context, app uint32, body []byte) (answer, error) {
	h := http.Header{"SdkAppId": {strconv.FormatUint(uint64(app), 10)}}
	if key := p.trtcKeys.of(app); key != "" {
		h["Sign"] = []string{webhookauth.TRTCSign(key, body)}
	}
	return p.post(ctx, p.base.String(), h, body)
}

func (p *poster) post(ctx context.Context, target string, h http.Header, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range h {
		req.Header[k] = v // as written: TRTC's header names are not canonical
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "trtc-gateway")
	resp, err := p.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, fmt.Errorf("read the answer: %w", err)
	}
	return judge(resp.StatusCode, raw), nil
}

// judge decides whether an answer accepts the callback: HTTP 200 and, when
// the body is Tencent's {ActionStatus, ErrorCode} shape, ActionStatus OK; a
// TRTC receiver may answer 200 with {"code":0} or anything else, which
// Tencent ignores.
func judge(statusCode int, raw []byte) answer {
	a := answer{status: statusCode, body: raw}
	var shape struct {
		ActionStatus *string
		ErrorCode    *int
	}
	if json.Unmarshal(raw, &shape) == nil {
		if shape.ErrorCode != nil {
			a.errorCode = *shape.ErrorCode
		}
		if shape.ActionStatus != nil {
			a.ok = statusCode == http.StatusOK && *shape.ActionStatus == "OK"
			return a
		}
	}
	a.ok = statusCode == http.StatusOK
	return a
}

// String is the answer as a person reads it.
func (a answer) String() string {
	return fmt.Sprintf("HTTP %d %s", a.status, bytes.TrimSpace(a.body))
}
