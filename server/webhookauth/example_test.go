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
