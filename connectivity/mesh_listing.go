package connectivity

import (
	"github.com/meshlint/meshlint/mesh"
)

// Listing lists the mesh layer: what authorization and mTLS let through
// with the network open. Destinations outside the cluster are listed where
// the mesh decides them (ServiceEntries, REGISTRY_ONLY: outside.go), else
// left out. Sidecars do not intercept UDP and SCTP, so
// the mesh lets them through between every pair; a pair the mesh refuses
// all TCP is therefore left out rather than listed for them alone.
func (ml *MeshLayer) Listing(opts Options) *Listing {
	var conns []Connection
	ml.Each(opts, func(c Connection) { conns = append(conns, c) })
	l := &Listing{Layer: LayerMesh, Connections: conns}
	l.Nodes = listedNodes(ml.g, opts)
	l.addEdgeNodes()
	return l
}

// Each calls fn for every connection of the mesh layer, in the listing's
// order (by source, then destination), without holding them: the mesh layer
// of a large cluster runs to hundreds of thousands of connections, most of
// them to workloads outside the mesh.
func (ml *MeshLayer) Each(opts Options, fn func(Connection)) {
	g := ml.g
	keep := listingFilter(opts)
	// Outside sources are the ranges the sources' side is cut into; the
	// destinations' ranges are another partition.
	sourceRange := make(map[*Node]bool, len(g.srcRanges))
	for _, n := range g.rangeNodes[:len(g.srcRanges)] {
		sourceRange[n] = true
	}
	for _, src := range g.nodes {
		if src.External && !sourceRange[src] {
			continue
		}
		for _, dst := range g.nodes {
			if !keep(src, dst) || (src.External && !src.srcRange) {
				continue
			}
			if dst.External {
				if dst.Host == "" && !dst.dstRange {
					continue
				}
				if ml.outsideDecided && !src.External {
					if v := ml.outside(src, dst); v.hasTCP() {
						fn(Connection{Src: src, Dst: dst, Ports: v.Ports, L7: v.L7})
					}
				}
				continue
			}
			if v := ml.nodeVerdict(src, dst); v.hasTCP() {
				fn(Connection{Src: src, Dst: dst, Ports: v.Ports, L7: v.L7})
			}
		}
	}
}

// Effective lists what both layers let through: the network's connections,
// narrowed by the mesh's verdict for each. Between mesh workloads that
// talk HBONE, the network's verdict on TCP is its verdict on TCP 15008
// (hbone.go).
func (ml *MeshLayer) Effective(opts Options) *Listing {
	network := ml.g.Listing(opts)
	l := &Listing{Layer: LayerEffective, Nodes: network.Nodes}
	listed := map[[2]*Node]bool{}
	for _, c := range network.Connections {
		listed[[2]*Node{c.Src, c.Dst}] = true
		if c.Dst.External {
			l.Connections = append(l.Connections, c)
			continue
		}
		v := ml.effectiveVerdict(c.Src, c.Dst, c.Ports)
		if !v.IsEmpty() {
			l.Connections = append(l.Connections, Connection{Src: c.Src, Dst: c.Dst, Ports: v.Ports, L7: v.L7})
		}
	}
	ml.effectiveThroughWaypoints(l, opts, listed)
	if ml.outsideDecided {
		ml.effectiveOutside(l, opts)
	}
	return l
}

func (v Verdict) hasTCP() bool {
	if len(v.Ports.Ranges(TCP)) > 0 {
		return true
	}
	for _, c := range v.L7 {
		if len(c.Ports.Ranges(TCP)) > 0 {
			return true
		}
	}
	return false
}

// nodeVerdict joins the verdicts of the workloads two nodes stand for.
func (ml *MeshLayer) nodeVerdict(src, dst *Node) Verdict {
	if len(dst.Workloads) == 1 {
		d := dst.Workloads[0]
		switch {
		case src.External:
			return ml.Between(mesh.Source{From: addr4(src.Range.First), To: addr4(src.Range.Last)}, d)
		case len(src.Workloads) == 1:
			return ml.Between(mesh.Source{Workload: src.Workloads[0]}, d)
		}
	}
	var out Verdict
	for _, d := range dst.Workloads {
		if src.External {
			out = out.Union(ml.Between(mesh.Source{From: addr4(src.Range.First), To: addr4(src.Range.Last)}, d))
			continue
		}
		for _, s := range src.Workloads {
			out = out.Union(ml.Between(mesh.Source{Workload: s}, d))
		}
	}
	return out
}

// listingFilter is the rule every layer's listing follows for which pairs
// to show.
func listingFilter(opts Options) func(src, dst *Node) bool {
	focus := map[*Node]bool{}
	for _, n := range opts.Focus {
		focus[n] = true
	}
	return func(src, dst *Node) bool {
		if src == dst || src.Host != "" || (src.External && dst.External) || (!opts.ShowImplied && (src.Implied || dst.Implied)) {
			return false
		}
		return len(focus) == 0 || focus[src] || focus[dst]
	}
}

// listedNodes are the workload nodes a listing draws even without edges.
func listedNodes(g *Graph, opts Options) []*Node {
	focus := map[*Node]bool{}
	for _, n := range opts.Focus {
		focus[n] = true
	}
	var out []*Node
	for _, n := range g.nodes {
		switch {
		case !opts.ShowImplied && n.Implied:
		case n.External:
		case len(focus) > 0 && !focus[n]:
		default:
			out = append(out, n)
		}
	}
	return out
}
