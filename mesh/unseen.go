package mesh

import (
	"sort"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// DryRunPath is where a policy says it is in dry-run mode.
const DryRunPath = `metadata.annotations["istio.io/dry-run"]`

// UnseenField is a field of a rule that the enforcing proxy cannot evaluate.
type UnseenField struct {
	Name string // methods, requestPrincipals, request.headers[x-id], ...
	Path string // its field path below the rule (to[0].operation.methods, when[1].key)
}

// ztunnelWhenKeys are the `when` keys istiod translates for ztunnel
// (pilot/pkg/serviceregistry/ambient/authorization.go, l4WhenAttributes).
var ztunnelWhenKeys = map[string]bool{
	"source.ip":        true,
	"source.namespace": true,
	"source.principal": true,
	"destination.ip":   true,
	"destination.port": true,
}

// UnseenFields lists the fields of rule that cannot match where Istio sees
// no HTTP, each with its path below rulePath. At a sidecar (or waypoint,
// gateway) on a TCP port these are the HTTP-only fields
// (pilot/pkg/security/authz/model/generator.go: methods, paths, hosts,
// request principals and request.* keys fail "is HTTP only"); at ztunnel,
// every field outside its L4 attribute list (ambient/authorization.go:
// httpOperations, httpSources, l4WhenAttributes), remoteIpBlocks included.
func UnseenFields(rule *securityv1beta1.Rule, rulePath string, ztunnel bool) []UnseenField {
	var out []UnseenField
	add := func(name, path string) {
		out = append(out, UnseenField{Name: name, Path: joinPath(rulePath, path)})
	}
	for i, f := range rule.GetFrom() {
		s := f.GetSource()
		base := manifest.JoinIndex("from", i) + ".source."
		for _, fl := range []struct {
			name   string
			values []string
			l4     bool // a sidecar on TCP sees it
		}{
			{"requestPrincipals", s.GetRequestPrincipals(), false},
			{"notRequestPrincipals", s.GetNotRequestPrincipals(), false},
			{"remoteIpBlocks", s.GetRemoteIpBlocks(), true},
			{"notRemoteIpBlocks", s.GetNotRemoteIpBlocks(), true},
		} {
			if len(fl.values) > 0 && (ztunnel || !fl.l4) {
				add(fl.name, base+fl.name)
			}
		}
	}
	for i, t := range rule.GetTo() {
		op := t.GetOperation()
		base := manifest.JoinIndex("to", i) + ".operation."
		for _, fl := range []struct {
			name   string
			values []string
		}{
			{"hosts", op.GetHosts()}, {"notHosts", op.GetNotHosts()},
			{"methods", op.GetMethods()}, {"notMethods", op.GetNotMethods()},
			{"paths", op.GetPaths()}, {"notPaths", op.GetNotPaths()},
		} {
			if len(fl.values) > 0 {
				add(fl.name, base+fl.name)
			}
		}
	}
	for i, c := range rule.GetWhen() {
		key := c.GetKey()
		if (ztunnel && !ztunnelWhenKeys[key]) || (!ztunnel && strings.HasPrefix(key, "request.")) {
			add(key, manifest.JoinIndex("when", i)+".key")
		}
	}
	return out
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// Blind is a place where the proxy that enforces a policy sees no HTTP: a
// TCP port of a workload (by its Service port's protocol), or every port
// of an ambient workload whose ztunnel enforces the policy.
type Blind struct {
	Workload *model.Workload
	Port     int32 // 0 at ztunnel
	Ztunnel  bool
	Choice   PortChoice // the Service port that makes Port TCP
}

// BlindSpots returns where rule, a rule of p, meets a proxy that sees no
// HTTP: for ztunnel each ambient workload; for a sidecar, waypoint or
// gateway the ports the rule names (else every port a Service exposes)
// whose protocol is TCP, TLS, HTTPS, .... Sniffed ports are not blind: the
// rule still matches clients that speak HTTP.
func BlindSpots(m *model.Model, p *Policy, governed []*model.Workload, rule *securityv1beta1.Rule) []Blind {
	var named []int32
	for _, t := range rule.GetTo() {
		for _, s := range t.GetOperation().GetPorts() {
			if n, err := strconv.ParseUint(s, 10, 16); err == nil {
				named = append(named, int32(n))
			}
		}
	}
	var out []Blind
	for _, w := range governed {
		if w.Mesh == model.MeshNone || !enforces(enforcerOf(p, w), p) {
			continue
		}
		if enforcerOf(p, w) == EnforcerZtunnel {
			out = append(out, Blind{Workload: w, Ztunnel: true})
			continue
		}
		ports := named
		if len(ports) == 0 {
			ports = servedPorts(m, w)
		}
		for _, port := range ports {
			if c := PortProtocolOf(m, w, port); c.Protocol == L7TCP {
				out = append(out, Blind{Workload: w, Port: port, Choice: c})
			}
		}
	}
	return out
}

// ServedPorts are the container ports of w that its Services' TCP ports
// reach, in order.
func ServedPorts(m *model.Model, w *model.Workload) []int32 { return servedPorts(m, w) }

func servedPorts(m *model.Model, w *model.Workload) []int32 {
	var out []int32
	seen := map[int32]bool{}
	for _, svc := range ServicesOf(m, w) {
		for _, sp := range svc.Ports {
			if tp := TargetPort(w, sp); sp.Protocol == "TCP" && tp != 0 && !seen[tp] {
				seen[tp] = true
				out = append(out, tp)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ZtunnelMatchesNothing reports whether istiod leaves rule with a clause
// ztunnel can never meet: a from or to list whose every entry lost all its
// fields, or a when condition on a key ztunnel does not know. A DENY rule
// like that denies nothing there (ambient/authorization.go
// hasEffectiveRules, httpDenyNoEffectBoilerplate).
func ZtunnelMatchesNothing(rule *securityv1beta1.Rule) bool {
	if from := rule.GetFrom(); len(from) > 0 {
		empty := true
		for _, f := range from {
			empty = empty && !hasZtunnelSource(f.GetSource())
		}
		if empty {
			return true
		}
	}
	if to := rule.GetTo(); len(to) > 0 {
		empty := true
		for _, t := range to {
			empty = empty && len(t.GetOperation().GetPorts())+len(t.GetOperation().GetNotPorts()) == 0
		}
		if empty {
			return true
		}
	}
	for _, c := range rule.GetWhen() {
		if !ztunnelWhenKeys[c.GetKey()] {
			return true
		}
	}
	return false
}
