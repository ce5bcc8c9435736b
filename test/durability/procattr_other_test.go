//go:build unix && !linux

package durability_test

import "syscall"

// procAttr starts a gateway in its own process group, so it and anything it
// starts can be signalled together.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
