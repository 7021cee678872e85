package lint

import (
	"fmt"
	"slices"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/merge"
	"gopkg.in/yaml.v3"
)

// FromLoaded is the adapter from a loaded environment to what environment
// rules see: the merged tree (before interpolation, every file applied, as
// compose-go merges them), its origins, the services the active profiles
// leave out, and the variables interpolation uses.
func FromLoaded(p *envs.Project, l *envs.Loaded) *Env {
	e := &Env{Name: l.Env.Name, Dir: p.Dir, Docs: l.Docs, Services: map[string]any{}, Disabled: map[string]bool{}}
	if l.Merged != nil {
		e.Model = l.Merged.Tree()
		if s, ok := e.Model["services"].(map[string]any); ok {
			e.Services = s
		}
		r := l.Merged
		e.Origin = func(path string) (merge.Origin, bool) {
			o, ok := r.Origin(path)
			if !ok || o.Default || !o.IsValid() {
				return merge.Origin{}, false
			}
			return o, true
		}
	} else {
		e.Origin = func(string) (merge.Origin, bool) { return merge.Origin{}, false }
	}
	if l.Project != nil {
		for name := range l.Project.DisabledServices {
			e.Disabled[name] = true
		}
	}
	vars := l.Environment
	e.Lookup = func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	return e
}

// ConfigFromSettings reads the `rules:` section of composure.yaml: each rule
// ID (or group name, for every rule of the group) maps to a severity
// ("error", "warning", "info"), "off", "on" (enable an optional rule), or a
// mapping with an optional `severity` and the rule's options:
//
//	rules:
//	  security: on
//	  image-tag: off
//	  restart-policy: warning
//	  duplicate-service: {severity: warning, min-shared: 3}
//
// A rule's own setting wins over its group's. Unknown rule IDs and
// severities are errors at their position.
func ConfigFromSettings(settings []envs.RuleSetting, d *compose.Document, rules []Rule) (*Config, error) {
	c := &Config{Severity: map[string]string{}, Options: map[string]map[string]any{}}
	ids := make([]string, 0, len(rules))
	for _, r := range rules {
		ids = append(ids, r.Meta().ID)
	}
	errAt := func(loc compose.Location, format string, args ...any) error {
		return &compose.Error{Location: loc, Msg: fmt.Sprintf(format, args...)}
	}
	// Groups first, so that a rule's own setting, wherever it is written,
	// overrides its group's.
	for _, s := range settings {
		members, isGroup := expand(s.ID, rules)
		if !isGroup || slices.Contains(ids, s.ID) {
			continue
		}
		v := compose.Deref(s.Value)
		if v == nil || v.Kind != yaml.ScalarNode {
			return nil, errAt(s.Loc, "group %q: give a severity (error, warning, info), off or on; options belong to each rule", s.ID)
		}
		if err := checkSeverity(v.Value); err != nil {
			return nil, errAt(s.Loc, "group %q: %v", s.ID, err)
		}
		for _, id := range members {
			c.Severity[id] = v.Value
		}
	}
	for _, s := range settings {
		if !slices.Contains(ids, s.ID) {
			if _, isGroup := expand(s.ID, rules); isGroup {
				continue
			}
			return nil, errAt(s.Loc, "unknown rule %q%s (`composure rules` lists them)", s.ID, suggest(s.ID, append(slices.Clone(ids), Groups()...)))
		}
		v := compose.Deref(s.Value)
		switch {
		case v == nil || v.Kind == yaml.ScalarNode:
			sev := ""
			if v != nil {
				sev = v.Value
			}
			if err := checkSeverity(sev); err != nil {
				return nil, errAt(s.Loc, "rule %q: %v", s.ID, err)
			}
			c.Severity[s.ID] = sev
		case v.Kind == yaml.MappingNode:
			var opts map[string]any
			if d != nil {
				x, err := d.Decode(v, d.ExpansionBudget())
				if err != nil {
					return nil, err
				}
				opts, _ = x.(map[string]any)
			} else if err := v.Decode(&opts); err != nil {
				return nil, errAt(s.Loc, "rule %q: %v", s.ID, err)
			}
			if sev, ok := opts["severity"]; ok {
				str, _ := sev.(string)
				if err := checkSeverity(str); err != nil {
					return nil, errAt(s.Loc, "rule %q: %v", s.ID, err)
				}
				c.Severity[s.ID] = str
				delete(opts, "severity")
			}
			c.Options[s.ID] = opts
		default:
			return nil, errAt(s.Loc, "rule %q: give a severity (error, warning, info), off, or a mapping of options", s.ID)
		}
	}
	return c, nil
}

func checkSeverity(s string) error {
	switch s {
	case "off", "on", "error", "warning", "info":
		return nil
	}
	return fmt.Errorf("unknown setting %q: use error, warning, info, off or on", s)
}
