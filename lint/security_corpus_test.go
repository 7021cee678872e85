package lint

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// TestCorpusSecurity lints every project of ../shared/corpus as `composure
// lint --enable security` does and, with -update, writes the counts of the
// security group's rules and a sample of their findings to the "security"
// block of docs/corpus-report.md (the review of those findings is written
// by hand below the block).
func TestCorpusSecurity(t *testing.T) {
	shared := testenv.SharedDir(t)
	projects := corpusProjects(t, shared)
	group := GroupRules(GroupSecurity)
	counts := map[string]int{}
	hit := map[string]map[string]bool{}
	samples := map[string][]string{}
	services := 0
	for _, p := range projects {
		rel, _ := filepath.Rel(filepath.Join(shared, "corpus"), p.dir)
		lp, err := LoadProject(context.Background(), cleanEnv(p.dir), nil, LoadOptions{})
		if err != nil {
			continue
		}
		for _, e := range lp.Envs {
			services += len(e.Services) - len(e.Disabled)
		}
		cfg := lp.Config.Switch([]string{GroupSecurity}, nil, Rules())
		for _, f := range Run(Input{Files: lp.Files, Envs: lp.Envs, Config: cfg}) {
			if !slices.Contains(group, f.Rule) {
				continue
			}
			counts[f.Rule]++
			if hit[f.Rule] == nil {
				hit[f.Rule] = map[string]bool{}
			}
			hit[f.Rule][rel] = true
			if len(samples[f.Rule]) < 3 && !slices.ContainsFunc(samples[f.Rule], func(s string) bool { return strings.HasPrefix(s, rel+"/") }) {
				samples[f.Rule] = append(samples[f.Rule], rel+"/"+f.String())
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "`composure lint --enable security` on the same %d projects (%d active services, counted once per environment):\n\n", len(projects), services)
	b.WriteString("| rule | default | findings | projects |\n|---|---|---:|---:|\n")
	for _, id := range group {
		state := "on"
		if ruleByID(id).Meta().Optional {
			state = "optional"
		}
		fmt.Fprintf(&b, "| [%s](rules.md#%s) | %s | %d | %d |\n", id, id, state, counts[id], len(hit[id]))
	}
	b.WriteString("\nA sample of findings per rule (at most one per project):\n")
	for _, id := range group {
		if len(samples[id]) > 0 {
			fmt.Fprintf(&b, "\n**%s**\n\n```text\n%s\n```\n", id, strings.Join(samples[id], "\n"))
		}
	}
	reportBlock(t, "security", b.String())
}
