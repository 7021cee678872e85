package redact

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestSecretName(t *testing.T) {
	r := New("salt")
	tests := []struct {
		name string
		want bool
	}{
		{"POSTGRES_PASSWORD", true},
		{"db_passwd", true},
		{"AWS_SECRET_ACCESS_KEY", true},
		{"GITHUB_TOKEN", true},
		{"ssh_private_file", true},
		{"GOOGLE_APPLICATION_CREDENTIALS", true},
		{"api-key", true},
		{"HASH_SALT", true}, // extra pattern from composure.yaml
		{"LOG_LEVEL", false},
		{"com.example.team", false},
	}
	for _, tt := range tests {
		if got := r.SecretName(tt.name); got != tt.want {
			t.Errorf("SecretName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"},
		{"redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"},
		{"amqp://guest:guest@mq/ and http://u:p@h/", "amqp://guest:***@mq/ and http://u:***@h/"},
		{"https://example.com/path", "https://example.com/path"},
		{"https://user@example.com/", "https://user@example.com/"},
		{"no url here", "no url here"},
	}
	for _, tt := range tests {
		if got := URLs(tt.in); got != tt.want {
			t.Errorf("URLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValue(t *testing.T) {
	r := New()
	if got := r.Value("DB_PASSWORD", "x"); got != Mask {
		t.Errorf("secret name: %q", got)
	}
	if got := r.Value("DB_PASSWORD", ""); got != "" {
		t.Errorf("an empty secret stays empty (nothing to hide, and it shows it is unset): %q", got)
	}
	if got := r.Value("DATABASE_URL", "mysql://root:pw@db/x"); got != "mysql://root:***@db/x" {
		t.Errorf("URL: %q", got)
	}
}

// TestNode redacts testdata/<case>.yaml into <case>.golden.
func TestNode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(src, &doc); err != nil {
				t.Fatal(err)
			}
			New().Node(&doc)
			var buf bytes.Buffer
			enc := yaml.NewEncoder(&buf)
			enc.SetIndent(2)
			if err := enc.Encode(&doc); err != nil {
				t.Fatal(err)
			}
			golden := f[:len(f)-len(".yaml")] + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if buf.String() != string(want) {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
			}
		})
	}
}
