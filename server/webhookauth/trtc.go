package webhookauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// TRTCVerifier checks the signature of TRTC's own events (room, media,
// recording, transcription): for every SdkAppId that has a key, the request
// must carry a Sign header equal to base64(HMAC-SHA256(key, raw body)), the
// key being the one set in the TRTC console's callback configuration. Apps
// without a key are not checked. It is safe for concurrent use and never
// changes after NewTRTC.
type TRTCVerifier struct {
	keys map[uint32][]byte
}

// NewTRTC returns a TRTCVerifier for keys, which maps an SdkAppId to its
// TRTC callback key.
func NewTRTC(keys map[uint32]string) (*TRTCVerifier, error) {
	v := &TRTCVerifier{keys: make(map[uint32][]byte, len(keys))}
	for app, key := range keys {
		if app == 0 {
			return nil, fmt.Errorf("a TRTC callback key is configured for SdkAppId 0, which is not an app")
		}
		if key == "" {
			return nil, fmt.Errorf("the TRTC callback key of SdkAppId %d is empty", app)
		}
		v.keys[app] = []byte(key)
	}
	return v, nil
}

// LoadTRTC returns a TRTCVerifier for keys plus the keys of the JSON file at
// path, which has the shape of a webhook token file (see Tokens.LoadFile;
// none when path is ""). With no key at all it accepts every request.
func LoadTRTC(keys Tokens, path string) (*TRTCVerifier, error) {
	all := make(Tokens, len(keys))
	for app, key := range keys {
		if err := all.Add(app, key); err != nil {
			return nil, fmt.Errorf("TRTC callback key: %w", err)
		}
	}
	if path != "" {
		if err := all.LoadFile(path); err != nil {
			return nil, fmt.Errorf("TRTC callback key file: %w", err)
		}
	}
	return NewTRTC(all)
}

// Apps returns how many apps have a key, for the start-up log line.
func (v *TRTCVerifier) Apps() int { return len(v.keys) }

// AuthenticateTRTC checks sign, the Sign header, against body when app has a
// key, and accepts every request of an app without one. The comparison takes
// constant time. A failure is a *callback.Error with CodeUnauthenticated that
// names the check that failed; it never contains the key or the expected Sign.
func (v *TRTCVerifier) AuthenticateTRTC(app uint32, sign string, body []byte) error {
	key, ok := v.keys[app]
	if !ok {
		return nil
	}
	if sign == "" {
		return unauthenticated("a TRTC callback key is configured for SdkAppId %d, but header Sign is missing", app)
	}
	got, err := base64.StdEncoding.DecodeString(sign)
	if err != nil || len(got) != sha256.Size {
		return unauthenticated("header Sign must be the base64 of a %d-byte HMAC-SHA256 of the body", sha256.Size)
	}
	if !hmac.Equal(got, trtcMAC(key, body)) {
		return unauthenticated("Sign does not match SdkAppId %d's TRTC callback key and the body: check the key set in the TRTC console", app)
	}
	return nil
}

// TRTCSign returns the Sign header Tencent sends with a TRTC event: the
// base64 of HMAC-SHA256 over the raw body with the app's key.
func TRTCSign(key string, body []byte) string {
	return base64.StdEncoding.EncodeToString(trtcMAC([]byte(key), body))
}

func trtcMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}
