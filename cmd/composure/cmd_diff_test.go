package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffRev runs `composure diff ENV --rev` in a temporary git repository:
// the revision's files are read with git and compared with the working tree
// or with another revision; nothing is left behind.
func TestDiffRev(t *testing.T) {
	base := "name: shop\nservices:\n  web:\n    image: shop/web:1.0\n    build: ./web\n    ports: ['127.0.0.1:8080:80', '443:443']\n    environment: [A=1, B=2]\n"
	repo := gitRepo(t,
		map[string]string{
			"shop/compose.yaml":      base,
			"shop/compose.prod.yaml": "services:\n  web:\n    restart: always\n",
		},
		map[string]string{
			// Reordering only: no difference.
			"shop/compose.yaml": strings.NewReplacer("['127.0.0.1:8080:80', '443:443']", "['443:443', '127.0.0.1:8080:80']", "[A=1, B=2]", "[B=2, A=1]").Replace(base),
		},
		map[string]string{
			"shop/compose.prod.yaml": "services:\n  web:\n    restart: always\n    image: shop/web:2.0\n",
		},
	)
	project := filepath.Join(repo, "shop")
	// An untracked change in the working tree.
	if err := os.WriteFile(filepath.Join(project, "compose.prod.yaml"), []byte("services:\n  web:\n    restart: unless-stopped\n    image: shop/web:2.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	diff := func(args ...string) (map[string]any, string, int) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := runEnviron(append([]string{"composure", "-C", project, "diff"}, args...), strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + os.Getenv("PATH")})
		var report map[string]any
		if code <= 1 && stdout.Len() > 0 && strings.HasPrefix(stdout.String(), "{") {
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("%v: %s", err, stdout.String())
			}
		}
		return report, stderr.String(), code
	}
	changes := func(r map[string]any) []string {
		var out []string
		for _, c := range r["changes"].([]any) {
			c := c.(map[string]any)
			out = append(out, c["kind"].(string)+" "+c["path"].(string)+" "+str(c["from_origin"])+" "+str(c["to_origin"]))
		}
		return out
	}

	tests := []struct {
		name  string
		args  []string
		from  string
		to    string
		want  []string
		code  int
		error string
	}{
		{
			name: "revision against the working tree",
			args: []string{"prod", "--rev", "HEAD", "--format", "json", "--exit-code"},
			from: "prod@HEAD", to: "prod", code: 1,
			want: []string{"changed services.web.restart HEAD:compose.prod.yaml:3:14 compose.prod.yaml:3:14"},
		},
		{
			name: "two revisions",
			args: []string{"prod", "--rev=HEAD~2..HEAD", "--format=json"},
			from: "prod@HEAD~2", to: "prod@HEAD",
			want: []string{"changed services.web.image HEAD~2:compose.yaml:4:12 HEAD:compose.prod.yaml:4:12"},
		},
		{
			name: "reordering alone is no difference",
			args: []string{"--format", "json", "--rev", "HEAD~2..HEAD~1", "default", "--exit-code"},
			from: "default@HEAD~2", to: "default@HEAD~1",
		},
		{
			name:  "unknown revision",
			args:  []string{"prod", "--rev", "v9"},
			code:  2,
			error: `unknown revision "v9"`,
		},
		{
			name:  "environment missing at the revision",
			args:  []string{"staging", "--rev", "HEAD"},
			code:  2,
			error: `at revision "HEAD": unknown environment "staging"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, stderr, code := diff(tt.args...)
			if code != tt.code {
				t.Fatalf("exit status %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if tt.error != "" {
				if !strings.Contains(stderr, tt.error) {
					t.Errorf("stderr %q, want %q", stderr, tt.error)
				}
				return
			}
			if r["from"] != tt.from || r["to"] != tt.to {
				t.Errorf("from %v to %v, want %s to %s", r["from"], r["to"], tt.from, tt.to)
			}
			got := changes(r)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	if st := gitStatus(t, repo); st != "M shop/compose.prod.yaml" {
		t.Errorf("git status after diff --rev: %q", st)
	}
}

func str(v any) string {
	if v == nil {
		return "null"
	}
	return v.(string)
}

// TestDiffJSONIssueExample reproduces the report issue 4 shows, byte for
// byte once compacted.
func TestDiffJSONIssueExample(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"docker-compose.yml": "services:\n  web:\n    image: example/web:1.0\n",
		"docker-compose.prod.yml": "# Production settings.\n#\nservices:\n  web:\n    environment:\n" +
			"      PRODUCTION: \"true\"\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-C", dir, "diff", "default", "prod", "--format", "json"},
		strings.NewReader(""), &stdout, &stderr, nil)
	if code != 0 {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, stdout.Bytes()); err != nil {
		t.Fatal(err)
	}
	want := `{"from":"default","to":"prod","changes":[{"path":"services.web.environment.PRODUCTION","kind":"added","from":null,"to":"true","from_origin":null,"to_origin":"docker-compose.prod.yml:6:19"}]}`
	if compact.String() != want {
		t.Errorf("got  %s\nwant %s", compact.String(), want)
	}
}

// TestDiffRevAsCommitted: --rev reads the revision as committed, whatever
// .gitattributes say, and include, extends and env_file above the project
// directory resolve. Through `git archive`, export-ignore hid the overlay,
// export-subst rewrote the env file, and ../ named a temporary path that
// did not exist.
func TestDiffRevAsCommitted(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		".gitattributes":           "deploy/compose.prod.yaml export-ignore\ncommon/web.env export-subst\n",
		"deploy/compose.yaml":      "include:\n  - ../common/db.yaml\nservices:\n  web:\n    extends: {file: ../common/base.yaml, service: base}\n    env_file: ../common/web.env\n",
		"deploy/compose.prod.yaml": "services:\n  web:\n    restart: always\n",
		"common/db.yaml":           "services:\n  db:\n    image: postgres:16.4\n",
		"common/base.yaml":         "services:\n  base:\n    image: shop:1.0\n",
		"common/web.env":           "BUILT=$Format:%H$\n",
	}, map[string]string{
		"deploy/compose.prod.yaml": "services:\n  web:\n    restart: unless-stopped\n",
		"common/base.yaml":         "services:\n  base:\n    image: shop:1.1\n",
	})
	t.Setenv("TMPDIR", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-C", filepath.Join(repo, "deploy"), "diff", "prod", "--rev", "HEAD~1", "--format", "json"},
		strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + os.Getenv("PATH")})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var r struct {
		Changes []struct {
			Path     string `json:"path"`
			From, To any
		} `json:"changes"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Changes {
		got = append(got, fmt.Sprintf("%s: %v -> %v", c.Path, c.From, c.To))
	}
	want := []string{"services.web.image: shop:1.0 -> shop:1.1", "services.web.restart: always -> unless-stopped"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDiffRevUntrackedEnvFile: an untracked .env holds local settings, not
// the change under review, so the revision's side reads it from the working
// tree too (revFS.fallback).
func TestDiffRevUntrackedEnvFile(t *testing.T) {
	repo := gitRepo(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: \"web:${TAG}\"\n"})
	if err := os.WriteFile(filepath.Join(repo, ".env"), []byte("TAG=3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-C", repo, "diff", "default", "--rev", "HEAD", "--exit-code"},
		strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + os.Getenv("PATH")})
	if code != 0 || stdout.String() != "default@HEAD → default: no differences\n" {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
}

// TestDiffRevReadsRevision: the revision's side reads every file as
// committed, those above the project directory too (include, extends,
// env_file, label_file under ../), however the working tree differs (files
// changed, a file deleted); origins name the files as in the working tree,
// after REV:. Nothing is written: TMPDIR names a directory that does not
// exist, and stays so, and the working tree is left as it was.
func TestDiffRevReadsRevision(t *testing.T) {
	repo := gitRepo(t, map[string]string{
		"deploy/compose.yaml": "include:\n  - ../common/db.yaml\nservices:\n  web:\n    extends: {file: ../common/base.yaml, service: base}\n" +
			"    env_file: [{path: ../common/web.env, required: false}]\n    label_file: ../common/web.labels\n",
		"deploy/compose.prod.yaml": "services:\n  web:\n    restart: always\n",
		"common/db.yaml":           "services:\n  db:\n    image: postgres:16.4\n",
		"common/base.yaml":         "services:\n  base:\n    image: shop:1.0\n",
		"common/web.env":           "LOG=info\n",
		"common/web.labels":        "team=a\n",
	}, map[string]string{
		"common/base.yaml": "services:\n  base:\n    image: shop:1.1\n",
	})
	// The working tree differs from HEAD: files changed, one deleted.
	for name, src := range map[string]string{
		"common/db.yaml":    "services:\n  db:\n    image: postgres:17.0\n",
		"common/base.yaml":  "services:\n  base:\n    image: shop:2.0\n",
		"common/web.labels": "team=b\n",
	} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(repo, "common", "web.env")); err != nil {
		t.Fatal(err)
	}
	status := gitStatus(t, repo)
	tmp := filepath.Join(t.TempDir(), "missing")
	t.Setenv("TMPDIR", tmp)

	tests := []struct {
		name string
		rev  string
		want []string
	}{
		{
			name: "revision against the working tree",
			rev:  "HEAD",
			want: []string{
				"changed services.db.image: postgres:16.4 -> postgres:17.0 (HEAD:../common/db.yaml:3:12, ../common/db.yaml:3:12)",
				// values read from env and label files have no origin
				"removed services.web.environment.LOG: info -> <nil> (<nil>, <nil>)",
				"changed services.web.image: shop:1.1 -> shop:2.0 (HEAD:../common/base.yaml:3:12, ../common/base.yaml:3:12)",
				"changed services.web.labels.team: a -> b (<nil>, <nil>)",
			},
		},
		{
			name: "two revisions",
			rev:  "HEAD~1..HEAD",
			want: []string{"changed services.web.image: shop:1.0 -> shop:1.1 (HEAD~1:../common/base.yaml:3:12, HEAD:../common/base.yaml:3:12)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runEnviron([]string{"composure", "-C", filepath.Join(repo, "deploy"), "diff", "prod", "--rev", tt.rev, "--format", "json"},
				strings.NewReader(""), &stdout, &stderr, []string{"PATH=" + os.Getenv("PATH")})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var r struct {
				Changes []struct {
					Path, Kind string
					From, To   any
					FromOrigin any `json:"from_origin"`
					ToOrigin   any `json:"to_origin"`
				} `json:"changes"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range r.Changes {
				got = append(got, fmt.Sprintf("%s %s: %v -> %v (%v, %v)", c.Kind, c.Path, c.From, c.To, c.FromOrigin, c.ToOrigin))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("TMPDIR %s was made: %v", tmp, err)
	}
	if st := gitStatus(t, repo); st != status {
		t.Errorf("git status after diff --rev: %q, was %q", st, status)
	}
}
