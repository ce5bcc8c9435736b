package server

import "context"

// SetRestoreHook makes h run at the start of each projection's restore
// from its checkpoint, in the follower's rebuild goroutine, for the
// gateways started until the returned function restores the previous hook.
func SetRestoreHook(h func(ctx context.Context, projection string)) (reset func()) {
	old := restoreHook
	restoreHook = h
	return func() { restoreHook = old }
}
