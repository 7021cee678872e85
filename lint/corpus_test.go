package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// corpusProject is one project of the oracle's index with its environments.
type corpusProject struct {
	dir  string
	envs map[string][]string // name -> files
	ord  []string
}

var defaultNames = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}

func corpusProjects(t testing.TB, shared string) []*corpusProject {
	b, err := os.ReadFile(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Skipf("no oracle index: %v", err)
	}
	byDir := map[string]*corpusProject{}
	var out []*corpusProject
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(line, "\t")
		if i == 0 || len(f) < 3 {
			continue
		}
		p := byDir[f[0]]
		if p == nil {
			p = &corpusProject{dir: filepath.Join(shared, "corpus", f[0]), envs: map[string][]string{}}
			byDir[f[0]] = p
			out = append(out, p)
		}
		var files []string
		if strings.HasPrefix(f[2], "(") {
			for _, n := range defaultNames {
				if _, err := os.Stat(filepath.Join(p.dir, n)); err == nil {
					files = append(files, n)
					stem := strings.TrimSuffix(n, filepath.Ext(n))
					for _, o := range []string{stem + ".override.yml", stem + ".override.yaml"} {
						if _, err := os.Stat(filepath.Join(p.dir, o)); err == nil {
							files = append(files, o)
						}
					}
					break
				}
			}
		} else {
			files = strings.Split(f[2], ",")
		}
		p.envs[f[1]] = files
		p.ord = append(p.ord, f[1])
	}
	return out
}

// lintCorpusProject lints p as `composure lint` does: every environment
// envs discovers there, every file of them.
func lintCorpusProject(p *corpusProject) (fs []diag.Finding, nfiles int) {
	lp, err := LoadProject(context.Background(), cleanEnv(p.dir), nil, LoadOptions{})
	if err != nil {
		return []diag.Finding{ErrorFinding(err, "")}, 0
	}
	// (the corpus has only dockerfile_inline Dockerfiles)
	return lintLoaded(lp), len(lp.Files)
}

// TestCorpus lints every project of ../shared/corpus (no crash, no panic)
// and, with -update, writes the counts per rule and a sample of findings to
// docs/corpus-report.md.
func TestCorpus(t *testing.T) {
	shared := testenv.SharedDir(t)
	projects := corpusProjects(t, shared)
	counts := map[string]int{}
	projectsHit := map[string]map[string]bool{}
	samples := map[string][]string{}
	total, nfiles := 0, 0
	for _, p := range projects {
		rel, _ := filepath.Rel(filepath.Join(shared, "corpus"), p.dir)
		var fs []diag.Finding
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", rel, r)
				}
			}()
			var n int
			fs, n = lintCorpusProject(p)
			nfiles += n
		}()
		for _, f := range fs {
			counts[f.Rule]++
			total++
			if projectsHit[f.Rule] == nil {
				projectsHit[f.Rule] = map[string]bool{}
			}
			projectsHit[f.Rule][rel] = true
			if len(samples[f.Rule]) < 4 && !slices.ContainsFunc(samples[f.Rule], func(s string) bool { return strings.HasPrefix(s, rel+"/") }) {
				samples[f.Rule] = append(samples[f.Rule], rel+"/"+f.String())
			}
		}
	}
	t.Logf("%d projects, %d files, %d findings", len(projects), nfiles, total)
	// Every other YAML file of the corpus, broken ones included, linted on
	// its own: no panic.
	corpus := filepath.Join(shared, "corpus")
	extra := 0
	_ = filepath.WalkDir(corpus, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !(strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")) {
			return nil
		}
		extra++
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", path, r)
				}
			}()
			src, err := os.ReadFile(path)
			if err != nil {
				return
			}
			d, err := compose.Parse(filepath.Base(path), src)
			if err != nil {
				_ = ErrorFinding(err, filepath.Base(path))
				return
			}
			d.Path = path
			Run(Input{Files: []*compose.Document{d}, Envs: []*Env{FileEnv("default", filepath.Dir(path), d, nil)}})
		}()
		return nil
	})
	t.Logf("%d YAML files linted on their own", extra)
	var b strings.Builder
	fmt.Fprintf(&b, "%d projects (the rows of ../shared/oracle/index.tsv), %d files, %d findings.\n\n", len(projects), nfiles, total)
	b.WriteString("| rule | findings | projects |\n|---|---:|---:|\n")
	for _, id := range IDs() {
		fmt.Fprintf(&b, "| [%s](rules.md#%s) | %d | %d |\n", id, id, counts[id], len(projectsHit[id]))
	}
	b.WriteString("\nA sample of findings per rule (at most one per project):\n")
	for _, id := range IDs() {
		if len(samples[id]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n**%s**\n\n```text\n%s\n```\n", id, strings.Join(samples[id], "\n"))
	}
	reportBlock(t, "generated", b.String())
}

// reportBlock keeps the block of docs/corpus-report.md between its
// `<!-- begin NAME -->` and `<!-- end NAME -->` lines current: with -update
// it writes content there; without, it fails when the block says other
// than content (the findings on the corpus changed and the report does not
// say so).
func reportBlock(t *testing.T, name, content string) {
	t.Helper()
	path := filepath.Join("..", "docs", "corpus-report.md")
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- begin "+name+" -->\n", "<!-- end "+name+" -->\n"
	text := string(old)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q block", path, strings.TrimSpace(begin))
	}
	if !*update {
		if text[i+len(begin):j] != content {
			t.Errorf("the %s block of %s is stale: run go test ./lint -run '^%s$' -update and review the diff", name, path, t.Name())
		}
		return
	}
	text = text[:i+len(begin)] + content + text[j:]
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
