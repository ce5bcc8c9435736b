//go:build !unix

package calls

import "time"

// cpuTime is 0 where the process's CPU time is not read: the benchmarks
// report their cpu-ns/call as 0.
func cpuTime() time.Duration { return 0 }
