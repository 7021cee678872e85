//go:build !unix

package atomicfile

import "io/fs"

// owner reports no owner where files have no numeric one (Windows): the
// rewritten file keeps the owner its creator gets.
func owner(fs.FileInfo) (uid, gid int, ok bool) { return -1, -1, false }
