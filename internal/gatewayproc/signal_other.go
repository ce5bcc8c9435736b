//go:build !unix

package gatewayproc

import (
	"os"
	"syscall"
)

// procAttr has nothing to set where there are no process groups.
func procAttr() *syscall.SysProcAttr { return nil }

// signalGroup signals p alone where there are no process groups.
func signalGroup(p *os.Process, sig syscall.Signal) { _ = p.Signal(sig) }
