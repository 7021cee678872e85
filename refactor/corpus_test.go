package refactor

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/lint"
)

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

// discoverEnv resolves an oracle environment in the project copy at dir,
// as composure would: the default environment by discovery, the others as
// -f lists.
func discoverEnv(dir string, e oracleEnv) (*envs.Project, *envs.Environment, error) {
	opts := envs.Options{Dir: dir}
	for _, f := range e.files {
		opts.Files = append(opts.Files, filepath.Join(dir, f))
	}
	p, err := envs.Discover(opts)
	if err != nil {
		return nil, nil, err
	}
	env := p.Envs[0]
	env.Name = e.name
	return p, env, nil
}

// loadModel loads env with opts, from disk.
func loadModel(ctx context.Context, p *envs.Project, env *envs.Environment, opts *envs.LoadOptions) (map[string]any, error) {
	l, err := p.Load(ctx, env, nil, *opts)
	if err != nil {
		return nil, err
	}
	return l.Model, nil
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
// effective config as before. With -update it writes the tally to the
// refactor section of docs/corpus-report.md; without, it checks it is current.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	shared := testenv.SharedDir(t)
	index := readIndex(t, shared)
	projects := make([]string, 0, len(index))
	for p := range index {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	ctx := context.Background()
	relaxed := envs.LoadOptions{NoInterpolate: true, NoConsistency: true, NoEnvResolution: true}
	type loadedEnv struct {
		p      *envs.Project
		env    *envs.Environment
		opts   envs.LoadOptions
		before map[string]any
	}
	var tallies []corpusTally
	for _, project := range projects {
		src := filepath.Join(shared, "corpus", project)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		tally := corpusTally{project: project}
		dir := filepath.Join(t.TempDir(), "p", filepath.Base(project))
		copyDir(t, src, dir)
		var loaded []*loadedEnv
		for _, oe := range index[project] {
			p, env, err := discoverEnv(dir, oe)
			if err != nil {
				continue
			}
			le := &loadedEnv{p: p, env: env}
			m, err := loadModel(ctx, p, env, &le.opts)
			if err != nil {
				le.opts = relaxed
				m, err = loadModel(ctx, p, env, &le.opts)
			}
			if err == nil {
				le.before = m
			}
			loaded = append(loaded, le)
		}
		var files []string
		for _, le := range loaded {
			for _, f := range le.env.Files {
				if !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
		}
		// Files no environment of the index includes are refactored as
		// `composure refactor FILE` does: proved on their own, as with -f.
		for _, f := range otherComposeFiles(t, dir, project, index, files) {
			p, err := envs.Discover(envs.Options{Dir: dir, Files: []string{f}})
			if err != nil {
				continue
			}
			le := &loadedEnv{p: p, env: p.Envs[0]}
			m, err := loadModel(ctx, p, le.env, &le.opts)
			if err != nil {
				le.opts = relaxed
				if m, err = loadModel(ctx, p, le.env, &le.opts); err != nil {
					continue // nothing would prove a rewrite: the CLI refuses
				}
			}
			le.env.Name = "-f " + relTo(dir, f)
			le.before = m
			loaded = append(loaded, le)
			files = append(files, f)
		}
		var added []string
		for _, f := range files {
			d, err := compose.ReadFile(f, relTo(dir, f))
			if err != nil || d.Root == nil {
				continue
			}
			opts := Options{}
			for _, le := range loaded {
				opts.Overlay = opts.Overlay || slices.Contains(le.env.Files, f) && le.env.Files[0] != f
			}
			r, err := Rewrite(d, opts)
			if err != nil {
				tally.refused = append(tally.refused, fmt.Sprintf("%s: %v", d.Name, err))
				continue
			}
			if !r.Changed() {
				continue
			}
			proved := true
			for _, le := range loaded {
				if !slices.Contains(le.env.Files, f) {
					continue
				}
				if err := Prove(ctx, le.p, []*envs.Environment{le.env}, r); err != nil {
					tally.refused = append(tally.refused, err.Error())
					proved = false
					break
				}
			}
			if !proved {
				continue
			}
			if worse := lintsWorse(t, d, r.After); worse != "" {
				t.Errorf("%s/%s lints worse after refactor: %s", project, d.Name, worse)
			}
			if err := os.WriteFile(f, r.After, 0o644); err != nil {
				t.Fatal(err)
			}
			tally.files++
			tally.groups += len(r.Changes)
			tally.saved += r.LinesSaved()
			added = append(added, r.Added...)
		}
		for _, le := range loaded {
			if le.before == nil {
				continue
			}
			tally.envs++
			a, err := loadModel(ctx, le.p, le.env, &le.opts)
			if err != nil {
				t.Errorf("%s/%s: no longer loads after refactor: %v", project, le.env.Name, err)
				continue
			}
			b := le.before
			for _, k := range added {
				delete(a, k)
				delete(b, k)
			}
			if diffs := Differences(b, a); len(diffs) > 0 {
				t.Errorf("%s/%s: effective config changed: %s", project, le.env.Name, strings.Join(diffs, "; "))
				continue
			}
			tally.proved++
		}
		tallies = append(tallies, tally)
	}
	section := corpusReport(tallies)
	// The refactor section of docs/corpus-report.md sits between its own
	// markers; lint's test writes the rest of the file.
	path := filepath.Join(repoRoot(t), "docs", "corpus-report.md")
	const begin, end = "<!-- begin refactor -->\n", "<!-- end refactor -->\n"
	old, _ := os.ReadFile(path)
	text := string(old)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	current := ""
	if i >= 0 && j > i {
		current = text[i+len(begin) : j]
	}
	if *update {
		if i < 0 || j < i {
			if text != "" && !strings.HasSuffix(text, "\n\n") {
				text += "\n"
			}
			text += begin + end
			i, j = strings.Index(text, begin), strings.Index(text, end)
		}
		text = text[:i+len(begin)] + string(section) + text[j:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		current = string(section)
	}
	if current != string(section) {
		t.Errorf("the refactor section of docs/corpus-report.md is stale: run go test ./refactor -run TestCorpus -update\n%s", section)
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
	b.WriteString("every project of ../shared/corpus that the oracle index lists: the files of its environments, each\n")
	b.WriteString("rewrite proved against the environments including the file, and every other compose file of the\n")
	b.WriteString("project proved on its own (as `-f FILE`). Then every environment that loads (strictly, else as\n")
	b.WriteString("`config --no-interpolate --no-consistency`) is loaded again from disk and compared with before, and\n")
	b.WriteString("no file rule of `composure lint` may report more on a rewritten file.\n")
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

// TestMain silences compose-go's logrus warnings (unset variables,
// obsolete `version`), printed on every load of the corpus.
func TestMain(m *testing.M) {
	flag.Parse()
	logrus.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// lintsWorse runs the file rules of lint on d before and after and
// describes any rule reporting more after ("" when none does).
func lintsWorse(t *testing.T, d *compose.Document, after []byte) string {
	nd, err := compose.Parse(d.Name, after)
	if err != nil {
		return err.Error()
	}
	nd.Path = d.Path
	count := func(doc *compose.Document) map[string]int {
		m := map[string]int{}
		for _, f := range lint.Run(lint.Input{Files: []*compose.Document{doc}}) {
			m[f.Rule]++
		}
		return m
	}
	before, now := count(d), count(nd)
	var worse []string
	for _, rule := range slices.Sorted(maps.Keys(now)) {
		if now[rule] > before[rule] {
			worse = append(worse, fmt.Sprintf("%s %d -> %d", rule, before[rule], now[rule]))
		}
	}
	return strings.Join(worse, ", ")
}

// otherComposeFiles lists the YAML files of the project copy at dir that
// hold a services mapping and are not in files, leaving out directories
// that are projects of their own in the index.
func otherComposeFiles(t *testing.T, dir, project string, index map[string][]oracleEnv, files []string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if de.IsDir() {
			if _, ok := index[filepath.ToSlash(filepath.Join(project, rel))]; ok && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); (ext != ".yml" && ext != ".yaml") || slices.Contains(files, p) {
			return nil
		}
		d, err := compose.ReadFile(p, rel)
		if err != nil || d.Root == nil {
			return nil
		}
		if v, _, ok := d.Lookup("services"); ok && v.Kind == yaml.MappingNode {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
