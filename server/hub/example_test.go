package hub_test

import (
	"fmt"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/hub"
)

// A subscriber asks for the events of one call; the hub queues only those.
func ExampleHub_Subscribe() {
	h := hub.New(hub.Options{})
	f, err := hub.FilterFromRequest(&gatewayv1.SubscribeRequest{CallIds: []string{"call-42"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sub, last := h.Subscribe(hub.Compile(f), 0, 16)
	defer sub.Close()
	fmt.Println("joined after", last)

	h.Publish(&gatewayv1.Event{Sequence: 1, CallId: "call-7"})
	h.Publish(&gatewayv1.Event{Sequence: 2, CallId: "call-42", UserAccounts: []string{"alice"}})

	<-sub.Ready()
	ev, _ := sub.Next()
	fmt.Println(ev.GetSequence(), ev.GetCallId(), ev.GetUserAccounts())
	// Output:
	// joined after 0
	// 2 call-42 [alice]
}

// Filter validation names the field at fault.
func ExampleFilterFromRequest() {
	_, err := hub.FilterFromRequest(&gatewayv1.SubscribeRequest{UserAccounts: []string{"alice", ""}})
	fmt.Println(err)
	// Output: invalid filter: user_accounts[1]: empty value
}
