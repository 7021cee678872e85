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
	// fields are cut from spec where they end (no buffer): start is where
	// the current one starts
	start := 0
	depth := 0 // nesting of ${...}, whose colons are not separators
	for i, r := range spec {
		switch {
		case r == '$' && i+1 < len(spec) && spec[i+1] == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case r == ':' && driveLetter(spec[start:i]):
			// a drive letter's colon stays in its field
		case (r == ':' || r == 0) && depth == 0:
			// docker compose's parser reads a NUL as the end of the spec
			// (and goes on after it)
			if err := volumeField(&v, spec[start:i], r == 0); err != nil {
				volumeType(&v)
				return v, fmt.Errorf("invalid spec: %s: %w", spec, err)
			}
			start = i + 1
		}
	}
	// The last field ends the spec, unless a ${ is left open: then docker
	// compose drops it.
	if depth == 0 {
		if err := volumeField(&v, spec[start:], true); err != nil {
			volumeType(&v)
			return v, fmt.Errorf("invalid spec: %s: %w", spec, err)
		}
	}
	volumeType(&v)
	return v, nil
}

// driveLetter reports whether field is one letter (`C`), before a colon.
func driveLetter(field string) bool {
	r, size := utf8.DecodeRuneInString(field)
	return size > 0 && size == len(field) && unicode.IsLetter(r)
}

// volumeField sets the next field of a short volume: source, target or
// options. docker compose reads the spec rune by rune: an invalid UTF-8
// byte becomes U+FFFD, as it does in the field here.
func volumeField(v *types.ServiceVolumeConfig, field string, last bool) error {
	if !utf8.ValidString(field) {
		field = string([]rune(field))
	}
	switch {
	case field == "":
		return errors.New("empty section between colons")
	case v.Source == "" && last:
		v.Target = field
	case v.Source == "":
		v.Source = field
	case v.Target == "":
		v.Target = field
	case !last:
		return errors.New("too many colons")
	default:
		volumeOptions(v, field)
	}
	return nil
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
