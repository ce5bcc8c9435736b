// Package pagetoken makes the opaque page tokens of the List RPCs (AIP-158):
// a token carries where the previous page ended and a fingerprint of the
// request it belongs to, so that a token is refused with another filter
// instead of silently paging through a different result. Tokens are the same
// on every replica and across restarts: a client may page through a cluster.
package pagetoken

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
)

// version is the first byte of every token, so its layout can change.
const version = 1

// ErrInvalid means a token was not made by Encode: damaged, or from elsewhere.
var ErrInvalid = errors.New("page_token is not one this gateway issued: pass next_page_token from the previous answer unchanged, or leave page_token empty for the first page")

// ErrOtherRequest means a token belongs to a request with other filters.
var ErrOtherRequest = errors.New("page_token belongs to a request with other filters: repeat the filters of the request that returned it, or leave page_token empty to start over")

// Fingerprint hashes the fields that define a request's result set (not its
// page size or token). Each field is length-prefixed, so no two lists of
// fields hash alike by concatenation.
func Fingerprint(fields ...string) uint64 {
	h := fnv.New64a()
	var n [binary.MaxVarintLen64]byte
	for _, f := range fields {
		_, _ = h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		_, _ = h.Write([]byte(f))
	}
	return h.Sum64()
}

// Encode returns the token for the page after cursor of the request with
// fingerprint fp.
func Encode(fp uint64, cursor []byte) string {
	b := make([]byte, 0, 9+len(cursor))
	b = append(b, version)
	b = binary.BigEndian.AppendUint64(b, fp)
	b = append(b, cursor...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the cursor of token, which must have been made for a
// request with fingerprint fp; it fails with ErrInvalid or ErrOtherRequest.
func Decode(token string, fp uint64) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) < 9 || b[0] != version {
		return nil, ErrInvalid
	}
	if binary.BigEndian.Uint64(b[1:9]) != fp {
		return nil, ErrOtherRequest
	}
	return b[9:], nil
}
