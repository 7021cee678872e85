package merge

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composure-dev/composure/compose"
)

// FuzzMerge: whatever two files hold, Merge returns a result or an error,
// never panics, and every origin it gives points into one of the files.
func FuzzMerge(f *testing.F) {
	files, _ := filepath.Glob("testdata/diff/*/*.yaml")
	for i := 0; i+1 < len(files); i += 2 {
		a, _ := os.ReadFile(files[i])
		b, _ := os.ReadFile(files[i+1])
		f.Add(a, b)
	}
	f.Add([]byte("services:\n  a:\n    ports: [\"80\"]\n"), []byte("services:\n  a:\n    ports: {x: 1}\n"))
	f.Add([]byte("services:\n  a:\n    depends_on: [b, 1]\n"), []byte("services:\n  a:\n    depends_on: x\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		da, err := compose.Parse("a.yaml", a)
		if err != nil {
			return
		}
		db, err := compose.Parse("b.yaml", b)
		if err != nil {
			return
		}
		r, err := Merge([]*compose.Document{da, db})
		if err != nil {
			return
		}
		for path, o := range r.Origins() {
			if o.Default {
				continue
			}
			if o.File != "a.yaml" && o.File != "b.yaml" {
				t.Errorf("origin of %s in %q", path, o.File)
			}
		}
	})
}
