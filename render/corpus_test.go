package render

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/testenv"
)

// oracleRow is an environment of ../shared/oracle/index.tsv that docker
// compose printed.
type oracleRow struct {
	project, env string
	files        []string // relative to the project; nil for docker compose's default
}

func (r oracleRow) key() string { return r.project + "/" + r.env }

func okRows(t *testing.T, shared string) []oracleRow {
	t.Helper()
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []oracleRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 4 || c[0] == "project" || c[3] != "ok" {
			continue
		}
		r := oracleRow{project: c[0], env: c[1]}
		if c[2] != "(docker compose default)" {
			r.files = strings.Split(c[2], ",")
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no row of index.tsv has the result ok")
	}
	return rows
}

// oracleText rewrites a printed config the way the oracle's files are
// written: $ escaped as $$, the machine's paths replaced by placeholders.
func oracleText(out []byte, shared, dir string) []byte {
	out = envs.EscapeDollar(out)
	out = bytes.ReplaceAll(out, []byte(dir), []byte("${PROJECT_DIR}"))
	out = bytes.ReplaceAll(out, []byte(filepath.Join(shared, "corpus")), []byte("${CORPUS_ROOT}"))
	if home, err := os.UserHomeDir(); err == nil && home != "/" && home != "" {
		// compose-go expands ~ in paths with the real home directory.
		out = bytes.ReplaceAll(out, []byte(": "+home+"/"), []byte(": ${HOME}/"))
	}
	return out
}

// TestCorpus loads every environment docker compose printed and compares
// YAML with compose-go's MarshalYAML and with docker compose's output.
func TestCorpus(t *testing.T) {
	shared := testenv.SharedDir(t)
	rows := okRows(t, shared)
	var library, oracle int
	for _, r := range rows {
		dir := filepath.Join(shared, "corpus", r.project)
		var files []string
		for _, f := range r.files {
			files = append(files, filepath.Join(dir, f))
		}
		p, err := loadComposure(dir, files, []string{"PATH=/usr/local/bin:/usr/bin:/bin"})
		if err != nil {
			t.Errorf("%s: docker compose printed it, composure fails: %v", r.key(), err)
			continue
		}
		want, err := p.MarshalYAML()
		if err != nil {
			t.Errorf("%s: MarshalYAML: %v", r.key(), err)
			continue
		}
		got, err := YAML(p)
		if err != nil {
			t.Errorf("%s: YAML: %v", r.key(), err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: YAML differs from MarshalYAML\n%s", r.key(), firstDifference(got, want))
			continue
		}
		library++
		printed, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+".yaml"))
		if err != nil {
			t.Error(err)
			continue
		}
		if text := oracleText(got, shared, dir); !bytes.Equal(text, printed) {
			t.Errorf("%s: differs from docker compose's output\n%s", r.key(), firstDifference(text, printed))
			continue
		}
		oracle++
	}
	t.Logf("%d environments: %d byte-identical to MarshalYAML, %d to docker compose config", len(rows), library, oracle)
}
