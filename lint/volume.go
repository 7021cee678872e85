package lint

import (
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composure-dev/composure/compose"
)

// mount is a service's short-syntax volume (SOURCE:TARGET[:MODE]) as
// docker compose reads it (compose.ParseVolume).
type mount struct {
	source   string // "" for an anonymous volume (TARGET alone)
	bind     bool   // source is a host path (., /, ~, a drive, a pipe)
	readOnly bool   // the last of ro and rw in MODE
	// propagation is the bind propagation MODE names (shared, rslave...),
	// "" for the default.
	propagation string
}

// parseMount reads spec as compose.ParseVolume does; ok is false where that
// fails. The common forms are read here without allocating (every service
// of a large project has some); the others (a drive letter, a Windows
// path, a variable kept as ${...}, empty sections or too many colons) go
// to ParseVolume itself.
func parseMount(spec string) (mount, bool) {
	if len(spec) > 2 && spec[0] < utf8.RuneSelf && !strings.ContainsAny(spec, `\$`) {
		i := strings.IndexByte(spec, ':')
		if i < 0 {
			return mount{}, true
		}
		target, mode, hasMode := strings.Cut(spec[i+1:], ":")
		// i > 1: a one-letter source is a drive (c:/data)
		if i > 1 && target != "" && (!hasMode || mode != "" && !strings.Contains(mode, ":")) {
			src := spec[:i]
			m := mount{source: src, bind: src[0] == '.' || src[0] == '/' || src[0] == '~'}
			for mode != "" {
				var o string
				o, mode, _ = strings.Cut(mode, ",")
				switch o {
				case "ro":
					m.readOnly = true
				case "rw":
					m.readOnly = false
				case "shared", "rshared", "slave", "rslave", "private", "rprivate":
					m.propagation = o
				}
			}
			return m, true
		}
	}
	v, err := compose.ParseVolume(spec)
	if err != nil {
		return mount{}, false
	}
	m := mount{source: v.Source, bind: v.Type == types.VolumeTypeBind, readOnly: v.ReadOnly}
	if v.Bind != nil {
		m.propagation = v.Bind.Propagation
	}
	return m, true
}
