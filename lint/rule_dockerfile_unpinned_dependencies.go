package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// DockerfileUnpinnedDependencies reports packages installed in RUN without
// an exact version (best practice 2): `pip install django`, `npm install -g
// pm2`, `go install x@latest`, `gem install rails`, and (info) `apt-get
// install curl` / `apk add curl` without `=version`. Installs from a
// requirements or lock file are what the practice asks for.
type DockerfileUnpinnedDependencies struct{ RuleBase }

var _ DockerfileRule = (*DockerfileUnpinnedDependencies)(nil)

// NewDockerfileUnpinnedDependencies returns the dockerfile-unpinned-dependencies rule.
func NewDockerfileUnpinnedDependencies() *DockerfileUnpinnedDependencies {
	return &DockerfileUnpinnedDependencies{RuleBase{Meta{ID: "dockerfile-unpinned-dependencies", Summary: "packages installed without an exact version",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 2}}}
}

// VisitDockerfile checks every RUN.
func (r *DockerfileUnpinnedDependencies) VisitDockerfile(p *Pass, df *Dockerfile) {
	for _, s := range df.Stages {
		if !df.Built(s) {
			continue
		}
		for _, ins := range s.Instructions {
			for _, c := range calls(ins) {
				r.check(p, df, c)
			}
		}
	}
}

func (r *DockerfileUnpinnedDependencies) check(p *Pass, df *Dockerfile, c shellCall) {
	report := func(sev diag.Severity, bad []dockerfile.Word, msg func(names string) string) {
		if len(bad) == 0 {
			return
		}
		if p.override != nil {
			sev = *p.override
		}
		names := make([]string, 0, len(bad))
		for _, w := range bad {
			names = append(names, fmt.Sprintf("%q", w.Value))
		}
		p.Report(diag.Finding{Severity: sev, Span: df.WordSpan(c.script.Text, bad[0]), Message: msg(strings.Join(names, ", "))})
	}
	if ws, ok := c.pipInstall(); ok {
		var bad, tools []dockerfile.Word
		upgrade := hasOpt(ws, "-U", "--upgrade")
		for _, w := range operands(ws, pipValueOpts...) {
			if pipPinned(w.Value) {
				continue
			}
			if n := strings.ToLower(pkgName(w.Value)); upgrade && (n == "pip" || n == "setuptools" || n == "wheel") {
				tools = append(tools, w)
				continue
			}
			bad = append(bad, w)
		}
		report(p.meta.Severity, bad, func(n string) string {
			return fmt.Sprintf("pip installs %s without an exact version: pin them (name==1.2.3) in a requirements file and run pip install -r requirements.txt", n)
		})
		report(diag.Info, tools, func(n string) string {
			return fmt.Sprintf("pip upgrades %s to whatever is newest at build time: pin the version (pip==24.0) so rebuilds install the same tools (best practice 13)", n)
		})
		return
	}
	p0 := c.prog()
	sc, rest := sub(c.args[1:])
	switch {
	case (p0 == "npm" && (sc == "install" || sc == "i" || sc == "add")) || ((p0 == "yarn" || p0 == "pnpm") && sc == "add") || (p0 == "yarn" && sc == "global" && len(rest) > 0 && rest[0].Value == "add"):
		if p0 == "yarn" && sc == "global" {
			rest = rest[1:]
		}
		var bad []dockerfile.Word
		for _, w := range operands(rest, "--prefix", "--registry", "--cache", "-w", "--workspace", "--filter") {
			if !npmPinned(w.Value) {
				bad = append(bad, w)
			}
		}
		report(p.meta.Severity, bad, func(n string) string {
			return fmt.Sprintf("%s %s of %[3]s without an exact version: pin each (name@1.2.3), or add them to package.json and install from the lock file with npm ci", p0, sc, n)
		})
	case p0 == "go" && (sc == "install" || sc == "get"):
		var bad []dockerfile.Word
		for _, w := range operands(rest, "-ldflags", "-tags", "-o") {
			if strings.HasSuffix(w.Value, "@latest") || strings.HasSuffix(w.Value, "@master") || strings.HasSuffix(w.Value, "@main") {
				bad = append(bad, w)
			}
		}
		report(p.meta.Severity, bad, func(n string) string {
			return fmt.Sprintf("go %s of %[2]s follows a moving version: name a release (pkg@v1.2.3)", sc, n)
		})
	case p0 == "gem" && sc == "install":
		if hasOpt(rest, "-v", "--version") {
			return
		}
		var bad []dockerfile.Word
		for _, w := range operands(rest, "-i", "--install-dir", "-n", "--bindir", "--source") {
			if !strings.Contains(w.Value, ":") && !strings.HasSuffix(w.Value, ".gem") && !strings.HasPrefix(w.Value, "$") {
				bad = append(bad, w)
			}
		}
		report(p.meta.Severity, bad, func(n string) string {
			return fmt.Sprintf("gem install of %s without a version: pin it (gem install NAME -v 1.2.3) or install from Gemfile.lock with bundle install", n)
		})
	}
	if s, ws := c.apt(); s == "install" {
		var bad []dockerfile.Word
		for _, w := range operands(ws, aptValueOpts...) {
			if !strings.Contains(w.Value, "=") && !strings.HasPrefix(w.Value, "$") && !strings.HasSuffix(w.Value, ".deb") {
				bad = append(bad, w)
			}
		}
		prog := c.prog()
		report(diag.Info, bad, func(n string) string {
			// the example names the first package, with how to find its version
			first := bad[0].Value
			return fmt.Sprintf("%s installs %s without a version: pin them (%s=VERSION, as apt-cache policy %[3]s lists it) for repeatable builds, or rely on the pinned base image's release", prog, n, first)
		})
	}
	if s, ws := c.apk(); s == "add" {
		var bad []dockerfile.Word
		for _, w := range operands(ws, "-X", "--repository", "-t", "--virtual") {
			if !strings.Contains(w.Value, "=") && !strings.HasPrefix(w.Value, "$") {
				bad = append(bad, w)
			}
		}
		report(diag.Info, bad, func(n string) string {
			first := bad[0].Value
			return fmt.Sprintf("apk adds %s without a version: pin them (%s=VERSION, as apk policy %[2]s lists it) for repeatable builds", n, first)
		})
	}
}

// pipPinned reports whether a pip install operand names an exact version,
// a file, a URL or a variable.
func pipPinned(v string) bool {
	switch {
	case strings.Contains(v, "==") || strings.Contains(v, "@") || strings.Contains(v, "://"):
		return true
	case strings.HasPrefix(v, ".") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "$") || strings.HasPrefix(v, "~"):
		return true
	case strings.HasSuffix(v, ".whl") || strings.HasSuffix(v, ".tar.gz") || strings.HasSuffix(v, ".zip") || strings.Contains(v, "/"):
		return true
	}
	return false
}

// npmPinned reports whether an npm package operand names an exact version
// (or is a path, URL or variable).
func npmPinned(v string) bool {
	if strings.HasPrefix(v, ".") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "$") || strings.Contains(v, ":") {
		return true
	}
	at := strings.LastIndex(v, "@")
	if at <= 0 {
		return false
	}
	ver := v[at+1:]
	if ver == "" || ver == "latest" || ver == "next" || strings.ContainsAny(ver, "^~*xX<> |") {
		return false
	}
	return ver[0] >= '0' && ver[0] <= '9' || ver[0] == 'v'
}
