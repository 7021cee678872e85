package lint

import (
	"fmt"
	"maps"
	"slices"
)

// GroupSecurity is the group of the security rules: the dangerous settings
// reported by default (privileged, host-access, hardcoded-secret) and the
// optional hardening rules (no-new-privileges, cap-drop-all, read-only...),
// which `--enable security` or `security: on` in composure.yaml turn on.
const GroupSecurity = "security"

// Groups returns the names of the rule groups, which --enable, --disable
// and composure.yaml's rules: accept where they accept a rule ID.
func Groups() []string { return []string{GroupSecurity} }

// GroupRules returns the IDs of the rules of group, in documentation order.
func GroupRules(group string) []string {
	var ids []string
	for _, r := range Rules() {
		if m := r.Meta(); m.Group == group {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// expand returns the rule IDs a name stands for: the rules of a group, or
// the rule itself; ok is false for a name that is neither.
func expand(name string, rules []Rule) ([]string, bool) {
	var ids []string
	for _, r := range rules {
		m := r.Meta()
		if m.ID == name {
			return []string{name}, true
		}
		if m.Group == name {
			ids = append(ids, m.ID)
		}
	}
	return ids, len(ids) > 0
}

// CheckNames checks the rule IDs and group names given to a flag (--rule,
// --enable, --disable): an unknown one is an error that suggests the
// nearest name.
func CheckNames(flag string, names []string) error {
	rules := Rules()
	valid := append(IDs(), Groups()...)
	for _, n := range names {
		if _, ok := expand(n, rules); !ok {
			return fmt.Errorf("%s: unknown rule or group %q%s (`composure rules` lists them)", flag, n, suggest(n, valid))
		}
	}
	return nil
}

// Switch returns a copy of c (which may be nil) with the rules and groups
// of enable turned on (their configured severity kept) and those of
// disable turned off, disable last: `--enable security --disable
// read-only` runs every security rule but read-only. Unknown names are
// ignored (CheckNames reports them first).
func (c *Config) Switch(enable, disable []string, rules []Rule) *Config {
	if len(enable) == 0 && len(disable) == 0 {
		return c
	}
	out := &Config{Severity: map[string]string{}, Options: map[string]map[string]any{}}
	if c != nil {
		maps.Copy(out.Severity, c.Severity)
		maps.Copy(out.Options, c.Options)
		out.Redact = slices.Clone(c.Redact)
	}
	for _, n := range enable {
		ids, _ := expand(n, rules)
		for _, id := range ids {
			if s, ok := out.Severity[id]; !ok || s == "off" {
				out.Severity[id] = "on"
			}
		}
	}
	for _, n := range disable {
		ids, _ := expand(n, rules)
		for _, id := range ids {
			out.Severity[id] = "off"
		}
	}
	return out
}
