package callback

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// EventID returns the stable id of a callback: the lowercase hex of the first
// 16 bytes of SHA-256 over the decimal SdkAppid, a 0x00 byte, the command as
// sent, a 0x00 byte, and the body. Tencent retries a callback with the same
// app, command and body, so a retry gets the same id and the log can drop it
// as a duplicate.
func EventID(sdkAppID uint32, command string, body []byte) string {
	h := sha256.New()
	var buf [16]byte
	h.Write(strconv.AppendUint(buf[:0], uint64(sdkAppID), 10))
	h.Write([]byte{0})
	h.Write([]byte(command))
	h.Write([]byte{0})
	h.Write(body)
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}
