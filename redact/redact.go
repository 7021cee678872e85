// Package redact hides secrets in compose configurations before they are
// printed: values of environment variables, build args, labels and secrets
// whose names look secret, and passwords inside URLs. config, diff and lint
// share it so a production config can go to a CI log.
package redact

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mask replaces every hidden value.
const Mask = "***"

// DefaultPatterns are the name fragments that mark a value as secret,
// matched case-insensitively anywhere in the name.
var DefaultPatterns = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE"}

// Redactor decides what to hide. The zero value hides nothing by name but
// still masks URL passwords; use New.
type Redactor struct {
	patterns []string // upper case
}

// New returns a Redactor for DefaultPatterns plus extra (composure.yaml
// `redact:`).
func New(extra ...string) *Redactor {
	r := &Redactor{}
	for _, p := range append(append([]string(nil), DefaultPatterns...), extra...) {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			r.patterns = append(r.patterns, p)
		}
	}
	return r
}

// SecretName reports whether a variable, arg or label called name holds a
// secret.
func (r *Redactor) SecretName(name string) bool {
	u := strings.ToUpper(name)
	for _, p := range r.patterns {
		if strings.Contains(u, p) {
			return true
		}
	}
	return false
}

// Value returns value as it may be shown for name: Mask when the name looks
// secret, otherwise value with URL passwords masked.
func (r *Redactor) Value(name, value string) string {
	if r.SecretName(name) && value != "" {
		return Mask
	}
	return URLs(value)
}

// urlRE finds URLs with a user:password part.
var urlRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:'"]*:[^\s/@'"]*@`)

// URLs masks the password of every URL in s
// ("postgres://app:s3cret@db/app" -> "postgres://app:***@db/app").
func URLs(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlRE.ReplaceAllStringFunc(s, func(m string) string {
		scheme, rest, _ := strings.Cut(m, "://")
		user, _, _ := strings.Cut(strings.TrimSuffix(rest, "@"), ":")
		return scheme + "://" + user + ":" + Mask + "@"
	})
}

// Node masks secrets in place in a compose model given as a YAML node tree
// (the effective config as printed, or a compose file): mappings and
// KEY=VALUE lists under services.*.environment, services.*.build.args,
// services.*.labels (and the same in pre_start hooks), the content of
// top-level secrets, and URL passwords in every string.
func (r *Redactor) Node(root *yaml.Node) {
	if root == nil {
		return
	}
	if root.Kind == yaml.DocumentNode {
		for _, c := range root.Content {
			r.Node(c)
		}
		return
	}
	r.walk(root, nil)
}

// what a value under path holds
type kind int

const (
	plain   kind = iota
	named        // a mapping or KEY=VALUE list of named values
	content      // a secret's content: always hidden
)

func classify(path []string) kind {
	n := len(path)
	switch {
	case n == 3 && path[0] == "services" && (path[2] == "environment" || path[2] == "labels"):
		return named
	case n == 4 && path[0] == "services" && path[2] == "build" && path[3] == "args":
		return named
	case n == 5 && path[0] == "services" && path[2] == "pre_start" && (path[4] == "environment" || path[4] == "labels"):
		return named
	case n == 3 && path[0] == "secrets" && path[2] == "content":
		return content
	}
	return plain
}

func (r *Redactor) walk(n *yaml.Node, path []string) {
	switch classify(path) {
	case named:
		r.named(n)
		return
	case content:
		if n.Kind == yaml.ScalarNode && n.Value != "" {
			mask(n)
		}
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			r.walk(n.Content[i+1], append(path, n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			r.walk(c, append(path, strconv.Itoa(i)))
		}
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" {
			if v := URLs(n.Value); v != n.Value {
				n.Value = v
			}
		}
	}
}

// named masks the values of a mapping or a KEY=VALUE list by their names.
func (r *Redactor) named(n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
				continue
			}
			if nv := r.Value(k.Value, v.Value); nv != v.Value {
				if nv == Mask {
					mask(v)
				} else {
					v.Value = nv
				}
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				continue
			}
			k, v, ok := strings.Cut(c.Value, "=")
			if !ok {
				continue
			}
			if nv := r.Value(k, v); nv != v {
				c.Value = k + "=" + nv
			}
		}
	}
}

// mask replaces a scalar by Mask, as a string whatever it was.
func mask(n *yaml.Node) {
	n.Value = Mask
	n.Tag = "!!str"
	if n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle {
		n.Style = 0
	}
}
