package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/composure-dev/composure/envs"
	"github.com/composure-dev/composure/internal/reference"
	"github.com/composure-dev/composure/internal/testenv"
)

// referenceRun is one oracle environment loaded by compose-go's loader
// (internal/reference) as docker compose config loads it for some flags.
type referenceRun struct {
	row     oracleRow
	dir     string
	environ []string
	opts    reference.Options
}

// referenceRuns are the oracle's environments, each with the reference
// options that load it as plain `docker compose config` does, in the
// oracle's process environment (HOME is home, which the process's HOME
// must be too: compose-go expands ~ with the process's home, composure
// with the environment's).
func referenceRuns(t *testing.T, home string) []referenceRun {
	shared := testenv.SharedDir(t)
	var runs []referenceRun
	for _, r := range oracleRows(t, shared) {
		dir := filepath.Join(shared, "corpus", r.project)
		environ := oracleEnviron(dir, home)
		env := map[string]string{}
		for _, kv := range environ {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		var files []string
		if r.files == "(docker compose default)" {
			p, err := envs.Discover(envs.Options{Dir: dir, Environ: environ})
			if err != nil {
				t.Fatalf("%s: %v", r.key(), err)
			}
			files = p.Envs[0].Files
		} else {
			for _, f := range strings.Split(r.files, ",") {
				files = append(files, filepath.Join(dir, f))
			}
		}
		runs = append(runs, referenceRun{row: r, dir: dir, environ: environ,
			opts: reference.Options{Dir: dir, Files: files, Env: env}})
	}
	return runs
}

// config runs `composure config --format json` with flags on the run's
// environment.
func (rr referenceRun) config(flags ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	args := append(rr.row.configArgs(rr.dir, "json"), flags...)
	code = runEnviron(args, strings.NewReader(""), &out, &errb, rr.environ)
	return code, out.String(), errb.String()
}

// reference loads the run's environment with compose-go's loader, changed
// by set.
func (rr referenceRun) reference(set func(*reference.Options)) (*types.Project, error) {
	o := rr.opts
	if set != nil {
		set(&o)
	}
	return reference.Load(context.Background(), o)
}

// referenceTally counts how composure and the reference agreed.
type referenceTally struct {
	same, bothRefuse int
	alone            int // refused by composure alone, on purpose
}

// onPurpose reports whether the run is one refusedOnPurpose names, which
// composure must refuse where compose-go loads it.
func (tl *referenceTally) onPurpose(t *testing.T, what string, rr referenceRun, code int, rerr error) bool {
	t.Helper()
	if _, ok := refusedOnPurpose[rr.row.key()]; !ok {
		return false
	}
	if rerr != nil || code != exitUsage {
		t.Errorf("%s: composure exits %d, compose-go's error is %v: refusedOnPurpose (and docs/compatibility.md) no longer hold, update them", what, code, rerr)
	}
	tl.alone++
	return true
}

// compare holds what composure printed for one run (exit code, stdout,
// stderr) to what the reference prints (want) or its refusal (rerr).
func (tl *referenceTally) compare(t *testing.T, what string, code int, out, stderr, want string, rerr error) bool {
	t.Helper()
	switch {
	case rerr != nil && code == exitUsage:
		tl.bothRefuse++
	case rerr != nil:
		t.Errorf("%s: compose-go refuses it (%v), composure exits %d", what, rerr, code)
	case code != 0:
		t.Errorf("%s: compose-go loads it, composure exits %d: %s", what, code, stderr)
	case out != want:
		t.Errorf("%s: differs from compose-go's:\n%s", what, firstDiff(out, want))
	default:
		tl.same++
		return true
	}
	return false
}

// printed is the reference's project as docker compose config --format
// json prints it; docker compose refuses what it cannot print (a build ssh
// key with a path).
func printed(ref *types.Project, rerr error) (string, error) {
	if rerr != nil {
		return "", rerr
	}
	js, err := ref.MarshalJSON()
	return string(envs.EscapeDollar(js)), err
}

// selectionSample are the services of p whose selection says most: the one
// with the most dependencies (the first by name among as many), and the
// first a profile disables.
func selectionSample(p *types.Project) []string {
	var out []string
	most := -1
	var deepest string
	for _, name := range p.ServiceNames() {
		if n := len(p.Services[name].DependsOn); n > most {
			most, deepest = n, name
		}
	}
	if deepest != "" {
		out = append(out, deepest)
	}
	if disabled := slices.Sorted(maps.Keys(p.DisabledServices)); len(disabled) > 0 {
		out = append(out, disabled[0])
	}
	return out
}

// TestConfigFlagsReference holds the config flags docker compose passes
// to compose-go's loader to that loader (internal/reference), on every
// environment of the oracle (those docker compose refuses too: a flag can
// make them load): --no-env-resolution, --no-consistency, and SERVICE
// arguments (selectionSample's services, each on its own).
func TestConfigFlagsReference(t *testing.T) {
	flags := []struct {
		flag string
		set  func(*reference.Options)
	}{
		{"--no-env-resolution", func(o *reference.Options) { o.NoEnvResolution = true }},
		{"--no-consistency", func(o *reference.Options) { o.NoConsistency = true }},
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	tally := map[string]*referenceTally{}
	envsCompared := 0
	for _, rr := range referenceRuns(t, home) {
		envsCompared++
		for _, f := range flags {
			tl := tally[f.flag]
			if tl == nil {
				tl = &referenceTally{}
				tally[f.flag] = tl
			}
			code, out, stderr := rr.config(f.flag)
			want, rerr := printed(rr.reference(f.set))
			tl.compare(t, rr.row.key()+" "+f.flag, code, out, stderr, want, rerr)
		}
		plain, err := rr.reference(nil)
		if err != nil {
			continue // no services to select
		}
		tl := tally["SERVICE"]
		if tl == nil {
			tl = &referenceTally{}
			tally["SERVICE"] = tl
		}
		for _, s := range selectionSample(plain) {
			// after --, so that a service called --x is no flag; named
			// after the environment, so that no service is taken for one
			// (with -f, default is the only one)
			code, out, stderr := rr.config("--", envs.DefaultEnv, s)
			want, rerr := printed(rr.reference(func(o *reference.Options) { o.Services = []string{s} }))
			tl.compare(t, rr.row.key()+" "+s, code, out, stderr, want, rerr)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(tally)) {
		tl := tally[f]
		t.Logf("%s: %d the same as compose-go's, %d refused by both", f, tl.same, tl.bothRefuse)
	}
	t.Logf("%d environments compared", envsCompared)
}

// refusedOnPurpose are the oracle environments config --hash and
// --environment refuse where docker compose prints them, each with the
// reason docs/compatibility.md gives. None today: the build ssh key given
// with a path, which docker compose cannot print, is refused only where
// the whole project is printed (normalize.CheckPrintable), as docker
// compose refuses it.
var refusedOnPurpose = map[string]string{}

// TestConfigHashReference holds config --hash '*' to serviceHash of the
// services of compose-go's project, loaded as docker compose loads it for
// --hash (env_file unread, no container name check), on every environment
// of the oracle: the same lines, or both refuse. (docker compose's
// platform step changes no hash here: no environment sets
// DOCKER_DEFAULT_PLATFORM; TestHashPlatforms holds it.)
func TestConfigHashReference(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	var tl referenceTally
	services := 0
	for _, rr := range referenceRuns(t, home) {
		what := rr.row.key() + " --hash '*'"
		code, out, stderr := rr.config("--hash", hashAll)
		ref, rerr := rr.reference(func(o *reference.Options) { o.NoEnvResolution, o.NoContainerNameCheck = true, true })
		if tl.onPurpose(t, what, rr, code, rerr) {
			continue
		}
		var want strings.Builder
		if rerr == nil {
			for _, name := range ref.ServiceNames() {
				h, err := serviceHash(ref.Services[name])
				if err != nil {
					t.Fatalf("%s: %s: %v", what, name, err)
				}
				fmt.Fprintf(&want, "%s %s\n", name, h)
			}
		}
		if tl.compare(t, what, code, out, stderr, want.String(), rerr) {
			services += len(ref.Services)
		}
	}
	t.Logf("--hash: %d environments the same as compose-go's (%d services), %d refused by both, %d refused by composure alone (refusedOnPurpose)", tl.same, services, tl.bothRefuse, tl.alone)
}

// TestConfigEnvironmentReference holds config --environment to the
// environment of compose-go's project (Mapping.Values, as docker compose
// prints it) on every environment of the oracle: the process environment,
// PWD, .env, COMPOSE_PROJECT_NAME.
func TestConfigEnvironmentReference(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	var tl referenceTally
	for _, rr := range referenceRuns(t, home) {
		what := rr.row.key() + " --environment"
		code, out, stderr := rr.config("--environment")
		ref, rerr := rr.reference(nil)
		if tl.onPurpose(t, what, rr, code, rerr) {
			continue
		}
		var want string
		if rerr == nil {
			want = strings.Join(ref.Environment.Values(), "\n") + "\n"
		}
		tl.compare(t, what, code, out, stderr, want, rerr)
	}
	t.Logf("--environment: %d environments the same as compose-go's, %d refused by both, %d refused by composure alone (refusedOnPurpose)", tl.same, tl.bothRefuse, tl.alone)
}
