package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DockerfileCacheCleanup reports package caches left in a layer (best
// practice 4): apt-get install without removing /var/lib/apt/lists in the
// same RUN, a cleanup in a later RUN (the files stay in the earlier layer),
// apt-get update alone in its RUN, apt-get install without
// --no-install-recommends (info), pip install without --no-cache-dir, apk
// add without --no-cache, yum/dnf install without `clean all`. A cache
// mount (RUN --mount=type=cache) keeps the cache out of the layer and is
// fine. In stages that do not reach the image the findings are info.
type DockerfileCacheCleanup struct{ RuleBase }

var _ DockerfileRule = (*DockerfileCacheCleanup)(nil)

// NewDockerfileCacheCleanup returns the dockerfile-cache-cleanup rule.
func NewDockerfileCacheCleanup() *DockerfileCacheCleanup {
	return &DockerfileCacheCleanup{RuleBase{Meta{ID: "dockerfile-cache-cleanup", Summary: "package caches left in an image layer",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 4}}}
}

// VisitDockerfile checks the RUNs of every stage.
func (r *DockerfileCacheCleanup) VisitDockerfile(p *Pass, df *Dockerfile) {
	for _, s := range df.Stages {
		if df.Built(s) {
			r.stage(p, df, s)
		}
	}
}

func (r *DockerfileCacheCleanup) stage(p *Pass, df *Dockerfile, s *dockerfile.Stage) {
	shipped := df.Shipped(s)
	sevOf := func(sev diag.Severity) diag.Severity {
		if p.override != nil {
			return *p.override
		}
		if !shipped && sev > diag.Info {
			return diag.Info
		}
		return sev
	}
	report := func(sev diag.Severity, sp diag.Span, rel []diag.Related, format string, args ...any) {
		p.Report(diag.Finding{Severity: sevOf(sev), Span: sp, Related: rel, Message: fmt.Sprintf(format, args...)})
	}
	noPipCache := false // ENV set so far, the parent stages' included
	var chain []*dockerfile.Stage
	for ps := s.Parent; ps != nil; ps = ps.Parent {
		noPipCache = noPipCache || pipNoCacheEnv(ps)
		chain = append([]*dockerfile.Stage{ps}, chain...)
	}
	// ENV values so far, for the cache mounts that name them
	// (label-studio: target=$PIP_CACHE_DIR)
	env := map[string]string{}
	for _, ps := range chain {
		for _, ins := range ps.Instructions {
			df.SetEnv(env, ins)
		}
	}
	// cached says whether a cache mount of ins holds dir (a path part, or
	// pip's cache directory when dir is PIP_CACHE_DIR's)
	cached := func(ins *dockerfile.Instruction, dirs ...string) bool {
		for _, m := range ins.Mounts() {
			if m.Type != "cache" || m.Target == "" {
				continue
			}
			t := df.Expand(m.Target, env)
			for _, d := range dirs {
				if d != "" && (strings.Contains(t, d) || strings.HasPrefix(d, t+"/")) {
					return true
				}
			}
		}
		return false
	}
	var aptInstalls []*dockerfile.Instruction // RUNs that installed without cleaning
	for _, ins := range s.Instructions {
		df.SetEnv(env, ins)
		if ins.Cmd == "env" && pipNoCacheEnv(&dockerfile.Stage{Instructions: []*dockerfile.Instruction{ins}}) {
			noPipCache = true
		}
		cs := calls(ins)
		if len(cs) == 0 {
			continue
		}
		var update, install *shellCall
		cleansLists, cleansApk, cleansYum := false, false, false
		for i := range cs {
			c := &cs[i]
			switch {
			case c.removes("/var/lib/apt/lists"):
				cleansLists = true
			case c.removes("/var/cache/apk"):
				cleansApk = true
			case c.removes("/var/cache/yum") || c.removes("/var/cache/dnf"):
				cleansYum = true
			}
			if sc, _ := c.yum(); sc == "clean" {
				cleansYum = true
			}
			if sc, _ := c.apt(); sc == "update" && update == nil {
				update = c
			} else if sc == "install" && install == nil {
				install = c
			}
		}
		aptCached := cached(ins, "/var/lib/apt", "/var/cache/apt")
		if install != nil {
			if !cleansLists && !aptCached {
				report(diag.Warning, df.WordSpan(install.script.Text, install.args[0]), nil,
					"apt-get install leaves the package lists in the layer: end the same RUN with && rm -rf /var/lib/apt/lists/*")
				aptInstalls = append(aptInstalls, ins)
			}
			// an option counts before the subcommand too (apt-get -y --no-install-recommends install)
			if !hasOpt(install.args[1:], "--no-install-recommends") && !strings.Contains(ins.Args.S, "Install-Recommends=false") && !strings.Contains(ins.Args.S, "Install-Recommends=0") {
				report(diag.Info, df.WordSpan(install.script.Text, install.args[0]), nil,
					"apt-get install without --no-install-recommends also installs recommended packages the image does not need")
			}
		}
		if update != nil && install == nil && !aptCached {
			report(diag.Warning, df.WordSpan(update.script.Text, update.args[0]), nil,
				"apt-get update in a RUN of its own: its cached layer keeps stale package lists for later installs; run it in the RUN that installs (apt-get update && apt-get install ...)")
		}
		if cleansLists && install == nil && len(aptInstalls) > 0 {
			var rel []diag.Related
			for _, prev := range aptInstalls {
				rel = append(rel, df.Related(prev, "the layer that keeps the lists"))
			}
			report(diag.Warning, df.InstrSpan(ins), rel,
				"removing /var/lib/apt/lists in a later RUN shrinks nothing: the files stay in the layer of line %d; remove them in the RUN that installs", df.Line(aptInstalls[0]))
		}
		for i := range cs {
			c := &cs[i]
			if ws, ok := c.pipInstall(); ok && !noPipCache && !hasOpt(ws, "--no-cache-dir") && !cached(ins, ".cache", env["PIP_CACHE_DIR"]) && len(operands(ws, pipValueOpts...))+countOpt(ws, "-r", "--requirement") > 0 {
				report(diag.Warning, df.WordSpan(c.script.Text, c.args[0]), nil,
					"pip install keeps its download cache in the layer: add --no-cache-dir (or set ENV PIP_NO_CACHE_DIR=1)")
			}
			// apk --no-cache add: a global option, before the subcommand
			if sc, _ := c.apk(); sc == "add" && !hasOpt(c.args[1:], "--no-cache") && !cleansApk && !cached(ins, "/var/cache/apk", "/etc/apk/cache") {
				report(diag.Warning, df.WordSpan(c.script.Text, c.args[0]), nil,
					"apk add keeps the package index in the layer: use apk add --no-cache")
			}
			if sc, _ := c.yum(); sc == "install" && !cleansYum && !cached(ins, "/var/cache") {
				report(diag.Warning, df.WordSpan(c.script.Text, c.args[0]), nil,
					"%s install leaves its cache in the layer: end the same RUN with && %s clean all", c.prog(), c.prog())
			}
		}
	}
}

func countOpt(ws []dockerfile.Word, opts ...string) int {
	n := 0
	for _, w := range ws {
		for _, o := range opts {
			if w.Value == o {
				n++
			}
		}
	}
	return n
}

// pipNoCacheEnv reports whether an ENV of the stage sets PIP_NO_CACHE_DIR.
func pipNoCacheEnv(s *dockerfile.Stage) bool {
	for _, ins := range s.Instructions {
		if e, ok := ins.Command.(*instructions.EnvCommand); ok {
			for _, kv := range e.Env {
				if kv.Key == "PIP_NO_CACHE_DIR" && kv.Value != "" && kv.Value != "0" && !strings.EqualFold(kv.Value, "false") {
					return true
				}
			}
		}
	}
	return false
}
