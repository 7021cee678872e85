package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"gopkg.in/yaml.v3"
)

// MissingFile reports files and directories a project names that do not
// exist: env_file, secret and config files, build contexts and dockerfiles
// (relative to the project directory), extends and include files (relative
// to the file that names them).
type MissingFile struct{ RuleBase }

var _ Rule = (*MissingFile)(nil)

// NewMissingFile returns the missing-file rule.
func NewMissingFile() *MissingFile {
	return &MissingFile{RuleBase{Meta{ID: "missing-file", Summary: "env files, secrets, configs, build contexts, dockerfiles, extends and include files that do not exist",
		Severity: diag.Error, Scope: ScopeFile | ScopeEnv}}}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// VisitFile checks include and extends, which resolve against the file.
func (r *MissingFile) VisitFile(p *Pass, d *compose.Document) {
	if d.Path == "" {
		return
	}
	dir := filepath.Dir(d.Path)
	env := &Env{}
	check := func(n *yaml.Node, what string) {
		if !isScalar(n) {
			return
		}
		v, ok := env.Interpolate(n.Value)
		if !ok || v == "" || isRemote(v) || strings.HasPrefix(v, "oci:") {
			return
		}
		full := v
		if !filepath.IsAbs(full) {
			full = filepath.Join(dir, v)
		}
		if !exists(full) {
			p.Report(diag.Finding{Severity: p.meta.Severity, Span: NodeSpan(d, n), Message: fmt.Sprintf("%s %q does not exist", what, v)})
		}
	}
	for _, root := range d.Roots() {
		inc := get(d, root, "include")
		if inc == nil || inc.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range inc.Content {
			it = compose.Deref(it)
			switch it.Kind {
			case yaml.ScalarNode:
				check(it, "included file")
			case yaml.MappingNode:
				path := get(d, it, "path")
				if path != nil && path.Kind == yaml.SequenceNode {
					for _, x := range path.Content {
						check(x, "included file")
					}
				} else {
					check(path, "included file")
				}
			}
		}
	}
	for _, s := range p.run.services(d) {
		ext := get(d, s.Value, "extends")
		if f := get(d, ext, "file"); f != nil {
			check(f, "extends file")
		}
	}
}

// VisitEnv checks the paths of the effective config.
func (r *MissingFile) VisitEnv(p *Pass, e *Env) {
	// check reports the path at v (written at path) when it does not exist;
	// svc is the service naming it ("" for a top-level declaration).
	check := func(svc, path string, v any, what string, base string) {
		s, ok := e.Str(v)
		if !ok || s == "" || isRemote(s) {
			return
		}
		full := s
		if !filepath.IsAbs(full) && !strings.HasPrefix(full, "~") {
			full = filepath.Join(base, s)
		}
		if strings.HasPrefix(full, "~") || exists(full) {
			return
		}
		if sp, rel, ok := e.Span(path); ok {
			p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel, Message: fmt.Sprintf("%s %q does not exist", what, s)}, svc)
		}
	}
	for _, name := range e.ServiceNames() {
		svc := e.Service(name)
		p.Service(name, svc, "", func() {
			pre := svcPath(name)
			switch ef := svc["env_file"].(type) {
			case string:
				check(name, pre+".env_file", ef, "env file", e.Dir)
			case []any:
				for i, it := range ef {
					path := fmt.Sprintf("%s.env_file.%d", pre, i)
					if m, ok := it.(map[string]any); ok {
						if req, ok := e.Str(m["required"]); ok && req == "false" {
							continue
						}
						check(name, path+".path", m["path"], "env file", e.Dir)
						continue
					}
					check(name, path, it, "env file", e.Dir)
				}
			}
			if b, ok := svc["build"]; ok {
				ctx, df, local := buildPaths(e, svc)
				if !local {
					return
				}
				ctxPath := pre + ".build"
				if _, isMap := b.(map[string]any); isMap {
					ctxPath += ".context"
				}
				if !exists(ctx) {
					raw := b
					if m, isMap := b.(map[string]any); isMap {
						raw = m["context"]
					}
					check(name, ctxPath, raw, "build context", e.Dir)
					return
				}
				if df != "" {
					check(name, pre+".build.dockerfile", df, "dockerfile", ctx)
				}
			}
		})
	}
	for _, kind := range []string{"secrets", "configs"} {
		top := asMap(e.Tree()[kind])
		for _, name := range sortedKeys(top) {
			if f, ok := asMap(top[name])["file"]; ok {
				check("", kind+"."+name+".file", f, strings.TrimSuffix(kind, "s")+" file", e.Dir)
			}
		}
	}
}
