//go:build unix

package merge

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used: a scale test measured by
// the wall clock fails whenever other processes load the machine.
func cpuTime() (time.Duration, bool) {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0, false
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano()), true
}
