package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// memoryAvailable returns the memory this process may use: the memory
// limit of its cgroup (v2, else v1) when there is one below the machine's
// memory, else the machine's; 0 when it cannot tell.
func memoryAvailable() uint64 {
	var total uint64
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		total = uint64(si.Totalram) * uint64(si.Unit)
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// "max" (v2) or a huge number (v1) mean no limit
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			return n
		}
		break
	}
	return total
}
