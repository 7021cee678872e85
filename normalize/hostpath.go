package normalize

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/composure-dev/composure/compose"
)

// isWindowsAbs reports whether p is an absolute Windows path, which
// docker compose leaves as it is whatever the platform it runs on: a drive
// with a root (`C:\data`, `c:/data`), a UNC or device path (`\\server\share`,
// `\\.\pipe\x`), or an NT path (`\??\C:\x`).
func isWindowsAbs(p string) bool {
	sep := func(c byte) bool { return c == '\\' || c == '/' }
	switch {
	case len(p) >= 2 && p[1] == ':':
		return len(p) > 2 && sep(p[2])
	case len(p) >= 2 && sep(p[0]) && sep(p[1]):
		return true
	case len(p) >= 3 && sep(p[0]) && p[1] == '?' && p[2] == '?' && (len(p) == 3 || sep(p[3])):
		if len(p) <= 4 {
			return false
		}
		// the volume is \??\COMPONENT; a root must follow it
		i := strings.IndexAny(p[4:], `\/`)
		return i >= 0
	}
	return false
}

// resolveSymlink replaces the first component of the absolute path p that
// is a symbolic link by what it points to (develop.watch paths are watched
// where they really are), in fsys.
func resolveSymlink(fsys compose.FS, p string) (string, error) {
	current := ""
	if filepath.IsAbs(p) {
		current = string(os.PathSeparator)
	}
	for _, part := range strings.Split(p, string(os.PathSeparator)) {
		if part == "" {
			continue
		}
		current = filepath.Join(current, part)
		st, err := fsys.Lstat(current)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := fsys.EvalSymlinks(current)
		if err != nil {
			return "", err
		}
		return strings.Replace(p, current, target, 1), nil
	}
	return p, nil
}
