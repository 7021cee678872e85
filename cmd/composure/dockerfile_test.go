package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestOwnDockerfile holds composure's own Dockerfile to the best practices
// it lints others for (issue 7): exact base image versions, dependencies
// downloaded in a layer of their own before the source is copied, a static
// binary in a minimal final stage, a non-root user and a .dockerignore.
func TestOwnDockerfile(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stage(s), want a multi-stage build", len(stages))
	}
	exact := regexp.MustCompile(`^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*$|@sha256:[0-9a-f]{64}$`)
	names := map[string]bool{}
	for _, st := range stages {
		if st.BaseName != "scratch" && !names[st.BaseName] && !exact.MatchString(st.BaseName) {
			t.Errorf("FROM %s: pin the base image to an exact version (best practice 1)", st.BaseName)
		}
		if st.Name != "" {
			names[st.Name] = true
		}
	}

	build := stages[0]
	download, copyAll := -1, -1
	for i, cmd := range build.Commands {
		switch c := cmd.(type) {
		case *instructions.RunCommand:
			line := strings.Join(c.CmdLine, " ")
			if strings.Contains(line, "go mod download") && download < 0 {
				download = i
			}
			if strings.Contains(line, "go build") && !strings.Contains(line, "CGO_ENABLED=0") {
				t.Errorf("go build without CGO_ENABLED=0: the binary must be static for a scratch image")
			}
		case *instructions.CopyCommand:
			if len(c.SourcePaths) == 1 && c.SourcePaths[0] == "." && copyAll < 0 {
				copyAll = i
			}
		}
	}
	if download < 0 || copyAll < 0 || download > copyAll {
		t.Errorf("go mod download (step %d) must come before COPY . . (step %d) so the module layer is cached (best practice 5)", download, copyAll)
	}

	final := stages[len(stages)-1]
	if final.BaseName != "scratch" && !strings.Contains(final.BaseName, "distroless") {
		t.Errorf("final stage FROM %s: use scratch or distroless (best practice 7)", final.BaseName)
	}
	var user string
	var entrypoint []string
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entrypoint = c.CmdLine
		case *instructions.RunCommand:
			t.Errorf("RUN in the final stage adds a layer: build everything in the build stage")
		}
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("final stage runs as %q: switch to an unprivileged user (best practice 6)", user)
	}
	if len(entrypoint) == 0 || !strings.HasSuffix(entrypoint[0], "composure") {
		t.Errorf("ENTRYPOINT %v: the image's entrypoint must be composure", entrypoint)
	}
	if len(final.Commands) > 5 {
		t.Errorf("final stage has %d instructions: keep it small", len(final.Commands))
	}

	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatalf("no .dockerignore (best practice 10): %v", err)
	}
	for _, want := range []string{".git", "**/testdata"} {
		if !strings.Contains(string(ignore), want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}
