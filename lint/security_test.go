package lint

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envs"
)

// TestSecurityGroup: the group's optional rules are off by default and on
// with the group; a fully hardened service gets no finding from any rule
// of the group.
func TestSecurityGroup(t *testing.T) {
	group := GroupRules(GroupSecurity)
	var optional []string
	for _, id := range group {
		if ruleByID(id).Meta().Optional {
			optional = append(optional, id)
		}
	}
	if len(optional) < 9 || !slices.Contains(group, "host-access") || !slices.Contains(group, "hardcoded-secret") {
		t.Fatalf("security group %v, optional %v", group, optional)
	}
	enableAll := (*Config)(nil).Switch([]string{GroupSecurity}, nil, Rules())
	for _, id := range optional {
		bad := filepath.Join("testdata", id, "bad.yaml")
		if fs, _ := lintFile(t, bad); slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Rule == id }) {
			t.Errorf("%s runs by default", id)
		}
		if fs, _ := lintFileConfig(t, bad, enableAll); !slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Rule == id }) {
			t.Errorf("%s does not run with --enable security", id)
		}
		off := enableAll.Switch(nil, []string{id}, Rules())
		if fs, _ := lintFileConfig(t, bad, off); slices.ContainsFunc(fs, func(f diag.Finding) bool { return f.Rule == id }) {
			t.Errorf("%s runs with --enable security --disable %s", id, id)
		}
	}
	fs, _ := lintFileConfig(t, filepath.Join("testdata", "read-only", "good.yaml"), enableAll)
	for _, f := range fs {
		if slices.Contains(group, f.Rule) {
			t.Errorf("the hardened service has a finding: %s", f)
		}
	}
}

func TestCheckNames(t *testing.T) {
	if err := CheckNames("--enable", []string{"security", "read-only", "host-access"}); err != nil {
		t.Error(err)
	}
	err := CheckNames("--enable", []string{"securty"})
	if err == nil || err.Error() != `--enable: unknown rule or group "securty": did you mean "security"? (`+"`composure rules`"+` lists them)` {
		t.Errorf("got %v", err)
	}
	if err := CheckNames("--disable", []string{"read-onyl"}); err == nil || !strings.Contains(err.Error(), `did you mean "read-only"`) {
		t.Errorf("got %v", err)
	}
}

// TestConfigGroups: composure.yaml's rules: takes group names, and a
// rule's own setting wins over its group's wherever it is written.
func TestConfigGroups(t *testing.T) {
	tests := []struct {
		yaml string
		want map[string]string // rule -> severity setting ("" = not set)
		err  string
	}{
		{"rules:\n  security: on\n", map[string]string{"read-only": "on", "no-new-privileges": "on", "host-access": "on", "image-tag": ""}, ""},
		{"rules:\n  read-only: off\n  security: warning\n", map[string]string{"read-only": "off", "cap-drop-all": "warning"}, ""},
		{"rules:\n  security: off\n  hardcoded-secret: error\n", map[string]string{"hardcoded-secret": "error", "privileged": "off"}, ""},
		{"rules:\n  security: {severity: warning}\n", nil, `group "security": give a severity`},
		{"rules:\n  securty: on\n", nil, `unknown rule "securty": did you mean "security"?`},
	}
	for _, tt := range tests {
		c, err := envs.ParseConfig("composure.yaml", []byte(tt.yaml))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ConfigFromSettings(c.Rules, c.Doc, Rules())
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.yaml, err)
			continue
		}
		for id, want := range tt.want {
			if got := cfg.Severity[id]; got != want {
				t.Errorf("%q: %s = %q, want %q", tt.yaml, id, got, want)
			}
		}
	}
}
