package calls

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, garbage collection
// included: on a machine other work shares, it says what an operation costs
// better than the time it took.
func cpuTime() time.Duration { return rusage(syscall.RUSAGE_SELF) }

// threadTime is the CPU time the calling thread has used (lock the
// goroutine to its thread around what it measures).
func threadTime() time.Duration { return rusage(1) } // RUSAGE_THREAD

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
