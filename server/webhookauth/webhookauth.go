// Package webhookauth verifies Tencent's webhook authentication: for every
// SdkAppid that has a token, a callback must carry Sign and RequestTime with
// Sign = lowercase hex(SHA-256(token + RequestTime)) and a RequestTime close
// to the gateway's clock. Apps without a token are not checked.
package webhookauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// DefaultWindow is how far RequestTime may be from the gateway's clock, either
// way, when no window is configured: Tencent's documented one minute.
const DefaultWindow = time.Minute

// Verifier checks Sign and RequestTime against per-app tokens. It implements
// webhook.Authenticator and is safe for concurrent use; it never changes
// after New.
type Verifier struct {
	tokens map[uint32][]byte
	window time.Duration
}

// New returns a Verifier for tokens, which maps an SdkAppid to its webhook
// authentication token as configured in Tencent's console. window bounds
// |RequestTime - now|; 0 means DefaultWindow.
func New(tokens map[uint32]string, window time.Duration) (*Verifier, error) {
	if window < 0 {
		return nil, fmt.Errorf("webhook authentication window %s must not be negative", window)
	}
	if window == 0 {
		window = DefaultWindow
	}
	v := &Verifier{tokens: make(map[uint32][]byte, len(tokens)), window: window}
	for app, token := range tokens {
		if app == 0 {
			return nil, errors.New("a webhook token is configured for SdkAppid 0, which is not an app")
		}
		if token == "" {
			return nil, fmt.Errorf("the webhook token of SdkAppid %d is empty", app)
		}
		v.tokens[app] = []byte(token)
	}
	return v, nil
}

// Load returns a Verifier for tokens plus the tokens of the JSON file at path
// (see Tokens.LoadFile; none when path is ""). window is as for New. With no
// token at all the Verifier accepts every request.
func Load(tokens Tokens, path string, window time.Duration) (*Verifier, error) {
	all := make(Tokens, len(tokens))
	for app, token := range tokens {
		if err := all.Add(app, token); err != nil {
			return nil, err
		}
	}
	if path != "" {
		if err := all.LoadFile(path); err != nil {
			return nil, err
		}
	}
	return New(all, window)
}

// Apps returns how many apps have a token, for the start-up log line.
func (v *Verifier) Apps() int { return len(v.tokens) }

// Authenticate checks p's Sign and RequestTime when p's app has a token, and
// accepts every request of an app without one. A failure is a *callback.Error
// with CodeUnauthenticated whose message names the check that failed; it
// never contains the token or the expected Sign.
func (v *Verifier) Authenticate(p callback.Params, now time.Time) error {
	token, ok := v.tokens[p.SdkAppID]
	if !ok {
		return nil
	}
	if p.Sign == "" {
		return unauthenticated("webhook authentication is enabled for SdkAppid %d, but query parameter Sign is missing", p.SdkAppID)
	}
	if p.RequestTime == "" {
		return unauthenticated("webhook authentication is enabled for SdkAppid %d, but query parameter RequestTime is missing", p.SdkAppID)
	}
	sent, err := strconv.ParseInt(p.RequestTime, 10, 64)
	if err != nil || sent < 0 {
		return unauthenticated("query parameter RequestTime must be a Unix time in whole seconds")
	}
	// In whole seconds, as RequestTime is, so that no time overflows.
	behind, limit := now.Unix()-sent, int64(v.window/time.Second)
	if behind > limit {
		return unauthenticated("RequestTime is %s in the past; at most %s is accepted (a replay, or a clock out of sync)", seconds(behind), v.window)
	}
	if -behind > limit {
		return unauthenticated("RequestTime is %s in the future; at most %s is accepted (a clock out of sync)", seconds(-behind), v.window)
	}
	got, err := hex.DecodeString(p.Sign)
	if err != nil || len(got) != sha256.Size {
		return unauthenticated("query parameter Sign must be %d hexadecimal digits", 2*sha256.Size)
	}
	want := sum(token, p.RequestTime)
	if subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return unauthenticated("Sign does not match SdkAppid %d's token and RequestTime: check the token configured for the app", p.SdkAppID)
	}
	return nil
}

// Sign returns the Sign Tencent computes for token and requestTime: the
// lowercase hex SHA-256 of the token immediately followed by the time's digits.
func Sign(token, requestTime string) string {
	s := sum([]byte(token), requestTime)
	return hex.EncodeToString(s[:])
}

func sum(token []byte, requestTime string) [sha256.Size]byte {
	h := sha256.New()
	h.Write(token)
	h.Write([]byte(requestTime))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// seconds formats n seconds as a duration, or as a count when it is too long
// for one.
func seconds(n int64) string {
	if n < int64(math.MaxInt64/time.Second) {
		return (time.Duration(n) * time.Second).String()
	}
	return strconv.FormatInt(n, 10) + "s"
}

func unauthenticated(format string, args ...any) error {
	return callback.Errorf(callback.CodeUnauthenticated, format, args...)
}
