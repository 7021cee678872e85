package compose

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/types"
)

// ParseVolume reads a service volume in short syntax,
// `[SOURCE:]TARGET[:OPTIONS]`, as docker compose reads it: a source that
// starts with '.', '/', '~', `\\` or a drive letter is a bind mount of a
// host path (created when missing), any other source names a volume, a
// target alone is an anonymous volume. OPTIONS are comma-separated: ro, rw,
// nocopy, a bind propagation (rprivate, private, rshared, shared, rslave,
// slave) or an SELinux label (z, Z); others are ignored. A drive letter
// (`C:\data`) and a variable left as written (`${DIR:-/x}`) keep their
// colons. Errors use docker compose's words.
//
// merge (list unicity by target), normalize (the long syntax) and lint
// read volumes with it; TestParseVolume holds it to compose-go's
// format.ParseVolume on a table and FuzzParseVolume on any string.
func ParseVolume(spec string) (types.ServiceVolumeConfig, error) {
	var v types.ServiceVolumeConfig
	switch len(spec) {
	case 0:
		return v, errors.New("invalid empty volume spec")
	case 1, 2:
		v.Target, v.Type = spec, types.VolumeTypeVolume
		return v, nil
	}
	var field []rune
	depth := 0 // nesting of ${...}, whose colons are not separators
	flush := func(last bool) error {
		s := string(field)
		field = field[:0]
		switch {
		case s == "":
			return errors.New("empty section between colons")
		case v.Source == "" && last:
			v.Target = s
		case v.Source == "":
			v.Source = s
		case v.Target == "":
			v.Target = s
		case !last:
			return errors.New("too many colons")
		default:
			volumeOptions(&v, s)
		}
		return nil
	}
	for i, r := range spec {
		switch {
		case r == '$' && i+1 < len(spec) && spec[i+1] == '{':
			depth++
			field = append(field, r)
		case r == '}' && depth > 0:
			depth--
			field = append(field, r)
		case r == ':' && len(field) == 1 && unicode.IsLetter(field[0]):
			field = append(field, r) // a drive letter
		case (r == ':' || r == 0) && depth == 0:
			// docker compose's parser reads a NUL as the end of the spec
			// (and goes on after it)
			if err := flush(r == 0); err != nil {
				volumeType(&v)
				return v, fmt.Errorf("invalid spec: %s: %w", spec, err)
			}
		default:
			field = append(field, r)
		}
	}
	// The last field ends the spec, unless a ${ is left open: then docker
	// compose drops it.
	if depth == 0 {
		if err := flush(true); err != nil {
			volumeType(&v)
			return v, fmt.Errorf("invalid spec: %s: %w", spec, err)
		}
	}
	volumeType(&v)
	return v, nil
}

// volumeOptions applies the OPTIONS field.
func volumeOptions(v *types.ServiceVolumeConfig, options string) {
	for _, o := range strings.Split(options, ",") {
		switch o {
		case "ro":
			v.ReadOnly = true
		case "rw":
			v.ReadOnly = false
		case "nocopy":
			v.Volume = &types.ServiceVolumeVolume{NoCopy: true}
		case types.PropagationRPrivate, types.PropagationPrivate, types.PropagationRShared,
			types.PropagationShared, types.PropagationRSlave, types.PropagationSlave:
			bind(v).Propagation = o
		case types.SELinuxShared, types.SELinuxPrivate:
			bind(v).SELinux = o
		}
	}
}

func bind(v *types.ServiceVolumeConfig) *types.ServiceVolumeBind {
	if v.Bind == nil {
		v.Bind = &types.ServiceVolumeBind{}
	}
	return v.Bind
}

// volumeType decides bind or volume from the source: a host path binds
// (and, in short syntax, creates what is missing), anything else names a
// volume.
func volumeType(v *types.ServiceVolumeConfig) {
	if !isHostPath(v.Source) {
		v.Type = types.VolumeTypeVolume
		if v.Volume == nil {
			v.Volume = &types.ServiceVolumeVolume{}
		}
		return
	}
	v.Type = types.VolumeTypeBind
	bind(v).CreateHostPath = true
}

// isHostPath reports a source that is a path on the host: relative (.),
// absolute (/), in the home directory (~), a Windows pipe (\\) or after a
// drive letter (C:).
func isHostPath(s string) bool {
	if strings.HasPrefix(s, `\\`) || strings.ContainsAny(s[:min(len(s), 1)], "./~") {
		return true
	}
	drive, size := utf8.DecodeRuneInString(s)
	return size > 0 && unicode.IsLetter(drive) && strings.HasPrefix(s[size:], ":")
}
