//go:build unix

package scoring

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time (user + system) this process has used so
// far. The benchmarks report it per operation beside the wall time, because
// the machines they run on are shared: wall time grows with other people's
// load, CPU time much less.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
