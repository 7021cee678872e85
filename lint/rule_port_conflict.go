package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// PortConflict reports two services of an environment publishing the same
// host address, port and protocol (the second fails to start with "port is
// already allocated"), and port specifications the engine rejects.
type PortConflict struct{ RuleBase }

var _ Rule = (*PortConflict)(nil)

// NewPortConflict returns the port-conflict rule.
func NewPortConflict() *PortConflict {
	return &PortConflict{RuleBase{Meta{ID: "port-conflict", Summary: "host ports published twice in one environment, invalid port specifications, and ports a host-network service cannot publish",
		Severity: diag.Error, Scope: ScopeEnv}}}
}

// published is one host port a service binds, and the container port it
// forwards to.
type published struct {
	ip     string // "" for every address
	port   int
	proto  string
	target int
}

func (a published) overlaps(b published) bool {
	return a.port == b.port && a.proto == b.proto && (a.ip == "" || b.ip == "" || a.ip == b.ip)
}

func wildcardIP(ip string) string {
	switch ip {
	case "0.0.0.0", "::", "[::]":
		return ""
	}
	return strings.Trim(ip, "[]")
}

// parsePortRange reads "8080" or "8000-8010".
func parsePortRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	lo, err = strconv.Atoi(a)
	if err != nil || lo < 0 || lo > 65535 {
		return 0, 0, fmt.Errorf("%q is not a port number (0-65535)", a)
	}
	hi = lo
	if isRange {
		hi, err = strconv.Atoi(b)
		if err != nil || hi < 0 || hi > 65535 {
			return 0, 0, fmt.Errorf("%q is not a port number (0-65535)", b)
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("range %q ends before it starts", s)
		}
	}
	return lo, hi, nil
}

// parseShortPort reads `[[IP:]HOST:]CONTAINER[/PROTO]` and returns the host
// ports it publishes (none when only the container port is given).
func parseShortPort(s string) ([]published, error) {
	spec, proto, _ := strings.Cut(s, "/")
	if proto == "" {
		proto = "tcp"
	}
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return nil, fmt.Errorf("protocol %q is not tcp, udp or sctp", proto)
	}
	var ip, host, container string
	if strings.HasPrefix(spec, "[") {
		// [::1]:8080:80
		end := strings.Index(spec, "]")
		if end < 0 {
			return nil, fmt.Errorf("unclosed IPv6 address")
		}
		ip = spec[1:end]
		rest := strings.TrimPrefix(spec[end+1:], ":")
		host, container, _ = strings.Cut(rest, ":")
	} else {
		parts := strings.Split(spec, ":")
		switch len(parts) {
		case 1:
			container = parts[0]
		case 2:
			host, container = parts[0], parts[1]
		case 3:
			ip, host, container = parts[0], parts[1], parts[2]
		default:
			// An unbracketed IPv6 address: the last two parts are ports.
			ip = strings.Join(parts[:len(parts)-2], ":")
			host, container = parts[len(parts)-2], parts[len(parts)-1]
		}
	}
	clo, chi, err := parsePortRange(container)
	if err != nil {
		return nil, fmt.Errorf("container port: %v", err)
	}
	if host == "" {
		return nil, nil
	}
	hlo, hhi, err := parsePortRange(host)
	if err != nil {
		return nil, fmt.Errorf("host port: %v", err)
	}
	if chi-clo != 0 && hhi-hlo != chi-clo {
		return nil, fmt.Errorf("host range %s and container range %s differ in size", host, container)
	}
	if chi == clo && hhi > hlo {
		// A host range for one container port is a pool: the engine picks
		// a free port in it, so it conflicts with nothing.
		return nil, nil
	}
	var out []published
	for p := hlo; p <= hhi && p != 0; p++ {
		out = append(out, published{ip: wildcardIP(ip), port: p, proto: proto, target: clo + p - hlo})
	}
	return out, nil
}

// longPort reads the host side of a long-syntax port.
func longPort(ip, pub, target, proto string) ([]published, error) {
	if pub == "" {
		return nil, nil
	}
	if proto == "" {
		proto = "tcp"
	}
	lo, hi, err := parsePortRange(pub)
	if err != nil {
		return nil, fmt.Errorf("published: %v", err)
	}
	if hi > lo && !strings.Contains(target, "-") {
		return nil, nil // a pool, as in the short syntax
	}
	tlo, _, err := parsePortRange(target)
	if err != nil {
		tlo = -1 // unknown: the same as no other mapping
	}
	var out []published
	for port := lo; port <= hi && port != 0; port++ {
		t := tlo
		if t >= 0 && hi > lo {
			t += port - lo
		}
		out = append(out, published{ip: wildcardIP(ip), port: port, proto: proto, target: t})
	}
	return out, nil
}

type binding struct {
	service string
	path    string
	spec    string
	p       published
}

// portEntry reads one entry of a service's ports, short or long syntax,
// interpolated in e: the host ports it publishes and the text it is written
// as (the published field of a long one). ok is false where a variable
// leaves it unknown.
func portEntry(e *Env, it any) (ps []published, spec string, long, ok bool, err error) {
	if x, isMap := it.(map[string]any); isMap {
		pub, ok := e.Str(x["published"])
		if !ok {
			return nil, "", true, false, nil
		}
		proto, _ := e.Str(x["protocol"])
		ip, _ := e.Str(x["host_ip"])
		target, _ := e.Str(x["target"])
		ps, err = longPort(ip, pub, target, proto)
		return ps, pub, true, true, err
	}
	s, ok := e.Str(it)
	if !ok {
		return nil, "", false, false, nil
	}
	ps, err = parseShortPort(s)
	return ps, s, false, true, err
}

// VisitEnv checks the ports of every service of e, of every profile.
func (r *PortConflict) VisitEnv(p *Pass, e *Env) {
	var all []binding
	for _, name := range e.ServicesInOrder() {
		svc := e.Service(name)
		// The engine discards the ports of a container on the host's
		// network: its processes listen on the host's ports themselves.
		if nm, _ := e.Str(svc["network_mode"]); nm == "host" && len(asSlice(svc["ports"])) > 0 {
			if sp, rel, ok := e.Span(svcPath(name, "ports")); ok {
				p.ReportServices(diag.Finding{Severity: diag.Warning, Span: sp, Related: rel,
					Message: fmt.Sprintf("service %q uses network_mode: host, where the engine discards published ports: its processes listen on the host's ports directly; remove ports, or use a bridge network to publish them", name)}, name)
			}
			continue
		}
		for i, it := range asSlice(svc["ports"]) {
			ps, spec, long, ok, err := portEntry(e, it)
			if !ok {
				continue
			}
			path := svcPath(name, "ports", strconv.Itoa(i))
			if long {
				path = svcPath(name, "ports", strconv.Itoa(i), "published")
			}
			if err != nil {
				if sp, rel, ok := e.Span(path); ok {
					p.ReportServices(diag.Finding{Severity: diag.Error, Span: sp, Related: rel, Message: fmt.Sprintf("invalid port %q: %v", spec, err)}, name)
				}
				continue
			}
			for _, pp := range ps {
				all = append(all, binding{service: name, path: path, spec: spec, p: pp})
			}
		}
	}
	reported := map[string]bool{}
	byPort := map[int][]binding{}
	for _, b := range all {
		for _, prev := range byPort[b.p.port] {
			if prev.service == b.service && prev.path == b.path || !prev.p.overlaps(b.p) || reported[b.path] {
				continue
			}
			if prev.service == b.service && prev.p == b.p {
				// The same mapping written twice (in two files, short and
				// long syntax, with or without /tcp, with variables):
				// docker compose keeps one (EnforceUnicity after the
				// canonical long form).
				continue
			}
			if !e.RunTogether(prev.service, b.service) {
				continue
			}
			sp, rel, ok := e.Span(b.path)
			if !ok {
				continue
			}
			psp, _, _ := e.Span(prev.path)
			rel = append(rel, diag.Related{Span: psp, Message: fmt.Sprintf("service %q publishes it here", prev.service)})
			who, fails := fmt.Sprintf("service %q", prev.service), "the second container fails"
			if prev.service == b.service {
				who, fails = "another entry of the same service", "the container fails"
			}
			p.ReportServices(diag.Finding{Severity: diag.Error, Span: sp, Related: rel,
				Message: fmt.Sprintf("host port %d/%s of service %q is already published by %s: %s to start; pick another host port", b.p.port, b.p.proto, b.service, who, fails)}, prev.service, b.service)
			reported[b.path] = true
		}
		byPort[b.p.port] = append(byPort[b.p.port], b)
	}
}
