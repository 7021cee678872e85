package lint

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/composure-dev/composure/dockerfile"
)

// This file recognises the package-manager and build-tool calls of RUN
// scripts for the dockerfile-* rules.

// shellCall is one simple command of a RUN, with where it is.
type shellCall struct {
	ins    *dockerfile.Instruction
	script dockerfile.Script
	cmd    dockerfile.SimpleCommand
	args   []dockerfile.Word // program first
}

// calls returns the simple commands of every script of ins.
func calls(ins *dockerfile.Instruction) []shellCall {
	var out []shellCall
	for _, s := range ins.Scripts() {
		for _, c := range s.Commands {
			if a := c.Args(); len(a) > 0 {
				out = append(out, shellCall{ins: ins, script: s, cmd: c, args: a})
			}
		}
	}
	return out
}

// prog returns the program's base name.
func (c shellCall) prog() string { return path.Base(c.args[0].Value) }

// sub finds the subcommand after the program (options skipped; the options
// in withValue take the next word as their value) and returns it with the
// words after it.
func sub(words []dockerfile.Word, withValue ...string) (string, []dockerfile.Word) {
	for i := 0; i < len(words); i++ {
		v := words[i].Value
		if strings.HasPrefix(v, "-") {
			for _, o := range withValue {
				if v == o {
					i++
				}
			}
			continue
		}
		return v, words[i+1:]
	}
	return "", nil
}

// operands returns the words of ws that are not options, skipping the
// values of the options in withValue.
func operands(ws []dockerfile.Word, withValue ...string) []dockerfile.Word {
	var out []dockerfile.Word
	for i := 0; i < len(ws); i++ {
		v := ws[i].Value
		if strings.HasPrefix(v, "-") {
			if !strings.Contains(v, "=") {
				for _, o := range withValue {
					if v == o {
						i++
						break
					}
				}
			}
			continue
		}
		out = append(out, ws[i])
	}
	return out
}

func hasOpt(ws []dockerfile.Word, opts ...string) bool {
	for _, w := range ws {
		for _, o := range opts {
			if w.Value == o || strings.HasPrefix(w.Value, o+"=") {
				return true
			}
		}
	}
	return false
}

var pipRE = regexp.MustCompile(`^pip[0-9.]*$`)

// pipInstall returns the words after `install` for pip, pip3, python -m pip
// and uv pip.
func (c shellCall) pipInstall() ([]dockerfile.Word, bool) {
	p := c.prog()
	rest := c.args[1:]
	switch {
	case pipRE.MatchString(p):
	case strings.HasPrefix(p, "python") && len(rest) >= 2 && rest[0].Value == "-m" && pipRE.MatchString(rest[1].Value):
		rest = rest[2:]
	case p == "uv" && len(rest) >= 1 && rest[0].Value == "pip":
		rest = rest[1:]
	default:
		return nil, false
	}
	s, after := sub(rest)
	return after, s == "install"
}

// pipValueOpts are the pip install options that take a value.
var pipValueOpts = []string{"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
	"--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host",
	"--platform", "--python-version", "--only-binary", "--no-binary", "--src", "--upgrade-strategy",
	"--progress-bar", "--cache-dir", "--log", "--proxy", "--timeout", "--retries", "--python", "--implementation", "--abi", "--config-settings", "-C"}

// aptValueOpts are the apt-get options that take a value.
var aptValueOpts = []string{"-o", "--option", "-t", "--target-release", "-c", "--config-file"}

// apt returns the apt-get/apt subcommand and its words.
func (c shellCall) apt() (string, []dockerfile.Word) {
	if p := c.prog(); p != "apt-get" && p != "apt" && p != "aptitude" {
		return "", nil
	}
	return sub(c.args[1:], aptValueOpts...)
}

// apk returns the apk subcommand and its words.
func (c shellCall) apk() (string, []dockerfile.Word) {
	if c.prog() != "apk" {
		return "", nil
	}
	return sub(c.args[1:], "-X", "--repository", "-t", "--virtual", "--root", "-p")
}

// yum returns the yum/dnf/microdnf subcommand and its words.
func (c shellCall) yum() (string, []dockerfile.Word) {
	switch c.prog() {
	case "yum", "dnf", "microdnf", "tdnf", "zypper":
		return sub(c.args[1:], "--setopt", "--enablerepo", "--disablerepo", "--releasever")
	}
	return "", nil
}

// removes reports whether the call is an `rm` of a path containing dir.
func (c shellCall) removes(dir string) bool {
	if c.prog() != "rm" {
		return false
	}
	for _, w := range c.args[1:] {
		if strings.Contains(w.Value, dir) {
			return true
		}
	}
	return false
}

// depInstall recognises the steps that install a project's dependencies
// from its manifest, and returns the manifest files to copy first.
func (c shellCall) depInstall() (tool string, manifests []string, ok bool) {
	a := c.args
	p := c.prog()
	sc, rest := sub(a[1:])
	if ws, isPip := c.pipInstall(); isPip {
		for i, w := range ws {
			if (w.Value == "-r" || w.Value == "--requirement") && i+1 < len(ws) {
				return "pip install -r " + ws[i+1].Value, []string{ws[i+1].Value}, true
			}
			if v, ok := strings.CutPrefix(w.Value, "--requirement="); ok {
				return "pip install -r " + v, []string{v}, true
			}
			if v, ok := strings.CutPrefix(w.Value, "-r"); ok && v != "" {
				return "pip install -r " + v, []string{v}, true
			}
		}
		return "", nil, false
	}
	switch {
	case p == "poetry" && (sc == "install" || sc == "sync"):
		return "poetry " + sc, []string{"pyproject.toml", "poetry.lock"}, true
	case p == "pipenv" && (sc == "install" || sc == "sync"):
		return "pipenv " + sc, []string{"Pipfile", "Pipfile.lock"}, true
	case p == "uv" && sc == "sync":
		return "uv sync", []string{"pyproject.toml", "uv.lock"}, true
	case p == "pdm" && (sc == "install" || sc == "sync"):
		return "pdm " + sc, []string{"pyproject.toml", "pdm.lock"}, true
	case p == "npm" && sc == "ci":
		return "npm ci", []string{"package.json", "package-lock.json"}, true
	case p == "npm" && (sc == "install" || sc == "i") && len(operands(rest)) == 0:
		return "npm install", []string{"package.json", "package-lock.json"}, true
	case p == "yarn" && (sc == "" || sc == "install"):
		return "yarn install", []string{"package.json", "yarn.lock"}, true
	case p == "pnpm" && sc == "install" && len(operands(rest)) == 0:
		return "pnpm install", []string{"package.json", "pnpm-lock.yaml"}, true
	case p == "go" && sc == "mod" && len(rest) > 0 && rest[0].Value == "download":
		return "go mod download", []string{"go.mod", "go.sum"}, true
	case p == "bundle" && (sc == "install" || sc == ""):
		return "bundle install", []string{"Gemfile", "Gemfile.lock"}, true
	case p == "composer" && (sc == "install" || sc == "update"):
		return "composer " + sc, []string{"composer.json", "composer.lock"}, true
	case (p == "mvn" || p == "mvnw") && hasWord(a, "dependency:go-offline", "dependency:resolve"):
		return "mvn dependency:go-offline", []string{"pom.xml"}, true
	case p == "cargo" && sc == "fetch":
		return "cargo fetch", []string{"Cargo.toml", "Cargo.lock"}, true
	}
	return "", nil, false
}

func hasWord(ws []dockerfile.Word, vs ...string) bool {
	for _, w := range ws {
		for _, v := range vs {
			if w.Value == v {
				return true
			}
		}
	}
	return false
}

// buildTools are packages that compile and are not needed to run the result.
var buildTools = map[string]bool{
	"build-essential": true, "gcc": true, "g++": true, "clang": true, "make": true, "cmake": true,
	"build-base": true, "musl-dev": true, "libc6-dev": true, "libc-dev": true, "gcc-c++": true,
	"cargo": true, "rustc": true, "golang": true, "golang-go": true, "maven": true, "gradle": true,
	"autoconf": true, "automake": true, "libtool": true, "pkg-config": true, "pkgconf": true,
}

// tooling names the build tooling a call installs or runs ("" for none).
func (c shellCall) tooling() string {
	p := c.prog()
	sc, rest := sub(c.args[1:])
	installs := func(ws []dockerfile.Word) string {
		var found []string
		for _, w := range operands(ws, aptValueOpts...) {
			name, _, _ := strings.Cut(w.Value, "=")
			if buildTools[name] || strings.HasSuffix(name, "-dev") || strings.HasSuffix(name, "-devel") {
				found = append(found, name)
			}
		}
		return strings.Join(found, ", ")
	}
	if s, ws := c.apt(); s == "install" {
		return installs(ws)
	}
	if s, ws := c.apk(); s == "add" {
		return installs(ws)
	}
	if s, ws := c.yum(); s == "install" {
		return installs(ws)
	}
	if ws, ok := c.pipInstall(); ok {
		for _, w := range operands(ws, pipValueOpts...) {
			name := strings.ToLower(pkgName(w.Value))
			if name == "poetry" || name == "pipenv" || name == "pdm" || name == "hatch" || name == "cython" {
				return name
			}
		}
		return ""
	}
	switch {
	case p == "poetry" && (sc == "install" || sc == "build"):
		return "poetry " + sc
	case p == "go" && sc == "build":
		return "go build"
	case p == "go" && sc == "install" && !slices.ContainsFunc(rest, func(w dockerfile.Word) bool { return strings.Contains(w.Value, "@") }):
		// go install pkg@version installs a tool; without a version it
		// builds the module in the image.
		return "go install"
	case (p == "npm" || p == "pnpm" || p == "yarn") && (sc == "run" || sc == "run-script") && len(rest) > 0 && strings.Contains(rest[0].Value, "build"):
		return p + " run " + rest[0].Value
	case (p == "yarn" || p == "pnpm") && sc == "build":
		return p + " build"
	case p == "cargo" && (sc == "build" || sc == "install"):
		return "cargo " + sc
	case (p == "mvn" || p == "mvnw") && hasWord(c.args, "package", "install", "verify"):
		return "mvn package"
	case (p == "gradle" || p == "gradlew") && hasWord(c.args, "build", "assemble", "bootJar", "jar", "installDist"):
		return "gradle build"
	case p == "dotnet" && (sc == "publish" || sc == "build"):
		return "dotnet " + sc
	case p == "curl" && hasWord(c.args, "https://install.python-poetry.org"):
		return "poetry"
	}
	return ""
}

// pkgName cuts a pip requirement to its project name.
func pkgName(req string) string {
	for i, r := range req {
		if strings.ContainsRune("=<>!~[;@ ", r) {
			return req[:i]
		}
	}
	return req
}
