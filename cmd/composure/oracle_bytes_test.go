package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"
)

// TestOracleBytes runs `composure config` in both formats on every
// environment docker compose printed, and compares the bytes with docker
// compose's, after the oracle's placeholders replace this machine's paths.
func TestOracleBytes(t *testing.T) {
	shared := testenv.SharedDir(t)
	home, _ := os.UserHomeDir()
	corpus := filepath.Join(shared, "corpus")
	same := map[string]int{}
	for _, c := range readTSV(t, filepath.Join(shared, "oracle", "index.tsv")) {
		if len(c) != 4 || c[3] != "ok" {
			continue
		}
		r := oracleRow{c[0], c[1], c[2], true}
		dir := filepath.Join(corpus, r.project)
		for _, format := range []string{"yaml", "json"} {
			var stdout, stderr bytes.Buffer
			if code := runEnviron(r.configArgs(dir, format), strings.NewReader(""), &stdout, &stderr, oracleEnviron(dir)); code != 0 {
				t.Errorf("%s: exit %d: %s", r.key(), code, stderr.String())
				continue
			}
			got := strings.ReplaceAll(stdout.String(), dir, "${PROJECT_DIR}")
			got = strings.ReplaceAll(got, corpus, "${CORPUS_ROOT}")
			if home != "" && home != "/" {
				// compose-go expands ~ with the real home directory.
				got = strings.NewReplacer(`: `+home+`/`, `: ${HOME}/`, `"`+home+`/`, `"${HOME}/`).Replace(got)
			}
			want, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+"."+format))
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("%s: %s differs from docker compose's at byte %d: got %q, want %q", r.key(), format,
					i, got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)])
				continue
			}
			same[format]++
		}
	}
	t.Logf("byte-identical to docker compose config: %d in YAML, %d in JSON", same["yaml"], same["json"])
}
