package connectivity

import "github.com/meshlint/meshlint/model"

// Reacher walks what sources reach, reusing its scratch space from one
// source to the next (it is not safe for concurrent use).
type Reacher struct {
	g    *Graph
	seen []int32
}

// NewReacher returns a Reacher over g.
func (g *Graph) NewReacher() *Reacher { return &Reacher{g: g, seen: make([]int32, g.endpoints())} }

// EachReachable calls fn for each destination NetworkPolicies let src open
// connections to (workload nodes and address ranges; ServiceEntry hosts
// once some range is reached), with the ports, in node order, until fn
// returns false. It visits only what src's egress rules can reach, so a
// source with sparse egress costs what it reaches.
func (r *Reacher) EachReachable(src *model.Workload, fn func(dst *Node, ports PortSet) bool) {
	g := r.g
	s, ok := g.classOf[src]
	if !ok {
		return
	}
	seen := r.seen
	var outside PortSet
	stopped := false
	g.eachFrom(s, seen, func(dst int32, p PortSet) {
		if stopped {
			return
		}
		if !g.isClass(dst) {
			outside = outside.Union(p)
		}
		for _, n := range g.endpointNodes(dst) {
			if stopped = !fn(n, p); stopped {
				return
			}
		}
	})
	if stopped || outside.IsEmpty() {
		return
	}
	for _, n := range g.nodes {
		if n.Host != "" && !fn(n, outside) {
			return
		}
	}
}
