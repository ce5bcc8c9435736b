package apiauth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trtc-gateway/trtc-gateway/server/apiauth"
)

// The token file of README's "Subscriber tokens" section.
const readmeTokens = `{"tokens": [
  {"name": "billing", "sdk_app_ids": [1400000001], "secret": "sha256:7c85befd5d4cfb6a32c1f8d6d178b9600431054ceec9c7ce40681644889b1192", "max_streams": 4},
  {"name": "ops", "sdk_app_ids": "*", "secret": "a-clear-secret-of-at-least-16-bytes"}
]}`

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "apiauth")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "api-tokens.json")
	_ = os.WriteFile(path, []byte(readmeTokens), 0o600)

	auth, err := apiauth.Load(path, apiauth.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(auth.Tokens(), "tokens")

	// What the interceptors put into a call's context for the billing token,
	// and how its filters are narrowed.
	ctx := apiauth.ContextWithScope(context.Background(), apiauth.Scope{Token: "billing", Apps: apiauth.Apps{IDs: []uint32{1400000001}}})
	apps, _ := apiauth.NarrowApps(ctx, nil)
	fmt.Println(apps)
	_, err = apiauth.NarrowApps(ctx, []uint32{1400000002})
	fmt.Println(status.Code(err) == codes.PermissionDenied)
	// Output:
	// 2 tokens
	// [1400000001]
	// true
}
