package merge

import "github.com/composure-dev/composure/internal/pathtrie"

// Service merges the plain service mapping over into base as a later
// file's service merges into an earlier file's (the merge rules of
// services.*), and returns the merged mapping. Both may be changed.
// normalize completes pre_start hooks with it, as compose-go does with
// override.Merge.
func Service(base, over map[string]any) (map[string]any, error) {
	mg := &merger{opts: newOptions(nil), path: []string{"services", "hook"}}
	st := pathtrie.Start(mergeTrie)
	st = st.Next("services")
	st = st.Next("hook")
	merged, err := mg.mergeYaml(fromPlain(base), fromPlain(over), st)
	if err != nil {
		return nil, err
	}
	m, _ := merged.plain().(map[string]any)
	return m, nil
}

// fromPlain wraps a plain value (map[string]any, []any, scalars) in vals
// with no origin.
func fromPlain(v any) *val {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]*val, len(x))
		for k, e := range x {
			m[k] = fromPlain(e)
		}
		return &val{kind: kMap, m: m, at: defaultSite}
	case []any:
		s := make([]*val, len(x))
		for i, e := range x {
			s[i] = fromPlain(e)
		}
		return &val{kind: kSeq, s: s, at: defaultSite}
	}
	return scalar(v, defaultSite)
}

// Replaces reports whether a later file's value at path (a key path of
// the model, `*` matching any name) replaces an earlier file's list or
// mapping there, as `command` does, instead of merging with it: lists are
// otherwise appended to and mappings merged key by key, so an empty one
// changes nothing.
func Replaces(path ...string) bool {
	st := pathtrie.Start(mergeTrie)
	for _, p := range path {
		st = st.Next(p)
	}
	r, ok := st.Match()
	return ok && r == ruleOverride
}
