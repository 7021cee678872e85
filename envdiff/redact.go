package envdiff

import "strings"

// Masker is what RedactWith needs of a redaction policy;
// *redact.Redactor satisfies it. Value returns value as it may be shown for
// a variable, arg or label called name ("" for other strings).
type Masker interface {
	Value(name, value string) string
}

// mask replaces values that are hidden whatever their name.
const mask = "***"

// RedactWith returns a function for Report.Redact that hides what `config
// --redact` hides: values of secret-looking environment variables, build
// args and labels, the content of top-level secrets, and passwords in URLs
// anywhere. It looks into whole values too (a service added, an
// environment replaced), so nothing escapes through a coarser change.
func RedactWith(m Masker) func(p Path, v any) any {
	return func(p Path, v any) any {
		keys := make([]string, len(p))
		for i, e := range p {
			keys[i] = e.Key
		}
		return redactValue(m, keys, v)
	}
}

// namedAt reports whether the values under path are named values: a
// mapping (or KEY=VALUE list) of environment variables, labels, build args,
// annotations or sysctls of a service, its build or deploy section, or of a
// network, volume, secret or config. Redaction looks at their names, and a
// change of the whole mapping is reported name by name.
func namedAt(path []string) bool {
	n := len(path)
	if n < 3 {
		return false
	}
	switch path[n-1] {
	case "environment", "labels", "args", "annotations", "sysctls", "driver_opts":
	default:
		return false
	}
	switch {
	case path[0] == "services" && n == 3:
		return path[2] != "args"
	case path[0] == "services" && n == 4:
		return (path[2] == "build" && (path[3] == "args" || path[3] == "labels")) ||
			(path[2] == "deploy" && path[3] == "labels")
	case path[0] == "services" && n == 5:
		// Hooks: services.*.post_start.<item>.environment (the item is an
		// index in the model, an identity in a Path).
		hook := path[2] == "post_start" || path[2] == "pre_stop" || path[2] == "pre_start"
		return hook && (path[4] == "environment" || path[4] == "labels")
	case n == 3 && (path[0] == "networks" || path[0] == "volumes" || path[0] == "secrets" || path[0] == "configs"):
		return path[2] == "labels" || path[2] == "driver_opts"
	}
	return false
}

// secretContent reports whether path is a secret's content.
func secretContent(path []string) bool {
	return len(path) == 3 && path[0] == "secrets" && path[2] == "content"
}

func redactValue(m Masker, path []string, v any) any {
	if secretContent(path) && v != nil {
		return mask
	}
	switch v := v.(type) {
	case string:
		name := ""
		if len(path) > 0 && namedAt(path[:len(path)-1]) {
			name = path[len(path)-1]
		}
		return m.Value(name, v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = redactValue(m, append(path[:len(path):len(path)], k), e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			if s, ok := e.(string); ok && namedAt(path) {
				// KEY=VALUE spelling.
				if k, val, ok := strings.Cut(s, "="); ok {
					out[i] = k + "=" + m.Value(k, val)
					continue
				}
			}
			out[i] = redactValue(m, append(path[:len(path):len(path)], "[]"), e)
		}
		return out
	}
	return v
}

// RewriteStrings returns model with every occurrence of old in its strings
// replaced by new. `composure diff --rev` loads a revision from a temporary
// directory and writes the project directory back into its paths, so that
// only real changes remain.
func RewriteStrings(model map[string]any, old, new string) map[string]any {
	if old == "" || old == new {
		return model
	}
	out, _ := rewrite(model, old, new).(map[string]any)
	return out
}

func rewrite(v any, old, new string) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, old, new)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[strings.ReplaceAll(k, old, new)] = rewrite(e, old, new)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = rewrite(e, old, new)
		}
		return out
	}
	return v
}
