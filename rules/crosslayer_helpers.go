package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// ruleSources returns the workloads an authorization rule names in its
// sources (by principal, namespace or service account); anyone is true when
// the rule names no source at all.
func ruleSources(m *model.Model, r *securityv1beta1.Rule) (ws []*model.Workload, anyone bool) {
	if len(r.GetFrom()) == 0 {
		return nil, true
	}
	seen := map[*model.Workload]bool{}
	add := func(list []*model.Workload) {
		for _, w := range list {
			if !w.Implied && !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
	}
	for _, f := range r.GetFrom() {
		s := f.GetSource()
		if len(s.GetPrincipals())+len(s.GetNamespaces())+len(s.GetServiceAccounts()) == 0 {
			return nil, true
		}
		for _, p := range s.GetPrincipals() {
			if p != "*" {
				add(m.WorkloadsMatchingPrincipal(p))
			}
		}
		for _, ns := range s.GetNamespaces() {
			if ns != "*" {
				add(m.WorkloadsMatchingNamespace(ns))
			}
		}
		for _, sa := range s.GetServiceAccounts() {
			ns, name, ok := strings.Cut(sa, "/")
			if ok {
				add(m.WorkloadsMatchingPrincipal(m.Settings.TrustDomain + "/ns/" + ns + "/sa/" + name))
			}
		}
	}
	return ws, false
}

// rulePorts returns the TCP container ports of dst a rule's operations name,
// or every declared TCP port of dst when the rule names none. known is false
// when dst declares no port: then any TCP port stands for the rule.
func rulePorts(r *securityv1beta1.Rule, dst *model.Workload) (ports []int32, known bool) {
	var declared []int32
	for _, cp := range dst.Ports {
		if cp.Protocol == "TCP" {
			declared = append(declared, cp.Port)
		}
	}
	var named []int32
	for _, t := range r.GetTo() {
		for _, p := range t.GetOperation().GetPorts() {
			if n, err := strconv.Atoi(p); err == nil {
				named = append(named, int32(n))
			}
		}
	}
	switch {
	case len(named) > 0:
		return uniquePorts(named), true
	case len(declared) > 0:
		return uniquePorts(declared), true
	}
	return nil, false
}

func uniquePorts(ps []int32) []int32 {
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	out := ps[:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// netAllows reports whether the network layer lets src reach dst on a TCP
// port (any TCP port when port is 0).
func netAllows(g *connectivity.Graph, src, dst *model.Workload, port int32) bool {
	allowed := g.Allowed(src, dst)
	if port == 0 {
		return len(allowed.Ranges(connectivity.TCP)) > 0
	}
	return allowed.Contains(connectivity.TCP, port)
}

// meshAllowsSome reports whether mesh authorization lets at least some
// requests from src reach dst on one of ports. With no ports known (dst
// declares none), every port its policies name is tried, and one they do
// not name.
func meshAllowsSome(e *mesh.Evaluator, src mesh.Source, dst *model.Workload, ports []int32) bool {
	if len(ports) == 0 {
		ports = append(policyPorts(e, dst), 0)
	}
	for _, p := range ports {
		if !e.Decide(src, dst, p).Allowed.IsNever() {
			return true
		}
	}
	return false
}

// intentFor picks the authorization that speaks for w: what Istio enforces,
// or, when nothing current restricts w, what legacy RBAC meant. note says
// which, for messages.
func intentFor(m *model.Model, w *model.Workload) (e *mesh.Evaluator, note string) {
	current := mesh.CurrentEvaluator(m)
	if current.Restricts(w) {
		return current, ""
	}
	intent := mesh.IntentEvaluator(m)
	if intent.Restricts(w) {
		for _, p := range intent.PoliciesFor(w) {
			if p.Legacy {
				return intent, fmt.Sprintf(" (intended by %s, which current Istio ignores)", p.Name())
			}
		}
	}
	return nil, ""
}

// portText prints ports as the graph does: "TCP 8080,9090", or "TCP" when
// unknown.
func portText(ports []int32) string {
	if len(ports) == 0 || (len(ports) == 1 && ports[0] == 0) {
		return "TCP"
	}
	s := "TCP "
	for i, p := range ports {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(int(p))
	}
	return s
}

// policyPorts are the ports the authorization rules governing dst name.
func policyPorts(e *mesh.Evaluator, dst *model.Workload) []int32 {
	var out []int32
	for _, p := range e.PoliciesFor(dst) {
		for _, r := range p.Spec.GetRules() {
			for _, t := range r.GetTo() {
				for _, port := range t.GetOperation().GetPorts() {
					if n, err := strconv.Atoi(port); err == nil {
						out = append(out, int32(n))
					}
				}
			}
		}
	}
	return uniquePorts(out)
}

// carriedAllows reports whether NetworkPolicies let src's traffic reach
// dst's TCP port (any TCP port when port is 0) as it travels: a pair
// ztunnel carries over HBONE (connectivity/hbone.go) is seen by them as TCP
// 15008, whatever the application port. tunnel says which it was.
func carriedAllows(ml *connectivity.MeshLayer, g *connectivity.Graph, src, dst *model.Workload, port int32) (ok, tunnel bool) {
	if ml.Tunnelled(src, dst, port) {
		return netAllows(g, src, dst, connectivity.HBONEPort), true
	}
	return netAllows(g, src, dst, port), false
}

// admittingPolicy is the first of dst's isolating ingress policies (then
// src's egress ones) whose rule admits the other end on TCP port.
func admittingPolicy(g *connectivity.Graph, src, dst *model.Workload, port int32) *model.NetworkPolicy {
	s, d := g.FindNodes(src.ID()), g.FindNodes(dst.ID())
	if len(s) != 1 || len(d) != 1 {
		return nil
	}
	nf, ok := g.ExplainNetwork(s[0], d[0])
	if !ok {
		return nil
	}
	for _, f := range []connectivity.SideFacts{nf.Ingress, nf.Egress} {
		for _, r := range f.Rules {
			if r.Matches && (r.Ports.Contains(connectivity.TCP, port) || (port == 0 && len(r.Ports.Ranges(connectivity.TCP)) > 0)) {
				return r.Policy
			}
		}
	}
	return nil
}
