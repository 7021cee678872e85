package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/composure-dev/composure/diag"
	"github.com/composure-dev/composure/dockerfile"
)

// DockerfileFromPinned reports FROM lines whose image has no exact version
// (best practice 1): no tag, `latest`, a moving tag (`lts`, `alpine`), a
// major version only (`python:3`), or a minor version of an image that
// publishes patch releases (`python:3.11`). Digests, stage names and
// `scratch` are fine; `${ARG}` references are resolved with their defaults.
type DockerfileFromPinned struct{ RuleBase }

var _ DockerfileRule = (*DockerfileFromPinned)(nil)

// NewDockerfileFromPinned returns the dockerfile-from-pinned rule.
func NewDockerfileFromPinned() *DockerfileFromPinned {
	return &DockerfileFromPinned{RuleBase{Meta{ID: "dockerfile-from-pinned", Summary: "FROM without an exact image version",
		Severity: diag.Warning, Scope: ScopeDockerfile, Practice: 1}}}
}

// imageRef is an image reference split into its parts.
type imageRef struct {
	repo   string // docker.io/library/ and library/ removed
	tag    string
	digest string
}

func parseImageRef(s string) imageRef {
	var r imageRef
	if i := strings.Index(s, "@"); i >= 0 {
		s, r.digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && !strings.Contains(s[i:], "/") {
		s, r.tag = s[:i], s[i+1:]
	}
	for _, hub := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/", "registry.docker.com/"} {
		s = strings.TrimPrefix(s, hub)
	}
	r.repo = strings.TrimPrefix(s, "library/")
	return r
}

// patchVersioned are images whose versions have three parts: a tag with
// two (`python:3.11`) still moves with every patch release.
var patchVersioned = map[string]bool{
	"python": true, "node": true, "golang": true, "ruby": true, "php": true, "rust": true,
	"nginx": true, "redis": true, "mysql": true, "mariadb": true, "mongo": true, "eclipse-temurin": true,
	"maven": true, "gradle": true, "elixir": true, "haproxy": true, "httpd": true, "tomcat": true,
	"caddy": true, "traefik": true, "rabbitmq": true, "memcached": true, "openjdk": true, "amazoncorretto": true,
	"pypy": true, "perl": true, "julia": true, "swift": true, "erlang": true, "composer": true,
	// mcr.microsoft.com/dotnet/*: 8.0 moves with every 8.0.x
	"sdk": true, "aspnet": true, "runtime": true, "runtime-deps": true,
}

// distroCodenames are release names that pin an OS release by name.
var distroCodenames = []string{"buster", "bullseye", "bookworm", "trixie", "focal", "jammy", "noble", "oracular", "plucky"}

var versionRE = regexp.MustCompile(`^v?(\d+)(\.\d+)?(\.\d+)?`)

// unpinned explains why ref is not an exact version ("" when it is).
func unpinned(ref imageRef) string {
	if ref.digest != "" {
		return ""
	}
	base := ref.repo[strings.LastIndex(ref.repo, "/")+1:]
	switch ref.tag {
	case "":
		return "has no tag, so it means latest"
	case "latest":
		return "is tagged latest"
	}
	if latestWordRE.MatchString(ref.tag) {
		return fmt.Sprintf("has the moving tag %q", ref.tag)
	}
	m := versionRE.FindStringSubmatch(ref.tag)
	if m == nil {
		if exactInsideRE.MatchString(ref.tag) {
			return "" // node-24.14.0-chrome-145.0.7632.116, build-20240212
		}
		if base == "debian" || base == "ubuntu" {
			for _, c := range distroCodenames {
				if strings.HasPrefix(ref.tag, c) {
					return ""
				}
			}
		}
		return fmt.Sprintf("has the moving tag %q", ref.tag)
	}
	switch {
	case len(m[1]) >= 4:
		// not a major version: a date (241121-oracular, 20240212) or a
		// build number
		return ""
	case m[2] == "" && base != "debian" && base != "ubuntu":
		return "names only a major version"
	case m[3] == "" && patchVersioned[base]:
		return "names no patch version"
	}
	return ""
}

// latestWordRE finds "latest" as a word of a tag (2022-latest).
var latestWordRE = regexp.MustCompile(`(^|[^a-z])latest([^a-z]|$)`)

// exactInsideRE finds an exact version inside a tag that starts otherwise:
// a three-part version, or a date (YYMMDD, YYYYMMDD).
var exactInsideRE = regexp.MustCompile(`(^|[^0-9.])\d+\.\d+\.\d+|(^|[^0-9])(\d{6}|\d{8})([^0-9]|$)`)

// VisitDockerfile checks the FROM of every stage.
func (r *DockerfileFromPinned) VisitDockerfile(p *Pass, df *Dockerfile) {
	for _, s := range df.Stages {
		if s.Parent != nil || !s.Resolved || strings.EqualFold(s.Image, "scratch") || !df.Built(s) {
			continue
		}
		ref := parseImageRef(s.Image)
		why := unpinned(ref)
		if why == "" {
			continue
		}
		shown := fmt.Sprintf("%q", s.Image)
		if s.Image != s.Base {
			shown = fmt.Sprintf("%q (%s)", s.Image, s.Base)
		}
		p.Report(diag.Finding{Severity: p.meta.Severity, Span: fromSpan(df, s),
			Message: fmt.Sprintf("base image %s %s: pin an exact version such as %s, or a digest", shown, why, example(ref))})
	}
}

// example suggests a pinned form of ref. A tag that starts with a version
// keeps it and its variant: a known exact tag of that line, or the version
// completed to three numbers with N for the ones to choose
// (node:18-alpine: node:18.N.N-alpine), never another major version.
// Other tags get a known exact tag of the image.
func example(ref imageRef) string {
	base := ref.repo[strings.LastIndex(ref.repo, "/")+1:]
	if v, rest := leadingVersion(ref.tag); v != "" && !movingRest(rest) {
		// the known exact tag when it is of the same line (python:3:
		// python:3.11.5-slim-bookworm; golang:1.22-alpine: golang:1.22.1-alpine)
		if ex, ok := exactExamples[base]; ok {
			if exv, exRest := leadingVersion(ex); exv == v || strings.HasPrefix(exv, v+".") {
				if rest == "" {
					rest = exRest
				}
				return ref.repo + ":" + exv + rest
			}
		}
		for strings.Count(v, ".") < 2 {
			v += ".N"
		}
		return ref.repo + ":" + v + rest
	}
	if ex, ok := exactExamples[base]; ok {
		return ref.repo + ":" + ex
	}
	return ref.repo + ":1.2.3"
}

// movingRest reports whether what follows a tag's version moves by itself
// (2022-latest, 20-lts): no completion of the version pins that.
func movingRest(rest string) bool {
	for _, w := range tagParts(rest) {
		if w == "latest" || slices.Contains(floatingTags, w) {
			return true
		}
	}
	return false
}

// leadingVersion splits a tag into the version it starts with (digits and
// dots: 18, 3.11) and the rest (-alpine); "" when it starts otherwise.
func leadingVersion(tag string) (string, string) {
	i := 0
	for i < len(tag) && (tag[i] >= '0' && tag[i] <= '9' || tag[i] == '.' && i > 0) {
		i++
	}
	v := strings.TrimSuffix(tag[:i], ".")
	return v, tag[len(v):]
}

var exactExamples = map[string]string{
	"python": "3.11.5-slim-bookworm", "node": "20.11.1-bookworm-slim", "golang": "1.22.1-bookworm",
	"ruby": "3.3.0-slim-bookworm", "php": "8.3.3-fpm-bookworm", "debian": "bookworm-20240211-slim",
	"ubuntu": "22.04", "alpine": "3.19.1", "nginx": "1.25.4-alpine", "postgres": "16.2-bookworm",
	"eclipse-temurin": "21.0.2_13-jre-jammy", "maven": "3.9.6-eclipse-temurin-21", "redis": "7.2.4-alpine",
	"rust": "1.76.0-slim-bookworm", "openjdk": "21.0.2-jdk-slim", "sdk": "8.0.201", "aspnet": "8.0.2-bookworm-slim",
}

// fromSpan spans the image reference of a stage's FROM line.
func fromSpan(df *Dockerfile, s *dockerfile.Stage) diag.Span {
	a := s.From.Args
	i := strings.Index(a.S, s.Base)
	if i < 0 {
		return df.InstrSpan(s.From)
	}
	return df.Span(a.Pos(i), a.Pos(i+len(s.Base)))
}
