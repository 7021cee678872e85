package envs

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvAndLabelFiles holds composure's reading of env files (the
// project's .env, a service's env_file, an include's env_file) and label
// files, through compose.FS, to compose-go's loader and its
// Project.With*Resolved, which read the disk: both load the same project,
// or both refuse it with the same message.
func TestEnvAndLabelFiles(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // compose.yaml and the rest, by name
		dirs  []string          // directories to make
		want  []string          // in the project loaded: what the files gave
		fail  string            // what both refusals say
	}{
		{
			name: "env files in order, values from the project, then the service",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    image: web\n    environment: {OWN: own, KEEP: service}\n" +
					"    env_file: [a.env, b.env, {path: c.env, required: false}]\n",
				".env":  "PROJ=from-dotenv\n",
				"a.env": "A=${PROJ}-a\nFROM_OWN=${OWN}\nKEEP=file\n",
				"b.env": "B=${A}-b\nUNSET\nEMPTY=\n",
			},
			want: []string{`"A":"from-dotenv-a"`, `"B":"from-dotenv-a-b"`, `"FROM_OWN":"own"`, `"KEEP":"service"`},
		},
		{
			name: "raw format and a hook's env file",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    image: web\n    env_file: [{path: raw.env, format: raw}]\n" +
					"    pre_start:\n      - image: busybox\n        command: [echo]\n        env_file: hook.env\n",
				"raw.env":  "RAW=${NOT_EXPANDED} 'quoted'\n",
				"hook.env": "HOOK=1\n",
			},
			want: []string{`"RAW":"${NOT_EXPANDED} 'quoted'"`, `"HOOK":"1"`},
		},
		{
			name: "label files in order, each using the labels before it; the service's labels win",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    image: web\n    labels: {team: own}\n    label_file: [a.labels, b.labels]\n",
				"a.labels":     "team=a\ntier=one\n",
				"b.labels":     "derived=${tier}-b\n",
			},
			want: []string{`"derived":"one-b"`, `"team":"own"`, `"tier":"one"`},
		},
		{
			name: "an include's env files",
			files: map[string]string{
				"compose.yaml":     "include:\n  - path: sub/compose.yaml\n    env_file: sub.env\nservices:\n  web:\n    image: web\n",
				"sub.env":          "SUB=from-include-env\n",
				"sub/compose.yaml": "services:\n  db:\n    image: db\n    environment: [SUB]\n",
			},
			want: []string{`"SUB":"from-include-env"`},
		},
		{
			name: "an included project's own .env",
			files: map[string]string{
				"compose.yaml":     "include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: web\n",
				"sub/.env":         "SUB=from-sub-dotenv\n",
				"sub/compose.yaml": "services:\n  db:\n    image: db\n    environment: [SUB]\n",
			},
			want: []string{`"SUB":"from-sub-dotenv"`},
		},
		{
			name:  "a label file that is missing",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: web\n    label_file: none.labels\n"},
			fail:  "label file DIR/none.labels not found: stat DIR/none.labels: no such file or directory",
		},
		{
			name:  "an env file that is a directory",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: web\n    env_file: conf\n"},
			dirs:  []string{"conf"},
			fail:  "read DIR/conf: is a directory",
		},
		{
			name:  "an env file that does not parse",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    image: web\n    env_file: bad.env\n", "bad.env": "A='unterminated\n"},
			fail:  "failed to read DIR/bad.env: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, src := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := differentialCase{name: tt.name, dir: dir}
			ours, oerr := loadOurs(c)
			ref, rerr := loadReference(c)
			if tt.fail != "" {
				want := strings.ReplaceAll(tt.fail, "DIR", dir)
				if oerr == nil || rerr == nil || !strings.Contains(oerr.Error(), want) || !strings.Contains(rerr.Error(), want) {
					t.Errorf("composure: %v\ncompose-go: %v\nwant both to say %q", oerr, rerr, want)
				}
				return
			}
			if oerr != nil || rerr != nil {
				t.Fatalf("composure: %v\ncompose-go: %v", oerr, rerr)
			}
			if !bytes.Equal(ours, ref) {
				t.Errorf("projects differ:\n%s", firstLineDiff(ours, ref))
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, ours); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !bytes.Contains(compact.Bytes(), []byte(w)) {
					t.Errorf("%s missing from the project:\n%s", w, compact.Bytes())
				}
			}
		})
	}
}
