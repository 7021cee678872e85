package merge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/compose"
)

// indexKey is the indexer functions of override/uncity.go, on vals.
func indexKey(x *val, idx indexer) (string, error) {
	switch idx {
	case indexKeyValue:
		if s, ok := x.v.(string); ok && x.kind == kScalar {
			key, _, _ := strings.Cut(s, "=")
			return key, nil
		}
		return "", fmt.Errorf("unexpected %s in a KEY=VALUE list", kindName(x))
	case indexVolume:
		switch x.kind {
		case kMap:
			if t, ok := field(x, "target").(string); ok {
				return t, nil
			}
			return "", fmt.Errorf("service volume is missing a mount target")
		case kScalar:
			if s, ok := x.v.(string); ok {
				if t, ok := volumeTarget(s); ok {
					return t, nil
				}
				v, err := compose.ParseVolume(s)
				if err != nil {
					return "", err
				}
				return v.Target, nil
			}
		}
		return "", nil
	case indexDevice:
		switch x.kind {
		case kMap:
			if t, ok := field(x, "target").(string); ok {
				return t, nil
			}
			return "", fmt.Errorf("service device is missing a mount target")
		case kScalar:
			if s, ok := x.v.(string); ok {
				arr := strings.Split(s, ":")
				if len(arr) == 1 {
					return arr[0], nil
				}
				return arr[1], nil
			}
		}
		return "", nil
	case indexExpose:
		switch v := x.v.(type) {
		case string:
			return v, nil
		case int:
			return strconv.Itoa(v), nil
		}
		return "", fmt.Errorf("unsupported expose value %v", x.plain())
	case indexMount, indexSecretsMount:
		prefix := ""
		if idx == indexSecretsMount {
			prefix = "/run/secrets"
		}
		switch x.kind {
		case kScalar:
			if s, ok := x.v.(string); ok {
				return prefix + "/" + s, nil
			}
		case kMap:
			if t, ok := x.m["target"]; ok {
				if s, ok := t.v.(string); ok && t.kind == kScalar {
					return s, nil
				}
				return "", fmt.Errorf("mount target must be a string")
			}
			return fmt.Sprintf("%s/%s", prefix, field(x, "source")), nil
		}
		return "", fmt.Errorf("unsupported mount value %v", x.plain())
	case indexPort:
		switch x.kind {
		case kScalar:
			switch v := x.v.(type) {
			case int:
				return strconv.Itoa(v), nil
			case string:
				return v, nil
			}
		case kMap:
			target, ok := x.m["target"]
			if !ok {
				return "", fmt.Errorf("service ports is missing a target port")
			}
			published := field(x, "published")
			var host, protocol any = "0.0.0.0", "tcp"
			if h, ok := x.m["host_ip"]; ok {
				host = h.plain()
			}
			if p, ok := x.m["protocol"]; ok {
				protocol = p.plain()
			}
			return fmt.Sprintf("%s:%s:%d/%s", host, published, target.plain(), protocol), nil
		}
		return "", nil
	case indexEnvFile:
		switch x.kind {
		case kScalar:
			if s, ok := x.v.(string); ok {
				return s, nil
			}
		case kMap:
			if p, ok := x.m["path"]; ok {
				if s, ok := p.v.(string); ok && p.kind == kScalar {
					return s, nil
				}
				return "", fmt.Errorf("env_file path must be a string")
			}
			return "", fmt.Errorf("env_file entry is missing its path attribute")
		}
		return "", nil
	}
	return "", nil
}

// field returns the plain value of key in mapping x (nil when absent).
func field(x *val, key string) any {
	if e, ok := x.m[key]; ok {
		return e.plain()
	}
	return nil
}

func sortVals(seq []*val) {
	slices.SortFunc(seq, func(a, b *val) int { return strings.Compare(a.v.(string), b.v.(string)) })
}

// volumeTarget reads the target of the common short volume syntax,
// SOURCE:TARGET[:MODE] or TARGET, without format.ParseVolume's parser; ok
// is false for anything else (Windows paths, empty parts), which the parser
// then reads.
func volumeTarget(s string) (string, bool) {
	if s == "" || strings.ContainsAny(s, "\\") {
		return "", false
	}
	if len(s) >= 2 && s[1] == ':' && ('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return "", false // a drive letter
	}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 1:
		return parts[0], true
	case 2, 3:
		if parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] == "") {
			return "", false
		}
		return parts[1], true
	}
	return "", false
}
