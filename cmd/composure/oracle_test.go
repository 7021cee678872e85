package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"gopkg.in/yaml.v3"
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

// oracleEnviron is the process environment the oracle was produced with, as
// its outputs show: run from the project directory (PWD, used by ${PWD}) with
// a minimal PATH (it appears in values that append to $PATH).
func oracleEnviron(dir string) []string {
	return []string{"PWD=" + dir, "PATH=/usr/local/bin:/usr/bin:/bin"}
}

// Outcomes of one oracle row.
const (
	outEqual      = "equal"
	outDifferent  = "different"
	outBothFailed = "both failed"
	outWeFailed   = "we failed but docker succeeded"
	outWeSucceed  = "we succeeded but docker failed"
)

// TestOracle runs `composure config --format json` on every environment of
// ../shared/oracle/index.tsv and compares it with docker compose's output.
// Rows listed in testdata/oracle-known.tsv may differ as recorded there,
// with the reason; any other difference fails, as does a listed row that
// now agrees (remove it from the list).
func TestOracle(t *testing.T) {
	shared := testenv.SharedDir(t)
	known := map[string]string{} // key -> outcome
	for _, r := range readTSV(t, filepath.Join("testdata", "oracle-known.tsv")) {
		if len(r) != 3 {
			t.Fatalf("oracle-known.tsv: want key<TAB>outcome<TAB>reason, got %q", r)
		}
		known[r[0]] = r[1]
	}
	tally := map[string]int{}
	for _, c := range readTSV(t, filepath.Join(shared, "oracle", "index.tsv")) {
		if len(c) != 4 || c[0] == "project" {
			continue
		}
		r := oracleRow{c[0], c[1], c[2], c[3] == "ok"}
		out, detail := runOracleRow(t, shared, r, "json")
		tally[out]++
		want, listed := known[r.key()]
		if !listed {
			want = outEqual
			if !r.ok {
				want = outBothFailed
			}
		}
		if out != want {
			t.Errorf("%s: %s, want %s%s", r.key(), out, want, detail)
		}
	}
	var lines []string
	for k, n := range tally {
		lines = append(lines, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(lines)
	t.Logf("oracle tally: %s", strings.Join(lines, ", "))
}

// runOracleRow loads one row through the CLI and classifies the result.
func runOracleRow(t *testing.T, shared string, r oracleRow, format string) (outcome, detail string) {
	dir := filepath.Join(shared, "corpus", r.project)
	args := r.configArgs(dir, format)
	var stdout, stderr bytes.Buffer
	code := runEnviron(args, strings.NewReader(""), &stdout, &stderr, oracleEnviron(dir))
	if code != 0 {
		msg := strings.TrimSuffix(stderr.String(), "\n")
		switch {
		case code != exitUsage:
			t.Errorf("%s: exit status %d, want 2 for bad input: %s", r.key(), code, msg)
		case strings.Contains(msg, "\n"):
			t.Errorf("%s: error takes several lines, want one:\n%s", r.key(), msg)
		}
		if r.ok {
			return outWeFailed, ": " + msg
		}
		return outBothFailed, ""
	}
	if !r.ok {
		return outWeSucceed, ""
	}
	s := stdout.String()
	if format == "yaml" {
		// the same document in YAML: decode it, then compare as JSON
		var y any
		if err := yaml.Unmarshal([]byte(s), &y); err != nil {
			t.Fatalf("%s: output is not YAML: %v", r.key(), err)
		}
		if m, ok := y.(map[string]any); ok {
			// compose-go's MarshalJSON leaves out the top-level models
			// that its YAML prints, so docker compose's JSON (the
			// oracle) has none
			delete(m, "models")
		}
		b, err := json.Marshal(y)
		if err != nil {
			t.Fatalf("%s: %v", r.key(), err)
		}
		s = string(b)
	}
	s = strings.ReplaceAll(s, dir, "${PROJECT_DIR}")
	s = strings.ReplaceAll(s, filepath.Join(shared, "corpus"), "${CORPUS_ROOT}")
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		s = strings.ReplaceAll(s, `"`+home+`/`, `"${HOME}/`) // compose-go expands ~ with the real home
	}
	var got, want any
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("%s: output is not JSON: %v", r.key(), err)
	}
	b, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if format == "yaml" {
		// compose-go's YAML marshalling leaves out what its JSON prints as
		// null or {} ("command": null, "ipam": {}); docker compose's YAML
		// does the same
		got, want = dropEmpty(got), dropEmpty(want)
	}
	if reflect.DeepEqual(got, want) {
		return outEqual, ""
	}
	return outDifferent, ""
}

// dropEmpty removes null values and empty objects, recursively.
func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			x = dropEmpty(x)
			if m, ok := x.(map[string]any); x == nil || ok && len(m) == 0 {
				continue
			}
			out[k] = x
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = dropEmpty(x)
		}
		return out
	}
	return v
}

// TestOracleYAML checks the default YAML output against the same oracle:
// every environment equal in JSON decodes, from YAML, to the same document,
// up to the nulls and empty objects only the JSON marshalling prints.
func TestOracleYAML(t *testing.T) {
	if testing.Short() {
		t.Skip("second pass over the oracle")
	}
	shared := testenv.SharedDir(t)
	known := map[string]bool{}
	for _, r := range readTSV(t, filepath.Join("testdata", "oracle-known.tsv")) {
		known[r[0]] = true
	}
	n := 0
	for _, c := range readTSV(t, filepath.Join(shared, "oracle", "index.tsv")) {
		if len(c) != 4 || c[3] != "ok" {
			continue
		}
		r := oracleRow{c[0], c[1], c[2], true}
		if known[r.key()] {
			continue
		}
		if out, detail := runOracleRow(t, shared, r, "yaml"); out != outEqual {
			t.Errorf("%s: YAML output %s%s", r.key(), out, detail)
		}
		n++
	}
	t.Logf("%d environments compared in YAML", n)
}
