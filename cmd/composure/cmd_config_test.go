package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	yamlv4 "go.yaml.in/yaml/v4"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/internal/testenv"
)

// TestConfigOutputFile checks -o: same bytes as stdout, written by rename so
// an existing file keeps its mode, and nothing left behind.
func TestConfigOutputFile(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n"})
	out := filepath.Join(dir, "out", "effective.yaml")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runEnviron([]string{"composure", "-C", dir, "config"}, nil, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("config: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	var none bytes.Buffer
	if code := runEnviron([]string{"composure", "-C", dir, "config", "-o", out}, nil, &none, &stderr, nil); code != 0 {
		t.Fatalf("config -o: exit %d: %s", code, stderr.String())
	}
	if none.Len() != 0 {
		t.Errorf("config -o printed %q", none.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, stdout.Bytes()) {
		t.Errorf("file differs from stdout:\n%s\n---\n%s", got, stdout.String())
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the existing 0600 kept", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

func TestConfigOutputFileUnwritable(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n"})
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-C", dir, "config", "-o", filepath.Join(dir, "no", "such", "dir", "x.yaml")}, nil, &stdout, &stderr, nil)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if n := strings.Count(strings.TrimSpace(stderr.String()), "\n"); n != 0 || stderr.Len() == 0 {
		t.Errorf("want one error line, got %q", stderr.String())
	}
}

// TestUnreadableFile: a file that cannot be read is one located line and
// exit 2. Permission bits do not stop root, so as root a file whose read
// fails on Linux stands in for it.
func TestUnreadableFile(t *testing.T) {
	var file, want string
	if os.Geteuid() != 0 {
		dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n"})
		file = filepath.Join(dir, "compose.yaml")
		if err := os.Chmod(file, 0); err != nil {
			t.Fatal(err)
		}
		want = "compose.yaml: permission denied: make the file readable\n"
	} else {
		file = "/proc/self/mem" // regular, readable by mode, read fails with EIO
		if _, err := os.Stat(file); err != nil {
			t.Skip("no unreadable file available as root")
		}
		want = "mem: cannot read file: input/output error\n"
	}
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-f", file, "config"}, nil, &stdout, &stderr, nil)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// TestConfigJSONEnding: docker compose prints `config --format json`
// without a line break after the closing brace (its output is
// json.MarshalIndent's, printed as is); every JSON form of composure's
// config ends the same way, and the YAML ones with a line break.
func TestConfigJSONEnding(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n    environment:\n      PASSWORD: hunter2\n"})
	for _, args := range [][]string{
		{"config", "--format", "json"},
		{"config", "--format", "json", "--no-interpolate"},
		{"config", "--format", "json", "--redact"},
		{"config", "--format", "json", "--origin"},
		{"config"},
		{"config", "--no-interpolate"},
		{"config", "--redact"},
	} {
		code, out, errs := runCLI(t, nil, append([]string{"-C", dir}, args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
			continue
		}
		json := slices.Contains(args, "json")
		switch {
		case json && !strings.HasSuffix(out, "}"):
			t.Errorf("%v: JSON output ends with %q, want the closing brace", args, out[max(0, len(out)-10):])
		case !json && !strings.HasSuffix(out, "\n"):
			t.Errorf("%v: YAML output does not end with a line break: %q", args, out)
		}
	}
}

// TestConfigNoInterpolateYAML: with --no-interpolate, docker compose prints
// the model map with go.yaml.in/yaml/v4 (formatModel), which folds long
// scalars at 80 columns and quotes as v4 does; composure must print the
// same bytes.
func TestConfigNoInterpolateYAML(t *testing.T) {
	command := "sh -c '" + strings.Repeat("echo waiting for the database; sleep 1; ", 4) + "exec app'"
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ${IMAGE:-nginx}\n" +
		"    command: " + strconv.Quote(command) + "\n    environment:\n      DEBUG: \"yes\"\n      EMOJI: \"🚢\"\n"})
	code, out, errs := runCLI(t, nil, "-C", dir, "config", "--no-interpolate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var model map[string]any
	if err := yamlv4.Unmarshal([]byte(out), &model); err != nil {
		t.Fatalf("output is not YAML: %v\n%s", err, out)
	}
	var want bytes.Buffer
	enc := yamlv4.NewEncoder(&want)
	enc.SetIndent(2)
	if err := enc.Encode(model); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("got:\n%s\nwant, as go.yaml.in/yaml/v4 prints it:\n%s", out, want.String())
	}
}

// endless is a reader that never ends, counting what it gave.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '#'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// TestConfigStdinBounded: `-f -` reads at most compose.MaxFileSize bytes
// of standard input (and one more to know), then refuses with one line
// naming it.
func TestConfigStdinBounded(t *testing.T) {
	in := &endless{}
	var stdout, stderr bytes.Buffer
	code := runEnviron([]string{"composure", "-C", t.TempDir(), "-f", "-", "config"}, in, &stdout, &stderr, nil)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if want := "-: standard input holds more than the 32 MiB composure reads of a compose file: pipe the right file\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if limit := int64(compose.MaxFileSize) + 1; in.n > limit+64<<10 {
		t.Errorf("read %d bytes of standard input, want about %d", in.n, limit)
	}
}

// TestConfigStdinProjectDir: with `-f -` and no -C, the project directory
// is docker compose's: the directory of the first other -f file, else the
// working directory (here cmd/composure, so the project is "composure").
func TestConfigStdinProjectDir(t *testing.T) {
	dir := filepath.Join(writeProject(t, nil), "proj")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{"base.yaml": "services:\n  web:\n    restart: always\n", ".env": "TAG=7\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-f", "-", "config"}, "name: composure\n"},
		{[]string{"-f", "-", "-f", filepath.Join(dir, "base.yaml"), "config"}, "name: proj\n"},
		{[]string{"-f", filepath.Join(dir, "base.yaml"), "-f", "-", "config"}, "name: proj\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		in := strings.NewReader("services:\n  web:\n    image: nginx:${TAG:-latest}\n")
		if code := runEnviron(append([]string{"composure"}, tt.args...), in, &stdout, &stderr, nil); code != 0 {
			t.Errorf("%v: exit %d: %s", tt.args, code, stderr.String())
			continue
		}
		if !strings.HasPrefix(stdout.String(), tt.want) {
			t.Errorf("%v: printed\n%s\nwant it to start with %q", tt.args, stdout.String(), tt.want)
		}
		// the project directory's .env interpolates the file read from stdin
		if wantTag := tt.want != "name: composure\n"; wantTag != strings.Contains(stdout.String(), "image: nginx:7") {
			t.Errorf("%v: .env of the project directory read: %v, want %v:\n%s", tt.args, !wantTag, wantTag, stdout.String())
		}
	}
}

// TestConfigOutputDash: -o - is stdout (docker compose would write a file
// called "-"): the same bytes as without -o, and no file "-" made in the
// working directory.
func TestConfigOutputDash(t *testing.T) {
	dir := writeProject(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx\n"})
	_, plain, _ := runCLI(t, nil, "-C", dir, "config")
	code, out, errs := runCLI(t, nil, "-C", dir, "config", "-o", "-")
	if code != 0 || out != plain || plain == "" {
		t.Errorf("exit %d, printed %q (%s), want %q", code, out, errs, plain)
	}
	if _, err := os.Lstat("-"); !os.IsNotExist(err) {
		os.Remove("-")
		t.Errorf("config -o - made a file called -")
	}
}

// TestConfigListsOracle holds --volumes and --networks to what docker
// compose printed for every environment of the oracle: the names of the
// top-level volumes and networks, sorted. docker compose's config output
// leaves top-level models out, so the oracle cannot hold --models; the
// config-models CLI golden does.
func TestConfigListsOracle(t *testing.T) {
	shared := testenv.SharedDir(t)
	home := t.TempDir()
	lists := 0
	for _, r := range oracleRows(t, shared) {
		if !r.ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(shared, "oracle", r.project, r.env+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var printed struct {
			Volumes, Networks map[string]any
		}
		if err := json.Unmarshal(b, &printed); err != nil {
			t.Fatalf("%s: %v", r.key(), err)
		}
		dir := filepath.Join(shared, "corpus", r.project)
		for flag, want := range map[string][]string{
			"--volumes":  slices.Sorted(maps.Keys(printed.Volumes)),
			"--networks": slices.Sorted(maps.Keys(printed.Networks)),
		} {
			args := append(r.configArgs(dir, "yaml"), flag)
			var out, errb bytes.Buffer
			if code := runEnviron(args, strings.NewReader(""), &out, &errb, oracleEnviron(dir, home)); code != 0 {
				t.Errorf("%s config %s: exit %d: %s", r.key(), flag, code, errb.String())
				continue
			}
			if got := strings.Fields(out.String()); !slices.Equal(got, want) {
				t.Errorf("%s config %s: printed %q, docker compose's config has %q", r.key(), flag, got, want)
			}
			lists++
		}
	}
	t.Logf("%d lists as docker compose's config has them", lists)
}

// TestConfigEnvironmentRedact: config --environment prints the secrets of
// .env and of the process environment as they are, and with --redact as
// *** (by name: DB_PASSWORD; by shape: a GitHub token under an innocent
// name), nothing else changed.
func TestConfigEnvironmentRedact(t *testing.T) {
	const token = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
	dir := writeProject(t, map[string]string{
		"compose.yaml": "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD}\n",
		".env":         "DB_PASSWORD=s3cret\nTAG=1.2.3\n",
	})
	env := map[string]string{"HOME": "/home/dev", "CHECKOUT": token}
	code, plain, errs := runCLI(t, env, "-C", dir, "config", "--environment")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, redacted, errs := runCLI(t, env, "-C", dir, "config", "--environment", "--redact")
	if code != 0 {
		t.Fatalf("--redact: exit %d: %s", code, errs)
	}
	for _, line := range []string{"DB_PASSWORD=s3cret", "CHECKOUT=" + token, "TAG=1.2.3", "HOME=/home/dev"} {
		if !strings.Contains(plain, line+"\n") {
			t.Errorf("without --redact, %q is not printed:\n%s", line, plain)
		}
	}
	for _, line := range []string{"DB_PASSWORD=***", "CHECKOUT=***", "TAG=1.2.3", "HOME=/home/dev"} {
		if !strings.Contains(redacted, line+"\n") {
			t.Errorf("with --redact, %q is not printed:\n%s", line, redacted)
		}
	}
	for _, secret := range []string{"s3cret", token} {
		if strings.Contains(redacted, secret) {
			t.Errorf("with --redact, %q is printed:\n%s", secret, redacted)
		}
	}
}
