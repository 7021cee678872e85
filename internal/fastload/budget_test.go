package fastload

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/composure-dev/composure/internal/gen"
)

// TestDefaultCapRefusesLargeProjects shows why the budget exists: with
// compose-go's default cap (docker compose config's), the base file of a
// 10,000-service project is refused (3,000 services still pass); with
// NodeVisitBudget it decodes. (Loading it whole is left to the benchmarks.)
func TestDefaultCapRefusesLargeProjects(t *testing.T) {
	dir := t.TempDir()
	if err := gen.Write(dir, 10000); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, gen.Base)
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	decode := func(visits int) error {
		var raw any
		return yaml.NewDecoder(bytes.NewReader(src)).Decode(newResetProcessor(&raw, visits))
	}
	if err := decode(100_000); err == nil || !strings.Contains(err.Error(), "maximum node visit limit (100000)") {
		t.Errorf("default cap: got %v, want the node visit limit error", err)
	}
	if err := decode(NodeVisitBudget([]string{file})); err != nil {
		t.Errorf("with the budget: %v", err)
	}
}

// TestAliasBombStops checks the proportional budget still stops a billion
// laughs quickly.
func TestAliasBombStops(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("x-" + name + ": &" + name + " [")
		for i := 0; i < 9; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("services:\n  web:\n    image: nginx\n    command: *i\n")
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Load(context.Background(), Options{Dir: dir, Files: []string{file}})
	if err == nil {
		t.Fatal("alias bomb loaded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("alias bomb took %v to refuse", d)
	}
	t.Logf("refused in %v: %v", time.Since(start), err)
}
