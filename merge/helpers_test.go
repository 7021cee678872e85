package merge

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sirupsen/logrus"
)

var update = flag.Bool("update", false, "rewrite golden files and the recorded differences")

func TestMain(m *testing.M) {
	// compose-go warns through logrus' global logger (unset variables,
	// obsolete `version`); the tests compare results, not warnings.
	logrus.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// sharedDir finds ../shared beside the repository root (COMPOSURE_SHARED
// overrides it); tests that need it skip when it does not exist.
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

// defaultFiles is what plain `docker compose` loads in dir: the first base
// file of its search order and <stem>.override.<ext> beside it. (A local
// helper until envs.Discover lands.)
func defaultFiles(dir string) []string {
	for _, base := range []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"} {
		if _, err := os.Stat(filepath.Join(dir, base)); err != nil {
			continue
		}
		files := []string{base}
		ext := filepath.Ext(base)
		over := base[:len(base)-len(ext)] + ".override" + ext
		if _, err := os.Stat(filepath.Join(dir, over)); err == nil {
			files = append(files, over)
		}
		return files
	}
	return nil
}
