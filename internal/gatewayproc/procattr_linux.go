package gatewayproc

import "syscall"

// procAttr starts a child in its own process group and has the kernel kill
// it if this process dies first, so no child outlives a test or benchmark.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
