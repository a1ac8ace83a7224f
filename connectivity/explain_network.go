package connectivity

import (
	"net/netip"

	"github.com/meshlint/meshlint/model"
)

// This file exposes what the network layer keeps about one connection, for
// `meshlint why` and the HTML report: which policies isolate each side and
// which of their rules and peers admit the other side. It reads the graph's
// compiled rules, so the explanation and the graph cannot disagree.

// SideFacts is what the NetworkPolicies of one side (the source's egress or
// the destination's ingress) say about a connection.
type SideFacts struct {
	// Governed is false when the side is outside the cluster: nothing there
	// is a NetworkPolicy's business.
	Governed bool
	// Workload is the workload whose policies are read (the first of its
	// node); nil outside the cluster.
	Workload *model.Workload
	// Isolating are the policies that select the workload and isolate this
	// direction, in model order; none means the side lets everything pass.
	Isolating []*model.NetworkPolicy
	// Rules are every rule of the isolating policies in this direction.
	Rules []RuleFacts
}

// RuleFacts is one rule of an isolating policy, seen from a connection.
type RuleFacts struct {
	Policy *model.NetworkPolicy
	Rule   *model.NetpolRule
	// Peer is the index in Rule.Peers of the first peer that matches the
	// other side; -1 when none does (or when Rule.AllPeers).
	Peer int
	// Matches is true when the rule's peers take in the other side.
	Matches bool
	// Ports are the ports the rule opens towards the destination, named
	// ports resolved against it.
	Ports PortSet
}

// Admitted is what the side's rules let through: everything when nothing
// isolates it.
func (s SideFacts) Admitted() PortSet {
	if !s.Governed || len(s.Isolating) == 0 {
		return AllPorts()
	}
	var out PortSet
	for _, r := range s.Rules {
		if r.Matches {
			out = out.Union(r.Ports)
		}
	}
	return out
}

// NetworkFacts is the network layer's view of one connection.
type NetworkFacts struct {
	Egress, Ingress SideFacts
	// Allowed is what the graph lets through from source to destination.
	Allowed PortSet
}

// SourceEndpoint says whether the graph knows n as the source of a
// connection: every workload node, and the external ranges the ingress
// ipBlocks cut.
func (g *Graph) SourceEndpoint(n *Node) bool {
	_, ok := g.endpointAs(n, true)
	return ok
}

// DestinationEndpoint says whether the graph knows n as a destination:
// every workload node, and the ranges the egress ipBlocks cut.
func (g *Graph) DestinationEndpoint(n *Node) bool {
	_, ok := g.endpointAs(n, false)
	return ok
}

// endpointAs finds the endpoint that stands for n as a source or a
// destination: the class of its first workload, or its range on that side.
func (g *Graph) endpointAs(n *Node, source bool) (int32, bool) {
	if !n.External {
		if len(n.Workloads) == 0 {
			return 0, false
		}
		id, ok := g.classOf[n.Workloads[0]]
		return id, ok
	}
	for i, r := range g.rangeNodes {
		if r != n {
			continue
		}
		if isSrc := i < len(g.srcRanges); isSrc == source {
			return int32(len(g.classes) + i), true
		}
	}
	return 0, false
}

// RangeNode returns the external node holding addr as a source (the ranges
// ingress ipBlocks cut) or as a destination (those egress ipBlocks cut).
func (g *Graph) RangeNode(addr netip.Addr, source bool) *Node {
	if !addr.Is4() {
		return nil
	}
	v := uint4(addr)
	ranges, offset := g.dstRanges, len(g.srcRanges)
	if source {
		ranges, offset = g.srcRanges, 0
	}
	for i, r := range ranges {
		if r.First <= v && v <= r.Last {
			return g.rangeNodes[offset+i]
		}
	}
	return nil
}

// ExplainNetwork returns what the NetworkPolicies say about connections
// from src to dst; ok is false when the graph knows neither as such (two
// external ranges, or a node it does not hold on that side).
func (g *Graph) ExplainNetwork(src, dst *Node) (NetworkFacts, bool) {
	s, ok1 := g.endpointAs(src, true)
	d, ok2 := g.endpointAs(dst, false)
	if !ok1 || !ok2 || (!g.isClass(s) && !g.isClass(d)) {
		return NetworkFacts{}, false
	}
	return NetworkFacts{
		Egress:  g.sideFacts(s, d, d, true),
		Ingress: g.sideFacts(d, s, d, false),
		Allowed: g.allowed(s, d),
	}, true
}

// ExplainSide returns one side of ExplainNetwork alone: the source's
// egress (egress true) or the destination's ingress.
func (g *Graph) ExplainSide(src, dst *Node, egress bool) (SideFacts, bool) {
	s, ok1 := g.endpointAs(src, true)
	d, ok2 := g.endpointAs(dst, false)
	if !ok1 || !ok2 || (!g.isClass(s) && !g.isClass(d)) {
		return SideFacts{}, false
	}
	if egress {
		return g.sideFacts(s, d, d, true), true
	}
	return g.sideFacts(d, s, d, false), true
}

// sideFacts reads the rules of self's isolating policies in one direction
// against peer; ports resolve against dst.
func (g *Graph) sideFacts(self, peer, dst int32, egress bool) SideFacts {
	if !g.isClass(self) {
		return SideFacts{}
	}
	c := g.classes[self]
	out := SideFacts{Governed: true, Workload: c.workloads[0]}
	isolating := c.ingress
	if egress {
		isolating = c.egress
	}
	for _, p := range isolating {
		out.Isolating = append(out.Isolating, p.np)
		compiled, rules := p.ingress, p.np.Ingress
		if egress {
			compiled, rules = p.egress, p.np.Egress
		}
		for i := range compiled {
			r := &compiled[i]
			f := RuleFacts{Policy: p.np, Rule: &rules[i], Peer: -1, Matches: r.all, Ports: g.portsTo(r, dst)}
			for j, pm := range r.peers {
				if pm.has(peer) {
					f.Peer, f.Matches = j, true
					break
				}
			}
			out.Rules = append(out.Rules, f)
		}
	}
	return out
}

// SideView is one side of a node (its egress or its ingress) ready to be
// matched against many other nodes, as the HTML report does for every
// pair: Match costs a few lookups and allocates nothing.
type SideView struct {
	g      *Graph
	self   int32
	egress bool
	rules  []*rule
	named  bool // some rule names a port, which resolves per destination
	facts  []RuleFacts
	// Isolating are the policies that isolate the side.
	Isolating []*model.NetworkPolicy
}

// Side returns the view of n's egress (egress true) or ingress; ok is
// false when the graph does not hold n on that side, and the view holds no
// rule when n is outside the cluster.
func (g *Graph) Side(n *Node, egress bool) (v *SideView, governed, ok bool) {
	e, ok := g.endpointAs(n, egress)
	if !ok {
		return nil, false, false
	}
	v = &SideView{g: g, self: e, egress: egress}
	if !g.isClass(e) {
		return v, false, true
	}
	isolating := g.classes[e].ingress
	if egress {
		isolating = g.classes[e].egress
	}
	for _, p := range isolating {
		v.Isolating = append(v.Isolating, p.np)
		compiled, rules := p.ingress, p.np.Ingress
		if egress {
			compiled, rules = p.egress, p.np.Egress
		}
		for i := range compiled {
			v.rules = append(v.rules, &compiled[i])
			v.facts = append(v.facts, RuleFacts{Policy: p.np, Rule: &rules[i], Peer: -1})
			v.named = v.named || len(compiled[i].ports.named) > 0
		}
	}
	return v, true, true
}

// Rules are the side's rules, without what they match (Peer -1, Matches
// false, no Ports).
func (v *SideView) Rules() []RuleFacts { return v.facts }

// Match appends to out, for each rule, -2 when the rule takes in every
// peer, else the index of its first peer that takes in other, or -1; then,
// when some rule names ports and they resolve against other (egress), the
// class other falls in. Two others with equal matches are explained alike.
// ok is false when the graph does not hold other on the other side.
func (v *SideView) Match(other *Node, out []int32) (_ []int32, ok bool) {
	o, ok := v.g.endpointAs(other, !v.egress)
	if !ok {
		return out, false
	}
	for _, r := range v.rules {
		m := int32(-1)
		if r.all {
			m = -2
		} else {
			for j, pm := range r.peers {
				if pm.has(o) {
					m = int32(j)
					break
				}
			}
		}
		out = append(out, m)
	}
	if v.named && v.egress {
		out = append(out, o)
	}
	return out, true
}

// HostRanges are the destination ranges a ServiceEntry host node may
// resolve to, as the effective layer reads them: those its entries'
// addresses fall in, or every range (anywhere true) when some entry gives
// the host no address.
func (g *Graph) HostRanges(n *Node) (ranges []*Node, anywhere bool) {
	idx, ok := g.hostRanges()[n.Host]
	if !ok {
		return nil, false
	}
	first := len(g.srcRanges)
	if idx == nil {
		return g.rangeNodes[first:], true
	}
	for _, r := range idx {
		ranges = append(ranges, g.rangeNodes[first+int(r)])
	}
	return ranges, false
}
