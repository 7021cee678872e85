package lint

import (
	"github.com/composure-dev/composure/compose"
	"gopkg.in/yaml.v3"
)

// Rules returns fresh instances of every rule, in documentation order. Rules
// may keep state during a run, so each run takes new ones.
func Rules() []Rule {
	return []Rule{
		NewDependsOnHealthcheck(),
		NewRestartPolicy(),
		NewImageTag(),
		NewDuplicateService(),
		NewUnknownKey(),
		NewObsoleteVersion(),
		NewPortConflict(),
		NewUndefinedVariable(),
		NewMissingFile(),
		NewUndeclaredResource(),
		NewDockerignore(),
		NewYAMLAnchors(),
		NewUnquotedPort(),
		NewContainerNameConflict(),
		NewPrivileged(),
		NewHostAccess(),
		NewHardcodedSecret(),
		NewNoNewPrivileges(),
		NewCapDropAll(),
		NewReadOnly(),
		NewNonRootUser(),
		NewTmpfsExec(),
		NewMountPropagation(),
		NewPortAllInterfaces(),
		NewResourceLimits(),
		NewLoggingDisabled(),
		NewEnvDuplicate(),
		NewQuotedValue(),
		NewCommandShellSyntax(),
		NewEmptyOverride(),
		NewPortOverride(),
		NewIgnoreComment(),
		NewLoadError(),
		NewDockerfileFromPinned(),
		NewDockerfileUnpinnedDependencies(),
		NewDockerfileRunChain(),
		NewDockerfileCacheCleanup(),
		NewDockerfileCopyOrder(),
		NewDockerfileRootUser(),
		NewDockerfileMultiStage(),
		NewDockerfileSlimBase(),
		NewDockerfileShellcheck(),
	}
}

// Lookup returns a fresh instance of the rule called id.
func Lookup(id string) (Rule, bool) {
	for _, r := range Rules() {
		if r.Meta().ID == id {
			return r, true
		}
	}
	return nil, false
}

// IDs returns every rule ID.
func IDs() []string {
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.Meta().ID)
	}
	return ids
}

// service is one service of a file as written.
type service struct {
	Name  string
	Key   *yaml.Node
	Value *yaml.Node // mapping (aliases followed), may be null
	Entry compose.Entry
}

// fileServices returns the services of every YAML document of d, in file
// order (merge keys applied to each `services` mapping itself): docker
// compose merges the documents after a `---` in order, so each is checked
// as written.
func fileServices(d *compose.Document) []service {
	var out []service
	for _, root := range d.Roots() {
		out = append(out, rootServices(d, root)...)
	}
	return out
}

// eachLaterService calls visit with each service written where docker
// compose merges it over what is written before: in the YAML documents of
// e after its first file's first one (later files, later documents), and
// in the first one when the service extends another.
func eachLaterService(e *Env, visit func(d *compose.Document, s service)) {
	first := true
	for _, d := range e.Docs {
		for _, root := range d.Roots() {
			for _, s := range rootServices(d, root) {
				if _, extends := d.Get(s.Value, "extends"); !first || extends {
					visit(d, s)
				}
			}
			first = false
		}
	}
}

// rootServices returns the services of one YAML document of d (its root
// mapping).
func rootServices(d *compose.Document, root *yaml.Node) []service {
	e, ok := d.Get(root, "services")
	if !ok {
		return nil
	}
	es, err := d.Entries(e.Value, d.ExpansionBudget())
	if err != nil {
		return nil
	}
	out := make([]service, 0, len(es))
	for _, s := range es {
		out = append(out, service{Name: s.Key.Value, Key: s.Key, Value: s.Value, Entry: s})
	}
	return out
}

// get returns the value of key in mapping m of d, or nil.
func get(d *compose.Document, m *yaml.Node, key string) *yaml.Node {
	if m == nil || compose.Deref(m).Kind != yaml.MappingNode {
		return nil
	}
	e, ok := d.Get(m, key)
	if !ok {
		return nil
	}
	return e.Value
}

// getEntry returns the entry of key in mapping m of d.
func getEntry(d *compose.Document, m *yaml.Node, key string) (compose.Entry, bool) {
	if m == nil || compose.Deref(m).Kind != yaml.MappingNode {
		return compose.Entry{}, false
	}
	return d.Get(m, key)
}

// isScalar reports whether n is a scalar that is not null.
func isScalar(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null"
}

// asMap and asSlice read decoded values.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
