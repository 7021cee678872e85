package envs

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
)

// ConfigFileNames are the project files composure reads its own settings
// from, in order of preference.
var ConfigFileNames = []string{"composure.yaml", ".composure.yaml"}

// Config is the content of a project's composure.yaml. Every key is checked:
// a misspelt key is an error with its position, never silently ignored.
type Config struct {
	// Path is the absolute name of the file.
	Path string
	// Doc is the parsed file, for positions.
	Doc *compose.Document
	// Environments are the declared environments, in the order written.
	// When there are any, they replace discovery.
	Environments []EnvConfig
	// Rules holds the lint settings (`rules:` rule ID -> setting), in the
	// order written. The lint package gives the values their meaning.
	Rules []RuleSetting
	// Redact lists extra name patterns (case-insensitive substrings) whose
	// values `--redact` hides, on top of the built-in ones.
	Redact []string
}

// EnvConfig is one environment declared in composure.yaml.
type EnvConfig struct {
	Name        string
	Files       []string // as written, relative to the project directory
	EnvFiles    []string
	Profiles    []string
	ProjectName string
	Loc         compose.Location // where the name is written
}

// RuleSetting is one entry of `rules:`; Value is the node as written, for
// the lint package to decode and to report positions in.
type RuleSetting struct {
	ID    string
	Value *yaml.Node
	Loc   compose.Location
}

var (
	configKeys = []string{"environments", "rules", "redact"}
	envKeys    = []string{"files", "env_files", "profiles", "project_name"}
)

// findConfig returns the path of the project's composure.yaml in fsys, or "".
func findConfig(fsys compose.FS, dir string) string {
	for _, n := range ConfigFileNames {
		p := filepath.Join(dir, n)
		if st, err := fsys.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// ReadConfig reads and checks a composure.yaml on the disk; name is what
// messages call it.
func ReadConfig(path, name string) (*Config, error) { return readConfig(compose.OS{}, path, name) }

// readConfig is ReadConfig in fsys.
func readConfig(fsys compose.FS, path, name string) (*Config, error) {
	src, err := compose.ReadBoundedFS(fsys, path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &compose.Error{Location: compose.Location{File: name}, Msg: "file not found", Err: err}
		}
		if errors.Is(err, compose.ErrNotRegular) {
			return nil, &compose.Error{Location: compose.Location{File: name}, Msg: "is not a regular file (reading a FIFO or a device may never end): make it a file", Err: err}
		}
		return nil, &compose.Error{Location: compose.Location{File: name}, Msg: fmt.Sprintf("cannot read file: %v", err), Err: err}
	}
	c, err := ParseConfig(name, src)
	if err != nil {
		return nil, err
	}
	c.Path = path
	c.Doc.Path = path
	return c, nil
}

// ParseConfig parses the content of a composure.yaml called name.
func ParseConfig(name string, src []byte) (*Config, error) {
	d, err := compose.Parse(name, src)
	if err != nil {
		return nil, err
	}
	c := &Config{Doc: d}
	if d.Root == nil {
		return c, nil
	}
	es, err := d.Entries(d.Root, d.ExpansionBudget())
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		switch e.Key.Value {
		case "environments":
			if err := c.parseEnvironments(d, e.Value); err != nil {
				return nil, err
			}
		case "rules":
			if e.Value.Kind != yaml.MappingNode {
				if isNullNode(e.Value) {
					continue
				}
				return nil, d.Errorf(e.Value, "%q must be a mapping of rule IDs to settings", "rules")
			}
			rs, err := d.Entries(e.Value, nil)
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				c.Rules = append(c.Rules, RuleSetting{ID: r.Key.Value, Value: r.Value, Loc: d.Loc(r.Key)})
			}
		case "redact":
			l, err := stringList(d, e.Value, "redact")
			if err != nil {
				return nil, err
			}
			c.Redact = l
		default:
			return nil, unknownKey(d, e.Key, "composure.yaml", configKeys)
		}
	}
	return c, nil
}

func (c *Config) parseEnvironments(d *compose.Document, n *yaml.Node) error {
	if isNullNode(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.Errorf(n, "%q must be a mapping of environment names to their files", "environments")
	}
	es, err := d.Entries(n, nil)
	if err != nil {
		return err
	}
	for _, e := range es {
		name := e.Key.Value
		if name == "" || strings.ContainsAny(name, " \t/\\") {
			return d.Errorf(e.Key, "environment name %q is invalid: use letters, digits, '-' and '_'", name)
		}
		if strings.HasPrefix(name, "-") {
			return d.Errorf(e.Key, "environment name %q would read as a flag on the command line: start it with a letter, a digit or '_'", name)
		}
		ec := EnvConfig{Name: name, Loc: d.Loc(e.Key)}
		v := e.Value
		switch v.Kind {
		case yaml.SequenceNode:
			// Short form: name: [files...].
			if ec.Files, err = stringList(d, v, "files"); err != nil {
				return err
			}
		case yaml.MappingNode:
			fs, err := d.Entries(v, nil)
			if err != nil {
				return err
			}
			for _, f := range fs {
				switch f.Key.Value {
				case "files":
					ec.Files, err = stringList(d, f.Value, "files")
				case "env_files":
					ec.EnvFiles, err = stringList(d, f.Value, "env_files")
				case "profiles":
					ec.Profiles, err = stringList(d, f.Value, "profiles")
				case "project_name":
					if f.Value.Kind != yaml.ScalarNode {
						return d.Errorf(f.Value, "%q must be a string", "project_name")
					}
					ec.ProjectName = f.Value.Value
				default:
					return unknownKey(d, f.Key, "environment "+fmt.Sprintf("%q", name), envKeys)
				}
				if err != nil {
					return err
				}
			}
		default:
			return d.Errorf(v, "environment %q must be a list of files or a mapping with %q", name, "files")
		}
		if len(ec.Files) == 0 {
			return d.Errorf(e.Key, "environment %q lists no files: add `files: [compose.yaml, ...]`", name)
		}
		c.Environments = append(c.Environments, ec)
	}
	return nil
}

func unknownKey(d *compose.Document, k *yaml.Node, where string, known []string) error {
	return d.Errorf(k, "unknown key %q in %s: expected one of %s", k.Value, where, quoteList(known))
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// stringList accepts a string or a list of strings.
func stringList(d *compose.Document, n *yaml.Node, key string) ([]string, error) {
	n = compose.Deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if isNullNode(n) {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			c = compose.Deref(c)
			if c.Kind != yaml.ScalarNode || isNullNode(c) {
				return nil, d.Errorf(c, "%q must be a list of strings", key)
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, d.Errorf(n, "%q must be a list of strings", key)
}

func isNullNode(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}
