package connectivity

// Evaluating the network graph: which ports NetworkPolicies admit from one
// endpoint (a class of pods, or an address range) to another.

import (
	"slices"
)

func (g *Graph) isClass(e int32) bool { return int(e) < len(g.classes) }

func (g *Graph) firstSrcRange() int32 { return int32(len(g.classes)) }
func (g *Graph) firstDstRange() int32 { return int32(len(g.classes) + len(g.srcRanges)) }
func (g *Graph) endpoints() int32 {
	return int32(len(g.classes) + len(g.srcRanges) + len(g.dstRanges))
}

// sources are the endpoints a connection may start at: classes and source
// ranges; destinations are classes and destination ranges.
func (g *Graph) sources(yield func(int32) bool) {
	for e := range g.firstDstRange() {
		if !yield(e) {
			return
		}
	}
}

func (g *Graph) destinations(yield func(int32) bool) {
	for e := range g.endpoints() {
		if g.isClass(e) || e >= g.firstDstRange() {
			if !yield(e) {
				return
			}
		}
	}
}

// egress is what src's egress policies let out towards dst.
func (g *Graph) egress(src, dst int32) PortSet {
	if !g.isClass(src) {
		return AllPorts()
	}
	return g.admitted(g.classes[src].egress, func(p *policy) []rule { return p.egress }, dst, dst)
}

// ingress is what dst's ingress policies let in from src.
func (g *Graph) ingress(src, dst int32) PortSet {
	if !g.isClass(dst) {
		return AllPorts()
	}
	return g.admitted(g.classes[dst].ingress, func(p *policy) []rule { return p.ingress }, src, dst)
}

// admitted joins what the rules of one direction of the isolating policies
// let through to or from peer; ports resolve against dst. No isolating
// policy means everything.
func (g *Graph) admitted(isolating []*policy, rules func(*policy) []rule, peer, dst int32) PortSet {
	if len(isolating) == 0 {
		return AllPorts()
	}
	var out PortSet
	for _, p := range isolating {
		rs := rules(p)
		for i := range rs {
			if r := &rs[i]; r.matches(peer) {
				if out = out.Union(g.portsTo(r, dst)); out.IsAll() {
					return out
				}
			}
		}
	}
	return out
}

// allowed is what both src's egress and dst's ingress allow. Traffic between
// two external ranges is not the cluster's business: none.
func (g *Graph) allowed(src, dst int32) PortSet {
	if !g.isClass(src) && !g.isClass(dst) {
		return NoPorts()
	}
	out := g.egress(src, dst)
	if out.IsEmpty() {
		return out
	}
	return out.Intersect(g.ingress(src, dst))
}

// eachFrom calls fn for every endpoint src may reach, in endpoint order.
// seen is scratch space of one int32 per endpoint, zeroed or holding marks
// of other sources only.
func (g *Graph) eachFrom(src int32, seen []int32, fn func(dst int32, ports PortSet)) {
	visit := func(dst int32) {
		if p := g.allowed(src, dst); !p.IsEmpty() {
			fn(dst, p)
		}
	}
	if !g.isClass(src) || len(g.classes[src].egress) == 0 {
		for dst := range g.destinations {
			visit(dst)
		}
		return
	}
	// An egress-isolated source reaches only what its egress rules name:
	// visit those alone, so that sparse policies cost what they allow.
	mark := src + 1
	var cand []int32
	for _, p := range g.classes[src].egress {
		for i := range p.egress {
			r := &p.egress[i]
			if r.all {
				for dst := range g.destinations {
					visit(dst)
				}
				return
			}
			for _, pm := range r.peers {
				for _, dst := range pm.endpoints {
					if seen[dst] != mark {
						seen[dst] = mark
						cand = append(cand, dst)
					}
				}
			}
		}
	}
	slices.Sort(cand)
	for _, dst := range cand {
		visit(dst)
	}
}
