//go:build unix

package gatewayproc

import (
	"os"
	"syscall"
)

// signalGroup sends sig to p's process group (procAttr made p its leader).
func signalGroup(p *os.Process, sig syscall.Signal) { _ = syscall.Kill(-p.Pid, sig) }
