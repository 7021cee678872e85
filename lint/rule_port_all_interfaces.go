package lint

import (
	"fmt"
	"strings"

	"github.com/composure-dev/composure/diag"
)

// PortAllInterfaces reports ports published on every interface of the host
// (optional, group security): Docker's own firewall rules come before the
// host's (UFW, firewalld), so the port is open to every network the host
// is on (CIS Docker Benchmark 5.14).
type PortAllInterfaces struct{ RuleBase }

var _ Rule = (*PortAllInterfaces)(nil)

// NewPortAllInterfaces returns the port-all-interfaces rule.
func NewPortAllInterfaces() *PortAllInterfaces {
	return &PortAllInterfaces{RuleBase{hardening("port-all-interfaces", "ports published on every interface of the host (optional)", diag.Warning, 0)}}
}

// withoutHostIP is a short port spec without its address: 8443:443 for
// 0.0.0.0:8443:443 and [::]:8443:443.
func withoutHostIP(spec string) string {
	if strings.HasPrefix(spec, "[") {
		if i := strings.Index(spec, "]:"); i >= 0 {
			return spec[i+2:]
		}
		return spec
	}
	if parts := strings.Split(spec, ":"); len(parts) > 2 {
		return strings.Join(parts[len(parts)-2:], ":")
	}
	return spec
}

// VisitEnv checks the ports of every active service of e: those that
// publish a host port without an address (or 0.0.0.0, ::). A port given
// without a host port publishes nothing and is not reported; nor is one
// that does not parse (port-conflict's).
func (r *PortAllInterfaces) VisitEnv(p *Pass, e *Env) {
	eachActive(p, e, func(name string, svc map[string]any) {
		for i, it := range asSlice(svc["ports"]) {
			var pubs []published
			spec, sub, fix := "", "", ""
			switch x := it.(type) {
			case map[string]any:
				ip, _ := e.Str(x["host_ip"])
				pub, _ := e.Str(x["published"])
				target, _ := e.Str(x["target"])
				proto, _ := e.Str(x["protocol"])
				pubs, _ = longPort(ip, pub, target, proto)
				spec, sub, fix = pub+":"+target, ".published", "host_ip: 127.0.0.1"
			default:
				s, ok := e.Str(it)
				if !ok {
					continue
				}
				pubs, _ = parseShortPort(s)
				spec, fix = s, "127.0.0.1:"+withoutHostIP(s)
			}
			if len(pubs) == 0 || pubs[0].ip != "" {
				continue
			}
			reportAt(p, e, name, "ports", i, sub, func(who, sfx string) string {
				return fmt.Sprintf("%s publish%s port %d on every interface of the host (%q): Docker's rules come before the host firewall (UFW, firewalld); bind it to an address (%s), or put a reverse proxy in front", who,
					map[string]string{"s": "es", "": ""}[sfx], pubs[0].port, spec, fix)
			})
		}
	})
}
