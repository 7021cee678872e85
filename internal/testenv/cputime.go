package testenv

import (
	"syscall"
	"time"
)

// CPUTime is the user and system CPU time this process has used. Benchmarks
// report it per operation (cpu-ns/op) beside the wall time, which the other
// processes of a loaded machine inflate.
func CPUTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
