package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DockerfileRootUser reports an image that runs as root (best practice 6):
// the stage the build produces (and the stages it is built from) has no
// USER, or its last USER is root or 0. Base images known to run as an
// unprivileged user (distroless :nonroot, *-unprivileged, bitnami,
// chainguard), or that a RUN shows to (it runs sudo), are fine, and so is a
// Dockerfile every service using it runs with a non-root `user:` in the
// compose file, or whose entrypoint drops root itself (gosu).
type DockerfileRootUser struct{ RuleBase }

var _ DockerfileRule = (*DockerfileRootUser)(nil)

// NewDockerfileRootUser returns the dockerfile-root-user rule.
func NewDockerfileRootUser() *DockerfileRootUser {
	return &DockerfileRootUser{RuleBase{Meta{ID: "dockerfile-root-user", Summary: "image that runs as root",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 6}}}
}

func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0"
}

// nonRootBase reports whether an image runs as an unprivileged user by
// default, or is an official server image whose entrypoint drops root
// itself (postgres and redis switch with gosu, nginx, httpd and php-fpm run
// their workers as an unprivileged user).
func nonRootBase(image string) bool {
	for _, s := range []string{"nonroot", "unprivileged", "bitnami/", "cgr.dev/chainguard/", "rootless"} {
		if strings.Contains(image, s) {
			return true
		}
	}
	ref := parseImageRef(image)
	switch ref.repo {
	case "postgres", "mysql", "mariadb", "mongo", "redis", "nginx", "httpd", "wordpress", "rabbitmq", "memcached", "jenkins/jenkins":
		return true
	case "php":
		return strings.Contains(ref.tag, "apache") || strings.Contains(ref.tag, "fpm")
	}
	return false
}

// targetStage returns the stage the builds of df produce.
func targetStage(df *Dockerfile) *dockerfile.Stage {
	if df.Target != "" {
		if t := df.Stage(df.Target); t != nil {
			return t
		}
	}
	return df.Final()
}

// VisitDockerfile checks the user the image runs as.
func (r *DockerfileRootUser) VisitDockerfile(p *Pass, df *Dockerfile) {
	t := targetStage(df)
	var last *dockerfile.Instruction
	root := t
	for s := t; s != nil && last == nil; s = s.Parent {
		for i := len(s.Instructions) - 1; i >= 0; i-- {
			if s.Instructions[i].Cmd == "user" {
				last = s.Instructions[i]
				break
			}
		}
		root = s
	}
	if composeSetsUser(df) || dropsRoot(df) {
		return
	}
	if last == nil {
		if nonRootBase(root.Image) || runsSudo(t) {
			return
		}
		p.Report(diag.Finding{Severity: p.meta.Severity, Span: df.InstrSpan(t.From),
			Message: "the image runs as root: no USER instruction; create an unprivileged user and switch to it (RUN useradd --create-home appuser, then USER appuser)"})
		return
	}
	u, _ := last.Command.(*instructions.UserCommand)
	if u == nil || strings.Contains(u.User, "$") || !isRootUser(u.User) {
		return
	}
	p.Report(diag.Finding{Severity: p.meta.Severity, Span: df.InstrSpan(last),
		Message: fmt.Sprintf("the image runs as root: the last USER is %q; switch to an unprivileged user after the steps that need root", u.User)})
}

// composeSetsUser reports whether every service building df sets a
// non-root `user:`.
func composeSetsUser(df *Dockerfile) bool {
	if len(df.Uses) == 0 {
		return false
	}
	for _, u := range df.Uses {
		v, ok := u.Env.Str(u.Env.Service(u.Service)["user"])
		if !ok || v == "" || isRootUser(v) {
			return false
		}
	}
	return true
}

// privDropRE finds a command that runs the rest of an entrypoint as
// another user: gosu, su-exec, setpriv, s6-setuidgid, chpst, runuser, run
// by a shell, or named as a quoted program by another language (synapse's
// start.py: os.execve("/usr/sbin/gosu", ["gosu", ...])).
var privDropRE = regexp.MustCompile(`(?m)(^|[;&|(]|\bexec)\s*(gosu|su-exec|setpriv|s6-setuidgid|chpst|runuser)\s|["'/](gosu|su-exec|setpriv|s6-setuidgid)["']`)

// dropsRoot reports whether the image starts as root only to drop to
// another user itself, as the official postgres and redis images do: its
// ENTRYPOINT or CMD, or the script of the build context they run (mealie's
// entry.sh: chown, then exec gosu), runs such a command.
func dropsRoot(df *Dockerfile) bool {
	ep, cmd := imageCommand(df.File, df.Target)
	texts := []string{strings.Join(ep, " "), strings.Join(cmd, " ")}
	if ctx := df.Context(); ctx != "" {
		texts = append(texts, scriptTexts(df.File, df.Target, ctx, ep, cmd)...)
	}
	for _, t := range texts {
		if privDropRE.MatchString(t) {
			return true
		}
	}
	return false
}

// sudoRE finds sudo run as a command.
var sudoRE = regexp.MustCompile(`(^|[;&|(]\s*|\s)sudo\s`)

// runsSudo reports whether a RUN of stage t, or of the stages it is built
// from, runs sudo: the build then runs as the unprivileged user its base
// image sets (photoprism/develop), not as root.
func runsSudo(t *dockerfile.Stage) bool {
	for s := t; s != nil; s = s.Parent {
		for _, ins := range s.Instructions {
			if ins.Cmd == "run" && sudoRE.MatchString(ins.Args.S) {
				return true
			}
		}
	}
	return false
}
