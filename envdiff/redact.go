package envdiff

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/composure-dev/composure/redact"
)

// Redact returns a copy of r in which every From and To value has been
// passed through the redaction policy along with its path in its side's
// model (and that side's Sources, which tell what secret variables were
// interpolated into): it is how --redact hides secrets without the
// renderers knowing about them. A list item named by its content (a hook
// in a set, written as JSON in the path) is redacted too, since its name
// shows its values. The changes of r are not modified.
func (r Report) Redact(p *redact.Policy) Report {
	out := Report{From: r.From, To: r.To, Changes: make([]Change, len(r.Changes)), fromSrc: r.fromSrc, toSrc: r.toSrc}
	for i, c := range r.Changes {
		keys := c.Path.keys()
		c.Path = redactPath(c.Path, p)
		if c.From != nil {
			c.From = p.Value(orKeys(c.fromAt, keys), c.From, r.fromSrc)
		}
		if c.To != nil {
			c.To = p.Value(orKeys(c.toAt, keys), c.To, r.toSrc)
		}
		out.Changes[i] = c
	}
	return out
}

// keys are the elements of p as a model path: keys, and list items by
// their identity where the model has an index (the policy reads paths by
// their keys).
func (p Path) keys() []string {
	out := make([]string, len(p))
	for i, e := range p {
		out[i] = e.Key
	}
	return out
}

// orKeys is the model path of a value when Compare found it, else the
// change's path.
func orKeys(at, keys []string) []string {
	if len(at) == len(keys) {
		return at
	}
	return keys
}

// redactPath redacts the items of p named by their content: JSON (a hook
// in a set) through the policy as a value, other identities as text.
func redactPath(p Path, pol *redact.Policy) Path {
	var out Path
	for i, e := range p {
		if !e.Item {
			continue
		}
		key := e.Key
		if strings.HasPrefix(key, "{") {
			var v any
			if json.Unmarshal([]byte(key), &v) == nil {
				if b, err := json.Marshal(pol.Value(p[:i+1].keys(), v, nil)); err == nil {
					key = string(b)
				}
			}
		} else {
			key = redact.Hide(key, pol.Text(key))
		}
		if key == e.Key {
			continue
		}
		if out == nil {
			out = slices.Clone(p)
		}
		out[i].Key = key
	}
	if out == nil {
		return p
	}
	return out
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
