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

// defaultFiles is what plain `docker compose` loads in dir: the first base
// file of its search order and <stem>.override.<ext> beside it. (envs
// imports merge, so merge's tests cannot use envs.Discover.)
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
