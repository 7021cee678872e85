// Package redact is composure's one policy for secrets: what --redact hides
// in every output that prints values (config in YAML and JSON, with or
// without --origin; diff in every format; config --variables), and what
// lint's hardcoded-secret reports. docs/redaction.md states the policy and
// what it cannot know.
//
// A value is secret by its name (the environment variable, label, build
// arg, option or extension key it is the value of: DB_PASS, API_KEY,
// --password), by its shape (a URL's password, NAME=VALUE pairs with a
// secret NAME, an Authorization header, a private key, a token of a
// well-known shape), by where it stands (the content of a secret), or by
// where it came from (a variable with a secret name interpolated into it,
// which Sources tells). Names are read word by word: KEY is secret in
// API_KEY, not in MONKEY or KEYBOARD_LAYOUT; PASSWORD_MIN_LENGTH and
// TOKEN_TTL describe a secret without holding one.
//
// Redaction works on what is printed: the printed document is parsed,
// secret scalars are replaced in place (YAML, JSON), and every other byte
// stays as it was, so it works whatever produced the config.
package redact

import (
	"strings"
)

// Mask replaces every hidden value, or hidden part of a value.
const Mask = "***"

// Policy decides what is secret. Use New.
type Policy struct {
	extra []string // upper case, matched as substrings of names
}

// New returns the policy, with extra name fragments (composure.yaml
// `redact:`, hardcoded-secret's `patterns`) that make any name containing
// them secret, case-insensitively.
func New(extra ...string) *Policy {
	p := &Policy{}
	for _, e := range extra {
		if e = strings.ToUpper(strings.TrimSpace(e)); e != "" {
			p.extra = append(p.extra, e)
		}
	}
	return p
}

// name reads a name with the extra fragments.
func (p *Policy) name(name string) nameInfo {
	info := classifyName(name)
	if !info.secret && len(p.extra) > 0 {
		u := strings.ToUpper(name)
		for _, e := range p.extra {
			if strings.Contains(u, e) {
				return nameInfo{secret: true}
			}
		}
	}
	return info
}

// SecretName reports whether a variable, label, arg or option called name
// holds a secret.
func (p *Policy) SecretName(name string) bool { return p.name(name).secret }

// SecretValue reports whether value, given to something called name, is a
// secret because of its name: the name is secret and the value is not a
// switch (true, yes, 0 and 1 for ALLOW_EMPTY_PASSWORD...), a variable
// reference or the path of a mounted secret (/run/secrets/...).
func (p *Policy) SecretValue(name, value string) bool {
	info := p.name(name)
	return info.secret && !exempt(info, value)
}

// context says how the values under a path of a compose model are read.
type context int

const (
	ctxText    context = iota // free text: Text
	ctxNamed                  // a mapping of named values (environment, labels...): Named
	ctxArgs                   // a command: Args
	ctxContent                // a file's content: Content
	ctxHidden                 // a secret's content: hidden whole
	ctxTree                   // an extension (x-...): every key names its value, at any depth
)

// contextOf says how to read the value at path (mapping keys; list items
// are named by anything, their index or identity) of a compose model.
func contextOf(path []string) context {
	n := len(path)
	if n == 0 {
		return ctxText
	}
	if strings.HasPrefix(path[0], "x-") {
		return ctxTree
	}
	switch path[0] {
	case "services":
		if n < 3 {
			return ctxText
		}
		if strings.HasPrefix(path[2], "x-") {
			return ctxTree
		}
		switch n {
		case 3:
			switch path[2] {
			case "environment", "labels", "annotations":
				return ctxNamed
			case "command", "entrypoint":
				return ctxArgs
			}
		case 4:
			switch {
			case path[2] == "build" && (path[3] == "args" || path[3] == "labels"):
				return ctxNamed
			case path[2] == "deploy" && path[3] == "labels":
				return ctxNamed
			case path[2] == "healthcheck" && path[3] == "test":
				return ctxArgs
			}
		case 5:
			// hooks: services.*.post_start.<item>.environment
			if path[2] == "post_start" || path[2] == "pre_stop" || path[2] == "pre_start" {
				switch path[4] {
				case "environment", "labels":
					return ctxNamed
				case "command":
					return ctxArgs
				}
			}
		}
	case "secrets":
		if n == 3 && path[2] == "content" {
			return ctxHidden
		}
		if n == 3 && path[2] == "labels" {
			return ctxNamed
		}
	case "configs":
		if n == 3 && path[2] == "content" {
			return ctxContent
		}
		if n == 3 && path[2] == "labels" {
			return ctxNamed
		}
	case "networks", "volumes":
		if n == 3 && (path[2] == "labels" || path[2] == "driver_opts") {
			return ctxNamed
		}
		if n == 4 && path[0] == "networks" && path[2] == "ipam" && path[3] == "options" {
			return ctxNamed
		}
	}
	return ctxText
}

// Value returns a copy of v, a value of a compose model in its Go shape
// (map[string]any, []any, strings and other scalars) found at path, with
// every secret hidden; sources, if not nil, tells which strings variables
// with secret names were interpolated into (path of the value as given,
// then keys and list indices below it). v itself is not modified.
func (p *Policy) Value(path []string, v any, sources Sources) any {
	w := &valueWalker{p: p, src: sources}
	if sources != nil {
		w.vars = p.secretVars(sources)
	}
	ctx, name := contextAt(path)
	return w.value(append([]string(nil), path...), v, ctx, name)
}

// contextAt is contextOf for a value that may stand inside a mapping of
// named values, an extension or a command (a diff reports the value of
// services.web.environment.DB_PASS alone): the context it is read in, and
// its name when its parent names it.
func contextAt(path []string) (context, string) {
	for i := 1; i < len(path); i++ {
		switch contextOf(path[:i]) {
		case ctxTree:
			return ctxTree, path[len(path)-1]
		case ctxNamed:
			if i == len(path)-1 {
				return ctxText, path[i]
			}
		case ctxArgs:
			if i == len(path)-1 {
				return ctxArgs, ""
			}
		}
	}
	return contextOf(path), ""
}

type valueWalker struct {
	p    *Policy
	src  Sources
	vars []Var // the secret variables of src
}

// value walks v at path in context ctx; name is the key v is the value of
// in a named mapping.
func (w *valueWalker) value(path []string, v any, ctx context, name string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			p := append(path[:len(path):len(path)], k)
			c := ctx
			if ctx == ctxText {
				c = contextOf(p)
			}
			n := ""
			if ctx == ctxNamed || ctx == ctxTree || c == ctxTree {
				n = k
			}
			if ctx == ctxNamed {
				c = ctxText
			}
			out[k] = w.value(p, e, c, n)
		}
		return out
	case []any:
		out := make([]any, len(x))
		if ctx == ctxArgs {
			args := make([]string, len(x))
			all := true
			for i, e := range x {
				s, ok := e.(string)
				args[i], all = s, all && ok
			}
			if all {
				secrets := w.p.Args(args)
				for i, s := range args {
					out[i] = w.string(append(path[:len(path):len(path)], itoa(i)), s, secrets[i])
				}
				return out
			}
		}
		c := ctx
		if ctx == ctxNamed {
			c = ctxText // NAME=VALUE items: Text reads the pairs
		}
		for i, e := range x {
			out[i] = w.value(append(path[:len(path):len(path)], itoa(i)), e, c, "")
		}
		return out
	case string:
		return w.string(path, x, w.p.secretsIn(ctx, name, x))
	case nil:
		return nil
	default:
		// numbers and booleans: hidden when their name is secret
		// (x-secrets: {pin: 1234})
		if name != "" && ctx != ctxArgs {
			s := scalarString(x)
			if w.p.SecretValue(name, s) {
				return Mask
			}
		}
		if ctx == ctxHidden {
			return Mask
		}
		return v
	}
}

// string hides the secrets of s found by the policy, and what sources say
// was interpolated from a secret variable.
func (w *valueWalker) string(path []string, s string, secrets []Secret) any {
	if len(w.vars) > 0 {
		secrets = w.p.interpolated(secrets, w.vars, w.src, path, s)
	}
	return Hide(s, secrets)
}

// secretsIn returns the secrets of the string s at a path read in ctx,
// where name is the key it is the value of in a named mapping.
func (p *Policy) secretsIn(ctx context, name, s string) []Secret {
	switch ctx {
	case ctxHidden:
		if s == "" {
			return nil
		}
		return []Secret{{Start: 0, End: len(s), What: "a secret's content"}}
	case ctxContent:
		return p.Content(s)
	case ctxArgs:
		return p.Args([]string{s})[0]
	}
	if name != "" {
		return p.Named(name, s)
	}
	return p.Text(s)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
