package redact

import (
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/template"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
)

// MergeSources is the loader's side of Sources for an environment that
// composure merged: m gives, for each path of the printed config, where
// its value was written (merge.Result keeps every value's position, an
// anchor's text for a value merged through an alias, the nearest written
// ancestor for what normalization expanded, such as a short port syntax);
// docs are the environment's files, whose scalar written there is the
// value's text before interpolation; env holds the variables
// interpolation used. Files reached through include and extends are not
// among docs: values written there are not traced (docs/redaction.md).
func MergeSources(m *merge.Result, docs []*compose.Document, env map[string]string) Sources {
	return &mergeSources{m: m, docs: docs, env: env, byFile: map[string]map[compose.Pos]*yaml.Node{}, vars: map[string][]template.Variable{}}
}

type mergeSources struct {
	m    *merge.Result
	docs []*compose.Document
	env  map[string]string

	varsOnce sync.Once
	allVars  []Var

	mu sync.Mutex
	// byFile indexes, per file, its scalars that reference a variable by
	// position, built on first use.
	byFile map[string]map[compose.Pos]*yaml.Node
	// vars caches the variables of each distinct template (the same
	// `${TAG:-latest}` recurs in every service).
	vars map[string][]template.Variable
}

// templateVars returns the variables a scalar's text references.
func (s *mergeSources) templateVars(text string) []template.Variable {
	if v, ok := s.vars[text]; ok {
		return v
	}
	found := template.ExtractVariables(map[string]any{"": text}, template.DefaultPattern)
	out := make([]template.Variable, 0, len(found))
	for _, v := range found {
		out = append(out, v)
	}
	s.vars[text] = out
	return out
}

// eachTemplate calls f with every scalar of d that references a variable.
func eachTemplate(d *compose.Document, f func(n *yaml.Node)) {
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			if strings.IndexByte(n.Value, '$') >= 0 {
				f(n)
			}
		case yaml.MappingNode, yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(d.Root)
	for _, x := range d.Extra {
		walk(x)
	}
}

// Vars returns every variable the files reference, with the text its
// references put into the config: its value, or the reference's default
// when it is unset or empty. Computed once (a diff asks for every change).
func (s *mergeSources) Vars() []Var {
	s.varsOnce.Do(func() { s.allVars = s.collectVars() })
	return s.allVars
}

func (s *mergeSources) collectVars() []Var {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[Var]bool{}
	var out []Var
	for _, d := range s.docs {
		eachTemplate(d, func(n *yaml.Node) {
			for _, v := range s.templateVars(n.Value) {
				text := s.env[v.Name]
				if text == "" {
					text = v.DefaultValue
				}
				x := Var{Name: v.Name, Value: text}
				if text != "" && !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
		})
	}
	return out
}

// From returns the variables the scalar written at path's origin
// references. A path merge.Result.Describe calls a default (a value
// normalization added or copied, such as a service's environment in its
// hooks) or whose file is not among docs is unknown.
func (s *mergeSources) From(path []string) ([]string, bool) {
	p := compose.JoinPath(path)
	if s.m.Describe(p) == "default" {
		return nil, false
	}
	o, ok := s.m.Origin(p)
	if !ok || o.Default || !o.IsValid() {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, ok := s.byFile[o.File]
	if !ok {
		for _, d := range s.docs {
			if d.Name == o.File {
				idx = map[compose.Pos]*yaml.Node{}
				eachTemplate(d, func(n *yaml.Node) { idx[compose.Pos{Line: n.Line, Col: n.Column}] = n })
				break
			}
		}
		s.byFile[o.File] = idx
	}
	if idx == nil {
		return nil, false // a file of include or extends
	}
	n := idx[o.Pos]
	if n == nil {
		return nil, true
	}
	var names []string
	for _, v := range s.templateVars(n.Value) {
		names = append(names, v.Name)
	}
	return names, true
}
