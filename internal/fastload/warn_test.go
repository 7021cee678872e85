package fastload

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

// TestVersionWarnedOnce checks the obsolete `version` warning comes once
// per file per process, as compose-go gives it, however many environments
// load the file.
func TestVersionWarnedOnce(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "compose.yaml")
	prod := filepath.Join(dir, "compose.prod.yaml")
	if err := os.WriteFile(base, []byte("version: \"3\"\nservices:\n  web:\n    image: nginx:1.27\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prod, []byte("services:\n  web:\n    restart: always\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logrus.SetOutput(&buf)
	defer logrus.SetOutput(os.Stderr)
	for _, files := range [][]string{{base}, {base, prod}, {base}} {
		if _, err := load(context.Background(), Options{Dir: dir, Files: files}); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(buf.String(), "`version` is obsolete"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, buf.String())
	}
}
