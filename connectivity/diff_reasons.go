package connectivity

import (
	"github.com/meshlint/meshlint/model"
)

// NetpolRuleRef is one rule of a NetworkPolicy that admits a connection,
// with the ports it opens towards the destination (named ports resolved).
type NetpolRuleRef struct {
	Policy *model.NetworkPolicy
	Rule   *model.NetpolRule
	Egress bool
	Ports  PortSet
}

// NetworkReasons is what the NetworkPolicies say of one pair: the policies
// that isolate the source's egress and the destination's ingress, and the
// rules of those that admit the other end. The diff compares them across
// versions to name the objects that changed a pair.
type NetworkReasons struct {
	EgressIsolating, IngressIsolating []*model.NetworkPolicy
	Admitting                         []NetpolRuleRef
}

// Reasons returns the network reasons for traffic from src to dst, nodes
// of g; a node of several workloads gives those of each of its classes.
// Either end may be an outside range (a node of g on that side).
func (g *Graph) Reasons(src, dst *Node) NetworkReasons {
	var out NetworkReasons
	seenPolicy := map[*model.NetworkPolicy]bool{}
	seenRule := map[*model.NetpolRule]bool{}
	for _, s := range g.sideEndpoints(src, true) {
		for _, d := range g.sideEndpoints(dst, false) {
			if g.isClass(s) {
				for _, p := range g.classes[s].egress {
					if !seenPolicy[p.np] {
						seenPolicy[p.np] = true
						out.EgressIsolating = append(out.EgressIsolating, p.np)
					}
					out.Admitting = g.admittingRules(out.Admitting, seenRule, p, p.egress, p.np.Egress, true, d, d)
				}
			}
			if g.isClass(d) {
				for _, p := range g.classes[d].ingress {
					if !seenPolicy[p.np] {
						seenPolicy[p.np] = true
						out.IngressIsolating = append(out.IngressIsolating, p.np)
					}
					out.Admitting = g.admittingRules(out.Admitting, seenRule, p, p.ingress, p.np.Ingress, false, s, d)
				}
			}
		}
	}
	return out
}

func (g *Graph) admittingRules(out []NetpolRuleRef, seen map[*model.NetpolRule]bool, p *policy, rules []rule, src []model.NetpolRule, egress bool, peer, dst int32) []NetpolRuleRef {
	for i := range rules {
		r := &rules[i]
		if !r.matches(peer) || seen[&src[i]] {
			continue
		}
		if ports := g.portsTo(r, dst); !ports.IsEmpty() {
			seen[&src[i]] = true
			out = append(out, NetpolRuleRef{Policy: p.np, Rule: &src[i], Egress: egress, Ports: ports})
		}
	}
	return out
}

// sideEndpoints are the endpoints a node stands for as a source (source)
// or as a destination.
func (g *Graph) sideEndpoints(n *Node, source bool) []int32 {
	if n == nil {
		return nil
	}
	if !n.External {
		return g.nodeEndpoints(n)
	}
	var out []int32
	for i, r := range g.rangeNodes {
		if r == n && (i < len(g.srcRanges)) == source {
			out = append(out, int32(len(g.classes)+i))
		}
	}
	return out
}
