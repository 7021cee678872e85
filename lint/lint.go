// Package lint checks compose files and the environments they make up. Rules
// are small structs on a visitor (after rhysd/actionlint): file rules see each
// parsed file with exact positions, environment rules see the effective
// config of each environment and report where a value was set, through the
// origin map. Findings that hold in several environments are reported once,
// listing them.
package lint

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/internal/parallel"
)

// DocsURL is where the rule documentation lives; each rule has an anchor.
const DocsURL = "https://github.com/composure-dev/composure/blob/main/docs/rules.md"

// Scope says what a rule looks at.
type Scope int

// Scopes.
const (
	// ScopeFile rules look at one file as written.
	ScopeFile Scope = 1 << iota
	// ScopeEnv rules look at the effective config of an environment.
	ScopeEnv
	// ScopeDockerfile rules look at the Dockerfiles of local builds (see
	// DockerfileRule).
	ScopeDockerfile
)

func (s Scope) String() string {
	var parts []string
	if s&ScopeFile != 0 {
		parts = append(parts, "file")
	}
	if s&ScopeEnv != 0 {
		parts = append(parts, "environment")
	}
	if s&ScopeDockerfile != 0 {
		parts = append(parts, "dockerfile")
	}
	return strings.Join(parts, "+")
}

// Meta describes a rule.
type Meta struct {
	// ID is the stable kebab-case name used in output, config and ignore
	// comments.
	ID string
	// Summary is one line: what the rule finds.
	Summary string
	// Severity is the default severity of its findings (a rule may report
	// some cases more severely; configuration overrides all of them).
	Severity diag.Severity
	Scope    Scope
	// Fixable is true when --fix can resolve some findings.
	Fixable bool
	// Practice is the best practice (../shared/best-practices.md) the rule
	// serves, 0 for none.
	Practice int
	// Optional rules are off unless configured.
	Optional bool
	// Group names the group of the rule (GroupSecurity), "" for none:
	// --enable, --disable and composure.yaml's rules: take group names.
	Group string
}

// URL is the rule's documentation.
func (m Meta) URL() string { return DocsURL + "#" + m.ID }

// Rule is one check. Embed RuleBase and override the visits you need.
type Rule interface {
	Meta() Meta
	// VisitFile is called once per file.
	VisitFile(p *Pass, d *compose.Document)
	// VisitEnv is called once per environment.
	VisitEnv(p *Pass, e *Env)
}

// RuleBase gives a rule its metadata and no-op visits.
type RuleBase struct{ meta Meta }

// Meta returns the rule's metadata.
func (r *RuleBase) Meta() Meta { return r.meta }

// VisitFile does nothing.
func (r *RuleBase) VisitFile(*Pass, *compose.Document) {}

// VisitEnv does nothing.
func (r *RuleBase) VisitEnv(*Pass, *Env) {}

// Pass is what a rule reports through during one visit.
type Pass struct {
	meta     Meta
	override *diag.Severity
	options  map[string]any
	// redact is Config.Redact.
	redact []string
	env    *Env
	run    *runner
	// out collects the findings of this rule; each rule runs on its own
	// goroutine with its own slice.
	out *[]diag.Finding
	// memo is the rule's serviceMemo for the run (environment rules).
	memo *serviceMemo
}

// Option returns the configured option name of the rule, or def.
func (p *Pass) Option(name string) (any, bool) {
	v, ok := p.options[name]
	return v, ok
}

// IntOption returns an integer option, or def when unset or not a number.
func (p *Pass) IntOption(name string, def int) int {
	switch v := p.options[name].(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return def
}

// Report records f: the rule ID and the environment are filled in, and a
// configured severity replaces the one the rule chose.
func (p *Pass) Report(f diag.Finding) {
	f.Rule = p.meta.ID
	if p.override != nil {
		f.Severity = *p.override
	}
	if p.env != nil && p.env.Name != "" {
		f.Envs = []string{p.env.Name}
	}
	*p.out = append(*p.out, f)
}

// Config tunes the rules: severities (or "off") and options, by rule ID.
type Config struct {
	Severity map[string]string
	Options  map[string]map[string]any
	// Redact holds composure.yaml's `redact:` name fragments: secret for
	// --redact, so secret for hardcoded-secret too.
	Redact []string
}

// Validate checks rule IDs and severities against rules.
func (c *Config) Validate(rules []Rule) error {
	if c == nil {
		return nil
	}
	ids := make([]string, 0, len(rules))
	for _, r := range rules {
		ids = append(ids, r.Meta().ID)
	}
	for _, id := range sortedKeys(c.Severity) {
		if !slices.Contains(ids, id) {
			return fmt.Errorf("unknown rule %q in lint configuration%s", id, suggest(id, ids))
		}
		if s := c.Severity[id]; s != "off" && s != "on" {
			if _, err := diag.ParseSeverity(s); err != nil {
				return fmt.Errorf("rule %q: %v (or \"off\")", id, err)
			}
		}
	}
	for _, id := range sortedKeys(c.Options) {
		if !slices.Contains(ids, id) {
			return fmt.Errorf("unknown rule %q in lint options%s", id, suggest(id, ids))
		}
	}
	return nil
}

func suggest(s string, from []string) string {
	if n, ok := nearest(s, from, 3); ok {
		return fmt.Sprintf(": did you mean %q?", n)
	}
	return ""
}

// Input is one lint run.
type Input struct {
	// Files are linted on their own (file rules). Each appears once.
	Files []*compose.Document
	// Envs are linted as a whole (environment rules).
	Envs []*Env
	// Dockerfiles are linted by the Dockerfile rules (see
	// DiscoverDockerfiles and LoadDockerfile).
	Dockerfiles []*Dockerfile
	// Rules to run; nil means Rules().
	Rules  []Rule
	Config *Config
	// Only, when not empty, restricts the run to these rule IDs.
	Only []string

	// noMemo turns the rules' serviceMemo off, for the test that holds
	// the memo to checking every environment in full.
	noMemo bool
}

// runner holds what the rules of one run share: the position index and the
// services of each document, built on first use.
type runner struct {
	mu   sync.Mutex
	docs map[string]*lazyDoc
}

// memos gives each environment its interpolation memo: one per VarsKey, so
// environments whose variables answer alike interpolate each string once.
func memos(envs []*Env) {
	byKey := map[string]*sync.Map{}
	for _, e := range envs {
		if e.VarsKey == "" {
			e.interpolated = &sync.Map{}
			continue
		}
		if byKey[e.VarsKey] == nil {
			byKey[e.VarsKey] = &sync.Map{}
		}
		e.interpolated = byKey[e.VarsKey]
	}
}

// Run lints in and returns the findings: ignore comments applied, findings
// that hold in several environments merged into one, sorted.
func Run(in Input) []diag.Finding {
	return Start(in).Finish(in.Envs, in.Dockerfiles)
}

// Running is a lint run under way: the file rules started on the files
// (Start); the environment and Dockerfile rules run when those are known
// (Finish). The file rules need only the parsed files, so they run while
// the environments merge.
type Running struct {
	in     Input
	r      *runner
	passes []*rulePass
	// results holds each rule's findings, in rule order.
	results [][]diag.Finding
}

// rulePass is one enabled rule of a run.
type rulePass struct {
	rule Rule
	p    *Pass
	// filesDone is closed once the rule has visited every file: its
	// environment part waits for it (a rule keeps one state for both).
	filesDone chan struct{}
}

// Start starts the file rules of in on in.Files, on half the CPUs, and
// returns at once. in.Envs and in.Dockerfiles are not used: Finish takes them.
func Start(in Input) *Running {
	rules := in.Rules
	if rules == nil {
		rules = Rules()
	}
	run := &Running{in: in, r: &runner{docs: map[string]*lazyDoc{}}, results: make([][]diag.Finding, len(rules))}
	// Each rule is an independent task with its own findings: rules keep
	// state only for their own run, and everything they share (documents,
	// merged trees, the position index) is read-only or locked. The
	// results are collected in rule order and sorted.
	var fileTasks []func()
	for i, rule := range rules {
		m := rule.Meta()
		if len(in.Only) > 0 && !slices.Contains(in.Only, m.ID) {
			continue
		}
		p := &Pass{meta: m, run: run.r, out: &run.results[i]}
		if m.Scope&ScopeEnv != 0 && !in.noMemo {
			p.memo = &serviceMemo{m: map[memoKey]memoEntry{}}
		}
		// An optional rule named by --rule runs: the user asked for it.
		enabled := !m.Optional || slices.Contains(in.Only, m.ID)
		if in.Config != nil {
			if s, ok := in.Config.Severity[m.ID]; ok {
				switch s {
				case "off":
					enabled = false
				case "on":
					enabled = true
				default:
					sev, _ := diag.ParseSeverity(s)
					p.override = &sev
					enabled = true
				}
			}
			p.options = in.Config.Options[m.ID]
			p.redact = in.Config.Redact
		}
		if !enabled {
			continue
		}
		rp := &rulePass{rule: rule, p: p, filesDone: make(chan struct{})}
		run.passes = append(run.passes, rp)
		if m.Scope&ScopeFile == 0 {
			close(rp.filesDone)
			continue
		}
		fileTasks = append(fileTasks, func() {
			defer close(rp.filesDone)
			for _, d := range in.Files {
				if d.Root != nil {
					rule.VisitFile(p, d)
				}
			}
		})
	}
	// Half the CPUs: the file rules need only be done when the
	// environment rules start (Finish), and the environments' merges,
	// which wait for the first file's, run meanwhile on the other half.
	go parallel.Run(max(1, runtime.GOMAXPROCS(0)/2), fileTasks)
	return run
}

// Finish runs the environment rules on envs and the Dockerfile rules on
// dockerfiles, waits for every rule, and returns the findings: ignore
// comments applied, findings that hold in several environments merged
// into one, sorted.
func (run *Running) Finish(envs []*Env, dockerfiles []*Dockerfile) []diag.Finding {
	for _, e := range envs {
		e.run = run.r
	}
	memos(envs)
	var tasks, dockerfileTasks []func()
	for _, rp := range run.passes {
		m, rule, p := rp.p.meta, rp.rule, rp.p
		if m.Scope&ScopeDockerfile != 0 {
			// The Dockerfile rules share lazily parsed instructions: they
			// run one after the other, in one task.
			dockerfileTasks = append(dockerfileTasks, func() { runDockerfileRule(rule, p, dockerfiles) })
		}
		tasks = append(tasks, func() {
			<-rp.filesDone
			if m.Scope&ScopeEnv != 0 {
				for _, e := range envs {
					ep := *p
					ep.env = e
					rule.VisitEnv(&ep, e)
				}
			}
		})
	}
	tasks = append(tasks, func() {
		for _, t := range dockerfileTasks {
			t()
		}
	})
	parallel.Run(0, tasks)
	n := 0
	for _, fs := range run.results {
		n += len(fs)
	}
	all := make([]diag.Finding, 0, n)
	for _, fs := range run.results {
		all = append(all, fs...)
	}
	return Postprocess(dropCovered(all), DocsByName(run.in.Files, envs))
}

// Postprocess drops findings silenced by `# composure-ignore` comments,
// merges findings reported identically in several environments (listing
// them), sorts, and removes exact duplicates (an alias can repeat a finding).
func Postprocess(fs []diag.Finding, docs map[string]*compose.Document) []diag.Finding {
	ign := map[string]ignores{}
	out := make([]diag.Finding, 0, len(fs))
	for _, f := range fs {
		d := docs[f.Span.File]
		if d != nil {
			ig, ok := ign[d.Name]
			if !ok {
				ig = parseIgnores(d)
				ign[d.Name] = ig
			}
			if ig.silences(f) {
				continue
			}
		}
		out = append(out, f)
	}
	type key struct {
		rule, msg string
		span      diag.Span
	}
	merged := make(map[key]int, len(out))
	res := make([]diag.Finding, 0, len(out))
	grown := map[int]bool{} // findings whose related locations merged others
	for _, f := range out {
		k := key{f.Rule, f.Message, f.Span}
		if i, ok := merged[k]; ok {
			g := &res[i]
			for _, e := range f.Envs {
				if !slices.Contains(g.Envs, e) {
					g.Envs = append(g.Envs, e)
				}
			}
			for _, rel := range f.Related {
				if !slices.ContainsFunc(g.Related, func(x diag.Related) bool { return x.Span == rel.Span && x.Message == rel.Message }) {
					g.Related = append(g.Related, rel)
					grown[i] = true
				}
			}
			if f.Severity > g.Severity {
				g.Severity = f.Severity
			}
			continue
		}
		merged[k] = len(res)
		f.Envs = slices.Clone(f.Envs)
		res = append(res, f)
	}
	// Related locations merged from several findings (the alias sites of
	// an anchor, met service by service) read in file order.
	for i := range grown {
		slices.SortStableFunc(res[i].Related, func(a, b diag.Related) int {
			return diag.Compare(diag.Finding{Span: a.Span}, diag.Finding{Span: b.Span})
		})
	}
	res = dropProfileCopies(res)
	diag.Sort(res)
	return res
}

// blockSubject is the subject of a finding at a value inside an anchor that
// services merge (reportAt and the rules like it).
const blockSubject = "the services merging this block"

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
