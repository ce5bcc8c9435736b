//go:build unix && !linux

package gatewayproc

import "syscall"

// procAttr starts a child in its own process group.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
