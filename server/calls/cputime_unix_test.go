//go:build unix

package calls

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, garbage collection
// included: on a machine other work shares, it says what an operation costs
// better than the time it took.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
