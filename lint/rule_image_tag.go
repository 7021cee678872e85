package lint

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/composure-dev/composure/diag"
)

// ImageTag reports images without a tag or tagged `latest`: the same file
// then runs different software from one day to the next.
type ImageTag struct{ RuleBase }

var _ Rule = (*ImageTag)(nil)

// NewImageTag returns the image-tag rule.
func NewImageTag() *ImageTag {
	return &ImageTag{RuleBase{Meta{ID: "image-tag", Summary: "images without a pinned tag, or tagged latest",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 1}}}
}

// floatingTags are tags that move to new images by design; option
// "floating-tags" replaces the list.
var floatingTags = []string{"stable", "edge", "nightly", "unstable", "preview", "dev", "develop", "test", "beta", "alpha", "canary", "rolling", "current", "main", "master", "lts"}

// variantWords name the variant of an image, not its version: the OS it
// is built on (alpine, bookworm, jammy), a smaller build (slim), a flavour
// (fpm, management, jre). A tag made only of them (`node:alpine`,
// `nginx:stable-alpine`, `rabbitmq:management`) names no version and moves
// to new images like latest.
var variantWords = []string{"alpine", "slim", "bookworm", "bullseye", "buster", "stretch", "trixie", "jammy", "focal", "noble", "bionic", "xenial",
	"debian", "ubuntu", "windowsservercore", "nanoserver", "ubi", "fpm", "cli", "apache", "zts", "management", "jre", "jdk", "mainline", "perl", "otp"}

// variantOnly returns the variant tag names when it names no version
// (`alpine` for node:alpine and nginx:stable-alpine): no digit, and each
// of its parts a variant word or a floating tag, one of them a variant
// word. "" otherwise.
func variantOnly(tag string, floating []string) string {
	if tag == "" || strings.ContainsAny(tag, "0123456789") {
		return ""
	}
	var variant []string
	for _, part := range tagParts(tag) {
		switch {
		case part == "latest" || slices.Contains(floating, part):
		case slices.Contains(variantWords, part):
			variant = append(variant, part)
		default:
			return ""
		}
	}
	return strings.Join(variant, "-")
}

// tagParts splits an image tag into its lower-case parts, at - _ and .
// (stable-alpine: stable, alpine).
func tagParts(tag string) []string {
	return strings.FieldsFunc(strings.ToLower(tag), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
}

// latestPart reports whether tag is a latest of some kind (`apps-latest`,
// `latest-dev`, `latest-postgres`): no digit, and "latest" one of its
// parts, beside words that are not all variants (those are variantOnly's).
func latestPart(tag string) bool {
	if tag == "latest" || strings.ContainsAny(tag, "0123456789") {
		return false
	}
	parts := tagParts(tag)
	return slices.Contains(parts, "latest") && slices.ContainsFunc(parts, func(p string) bool { return p != "latest" && !slices.Contains(variantWords, p) })
}

// splitImage returns the name, tag and digest of an image reference.
func splitImage(ref string) (name, tag, digest string) {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref, digest = ref[:i], ref[i+1:]
	}
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		return ref[:i], ref[i+1:], digest
	}
	return ref, "", digest
}

// VisitEnv checks the image of every service of e.
func (r *ImageTag) VisitEnv(p *Pass, e *Env) {
	var digestEnvs []string
	if v, ok := p.Option("require-digest"); ok {
		for _, x := range asSlice(v) {
			if s, ok := x.(string); ok {
				digestEnvs = append(digestEnvs, s)
			}
		}
	}
	floating := floatingTags
	if v, ok := p.Option("floating-tags"); ok {
		floating = nil
		for _, x := range asSlice(v) {
			if s, ok := x.(string); ok {
				floating = append(floating, s)
			}
		}
	}
	built := map[string]bool{}
	for _, name := range e.ServicesInOrder() {
		svc := e.Service(name)
		if _, ok := svc["build"]; ok {
			if img, ok := e.Str(svc["image"]); ok && img != "" {
				built[img] = true
			}
		}
	}
	for _, name := range e.ServicesInOrder() {
		svc := e.Service(name)
		raw, ok := svc["image"]
		if !ok {
			continue
		}
		img, ok := e.Str(raw)
		if !ok || img == "" || strings.ContainsFunc(img, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			continue // no reference at all (docker compose fails to pull it): nothing to pin
		}
		base, tag, digest := splitImage(img)
		// the image this service or another of the environment builds:
		// docker compose builds it, it pulls nothing
		builds := built[img]
		var msg string
		switch {
		case digest != "":
			continue
		case tag == "latest":
			_, own := svc["build"]
			switch {
			case own:
				msg = fmt.Sprintf("service %q builds image %q tagged latest: tag the build with a version", name, img)
			case builds:
				continue // reported at the service that builds it
			default:
				msg = fmt.Sprintf("image %q is tagged latest: %s", img, pinAdvice(e, raw, base))
			}
		case slices.Contains(floating, strings.ToLower(tag)) && !builds:
			msg = fmt.Sprintf("image %q uses the floating tag %q, which moves to new images: %s", img, tag, pinAdvice(e, raw, base))
		case latestPart(tag) && !builds:
			msg = fmt.Sprintf("image %q uses the floating tag %q, a latest of its own that moves to new images: %s", img, tag, pinAdvice(e, raw, base))
		case variantOnly(tag, floating) != "" && !builds:
			msg = fmt.Sprintf("image %q names a variant but no version, so it moves to new images like latest: pin a version, such as %s:1.2.3-%s", img, base, variantOnly(tag, floating))
		case tag == "" && !builds:
			msg = fmt.Sprintf("image %q has no tag, so it means %s:latest: pin a version, such as %s:1.2.3", img, base, base)
		case slices.Contains(digestEnvs, e.Name) && !builds:
			msg = fmt.Sprintf("image %q is not pinned by digest in environment %q: use %s@sha256:...", img, e.Name, img)
		default:
			continue
		}
		sp, rel, ok := e.Span(svcPath(name, "image"))
		if !ok {
			continue
		}
		p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: sp, Related: rel, Message: msg}, name)
	}
}

// pinAdvice is the advice of a finding about the floating tag of image raw (as
// written; base, its repository), written only for a finding: pin a
// version, in the reference or where its tag's variable is set.
func pinAdvice(e *Env, raw any, base string) string {
	if rs, ok := raw.(string); ok {
		if v := tagVariable(rs); v != "" {
			// outline's ${IMAGE_TAG:-latest}: the default is what to
			// change, or the value where the variable is set
			if val, set := e.lookup()(v); set && val != "" {
				return fmt.Sprintf("set %s to a version where it is set (.env or the environment), such as %s=1.2.3", v, v)
			}
			return fmt.Sprintf("give ${%s} a version as its default, such as ${%s:-1.2.3}", v, v)
		}
	}
	return fmt.Sprintf("pin a version, such as %s:1.2.3", base)
}

// tagVariable returns the variable whose default is the tag of the image
// reference written raw, when the tag is nothing but such a variable
// (`.../outline:${IMAGE_TAG:-latest}`: IMAGE_TAG); "" otherwise.
func tagVariable(raw string) string {
	if !strings.HasSuffix(raw, "}") {
		return ""
	}
	open := strings.LastIndex(raw, "${")
	if open < 1 || raw[open-1] != ':' || strings.Contains(raw[open+2:len(raw)-1], "${") {
		return ""
	}
	inner := raw[open+2 : len(raw)-1]
	name := inner
	if i := strings.IndexAny(inner, ":-?+"); i >= 0 {
		name = inner[:i]
		if rest := inner[i:]; !strings.HasPrefix(rest, ":-") && !strings.HasPrefix(rest, "-") {
			return "" // ${X:?err} or ${X:+alt}: no default to change
		}
	}
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) }) >= 0 {
		return ""
	}
	return name
}
