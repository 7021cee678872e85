package lint

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// lintDockerfile lints the Dockerfile at path on its own (as named on the
// command line) with every Dockerfile rule, ShellCheck included when it is
// on PATH.
func lintDockerfile(t testing.TB, path string) ([]diag.Finding, *Dockerfile) {
	return lintDockerfileWith(t, path, true)
}

// lintDockerfileWith is lintDockerfile; shellcheck false leaves ShellCheck
// out, for goldens that must not depend on the machine.
func lintDockerfileWith(t testing.TB, path string, shellcheck bool) ([]diag.Finding, *Dockerfile) {
	t.Helper()
	df, fe, err := LoadDockerfile(path, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	if fe != nil {
		return []diag.Finding{*fe}, nil
	}
	rules := Rules()
	if sc, err := exec.LookPath("shellcheck"); err == nil && shellcheck {
		UseShellChecker(rules, dockerfile.ShellCheck{Path: sc})
	}
	return Run(Input{Dockerfiles: []*Dockerfile{df}, Rules: rules}), df
}

// haveShellcheck reports whether shellcheck is on PATH: the
// dockerfile-shellcheck cases run only then.
func haveShellcheck() bool {
	_, err := exec.LookPath("shellcheck")
	return err == nil
}

// TestDockerfileGolden lints testdata/<rule>/<case>.Dockerfile and compares
// the rule's findings with <case>.out; when findings carry fixes, the fixed
// file is compared with <case>.fixed. Every Dockerfile rule has a good and a
// bad case.
func TestDockerfileGolden(t *testing.T) {
	for _, id := range IDs() {
		if ruleByID(id).Meta().Scope != ScopeDockerfile {
			continue
		}
		if id == "dockerfile-shellcheck" && !haveShellcheck() {
			t.Logf("shellcheck is not on PATH: %s cases skipped", id)
			continue
		}
		cases, _ := filepath.Glob(filepath.Join("testdata", id, "*.Dockerfile"))
		if len(cases) < 2 {
			t.Errorf("rule %s: want at least a good and a bad case in testdata/%s, have %d", id, id, len(cases))
		}
		for _, c := range cases {
			name := strings.TrimSuffix(filepath.Base(c), ".Dockerfile")
			t.Run(id+"/"+name, func(t *testing.T) {
				fs, df := lintDockerfile(t, c)
				fs = slices.DeleteFunc(fs, func(f diag.Finding) bool { return f.Rule != id })
				golden(t, strings.TrimSuffix(c, ".Dockerfile")+".out", render(fs))
				if strings.HasPrefix(name, "good") && len(fs) > 0 {
					t.Errorf("good case has findings:\n%s", render(fs))
				}
				if strings.HasPrefix(name, "bad") && len(fs) == 0 {
					t.Errorf("bad case has no findings")
				}
				var edits []diag.TextEdit
				for _, f := range fs {
					if f.Fix != nil {
						edits = append(edits, f.Fix.Edits...)
					}
				}
				if len(edits) == 0 || df == nil {
					return
				}
				out, err := diag.Apply(df.Src, edits)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, strings.TrimSuffix(c, ".Dockerfile")+".fixed", string(out))
				// The fixed file parses and the rule is satisfied.
				tmp := filepath.Join(t.TempDir(), "Dockerfile")
				if err := os.WriteFile(tmp, out, 0o644); err != nil {
					t.Fatal(err)
				}
				again, _ := lintDockerfile(t, tmp)
				for _, f := range again {
					if f.Rule == id && f.Fix != nil || f.Rule == "load-error" {
						t.Errorf("after the fix: %s", f)
					}
				}
			})
		}
	}
}

// golden compares got with the file at path (rewritten with -update).
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// TestDockerfileHealthcheck checks the HEALTHCHECK depends-on-healthcheck
// reads from a dependency's Dockerfile: continuation lines, NONE, the build
// target's stage and the stages it is built from, dockerfile_inline.
func TestDockerfileHealthcheck(t *testing.T) {
	const multi = "FROM alpine:3.19.1 AS base\nHEALTHCHECK --interval=5s \\\n  CMD wget -q -O- http://localhost/ || exit 1\n\nFROM base AS app\nUSER nobody\n\nFROM alpine:3.19.1 AS tools\nHEALTHCHECK NONE\n"
	for _, c := range []struct {
		name, build string
		want        bool
	}{
		{"final stage without one", "{context: ., dockerfile: multi.Dockerfile}", false},
		{"target inherits from its base stage", "{context: ., dockerfile: multi.Dockerfile, target: app}", true},
		{"target base declares it", "{context: ., dockerfile: multi.Dockerfile, target: base}", true},
		{"no Dockerfile", "{context: ., dockerfile: missing.Dockerfile}", false},
		{"inline", "{context: ., dockerfile_inline: \"FROM alpine:3.19.1\\nHEALTHCHECK CMD true\\n\"}", true},
		{"inline NONE", "{context: ., dockerfile_inline: \"FROM alpine:3.19.1\\nHEALTHCHECK NONE\\n\"}", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "multi.Dockerfile"), []byte(multi), 0o644); err != nil {
				t.Fatal(err)
			}
			src := "services:\n  db:\n    build: " + c.build + "\n"
			d, err := compose.Parse("compose.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			e := FileEnv("default", dir, d, nil)
			if got := DockerfileHealthcheck(e, e.Service("db")); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestDockerfileGuideExamples lints the guide's own Dockerfiles with every
// rule: the "before" (examples/guide: poetry and compilers in the only
// stage, COPY . . before the install) and the multi-stage "after"
// (examples/blog/app), which must be clean of best practices 5 and 8 (and
// is clean of all).
func TestDockerfileGuideExamples(t *testing.T) {
	for _, c := range []struct{ name, path string }{
		{"guide", "../examples/guide/Dockerfile"},
		{"blog", "../examples/blog/app/Dockerfile"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := lintDockerfileWith(t, c.path, false)
			golden(t, filepath.Join("testdata", "dockerfile-examples", c.name+".out"), render(fs))
			rules := map[string]bool{}
			for _, f := range fs {
				rules[f.Rule] = true
			}
			switch c.name {
			case "guide":
				for _, id := range []string{"dockerfile-from-pinned", "dockerfile-unpinned-dependencies", "dockerfile-run-chain", "dockerfile-cache-cleanup", "dockerfile-copy-order", "dockerfile-root-user", "dockerfile-multi-stage", "dockerfile-slim-base"} {
					if !rules[id] {
						t.Errorf("the guide's before Dockerfile breaks %s, which reports nothing", id)
					}
				}
			case "blog":
				if len(fs) > 0 {
					t.Errorf("the guide's multi-stage after Dockerfile has findings:\n%s", render(fs))
				}
			}
		})
	}
}

// TestDockerfileCorpus lints the hand-written real-world Dockerfiles of
// testdata/dockerfile-corpus (Python, Node, Go, Java, Ruby, PHP, .NET,
// Rust, Windows; single- and multi-stage; heredocs; ARG in FROM; the escape
// directive) with every rule. All findings are kept in a golden file, read
// by hand for false positives (docs/corpus-dockerfiles.md), and the per-rule
// counts in that document are checked against them.
func TestDockerfileCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "dockerfile-corpus", "*.Dockerfile"))
	if len(files) < 30 {
		t.Fatalf("want at least 30 Dockerfiles in the corpus, have %d", len(files))
	}
	var all []diag.Finding
	for _, f := range files {
		fs, df := lintDockerfileWith(t, f, false)
		if df == nil {
			t.Errorf("%s does not parse: %v", f, fs)
			continue
		}
		all = append(all, fs...)
	}
	golden(t, filepath.Join("testdata", "dockerfile-corpus.out"), render(all))
	table := corpusTable(len(files), all)
	docPath := filepath.Join("..", "docs", "corpus-dockerfiles.md")
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- counts: go test ./lint -run TestDockerfileCorpus -update -->\n", "<!-- end counts -->\n"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s: no counts markers", docPath)
	}
	got := string(doc[:i+len(begin)]) + table + string(doc[j:])
	if got == string(doc) {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the counts are stale (go test ./lint -run TestDockerfileCorpus -update)\n%s", docPath, table)
}

// corpusTable counts findings per Dockerfile rule: findings by severity and
// the files with at least one.
func corpusTable(nfiles int, fs []diag.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d Dockerfiles, %d findings.\n\n", nfiles, len(fs))
	b.WriteString("| rule | findings | warning | info | files |\n|---|---:|---:|---:|---:|\n")
	for _, id := range IDs() {
		if ruleByID(id).Meta().Scope != ScopeDockerfile || id == "dockerfile-shellcheck" {
			continue
		}
		var n, warn, info int
		files := map[string]bool{}
		for _, f := range fs {
			if f.Rule != id {
				continue
			}
			n++
			files[f.Span.File] = true
			switch f.Severity {
			case diag.Info:
				info++
			default:
				warn++
			}
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %d |\n", id, n, warn, info, len(files))
	}
	return b.String()
}

// scriptChecker stands in for shellcheck: it reports every `$NAME` of a
// script as shellcheck's SC2086 would, at the line and column it finds it,
// and records the dialects asked for.
type scriptChecker struct{ shells []string }

func (c *scriptChecker) Check(script, shell string) ([]dockerfile.ShellComment, error) {
	c.shells = append(c.shells, shell)
	var out []dockerfile.ShellComment
	for i, line := range strings.Split(script, "\n") {
		for j := 0; j < len(line); j++ {
			if line[j] == '$' && j+1 < len(line) && line[j+1] >= 'A' && line[j+1] <= 'Z' {
				k := j + 1
				for k < len(line) && (line[k] >= 'A' && line[k] <= 'Z' || line[k] == '_') {
					k++
				}
				out = append(out, dockerfile.ShellComment{Line: i + 1, Column: j + 1, EndLine: i + 1, EndColumn: k + 1, Level: "info", Code: 2086, Message: "Double quote to prevent globbing and word splitting."})
			}
		}
	}
	return out, nil
}

// TestDockerfileShellcheckPositions checks that a script's line and column
// map back to the Dockerfile: continuation lines, heredoc bodies, and the
// dialect from SHELL; without a checker the rule does nothing.
func TestDockerfileShellcheckPositions(t *testing.T) {
	src := "FROM alpine:3.19.1\nRUN echo a && \\\n  echo $HOME\nSHELL [\"/bin/bash\", \"-c\"]\nRUN <<EOF\nset -e\n  ls $PWD\nEOF\nSHELL [\"pwsh\", \"-c\"]\nRUN echo $NOPE\n"
	f, err := dockerfile.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	df := &Dockerfile{File: f}
	rules := []Rule{NewDockerfileShellcheck()}
	if fs := Run(Input{Dockerfiles: []*Dockerfile{df}, Rules: rules}); len(fs) != 0 {
		t.Fatalf("without a checker: %v", fs)
	}
	c := &scriptChecker{}
	UseShellChecker(rules, c)
	var got []string
	for _, f := range Run(Input{Dockerfiles: []*Dockerfile{df}, Rules: rules}) {
		got = append(got, fmt.Sprintf("%d:%d-%d:%d", f.Span.Start.Line, f.Span.Start.Col, f.Span.End.Line, f.Span.End.Col))
	}
	want := []string{"3:8-3:13", "7:6-7:10"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
	if strings.Join(c.shells, " ") != "sh bash" {
		t.Errorf("dialects %v, want sh for the first RUN, bash for the heredoc body, none for pwsh", c.shells)
	}
}

// TestDockerfileIgnore checks `# composure-ignore` in a Dockerfile: above an
// instruction it silences the rule anywhere in that instruction; other
// rules and other instructions still report.
func TestDockerfileIgnore(t *testing.T) {
	src := "# composure-ignore dockerfile-from-pinned, dockerfile-root-user: a throwaway image\nFROM python:3\n" +
		"# composure-ignore dockerfile-unpinned-dependencies: tools for the CI job\nRUN pip install --no-cache-dir \\\n    black ruff\n" +
		"RUN pip install --no-cache-dir mypy\n"
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, _ := lintDockerfileWith(t, path, false)
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%d:%s", f.Span.Start.Line, f.Rule))
	}
	want := "2:dockerfile-slim-base 6:dockerfile-run-chain 6:dockerfile-unpinned-dependencies"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// TestDockerfileIgnoreTypo: an ignore comment naming no rule silences
// nothing, and says so at the ID.
func TestDockerfileIgnoreTypo(t *testing.T) {
	src := "# composure-ignore dockerfile-from-pined: a throwaway image\nFROM python:3.12.5-slim\nUSER app\n"
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, _ := lintDockerfileWith(t, path, false)
	got := render(slices.DeleteFunc(fs, func(f diag.Finding) bool { return f.Rule != "ignore-comment" }))
	want := `Dockerfile:1:20: warning: composure-ignore names "dockerfile-from-pined", which is no rule, so it silences nothing: did you mean "dockerfile-from-pinned"? [ignore-comment] (to 1:41)` + "\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestDiscoverDockerfiles checks which Dockerfiles a project's environments
// build: each once, listing the environments, the services as related
// locations, the build target they agree on; a compose `user:` on every
// service exempts the Dockerfile from dockerfile-root-user; missing files
// are left to missing-file, remote contexts skipped, broken Dockerfiles
// reported as load errors.
func TestDiscoverDockerfiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app/Dockerfile", "FROM python:3.11.5-slim-bookworm AS dev\nFROM python:3.11.5-slim-bookworm AS prod\nCOPY . /app\n")
	write("api/Dockerfile", "FROM node:20.11.1-bookworm-slim\n")
	write("broken/Dockerfile", "FROM alpine:3.19.1\nCOPY\n")
	env := func(name, src string) *Env {
		d, err := compose.Parse(name+".yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return FileEnv(name, dir, d, nil)
	}
	base := "services:\n  web:\n    build: {context: app, target: prod}\n  worker:\n    build:\n      context: ./app\n      target: prod\n" +
		"  api:\n    build: api\n    user: \"1000:1000\"\n  gone:\n    build: missing\n  remote:\n    build: https://github.com/org/repo.git#main\n"
	envs := []*Env{env("default", base), env("prod", base+"  broken:\n    build: broken\n")}
	dfs, errs := DiscoverDockerfiles(envs)
	var names []string
	for _, df := range dfs {
		names = append(names, fmt.Sprintf("%s(target %q, %d uses)", df.Name, df.Target, len(df.Uses)))
	}
	if got := strings.Join(names, " "); got != `api/Dockerfile(target "", 2 uses) app/Dockerfile(target "prod", 4 uses)` {
		t.Errorf("discovered %s", got)
	}
	if len(errs) != 1 || errs[0].Rule != "load-error" || errs[0].Span.String() != "broken/Dockerfile:2:1" {
		t.Errorf("errors %v", errs)
	}
	fs := Run(Input{Envs: envs, Dockerfiles: dfs, Only: []string{"dockerfile-root-user"}})
	if len(fs) != 1 {
		t.Fatalf("want one root-user finding (app; api runs as 1000), got %v", fs)
	}
	f := fs[0]
	var rel []string
	for _, r := range f.Related {
		rel = append(rel, r.Span.String()+" "+r.Message)
	}
	if f.Span.String() != "app/Dockerfile:2:1" || strings.Join(f.Envs, ",") != "default,prod" ||
		strings.Join(rel, "; ") != `default.yaml:3:22 built by service "web"; default.yaml:6:16 built by service "worker"; prod.yaml:3:22 built by service "web"; prod.yaml:6:16 built by service "worker"` {
		t.Errorf("finding %s envs %v related %v", f.Span, f.Envs, rel)
	}
}

// TestDependsOnDockerfileHealthcheck runs depends-on-healthcheck on a
// dependency built from a local Dockerfile: its HEALTHCHECK counts (through
// a line continuation, in the build target's base stage), HEALTHCHECK NONE
// and a stage that is not built do not.
func TestDependsOnDockerfileHealthcheck(t *testing.T) {
	for _, c := range []struct {
		name, dockerfile, target string
		want                     int
	}{
		{"declared", "FROM postgres:16.4-bookworm\nHEALTHCHECK --interval=5s \\\n  CMD pg_isready -U postgres\n", "", 0},
		{"inherited by the target", "FROM postgres:16.4-bookworm AS base\nHEALTHCHECK CMD pg_isready\nFROM base AS db\n", "db", 0},
		{"none", "FROM postgres:16.4-bookworm\nHEALTHCHECK NONE\n", "", 1},
		{"in another stage", "FROM postgres:16.4-bookworm AS tools\nHEALTHCHECK CMD true\nFROM postgres:16.4-bookworm\n", "", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "db"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "db", "Dockerfile"), []byte(c.dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			build := "db"
			if c.target != "" {
				build = "{context: db, target: " + c.target + "}"
			}
			src := "services:\n  web:\n    image: nginx:1.27.0\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    build: " + build + "\n"
			d, err := compose.Parse("compose.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			fs := Run(Input{Envs: []*Env{FileEnv("default", dir, d, nil)}, Only: []string{"depends-on-healthcheck"}})
			if len(fs) != c.want {
				t.Errorf("got %v, want %d finding(s)", fs, c.want)
			}
		})
	}
}
