//go:build unix

package atomicfile

import (
	"io/fs"
	"syscall"
)

// owner returns the numeric owner of a file, when the platform says.
func owner(fi fs.FileInfo) (uid, gid int, ok bool) {
	if st, isUnix := fi.Sys().(*syscall.Stat_t); isUnix {
		return int(st.Uid), int(st.Gid), true
	}
	return -1, -1, false
}
