//go:build !linux

package calls

import "time"

// cpuTime and threadTime are 0 where they are not read: the benchmarks
// report their CPU figures as 0.
func cpuTime() time.Duration { return 0 }

func threadTime() time.Duration { return 0 }
