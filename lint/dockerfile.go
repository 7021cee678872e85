package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// DockerfileRule is a rule on Dockerfiles (Scope ScopeDockerfile): it sees
// each Dockerfile once, however many services and environments build it.
type DockerfileRule interface {
	Rule
	VisitDockerfile(p *Pass, df *Dockerfile)
}

// Dockerfile is one Dockerfile to lint and the builds that use it.
type Dockerfile struct {
	*dockerfile.File
	// Path is the absolute file name, "" for a dockerfile_inline.
	Path string
	// Uses are the services that build it, in environment and service order.
	Uses []BuildUse
	// Target is the build target every use names ("" for the final stage).
	Target string

	key    string
	inline *inlineMap
}

// BuildUse is one service of one environment building a Dockerfile.
type BuildUse struct {
	Env     *Env
	Service string
	Target  string
}

// inlineMap places a dockerfile_inline in its compose file: a literal block
// scalar (`|`) keeps its lines, shifted and indented; any other style is
// reported at the value's start.
type inlineMap struct {
	at     compose.Location
	block  bool
	indent int
}

func (m *inlineMap) pos(p diag.Pos) diag.Pos {
	if !m.block {
		return diag.Pos(m.at.Pos)
	}
	if p.Line == 0 {
		return p
	}
	return diag.Pos{Line: m.at.Line + p.Line, Col: m.indent + p.Col}
}

// Span returns the span from start to end in the Dockerfile (end may be
// zero), placed in the compose file for an inline Dockerfile.
func (df *Dockerfile) Span(start, end diag.Pos) diag.Span {
	if df.inline != nil {
		s, e := df.inline.pos(start), df.inline.pos(end)
		if !df.inline.block {
			e = diag.Pos{}
		}
		return diag.Span{File: df.inline.at.File, Start: s, End: e}
	}
	return diag.Span{File: df.Name, Start: start, End: end}
}

// Line is the line of ins to show in messages: in the compose file for an
// inline Dockerfile.
func (df *Dockerfile) Line(ins *dockerfile.Instruction) int {
	if df.inline != nil {
		return df.inline.pos(ins.Start).Line
	}
	return ins.Start.Line
}

// InstrSpan spans the first line of an instruction, from its keyword.
func (df *Dockerfile) InstrSpan(ins *dockerfile.Instruction) diag.Span {
	end := ins.End
	if end.Line != ins.Start.Line {
		end = diag.Pos{Line: ins.Start.Line, Col: len([]rune(df.LineText(ins.Start.Line))) + 1}
	}
	return df.Span(ins.Start, end)
}

// WordSpan spans word w of text t.
func (df *Dockerfile) WordSpan(t dockerfile.Text, w dockerfile.Word) diag.Span {
	s, e := t.Pos(w.Start), t.Pos(w.End)
	if e.Line != s.Line {
		e = diag.Pos{}
	}
	return df.Span(s, e)
}

// Related points at an instruction, for the related locations of a finding.
func (df *Dockerfile) Related(ins *dockerfile.Instruction, msg string) diag.Related {
	return diag.Related{Span: df.InstrSpan(ins), Message: msg}
}

// Inline reports whether the Dockerfile is a dockerfile_inline (fixes are
// not offered there: the text is indented inside YAML).
func (df *Dockerfile) Inline() bool { return df.inline != nil }

// Context returns the build context of the first service that builds the
// Dockerfile, "" when no service builds it from a local context.
func (df *Dockerfile) Context() string {
	for _, u := range df.Uses {
		if ctx, _, ok := buildPaths(u.Env, u.Env.Service(u.Service)); ok {
			return ctx
		}
	}
	return ""
}

// Built reports whether a build of the Dockerfile builds stage s: for the
// target of some service that builds it (the final stage when none names
// one), BuildKit builds that stage and the ones it needs, no other. A
// Dockerfile no service builds (named on the command line) may be built
// for any target: every stage counts.
func (df *Dockerfile) Built(s *dockerfile.Stage) bool {
	if len(df.Uses) == 0 {
		return true
	}
	for _, u := range df.Uses {
		if df.File.Built(s, u.Target) {
			return true
		}
	}
	return false
}

// Shipped reports whether stage s ends up in the image the builds produce.
func (df *Dockerfile) Shipped(s *dockerfile.Stage) bool { return df.File.Shipped(s, df.Target) }

// Edit replaces bytes [start, end) of the Dockerfile.
func (df *Dockerfile) Edit(start, end int, text string) diag.TextEdit {
	return diag.TextEdit{File: df.Name, Start: start, End: end, StartPos: df.PosAt(start), EndPos: df.PosAt(end), NewText: text}
}

// LoadDockerfile reads and parses the Dockerfile at path, shown as name. A
// Dockerfile BuildKit rejects is returned as a load-error finding.
func LoadDockerfile(path, name string) (*Dockerfile, *diag.Finding, error) {
	src, err := compose.ReadBounded(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := dockerfile.Parse(name, src)
	if err != nil {
		return nil, dockerfileError(err, name), nil
	}
	abs, _ := filepath.Abs(path)
	return &Dockerfile{File: f, Path: abs, key: abs}, nil, nil
}

func dockerfileError(err error, name string) *diag.Finding {
	f := diag.Finding{Rule: "load-error", Severity: diag.Error, Message: err.Error(), Span: diag.Span{File: name}}
	if de, ok := err.(*dockerfile.Error); ok {
		f.Message = de.Msg
		f.Span = diag.Span{File: de.File, Start: de.Pos}
	}
	return &f
}

// DiscoverDockerfiles returns the Dockerfiles of every local build of envs
// (build.context + build.dockerfile, or build.dockerfile_inline), each once,
// with the services and environments that build it, in the order first met.
// Dockerfiles that do not exist are left to missing-file; ones BuildKit
// rejects come back as load-error findings.
func DiscoverDockerfiles(envs []*Env) ([]*Dockerfile, []diag.Finding) {
	var out []*Dockerfile
	var errs []diag.Finding
	byKey := map[string]*Dockerfile{}
	failed := map[string]bool{}
	for _, e := range envs {
		bs := e.builds
		if !e.buildsFound {
			bs = findBuilds(e)
		}
		for _, b := range bs {
			if failed[b.key] {
				continue
			}
			if df, ok := byKey[b.key]; ok {
				df.Uses = append(df.Uses, b.use)
				continue
			}
			df, fe := b.load()
			if fe != nil {
				failed[b.key] = true
				errs = append(errs, *fe)
				continue
			}
			if df == nil {
				continue
			}
			df.key = b.key
			df.Uses = append(df.Uses, b.use)
			byKey[b.key] = df
			out = append(out, df)
		}
	}
	for _, df := range out {
		df.Target = df.Uses[0].Target
		for _, u := range df.Uses {
			if u.Target != df.Target {
				df.Target = ""
			}
		}
	}
	return out, errs
}

// build is a service that builds from a Dockerfile on disk or inline: the
// key and loader dockerfileOf gives for it.
type build struct {
	use  BuildUse
	key  string
	load func() (*Dockerfile, *diag.Finding)
}

// findBuilds lists the services of e that build from a Dockerfile, by
// name. lint finds them while the other environments load (LoadProject):
// each is a file to look for.
func findBuilds(e *Env) []build {
	var out []build
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		use := BuildUse{Env: e, Service: name}
		if b, ok := svc["build"].(map[string]any); ok {
			use.Target, _ = e.Str(b["target"])
		}
		if key, load := dockerfileOf(e, name, svc); key != "" {
			out = append(out, build{use: use, key: key, load: load})
		}
	}
	return out
}

// dockerfileOf returns a key identifying the Dockerfile service name of e
// builds from, and a loader; "" when it builds from none on disk.
func dockerfileOf(e *Env, name string, svc map[string]any) (string, func() (*Dockerfile, *diag.Finding)) {
	b, ok := svc["build"].(map[string]any)
	if ok {
		if v, has := b["dockerfile_inline"]; has {
			src, ok := e.Str(v)
			o, found := e.Origin(svcPath(name, "build", "dockerfile_inline"))
			if !ok || !found || !o.IsValid() {
				return "", nil
			}
			key := "inline:" + o.Location.String()
			return key, func() (*Dockerfile, *diag.Finding) {
				m := &inlineMap{at: o.Location}
				if d := e.Doc(o.File); d != nil {
					off := d.Offset(o.Pos)
					if off < len(d.Src) && d.Src[off] == '|' {
						m.block = true
						for l := o.Line + 1; l <= d.Lines(); l++ {
							if t := d.Line(l); strings.TrimSpace(t) != "" {
								m.indent = len(t) - len(strings.TrimLeft(t, " "))
								break
							}
						}
					}
				}
				f, err := dockerfile.Parse(o.File, []byte(src))
				if err != nil {
					fe := dockerfileError(err, o.File)
					fe.Span = diag.Span{File: o.File, Start: m.pos(fe.Span.Start)}
					fe.Message = fmt.Sprintf("dockerfile_inline of service %q: %s", name, fe.Message)
					return nil, fe
				}
				return &Dockerfile{File: f, inline: m}, nil
			}
		}
	}
	ctx, file, ok := buildPaths(e, svc)
	if !ok || file == "" {
		return "", nil
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(ctx, file)
	}
	if st, err := os.Stat(file); err != nil || st.IsDir() {
		return "", nil
	}
	return file, func() (*Dockerfile, *diag.Finding) {
		rel := file
		if r, err := filepath.Rel(e.Dir, file); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		}
		df, fe, err := LoadDockerfile(file, filepath.ToSlash(rel))
		if err != nil {
			return nil, &diag.Finding{Rule: "load-error", Severity: diag.Error, Span: diag.Span{File: rel}, Message: err.Error()}
		}
		return df, fe
	}
}

// DockerfileHealthcheck reports whether service svc of e builds from a local
// Dockerfile (or a dockerfile_inline) that declares a HEALTHCHECK, not NONE,
// for the image built: the build target's stage or the stages it is built
// FROM, as BuildKit inherits it. depends-on-healthcheck counts it as a
// healthcheck.
func DockerfileHealthcheck(e *Env, svc map[string]any) bool {
	f, _, target := localDockerfile(e, svc)
	if f == nil {
		return false
	}
	hc := f.Healthcheck(target)
	return hc != nil && !hc.Disabled()
}

// runDockerfileRule runs rule on every Dockerfile: its findings list the
// environments and services that build the Dockerfile, and ignore comments
// in the Dockerfile apply.
func runDockerfileRule(rule Rule, p *Pass, dfs []*Dockerfile) {
	dr, ok := rule.(DockerfileRule)
	if !ok {
		return
	}
	for _, df := range dfs {
		n := len(*p.out)
		dr.VisitDockerfile(p, df)
		kept := df.decorate((*p.out)[n:])
		*p.out = append((*p.out)[:n], kept...)
	}
}

func (df *Dockerfile) decorate(fs []diag.Finding) []diag.Finding {
	var envs []string
	var rel []diag.Related
	// Built only by services of a profile: the findings say which.
	var profiles []string
	gated := true
	for _, u := range df.Uses {
		g := u.Env.gate(u.Service)
		if g == nil {
			gated = false
		}
		for _, p := range g {
			if !slices.Contains(profiles, p) {
				profiles = append(profiles, p)
			}
		}
		if u.Env.Name != "" && !slices.Contains(envs, u.Env.Name) {
			envs = append(envs, u.Env.Name)
		}
		path := svcPath(u.Service, "build")
		if b, ok := u.Env.Service(u.Service)["build"].(map[string]any); ok {
			for _, sub := range []string{"dockerfile_inline", "dockerfile", "context"} {
				if _, has := b[sub]; has {
					path = svcPath(u.Service, "build", sub)
					break
				}
			}
		}
		if sp, _, ok := u.Env.Span(path); ok {
			r := diag.Related{Span: sp, Message: fmt.Sprintf("built by service %q", u.Service)}
			if !slices.Contains(rel, r) {
				rel = append(rel, r)
			}
		}
	}
	slices.Sort(envs)
	out := fs[:0]
	ignores := df.inline == nil && bytes.Contains(df.Src, []byte("composure-ignore"))
	for _, f := range fs {
		if ignores && df.silenced(f) {
			continue
		}
		f.Envs = slices.Clone(envs)
		f.Related = append(f.Related, rel...)
		if gated && len(profiles) > 0 {
			f.Message += formatProfileNote([][]string{profiles})
		}
		out = append(out, f)
	}
	return out
}

// silenced reports whether a `# composure-ignore` comment silences f: one on
// the finding's line, or on the line before the instruction holding it.
func (df *Dockerfile) silenced(f diag.Finding) bool {
	l := f.Span.Start.Line
	lines := []int{l, l - 1}
	// the instruction holding the finding: the last one starting at or before it
	is := df.Instructions
	if i := sort.Search(len(is), func(i int) bool { return is[i].Start.Line > l }) - 1; i >= 0 && l <= is[i].LastLine {
		lines = append(lines, is[i].Start.Line-1)
	}
	for _, l := range lines {
		ids, _, _ := ignoreComment(df.LineText(l))
		for _, id := range ids {
			if silencedBy(id.id, f.Rule) {
				return true
			}
		}
	}
	return false
}
