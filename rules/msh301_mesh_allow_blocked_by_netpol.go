package rules

import (
	"fmt"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// MeshAllowBlockedByNetpol reports authorization rules that allow traffic the
// NetworkPolicies drop.
var MeshAllowBlockedByNetpol = &analyzer.Rule{
	ID:       "MSH301",
	Name:     "mesh-allow-blocked-by-netpol",
	Severity: analyzer.Error,
	Summary:  "Mesh authorization allows a source to reach a workload on a port, but NetworkPolicies block that traffic.",
	Description: `Both layers must let a request through. When an AuthorizationPolicy (or legacy
RBAC, read as what its author meant) allows a caller, but the destination's
ingress NetworkPolicies (or the caller's egress ones) drop its packets, the
call times out: authorization says yes, and the packets never arrive. Istio's
own tools cannot see this, because they never read NetworkPolicies.

In ambient mode ztunnel carries a call over HBONE to TCP 15008 of the
destination pod (so do waypoints, sidecars calling an ambient pod, and
ztunnel calling a sidecar): NetworkPolicy, enforced on the host, sees that
port and never the application's. Such a call is blocked when TCP 15008 is
not admitted, even if the application port is, and the message says so;
it gets through when 15008 is admitted, whatever the application port.

A call through a waypoint is two HBONE connections: the caller's pod to the
waypoint's pod, then the waypoint's pod to the destination, both on TCP
15008. The destination's NetworkPolicies see the waypoint's pod as the
source, not the caller: a rule the waypoint enforces is blocked when either
hop is, and the message names the waypoint.

The finding is on the authorization rule that cannot work; the NetworkPolicies
that block it are listed as related locations.`,
	Bad: `# AuthorizationPolicy cart: allow shop/web on 7070
rules:
- from:
  - source:
      principals: ["cluster.local/ns/shop/sa/web"]
  to:
  - operation:
      ports: ["7070"]
---
# NetworkPolicy cart: only the gateway may connect
ingress:
- from:
  - podSelector:
      matchLabels: {app: gateway}
`,
	Good: `# NetworkPolicy cart admits web too
ingress:
- from:
  - podSelector:
      matchExpressions:
      - {key: app, operator: In, values: [gateway, web]}
  ports:
  - port: 7070
`,
	Fix:  "Add a NetworkPolicy rule that admits the caller on the port (and egress from the caller, if it is egress-isolated), or drop the authorization rule if the call is not meant to happen.",
	Tags: []string{"security", "istio", "networkpolicy", "cross-layer"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		check := func(policies []*mesh.Policy, e *mesh.Evaluator) {
			for _, p := range policies {
				if p.Action() != securityv1beta1.AuthorizationPolicy_ALLOW {
					continue
				}
				for i, r := range p.Spec.GetRules() {
					checkBlockedRule(pass, g, e, p, i, r)
				}
			}
		}
		check(mesh.Current(m), mesh.CurrentEvaluator(m))
		if t := mesh.Legacy(m); t.Enforced {
			check(t.Policies, mesh.IntentEvaluator(m))
		}
	},
}

type blockedCall struct {
	src   *model.Workload
	ports []int32
	// tunnel: the calls travel over HBONE, and NetworkPolicies admit the
	// application ports but not TCP 15008.
	tunnel bool
	// via: the calls pass a waypoint that enforces the rule, and the
	// NetworkPolicies drop one of its two hops.
	via *waypointBlock
}

func checkBlockedRule(pass *analyzer.Pass, g *connectivity.Graph, e *mesh.Evaluator, p *mesh.Policy, i int, r *securityv1beta1.Rule) {
	m := pass.Model
	ml := connectivity.Mesh(m)
	sources, anyone := ruleSources(m, r)
	if anyone {
		checkUnreachable(pass, g, ml, p, i, r, e.Governed(p))
		return
	}
	if len(sources) == 0 {
		return
	}
	for _, dst := range e.Governed(p) {
		if dst.Implied || dst.Mesh == model.MeshNone {
			continue
		}
		ports, known := rulePorts(r, dst)
		if !known {
			ports = []int32{0}
		}
		var blocked []blockedCall
		for _, src := range sources {
			if src == dst {
				continue
			}
			var bad []int32
			tunnel := true
			gws := e.EnforcingWaypoints(p, mesh.Source{Workload: src}, dst)
			var via *waypointBlock
			for _, port := range ports {
				if e.Decide(mesh.Source{Workload: src}, dst, port).Allowed.IsNever() {
					continue // denied in the mesh anyway: not this rule's problem
				}
				if len(gws) > 0 {
					// The rule is enforced at the waypoint the calls pass.
					if ok, b := throughWaypoints(ml, src, gws, dst); !ok {
						bad, via = append(bad, port), b
					}
					continue
				}
				if ok, hbone := carriedAllows(ml, g, src, dst, port); !ok {
					bad = append(bad, port)
					tunnel = tunnel && hbone && netAllows(g, src, dst, port)
				}
			}
			if len(bad) > 0 {
				blocked = append(blocked, blockedCall{src, bad, tunnel && via == nil, via})
			}
		}
		if len(blocked) == 0 {
			continue
		}
		reportBlocked(pass, g, p, i, dst, blocked)
	}
}

// checkUnreachable handles rules that name no source: they cannot work when
// the NetworkPolicies let nothing at all reach the workload on the rule's
// ports.
func checkUnreachable(pass *analyzer.Pass, g *connectivity.Graph, ml *connectivity.MeshLayer, p *mesh.Policy, i int, r *securityv1beta1.Rule, governed []*model.Workload) {
	m := pass.Model
	for _, dst := range governed {
		if dst.Implied || dst.Mesh == model.MeshNone || len(g.IngressPolicies(dst)) == 0 {
			continue
		}
		ports, known := rulePorts(r, dst)
		if !known {
			ports = []int32{0}
		}
		var closed []int32
		for _, port := range ports {
			reachable := false
			for _, src := range m.Workloads {
				if src == dst {
					continue
				}
				if gws := ml.Evaluator().EnforcingWaypoints(p, mesh.Source{Workload: src}, dst); len(gws) > 0 {
					if ok, _ := throughWaypoints(ml, src, gws, dst); ok {
						reachable = true
						break
					}
					continue
				}
				if ok, _ := carriedAllows(ml, g, src, dst, port); ok {
					reachable = true
					break
				}
			}
			if !reachable && !externalReaches(g, dst, port) {
				closed = append(closed, port)
			}
		}
		if len(closed) == 0 {
			continue
		}
		who, intent := allowsWho(p, i)
		f := pass.Report(p.Object, p.RulePaths[i], "%s any source to reach %s on %s%s, but NetworkPolicies admit nothing there: the rule can never be used",
			who, dst.ID(), portText(closed), intent).Other(dst.Object)
		for _, np := range g.IngressPolicies(dst) {
			f.Relate(np.Object, "spec.podSelector", "isolates the ingress of %s", dst.ID())
		}
	}
}

// externalReaches reports whether some address range outside the cluster
// may reach dst on a TCP port (any TCP port when port is 0).
func externalReaches(g *connectivity.Graph, dst *model.Workload, port int32) bool {
	for _, n := range g.Nodes() {
		if !n.External {
			continue
		}
		allowed := g.AllowedFrom(n, dst)
		if (port == 0 && len(allowed.Ranges(connectivity.TCP)) > 0) || (port != 0 && allowed.Contains(connectivity.TCP, port)) {
			return true
		}
	}
	return false
}

func reportBlocked(pass *analyzer.Pass, g *connectivity.Graph, p *mesh.Policy, i int, dst *model.Workload, blocked []blockedCall) {
	who, intent := allowsWho(p, i)
	srcs := make([]*model.Workload, len(blocked))
	for k, b := range blocked {
		srcs[k] = b.src
	}
	first := blocked[0]
	why := "but NetworkPolicies block it: the calls time out"
	if first.tunnel {
		// istio.io/latest/docs/ambient/usage/networkpolicy
		why = "but the calls time out: ambient traffic arrives on HBONE TCP 15008, which no NetworkPolicy rule admits"
		if np := admittingPolicy(g, first.src, dst, first.ports[0]); np != nil {
			why = fmt.Sprintf("but the calls time out: NetworkPolicy %s/%s allows %s but ambient traffic arrives on HBONE TCP 15008, which no NetworkPolicy rule admits",
				np.Object.Namespace, np.Object.Name, portText(first.ports))
		}
	}
	if first.via != nil {
		why = waypointWhy(connectivity.Mesh(pass.Model), first.src, dst, first.via)
	}
	f := pass.Report(p.Object, p.RulePaths[i], "%s %s to reach %s on %s%s, %s",
		who, workloadList(srcs), dst.ID(), portText(first.ports), intent, why).Other(dst.Object)
	if first.via != nil {
		relateWaypoint(g, f, first.src, dst, first.via)
		return
	}
	for _, np := range g.IngressPolicies(dst) {
		if first.tunnel {
			f.Relate(np.Object, "spec.podSelector", "isolates the ingress of %s and admits %s on no rule for HBONE (TCP 15008)", dst.ID(), first.src.ID())
			continue
		}
		f.Relate(np.Object, "spec.podSelector", "isolates the ingress of %s and admits %s on no rule", dst.ID(), first.src.ID())
	}
	for _, np := range g.EgressPolicies(first.src) {
		f.Relate(np.Object, "spec.podSelector", "isolates the egress of %s, which may be what blocks it", first.src.ID())
	}
}

// allowsWho names the rule that allows, and for legacy RBAC says it is
// the author's intent, as SPEC.md words it: "intended by ServiceRoleBinding
// X, which current Istio ignores".
func allowsWho(p *mesh.Policy, i int) (who, intent string) {
	if p.Legacy {
		return p.Name() + " " + p.RulePaths[i] + " would allow", fmt.Sprintf(" (intended by %s, which current Istio ignores)", p.Name())
	}
	return p.Name() + " " + p.RulePaths[i] + " allows", ""
}
