//go:build !unix

package merge

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
