package fastload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/internal/testenv"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/internal/gen"
)

// assertSame loads o with the fast path and with compose-go alone and
// requires the same printed config (JSON and YAML), or that both fail. Load
// returns the fast path's project, or compose-go's own result when the fast
// path declines (include, extends) or fails, so comparing the fast path
// with compose-go covers Load; errors are compose-go's own by construction
// (their wording varies from run to run with map order, so only failing
// together is checked).
func assertSame(t *testing.T, name string, o Options) (loaded, fast bool) {
	t.Helper()
	ctx := context.Background()
	want, wantErr := Reference(ctx, o)
	got, gotErr := load(ctx, o)
	fast = !errors.Is(gotErr, errUnsupported)
	switch {
	case !fast:
		return wantErr == nil, false
	case wantErr != nil && gotErr != nil:
		return false, true
	case wantErr != nil:
		t.Errorf("%s: compose-go fails (%v), the fast path does not", name, wantErr)
		return false, true
	case gotErr != nil:
		t.Errorf("%s: the fast path fails (%v), compose-go does not", name, gotErr)
		return false, true
	}
	for _, format := range []string{"json", "yaml"} {
		w, wErr := marshal(want, format)
		g, gErr := marshal(got, format)
		if wErr != nil || gErr != nil {
			// compose-go cannot print some projects (an ssh key "id:path"
			// fails in types.SSHKey.MarshalJSON): both must fail alike.
			if fmt.Sprint(wErr) != fmt.Sprint(gErr) {
				t.Errorf("%s: %s printing: compose-go %v, fastload %v", name, format, wErr, gErr)
			}
			continue
		}
		if string(w) != string(g) {
			t.Errorf("%s: %s output differs:\n%s", name, format, firstDiff(string(w), string(g)))
		}
	}
	return true, true
}

// TestLoadFallsBack checks Load hands include and failures to compose-go.
func TestLoadFallsBack(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n")
	inc := write("inc.yaml", "include:\n  - compose.yaml\nservices:\n  db:\n    image: postgres:16\n")
	bad := write("bad.yaml", "services:\n  web:\n    ports: 12\n")
	ctx := context.Background()

	if _, err := load(ctx, Options{Dir: dir, Files: []string{inc}}); !errors.Is(err, errUnsupported) {
		t.Errorf("include: fast path says %v, want errUnsupported", err)
	}
	p, err := Load(ctx, Options{Dir: dir, Files: []string{inc}})
	if err != nil || len(p.Services) != 2 {
		t.Errorf("include through compose-go: %v, %v", p, err)
	}
	_, want := Reference(ctx, Options{Dir: dir, Files: []string{base, bad}})
	_, got := Load(ctx, Options{Dir: dir, Files: []string{base, bad}})
	if want == nil || got == nil || want.Error() != got.Error() {
		t.Errorf("error: compose-go %v, Load %v", want, got)
	}
}

func marshal(p *types.Project, format string) ([]byte, error) {
	if format == "json" {
		return p.MarshalJSON()
	}
	return p.MarshalYAML()
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

func TestEquivalenceGenerated(t *testing.T) {
	for _, n := range []int{1, 10, 100} {
		for _, env := range gen.EnvNames() {
			o := genOptions(t, n, env)
			if _, fast := assertSame(t, fmt.Sprintf("%s/%d", env, n), o); !fast {
				t.Errorf("%s/%d: not loaded by the fast path", env, n)
			}
		}
	}
}

// TestEquivalenceCorpus loads every environment the oracle lists for the
// shared corpus both ways.
func TestEquivalenceCorpus(t *testing.T) {
	shared := testenv.SharedDir(t)
	f, err := os.Open(filepath.Join(shared, "oracle", "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total, loaded, fast int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 3 || cols[0] == "project" {
			continue
		}
		dir := filepath.Join(shared, "corpus", cols[0])
		var files []string
		if cols[2] == "(docker compose default)" {
			files = defaultFiles(dir)
		} else {
			for _, f := range strings.Split(cols[2], ",") {
				files = append(files, filepath.Join(dir, f))
			}
		}
		if len(files) == 0 {
			continue
		}
		total++
		ok, f := assertSame(t, cols[0]+"/"+cols[1], Options{Dir: dir, Files: files})
		if ok {
			loaded++
		}
		if f {
			fast++
		}
	}
	t.Logf("corpus: %d environments (%d on the fast path, %d with include/extends left to compose-go): %d loaded, equal output; %d failed in both",
		total, fast, total-fast, loaded, total-loaded)
	if total == 0 {
		t.Error("no environment compared")
	}
}

// defaultFiles is docker compose's file search without -f: the first base
// name found, then the first override name.
func defaultFiles(dir string) []string {
	var files []string
	for _, names := range [][]string{cli.DefaultFileNames, cli.DefaultOverrideFileNames} {
		for _, n := range names {
			if st, err := os.Stat(filepath.Join(dir, n)); err == nil && !st.IsDir() {
				files = append(files, filepath.Join(dir, n))
				break
			}
		}
		if len(files) == 0 {
			return nil
		}
	}
	return files
}
