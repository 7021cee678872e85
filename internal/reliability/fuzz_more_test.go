package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/envdiff"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
	"github.com/composure-dev/composure/merge"
	"github.com/composure-dev/composure/refactor"
)

func TestMain(m *testing.M) {
	// compose-go warns through logrus' global logger; fuzzing would print
	// thousands of warnings.
	logrus.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// seedSources returns the seed files' contents (see seedFiles).
func seedSources(f *testing.F) [][]byte {
	var out [][]byte
	for _, p := range seedFiles(f) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, src)
	}
	return out
}

// decodeFile parses and decodes src as a file on its own; ok is false when
// it is not a usable compose file.
func decodeFile(name string, src []byte) (*compose.Document, map[string]any, bool) {
	d, err := compose.Parse(name, src)
	if err != nil || d.Root == nil {
		return nil, nil, false
	}
	v, err := d.Decode(d.Root, d.ExpansionBudget())
	if err != nil {
		return nil, nil, false
	}
	m, _ := plain(v).(map[string]any)
	return d, m, m != nil
}

// decodeDocuments is decodeFile for every YAML document of src, in order.
func decodeDocuments(name string, src []byte) (*compose.Document, []map[string]any, bool) {
	d, err := compose.Parse(name, src)
	if err != nil || d.Root == nil {
		return nil, nil, false
	}
	budget := d.ExpansionBudget()
	var out []map[string]any
	for _, root := range d.Roots() {
		v, err := d.Decode(root, budget)
		if err != nil {
			return nil, nil, false
		}
		m, _ := plain(v).(map[string]any)
		if m == nil {
			return nil, nil, false
		}
		out = append(out, m)
	}
	return d, out, true
}

// plain replaces the !reset and !override markers Decode leaves for the
// merge, which no effective config contains.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
		return x
	case compose.Reset:
		return nil
	case compose.Override:
		return plain(x.Value)
	}
	return v
}

func timed(t *testing.T, what string, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > fuzzTimeBound {
		t.Fatalf("%s took %v", what, d)
	}
}

// FuzzLint lints any file on its own (file rules and the file as an
// environment): no panic, bounded time, the same findings twice, findings
// inside the file, and fixes that apply.
func FuzzLint(f *testing.F) {
	for _, src := range seedSources(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		defer watchdog()()
		d, _, ok := decodeFile("compose.yaml", src)
		if !ok {
			return
		}
		var first []diag.Finding
		timed(t, "lint", func() {
			env := lint.FileEnv("default", "/nonexistent/project", d, nil)
			first = lint.Run(lint.Input{Files: []*compose.Document{d}, Envs: []*lint.Env{env}})
		})
		env := lint.FileEnv("default", "/nonexistent/project", d, nil)
		again := lint.Run(lint.Input{Files: []*compose.Document{d}, Envs: []*lint.Env{env}})
		if fmt.Sprint(first) != fmt.Sprint(again) {
			t.Fatalf("lint is not deterministic:\n%v\n%v", first, again)
		}
		for _, fd := range first {
			if fd.Span.File != "compose.yaml" {
				t.Fatalf("finding in file %q: %v", fd.Span.File, fd)
			}
			if fd.Span.Start.Line < 0 || fd.Span.Start.Line > d.Lines() {
				t.Fatalf("finding at line %d of %d: %v", fd.Span.Start.Line, d.Lines(), fd)
			}
			if strings.ContainsAny(fd.Message, "\n\r") {
				t.Fatalf("finding message spans lines: %q", fd.Message)
			}
			if fd.Fix != nil {
				if _, err := diag.Apply(d.Src, fd.Fix.Edits); err != nil {
					t.Fatalf("fix of %v does not apply: %v", fd, err)
				}
			}
		}
	})
}

// FuzzRefactor refactors any file: the result must parse and decode to
// the same configuration (new top-level x- blocks aside), or compose-go's
// proof must refuse it.
func FuzzRefactor(f *testing.F) {
	for _, src := range seedSources(f) {
		f.Add(src)
	}
	// a file of several YAML documents, duplicates in each
	block := "    image: app:1\n    restart: always\n    user: \"1000\"\n    init: true\n    working_dir: /app\n"
	f.Add([]byte("services:\n  a:\n" + block + "  b:\n" + block + "---\n# two\nservices:\n  a:\n    command: x\n  c:\n" + block + "  d:\n" + block))
	f.Fuzz(func(t *testing.T, src []byte) {
		defer watchdog()()
		d, before, ok := decodeDocuments("compose.yaml", src)
		if !ok {
			return
		}
		var r *refactor.Result
		var err error
		timed(t, "refactor", func() { r, err = refactor.Rewrite(d, refactor.Options{}) })
		if err != nil || !r.Changed() {
			return // refused, or nothing to fold
		}
		_, after, ok := decodeDocuments("compose.yaml", r.After)
		if !ok {
			_, perr := compose.Parse("compose.yaml", r.After)
			t.Fatalf("refactored file does not load: %v\n--- before\n%s\n--- after\n%s", perr, src, r.After)
		}
		// every YAML document means what it meant, the keys added aside
		for _, m := range append(slices.Clone(before), after...) {
			for _, k := range r.Added {
				delete(m, k)
			}
		}
		if fmt.Sprint(before) == fmt.Sprint(after) {
			return
		}
		// Different as decoded here: the proof through compose-go, which
		// the CLI runs before writing, must refuse it.
		dir := t.TempDir()
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := envs.Discover(envs.Options{Dir: dir, Files: []string{path}, Getenv: func(string) string { return "" }, Environ: []string{}})
		if err != nil {
			return // the original does not load: nothing to prove
		}
		if perr := refactor.Prove(context.Background(), p, p.Envs, r); perr == nil {
			t.Fatalf("refactor changed the configuration and the proof passed:\n--- before\n%v\n--- after\n%v\n--- file\n%s\n--- refactored\n%s", before, after, src, r.After)
		}
	})
}

// FuzzLoadEnv loads an environment of several files (base, override, .env)
// as docker compose would: no panic, bounded time, and an error is one line.
func FuzzLoadEnv(f *testing.F) {
	srcs := seedSources(f)
	for i, src := range srcs {
		if i%4 != 0 {
			continue // compose-go is slow: a quarter of the seeds
		}
		f.Add(src, srcs[(i+1)%len(srcs)], []byte("TAG=1.2\nPORT=8080\n"))
	}
	f.Add([]byte("services:\n  web:\n    image: nginx:${TAG:-latest}\n"), []byte("services:\n  web:\n    ports: [\"${PORT}:80\"]\n"), []byte("TAG=1.2\nPORT=8080\n"))
	f.Fuzz(func(t *testing.T, base, override, dotenv []byte) {
		defer watchdog()()
		dir := t.TempDir()
		for name, b := range map[string][]byte{"compose.yaml": base, "compose.override.yaml": override, ".env": dotenv} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		timed(t, "load", func() {
			p, err := envs.Discover(envs.Options{Dir: dir, Getenv: func(string) string { return "" }, Environ: []string{}})
			if err != nil {
				checkOneLine(t, err)
				return
			}
			cache := compose.NewCache()
			for _, e := range p.Envs {
				l, err := p.Load(context.Background(), e, cache, envs.LoadOptions{})
				if err != nil {
					checkOneLine(t, err)
					continue
				}
				if l.Model == nil {
					t.Fatalf("environment %s loaded without a model", e.Name)
				}
			}
		})
	})
}

func checkOneLine(t *testing.T, err error) {
	t.Helper()
	var list compose.ErrorList
	if errors.As(err, &list) {
		// several problems reported at once: one line each, each placed
		for _, e := range list {
			checkOneLine(t, e)
		}
		return
	}
	msg := err.Error()
	if msg == "" || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error is not one line: %q", msg)
	}
	var ce *compose.Error
	if errors.As(err, &ce) && ce.File == "" {
		t.Fatalf("located error names no file: %q", msg)
	}
}

// FuzzDiff compares the configurations of two files: no panic, bounded
// time, nothing differs from itself, and from→to mirrors to→from.
func FuzzDiff(f *testing.F) {
	srcs := seedSources(f)
	for i, src := range srcs {
		f.Add(src, srcs[(i+7)%len(srcs)])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		defer watchdog()()
		da, ma, ok := decodeFile("a.yaml", a)
		if !ok {
			return
		}
		db, mb, ok := decodeFile("b.yaml", b)
		if !ok {
			return
		}
		side := func(name string, d *compose.Document, m map[string]any) envdiff.Side {
			return envdiff.Side{Name: name, Model: m, Origin: func(path string) (merge.Origin, bool) {
				n, e, ok := d.Lookup(path)
				if !ok {
					return merge.Origin{}, false
				}
				if e.Key != nil {
					return merge.Origin{Location: d.Loc(e.Key)}, true
				}
				return merge.Origin{Location: d.Loc(n)}, true
			}}
		}
		A, B := side("a", da, ma), side("b", db, mb)
		timed(t, "diff", func() {
			if r := envdiff.Compare(A, A); !r.Empty() {
				t.Fatalf("a file differs from itself: %v", r.Changes)
			}
			ab, ba := envdiff.Compare(A, B), envdiff.Compare(B, A)
			a1, r1, c1 := ab.Counts()
			a2, r2, c2 := ba.Counts()
			if a1 != r2 || r1 != a2 || c1 != c2 {
				t.Fatalf("a→b (+%d -%d ~%d) does not mirror b→a (+%d -%d ~%d)", a1, r1, c1, a2, r2, c2)
			}
			for _, w := range []envdiff.ReportWriter{
				envdiff.TextReport{Reports: []envdiff.Report{ab}},
				envdiff.JSONReport{Reports: []envdiff.Report{ab}},
				envdiff.MarkdownReport{Reports: []envdiff.Report{ab}},
				envdiff.GitHubReport{Reports: []envdiff.Report{ab}},
			} {
				if err := w.WriteReport(&bytes.Buffer{}); err != nil {
					t.Fatalf("%T: %v", w, err)
				}
			}
		})
	})
}
