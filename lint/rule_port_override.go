package lint

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/composure-dev/composure/compose"
	"github.com/composure-dev/composure/diag"
)

// PortOverride reports a port that a later file of an environment (or a
// later YAML document, or a service that extends another) publishes for a
// container port the environment already publishes on another host port:
// docker compose appends the ports of every file and `extends`, so the
// container is reachable on both, where the later file reads as moving it
// (`"5434:5432"` in an override over the base's `"5432:5432"`).
// `ports: !override [...]` replaces them.
type PortOverride struct{ RuleBase }

var _ Rule = (*PortOverride)(nil)

// NewPortOverride returns the port-override rule.
func NewPortOverride() *PortOverride {
	return &PortOverride{RuleBase{Meta{ID: "port-override",
		Summary:  "a later file publishing a container port again on another host port, which adds to the earlier one (use !override)",
		Severity: diag.Warning, Scope: ScopeEnv, Practice: 12}}}
}

// VisitEnv checks the ports written in the later documents of e and in its
// services that extend another.
func (r *PortOverride) VisitEnv(p *Pass, e *Env) {
	eachLaterService(e, func(d *compose.Document, s service) { r.service(p, e, d, s) })
}

// portAt is the host port an entry of ports publishes, where it is written.
type portAt struct {
	published
	at diag.Span
}

func (r *PortOverride) service(p *Pass, e *Env, d *compose.Document, s service) {
	name := s.Name
	if compose.Deref(s.Value).Kind != yaml.MappingNode {
		return
	}
	ports, ok := d.Get(s.Value, "ports")
	if !ok {
		return
	}
	seq := compose.Deref(ports.Value)
	if seq.Kind != yaml.SequenceNode || seq.Tag == "!override" || seq.Tag == "!reset" {
		return
	}
	// what this list publishes
	var written []portAt
	budget := d.ExpansionBudget()
	for _, item := range seq.Content {
		v, err := d.Decode(item, budget)
		if err != nil {
			return
		}
		if pa, ok := onePort(e, v); ok {
			pa.at = NodeSpan(d, compose.Deref(item))
			written = append(written, pa)
		}
	}
	if len(written) == 0 {
		return
	}
	// what the environment publishes from elsewhere: its entries not
	// written in this list
	var others []portAt
	for i, it := range asSlice(e.Service(name)["ports"]) {
		pa, ok := onePort(e, it)
		if !ok {
			continue
		}
		sp, _, ok := e.Span(svcPath(name, "ports", strconv.Itoa(i)))
		if !ok || writtenAt(written, sp) {
			continue
		}
		pa.at = sp
		others = append(others, pa)
	}
	// one finding for each earlier port that stays, at the first entry of
	// this list for the same container port
	for _, o := range others {
		if writesToo(written, o) {
			continue
		}
		for _, w := range written {
			if o.target != w.target || o.proto != w.proto {
				continue
			}
			rel := []diag.Related{{Span: o.at, Message: fmt.Sprintf("container port %d/%s published on host port %s here too", o.target, o.proto, hostPort(o.published))}}
			p.ReportServices(diag.Finding{Severity: p.meta.Severity, Span: w.at, Related: rel,
				Message: fmt.Sprintf("service %q publishes container port %d/%s on host port %s here and on %s from %s: docker compose appends the ports of every file and `extends`, so both are published; write `ports: !override [...]` if these replace them",
					name, w.target, w.proto, hostPort(w.published), hostPort(o.published), o.at.File)}, name)
			break
		}
	}
}

// onePort reads an entry of ports that publishes one host port for one
// container port (not a range, nor a pool, nor a port the engine picks).
func onePort(e *Env, it any) (portAt, bool) {
	ps, _, _, ok, err := portEntry(e, it)
	if !ok || err != nil || len(ps) != 1 || ps[0].target < 0 {
		return portAt{}, false
	}
	return portAt{published: ps[0]}, true
}

// writtenAt reports whether sp is where one of written is written.
func writtenAt(written []portAt, sp diag.Span) bool {
	for _, w := range written {
		if w.at.File == sp.File && w.at.Start == sp.Start {
			return true
		}
	}
	return false
}

// writesToo reports whether the list written publishes o's host port as
// well: on the same address, both host ports are what it asks for; on
// another, the two entries are port-conflict's when their addresses
// overlap, and deliberate when they do not.
func writesToo(written []portAt, o portAt) bool {
	for _, w := range written {
		if w.port == o.port && w.proto == o.proto {
			return true
		}
	}
	return false
}

// hostPort prints the host side of p: its port, after its address when it
// has one.
func hostPort(p published) string {
	switch {
	case p.ip == "":
		return strconv.Itoa(p.port)
	case strings.Contains(p.ip, ":"):
		return "[" + p.ip + "]:" + strconv.Itoa(p.port)
	}
	return p.ip + ":" + strconv.Itoa(p.port)
}
