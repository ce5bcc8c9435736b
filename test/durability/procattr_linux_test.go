package durability_test

import "syscall"

// procAttr starts a gateway in its own process group, so it and anything it
// starts can be signalled together, and has the kernel kill it if the test
// process dies first (a test timeout, ^C), so no gateway outlives the tests.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
