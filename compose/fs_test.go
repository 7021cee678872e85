package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// TestReadEnvFiles holds ReadEnvFiles on the disk to compose-go's
// dotenv.GetEnvFromFile, which docker compose reads a project's env files
// with: the same variables, or the same error.
func TestReadEnvFiles(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"a.env":   "A=1\nFROM_CURRENT=${CUR}\n",
		"b.env":   "B=${A}-2\nA=overridden\n",
		"bad.env": "X='unterminated\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	current := map[string]string{"CUR": "cur", "A": "from-current"}
	for _, files := range [][]string{
		nil,
		{"a.env"},
		{"a.env", "b.env"},
		{"a.env", "missing.env"},
		{"sub"},
		{"bad.env"},
	} {
		var abs []string
		for _, f := range files {
			abs = append(abs, filepath.Join(dir, f))
		}
		got, gerr := ReadEnvFiles(OS{}, current, abs)
		want, werr := dotenv.GetEnvFromFile(current, abs)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("%v: error %v, compose-go %v", files, gerr, werr)
			continue
		}
		if gerr == nil && fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: %v, compose-go %v", files, got, want)
		}
	}
}
