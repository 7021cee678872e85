package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// oracleRow is one line of oracle/index.tsv.
type oracleRow struct {
	project, env, files string
	ok                  bool
}

func (r oracleRow) key() string { return r.project + "/" + r.env }

// configArgs is the command line of `composure config` for the row, the
// project in dir.
func (r oracleRow) configArgs(dir, format string) []string {
	args := []string{"composure", "-C", dir}
	if r.files != "(docker compose default)" {
		for _, f := range strings.Split(r.files, ",") {
			args = append(args, "-f", filepath.Join(dir, f))
		}
	}
	return append(args, "config", "--format", format)
}

func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func oracleRows(t *testing.T, shared string) []oracleRow {
	var rows []oracleRow
	for _, c := range readTSV(t, filepath.Join(shared, "oracle", "index.tsv")) {
		if len(c) != 4 || c[0] == "project" {
			continue
		}
		rows = append(rows, oracleRow{c[0], c[1], c[2], c[3] == "ok"})
	}
	return rows
}

// oracleEnviron is the process environment the oracle was produced with:
// run from the project directory (PWD, used by ${PWD}) with a minimal PATH
// (it appears in values that append to $PATH) and an empty home.
func oracleEnviron(dir, home string) []string {
	return []string{"PWD=" + dir, "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home}
}

// positioned is the shape of every line composure prints for a refusal.
var positioned = regexp.MustCompile(`^[^\s:][^:]*:\d+:\d+: \S`)

// TestOracle runs `composure config`, in JSON and in YAML, on every
// environment of ../shared/oracle/index.tsv and compares the bytes with
// what docker compose v5.7.1 printed. Where docker compose refused the
// environment, composure must refuse it too (exit 2), every line of its
// message placed at a file:line:col; both messages are kept side by side in
// testdata/oracle-errors.golden (-update rewrites it) so that a
// change of wording is reviewed.
func TestOracle(t *testing.T) {
	shared := testenv.SharedDir(t)
	golden, err := filepath.Abs(filepath.Join("testdata", "oracle-errors.golden"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	tally := map[string]int{}
	var errs bytes.Buffer
	errs.WriteString("# For each environment docker compose refuses: its message, then composure's.\n")
	for _, r := range oracleRows(t, shared) {
		dir := filepath.Join(shared, "corpus", r.project)
		for _, format := range []string{"json", "yaml"} {
			code, out, stderr := runOracle(r, shared, home, format)
			switch {
			case !r.ok && code == exitUsage:
				tally["both refuse"]++
				for _, l := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
					if !positioned.MatchString(l) {
						t.Errorf("%s: refusal line without file:line:col: %q", r.key(), l)
					}
				}
				if format == "json" {
					want, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+".error"))
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&errs, "\n== %s\ndocker compose: %s\ncomposure:      %s\n", r.key(),
						strings.TrimSpace(string(want)), strings.TrimSpace(placeholders(stderr, dir, shared, home)))
				}
			case !r.ok:
				tally["composure accepts"]++
				t.Errorf("%s --format %s: docker compose refuses it, composure exits %d", r.key(), format, code)
			case code != 0:
				tally["composure refuses"]++
				t.Errorf("%s --format %s: exit %d: %s", r.key(), format, code, stderr)
			default:
				want, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+"."+format))
				if err != nil {
					t.Fatal(err)
				}
				if got := placeholders(out, dir, shared, home); got != string(want) {
					tally["different bytes"]++
					t.Errorf("%s --format %s: not docker compose's bytes:\n%s", r.key(), format, firstDiff(got, string(want)))
					continue
				}
				tally["same bytes"]++
			}
		}
	}
	var lines []string
	for k, n := range tally {
		lines = append(lines, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(lines)
	t.Logf("oracle, both formats: %s", strings.Join(lines, ", "))
	if !t.Failed() {
		testenv.Section(t, filepath.Join(repoRoot(t), "README.md"), "oracle", oracleSummary(t, shared, tally), *update,
			"COMPOSURE_SHARED=... go test ./cmd/composure -run TestOracle")
	}
	if *update {
		if err := os.WriteFile(golden, errs.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if errs.String() != string(want) {
		t.Errorf("refusals differ from %s (go test -run TestOracle -update rewrites it; review the diff):\n%s", golden, firstDiff(errs.String(), string(want)))
	}
}

// oracleSummary says in the README what TestOracle holds composure to,
// from its tally (each environment counted once per format).
func oracleSummary(t *testing.T, shared string, tally map[string]int) string {
	rows := oracleRows(t, shared)
	sets := map[string]bool{}
	loads := 0
	for _, r := range rows {
		sets[strings.SplitN(r.project, "/", 2)[0]] = true
		if r.ok {
			loads++
		}
	}
	entries, err := os.ReadDir(filepath.Join(shared, "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	corpus := 0
	for _, e := range entries {
		if e.IsDir() {
			corpus++
		}
	}
	readme, err := os.ReadFile(filepath.Join(shared, "oracle", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`docker compose that printed these is (v[0-9]+(?:\.[0-9]+)*)[^;]*; it uses compose-go (v[0-9]+(?:\.[0-9]+)*)`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("oracle/README.md does not say which docker compose printed the oracle")
	}
	return fmt.Sprintf("`composure config` is held by the tests (`TestOracle`) to what the real `docker compose config`\n"+
		"(%s, compose-go %s) printed for %d environments of %d of the %d sets of public projects in\n"+
		"the test corpus: byte for byte the same output, in YAML and in JSON, for %d of the %d environments\n"+
		"docker compose loads, and a refusal for %d of the %d it refuses, each line of it at a `file:line:col`.\n",
		m[1], m[2], len(rows), len(sets), corpus, tally["same bytes"]/2, loads, tally["both refuse"]/2, len(rows)-loads)
}

// runOracle runs `composure config --format format` on one oracle row, as
// the oracle was made: in the project directory, with the row's files. The
// stderr it returns is the refusal, warnings left out.
func runOracle(r oracleRow, shared, home, format string) (code int, stdout, stderr string) {
	dir := filepath.Join(shared, "corpus", r.project)
	args := r.configArgs(dir, format)
	var out, errb bytes.Buffer
	code = runEnviron(args, strings.NewReader(""), &out, &errb, oracleEnviron(dir, home))
	// warnings (variables not set, two spellings of one file) come on
	// lines of their own, as docker compose's do; the refusal is the rest
	var refusal []string
	for _, l := range strings.SplitAfter(errb.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "composure: warning: ") {
			refusal = append(refusal, l)
		}
	}
	return code, out.String(), strings.Join(refusal, "")
}

// placeholders writes the machine's directories as the oracle does.
func placeholders(s, dir, shared, home string) string {
	s = strings.ReplaceAll(s, dir, "${PROJECT_DIR}")
	s = strings.ReplaceAll(s, filepath.Join(shared, "corpus"), "${CORPUS_ROOT}")
	return strings.ReplaceAll(s, home, "${HOME}")
}
