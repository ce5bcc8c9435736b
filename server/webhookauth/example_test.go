package webhookauth_test

import (
	"fmt"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
	"github.com/trtc-gateway/trtc-gateway/server/webhookauth"
)

func ExampleVerifier_Authenticate() {
	v, _ := webhookauth.New(map[uint32]string{1400000001: "xxxxyyyy"}, time.Minute)
	p := callback.Params{
		SdkAppID:    1400000001,
		Command:     "Call.CallbackAfterStartCall",
		RequestTime: "1669872112",
		Sign:        webhookauth.Sign("xxxxyyyy", "1669872112"),
	}
	fmt.Println(v.Authenticate(p, time.Unix(1669872130, 0)))
	fmt.Println(v.Authenticate(p, time.Unix(1669872300, 0)))
	// Output:
	// <nil>
	// RequestTime is 3m8s in the past; at most 1m0s is accepted (a replay, or a clock out of sync)
}

// TRTC events are signed differently: a Sign header with the base64
// HMAC-SHA256 of the raw body under the key set in the TRTC console.
func ExampleTRTCVerifier_AuthenticateTRTC() {
	v, _ := webhookauth.NewTRTC(map[uint32]string{1400000001: "123654"})
	body := []byte(`{"EventGroupId":1,"EventType":104,"EventInfo":{"RoomId":1,"UserId":"u"}}`)
	fmt.Println(v.AuthenticateTRTC(1400000001, webhookauth.TRTCSign("123654", body), body))
	fmt.Println(v.AuthenticateTRTC(1400000001, webhookauth.TRTCSign("another", body), body))
	// Output:
	// <nil>
	// Sign does not match SdkAppId 1400000001's TRTC callback key and the body: check the key set in the TRTC console
}
