package refactor

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/envs"
)

var update = flag.Bool("update", false, "rewrite the golden files of refactor/testdata")

// readOptions reads a case's options file: key=value lines.
func readOptions(t *testing.T, dir string) Options {
	t.Helper()
	var o Options
	b, err := os.ReadFile(filepath.Join(dir, "options"))
	if os.IsNotExist(err) {
		return o
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "style":
			o.Style = Style(v)
		case "name":
			o.Name = v
		default:
			t.Fatalf("%s/options: unknown option %q", dir, k)
		}
	}
	return o
}

func load(t *testing.T, path string) *compose.Document {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := compose.ReadFile(abs, filepath.Base(abs))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestGolden rewrites each testdata/<case>/compose.yaml, compares with
// compose.yaml.golden, proves with compose-go that the effective config is
// unchanged, and checks that a second run finds nothing more to fold.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*/compose.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			opts := readOptions(t, dir)
			d := load(t, f)
			r, err := Rewrite(d, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Changed() {
				t.Fatal("nothing refactored")
			}
			golden := f + ".golden"
			if *update {
				if err := os.WriteFile(golden, r.After, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.After, want) {
				t.Errorf("rewrite differs from %s:\n--- got\n%s\n--- want\n%s", golden, r.After, want)
			}
			if bytes.Contains(d.Src, []byte("\r\n")) && bytes.Count(r.After, []byte("\n")) != bytes.Count(r.After, []byte("\r\n")) {
				t.Error("a CRLF file got LF line endings")
			}
			if err := proveInDir(t, d.Path, r); err != nil {
				t.Errorf("proof failed: %v", err)
			}
			nd, err := compose.Parse(d.Name, r.After)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Rewrite(nd, opts)
			if err != nil {
				t.Fatal(err)
			}
			if again.Changed() {
				t.Errorf("a second run changes the file again:\n%s", again.After)
			}
		})
	}
}

func TestCommonPrefix(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"worker-email", "worker-invoices"}, "worker"},
		{[]string{"worker-email", "worker-invoices", "worker-reports"}, "worker"},
		{[]string{"web", "web2"}, ""},
		{[]string{"api_eu", "api_us"}, "api"},
		{[]string{"app.a.x", "app.a.y"}, ""}, // '.' cannot be in an anchor name
		{[]string{"café-a", "café-b"}, ""},
		{[]string{"a-b", "c-b"}, ""},
		{[]string{"svc-10", "svc-11"}, "svc"},
		// superset: the main service and its workers
		{[]string{"superset", "superset-worker", "superset-worker-beat"}, "superset"},
		{[]string{"superset-worker", "superset"}, "superset"},
	}
	for _, tt := range tests {
		if got := commonPrefix(tt.names); got != tt.want {
			t.Errorf("commonPrefix(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

// proveInDir proves r against the environments envs discovers in the
// directory of path that include it.
func proveInDir(t *testing.T, path string, r *Result) error {
	t.Helper()
	p, err := envs.Discover(envs.Options{Dir: filepath.Dir(path)})
	if err != nil {
		t.Fatal(err)
	}
	return Prove(context.Background(), p, Including(p, path), r)
}

// TestProveRefuses feeds Prove a rewrite that changes a service and checks
// that it refuses, naming the difference.
func TestProveRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	before := []byte("services:\n  a:\n    image: x:1\n    command: run\n")
	if err := os.WriteFile(path, before, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := compose.ReadFile(path, "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := &Result{Doc: d, Before: before, After: []byte("x-a: &a\n  image: x:2\nservices:\n  a:\n    <<: *a\n    command: run\n"), Added: []string{"x-a"}}
	err = proveInDir(t, path, r)
	ne, ok := err.(*NotEquivalentError)
	if !ok {
		t.Fatalf("got %v, want a NotEquivalentError", err)
	}
	if len(ne.Differences) != 1 || !strings.Contains(ne.Differences[0], "services.a.image") {
		t.Errorf("differences %q do not name services.a.image", ne.Differences)
	}
}

// TestProveOverride checks that an environment made of the file and an
// override is what the proof loads: the override sets what the anchor would
// otherwise change.
func TestProveOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	path := write("compose.yaml", "services:\n  a:\n    image: x:1\n")
	write("compose.override.yaml", "services:\n  a:\n    environment: [A=1]\n")
	write("compose.prod.yaml", "services:\n  a:\n    image: x:3\n")
	d, err := compose.ReadFile(path, "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := envs.Discover(envs.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(Including(p, path)); got != 2 {
		t.Fatalf("%d environments include compose.yaml, want 2 (default, prod)", got)
	}
	// Changing the image is invisible in prod (overridden) but not in default.
	r := &Result{Doc: d, Before: d.Src, After: []byte("services:\n  a:\n    image: x:2\n")}
	err = Prove(context.Background(), p, Including(p, path), r)
	ne, ok := err.(*NotEquivalentError)
	if !ok || ne.Env != "default" {
		t.Fatalf("got %v, want the default environment to change", err)
	}
}

func TestNamer(t *testing.T) {
	d, err := compose.Parse("f.yaml", []byte("x-worker: &w {a: 1}\nx-b: &default-app-2 {a: 1}\nservices: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := newNamer(d, "")
	var got []string
	for _, svcs := range [][]string{{"web", "web2"}, {"a", "b"}, {"worker-a", "worker-b"}, {"c", "d"}} {
		got = append(got, n.next(svcs))
	}
	want := "default-app default-app-3 worker-2 default-app-4"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := newNamer(d, "base").next([]string{"x", "y"}); got != "base" {
		t.Errorf("--name base gave %q", got)
	}
}

// TestSelfCheck checks the comparison of a file with its rewrite, values
// tagged !override and !reset included (decoded as compose.Override and
// compose.Reset: an Override holding a mapping is compared by content).
func TestSelfCheck(t *testing.T) {
	tests := []struct {
		name, src, out string
		added          []string
		want           string // "" when the rewrite means the same
	}{
		{
			name:  "override folded into an anchor",
			src:   "services:\n  a:\n    image: x\n    labels: !override {k: v}\n  b:\n    image: x\n    labels: !override {k: v}\n",
			out:   "x-s: &s\n  image: x\n  labels: !override {k: v}\nservices:\n  a: *s\n  b: *s\n",
			added: []string{"x-s"},
		},
		{
			name: "override changed",
			src:  "services:\n  a:\n    labels: !override {k: v}\n",
			out:  "services:\n  a:\n    labels: !override {k: w}\n",
			want: "the result would change what the file means",
		},
		{
			name: "override dropped",
			src:  "services:\n  a:\n    ports: !override [\"80:80\"]\n",
			out:  "services:\n  a:\n    ports: [\"80:80\"]\n",
			want: "services.a.ports",
		},
		{
			name: "reset kept",
			src:  "services:\n  a:\n    ports: !reset []\n",
			out:  "services:\n  a:\n    ports: !reset null\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compose.Parse("compose.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			err = selfCheck(d, []byte(tt.out), tt.added)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
