package refactor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
)

// sharedDir finds ../shared beside the repository root (the directory
// holding go.mod), or $COMPOSURE_SHARED; it skips the test when absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("COMPOSURE_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared folder %s not found", shared)
	}
	return shared
}

func repoRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
}

// oracleEnv is one environment of the oracle's index.tsv.
type oracleEnv struct {
	project, name string
	files         []string // relative to the project; nil: docker compose's default
}

func readIndex(t *testing.T, shared string) map[string][]oracleEnv {
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Skipf("no oracle index: %v", err)
	}
	defer f.Close()
	out := map[string][]oracleEnv{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			continue
		}
		e := oracleEnv{project: cols[0], name: cols[1]}
		if !strings.HasPrefix(cols[2], "(") {
			e.files = strings.Split(cols[2], ",")
		}
		out[e.project] = append(out[e.project], e)
	}
	return out
}

// envFiles resolves an oracle environment in the project copy at dir.
func envFiles(dir string, e oracleEnv) []string {
	if e.files != nil {
		var fs []string
		for _, f := range e.files {
			fs = append(fs, filepath.Join(dir, f))
		}
		return fs
	}
	for _, b := range baseNames {
		p := filepath.Join(dir, b)
		if fileExists(p) {
			envs, err := Environments(p)
			if err != nil || len(envs) == 0 {
				return nil
			}
			return envs[0].Files
		}
	}
	return nil
}

func copyDir(t *testing.T, from, to string) {
	err := filepath.WalkDir(from, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		target := filepath.Join(to, rel)
		if de.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !de.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type corpusTally struct {
	project              string
	files, groups, saved int
	refused              []string
	envs, proved         int
}

// TestCorpus refactors every project of ../shared/corpus on a temporary
// copy, as `composure refactor --write` does (each rewrite proved against
// the environments that include the file before it is written), then
// checks that every environment of the oracle index loads to the same
// effective config as before. With -update it writes the tally to
// docs/corpus-refactor.md; without, it checks that file is current.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	shared := sharedDir(t)
	index := readIndex(t, shared)
	projects := make([]string, 0, len(index))
	for p := range index {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	load := ComposeGo(nil, nil)
	ctx := context.Background()
	var tallies []corpusTally
	for _, project := range projects {
		src := filepath.Join(shared, "corpus", project)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		tally := corpusTally{project: project}
		dir := filepath.Join(t.TempDir(), "p", filepath.Base(project))
		copyDir(t, src, dir)
		var envs []Env
		for _, oe := range index[project] {
			files := envFiles(dir, oe)
			if len(files) == 0 {
				continue
			}
			envs = append(envs, Env{Name: oe.name, Dir: dir, Files: files})
		}
		before := map[string]map[string]any{}
		for _, e := range envs {
			if m, err := load(ctx, e, nil); err == nil {
				before[e.Name] = m
			}
		}
		var files []string
		for _, e := range envs {
			for _, f := range e.Files {
				if !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
		}
		var added []string
		for _, f := range files {
			d, err := compose.ReadFile(f, relTo(dir, f))
			if err != nil || d.Root == nil {
				continue
			}
			r, err := Rewrite(d, Options{})
			if err != nil {
				tally.refused = append(tally.refused, fmt.Sprintf("%s: %v", d.Name, err))
				continue
			}
			if !r.Changed() {
				continue
			}
			var including []Env
			for _, e := range envs {
				if slices.Contains(e.Files, f) {
					including = append(including, e)
				}
			}
			if err := Prove(ctx, load, including, f, r); err != nil {
				tally.refused = append(tally.refused, err.Error())
				continue
			}
			if err := os.WriteFile(f, r.After, 0o644); err != nil {
				t.Fatal(err)
			}
			tally.files++
			tally.groups += len(r.Changes)
			tally.saved += r.LinesSaved()
			added = append(added, r.Added...)
		}
		for _, e := range envs {
			b, ok := before[e.Name]
			if !ok {
				continue
			}
			tally.envs++
			a, err := load(ctx, e, nil)
			if err != nil {
				t.Errorf("%s/%s: no longer loads after refactor: %v", project, e.Name, err)
				continue
			}
			for _, k := range added {
				delete(a, k)
				delete(b, k)
			}
			if diffs := Differences(b, a); len(diffs) > 0 {
				t.Errorf("%s/%s: effective config changed: %s", project, e.Name, strings.Join(diffs, "; "))
				continue
			}
			tally.proved++
		}
		tallies = append(tallies, tally)
	}
	report := corpusReport(tallies)
	path := filepath.Join(repoRoot(t), "docs", "corpus-refactor.md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, report, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./refactor -run TestCorpus -update)", err)
	}
	if !bytes.Equal(want, report) {
		t.Errorf("docs/corpus-refactor.md is stale: run go test ./refactor -run TestCorpus -update\n%s", report)
	}
}

func relTo(dir, f string) string {
	if r, err := filepath.Rel(dir, f); err == nil {
		return r
	}
	return f
}

func corpusReport(ts []corpusTally) []byte {
	var b bytes.Buffer
	b.WriteString("## refactor\n\n")
	b.WriteString("`composure refactor --write` (defaults: `--min-shared 4`, `--style extension`) on a temporary copy of\n")
	b.WriteString("every project of ../shared/corpus that the oracle index lists, each rewrite proved against the\n")
	b.WriteString("environments including the file; then every environment that loads is compared before and after.\n")
	b.WriteString("Generated by `go test ./refactor -run TestCorpus -update`.\n\n")
	b.WriteString("| project | files rewritten | groups | lines saved | environments unchanged | refused |\n")
	b.WriteString("|---|---:|---:|---:|---:|---|\n")
	var files, groups, saved, envs, proved, refused, touched int
	for _, t := range ts {
		files += t.files
		groups += t.groups
		saved += t.saved
		envs += t.envs
		proved += t.proved
		refused += len(t.refused)
		if t.files == 0 && len(t.refused) == 0 {
			continue
		}
		touched++
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d/%d | %s |\n", t.project, t.files, t.groups, t.saved, t.proved, t.envs, strings.ReplaceAll(strings.Join(t.refused, "<br>"), "|", "\\|"))
	}
	fmt.Fprintf(&b, "| **total** (%d of %d projects touched) | %d | %d | %d | %d/%d | %d |\n", touched, len(ts), files, groups, saved, proved, envs, refused)
	b.WriteString("\nProjects with nothing to fold (no group of services sharing 4 entries that saves lines) are not listed;\n")
	b.WriteString("their environments are still checked by the test.\n")
	return b.Bytes()
}
