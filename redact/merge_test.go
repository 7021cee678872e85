package redact

import (
	"strings"
	"testing"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/merge"
)

// TestMergeSources traces printed values back to the variables written in
// their place, through an anchor and a short syntax that normalization
// expands.
func TestMergeSources(t *testing.T) {
	base, err := compose.Parse("compose.yaml", []byte(`x-env: &env
  ROOT: ${DB_ROOT_PASSWORD}
services:
  db:
    image: mysql:${TAG:-8}
    environment:
      <<: *env
      DEF: ${UNSET_SECRET:-changeme}
    ports:
      - "${PORT_SECRET}:3306"
`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := merge.Merge([]*compose.Document{base})
	if err != nil {
		t.Fatal(err)
	}
	src := MergeSources(m, []*compose.Document{base}, map[string]string{"DB_ROOT_PASSWORD": "hunter22", "PORT_SECRET": "8080"})
	vars := map[string]string{}
	for _, v := range src.Vars() {
		vars[v.Name] = v.Value
	}
	for name, want := range map[string]string{"DB_ROOT_PASSWORD": "hunter22", "TAG": "8", "UNSET_SECRET": "changeme", "PORT_SECRET": "8080"} {
		if vars[name] != want {
			t.Errorf("Vars: %s = %q, want %q (%v)", name, vars[name], want, vars)
		}
	}
	tests := []struct {
		path  []string
		names string
		known bool
	}{
		{[]string{"services", "db", "environment", "ROOT"}, "DB_ROOT_PASSWORD", true},
		{[]string{"services", "db", "environment", "DEF"}, "UNSET_SECRET", true},
		{[]string{"services", "db", "image"}, "TAG", true},
		{[]string{"services", "db", "ports", "0", "published"}, "PORT_SECRET", true},
		{[]string{"services", "db", "ports", "0", "target"}, "PORT_SECRET", true},
		{[]string{"services", "db", "networks", "default"}, "", false}, // normalization adds it
		{[]string{"services", "db", "environment", "COPIED"}, "", false},
	}
	for _, tt := range tests {
		names, known := src.From(tt.path)
		if got := strings.Join(names, ","); got != tt.names || known != tt.known {
			t.Errorf("From(%q) = %q, %v, want %q, %v", tt.path, got, known, tt.names, tt.known)
		}
	}
}
