package connectivity

import (
	"sort"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Destinations outside the cluster: address ranges, and the hosts of
// ServiceEntries (printed HOST[ServiceEntry]). The mesh decides traffic to
// them once the set has ServiceEntries or some sidecar runs under
// REGISTRY_ONLY: a sidecar then reaches only what its scope knows
// (mesh/egress.go). Otherwise they are the network's business alone, and the
// mesh layer leaves them out.

// serviceEntryBlocks are the IPv4 addresses of ServiceEntries, which cut
// the outside address space as ipBlocks do: a sidecar under REGISTRY_ONLY
// reaches them and nothing else outside.
func serviceEntryBlocks(m *model.Model) [][]IPRange {
	var out [][]IPRange
	for _, se := range m.ServiceEntries {
		for _, p := range se.Addresses {
			if p.Addr().Is4() {
				out = append(out, []IPRange{prefixRange(p)})
			}
		}
	}
	return out
}

// addHostNodes adds a node per ServiceEntry host: a destination known by
// name, printed HOST[ServiceEntry].
func (g *Graph) addHostNodes(byID map[string]*Node) {
	for _, h := range g.model.OutsideHosts() {
		id := h + "[ServiceEntry]"
		if byID[id] == nil {
			n := &Node{ID: id, Kind: "ServiceEntry", External: true, Host: h}
			byID[id] = n
			g.nodes = append(g.nodes, n)
		}
	}
}

// decidesOutside reports whether the mesh decides traffic leaving the
// cluster.
func decidesOutside(m *model.Model) bool {
	if len(m.ServiceEntries) > 0 || m.Settings.OutboundTrafficPolicy == model.RegistryOnly {
		return true
	}
	for _, sc := range m.Sidecars {
		if sc.Outbound == model.RegistryOnly {
			return true
		}
	}
	return false
}

// outside is what the mesh lets from a workload node to a destination
// outside the cluster: everything, unless the sidecar black-holes it
// (then only what sidecars never intercept, and the ports excluded from
// the sidecar). Which ports the destination serves is not the mesh's to
// say: a known destination is reachable as an unknown one is under
// ALLOW_ANY.
func (ml *MeshLayer) outside(src, dst *Node) Verdict {
	var out Verdict
	for _, w := range src.Workloads {
		var g mesh.Egress
		if dst.Host != "" {
			g = ml.e.EgressToHost(w, dst.Host)
		} else {
			g = ml.e.EgressToRange(w, addr4(dst.Range.First), addr4(dst.Range.Last))
		}
		v := Verdict{Ports: AllPorts()}
		if g == mesh.EgressBlackhole {
			v.Ports = unintercepted()
			for _, p := range mesh.BypassPorts(w) {
				v.Ports = v.Ports.Union(Ports(TCP, p, p))
			}
		}
		out = out.Union(v)
		if out.Ports.IsAll() {
			break
		}
	}
	return out
}

// hostRanges are, per ServiceEntry host, the destination ranges its
// entries' addresses cover; a host of an entry without addresses may
// resolve anywhere (nil: every range).
func (g *Graph) hostRanges() map[string][]int32 {
	out := map[string][]int32{}
	anywhere := map[string]bool{}
	for _, se := range g.model.ServiceEntries {
		var ranges []IPRange
		for _, p := range se.Addresses {
			if p.Addr().Is4() {
				ranges = append(ranges, prefixRange(p))
			}
		}
		for _, h := range se.Hosts {
			if len(ranges) == 0 {
				anywhere[h] = true
				continue
			}
			out[h] = append(out[h], rangesCovered(g.dstRanges, ranges)...)
		}
	}
	for h := range anywhere {
		out[h] = nil
	}
	return out
}

// networkToRanges is what NetworkPolicies let src send to some address of
// the given destination ranges (indexes into dstRanges; nil: any range).
func (g *Graph) networkToRanges(src *Node, ranges []int32) PortSet {
	var out PortSet
	first := g.firstDstRange()
	for _, e := range g.nodeEndpoints(src) {
		if ranges == nil {
			for r := range g.dstRanges {
				if out = out.Union(g.allowed(e, first+int32(r))); out.IsAll() {
					return out
				}
			}
			continue
		}
		for _, r := range ranges {
			out = out.Union(g.allowed(e, first+r))
		}
	}
	return out
}

// effectiveOutside adds to an effective listing the connections to
// ServiceEntry hosts, and narrows those to ranges by the mesh's verdict.
func (ml *MeshLayer) effectiveOutside(l *Listing, opts Options) {
	for i := range l.Connections {
		c := &l.Connections[i]
		if c.Dst.External && !c.Src.External {
			v := ml.outside(c.Src, c.Dst).Intersect(c.Ports)
			c.Ports, c.L7 = v.Ports, v.L7
		}
	}
	keep := listingFilter(opts)
	hosts := ml.g.hostRanges()
	// What each source may send to any address, worked out once.
	anywhere := map[*Node]PortSet{}
	for _, dst := range ml.g.nodes {
		if dst.Host == "" {
			continue
		}
		ranges := hosts[dst.Host]
		for _, src := range ml.g.nodes {
			if src.External || !keep(src, dst) {
				continue
			}
			var net PortSet
			if ranges == nil {
				p, ok := anywhere[src]
				if !ok {
					p = ml.g.networkToRanges(src, nil)
					anywhere[src] = p
				}
				net = p
			} else {
				net = ml.g.networkToRanges(src, ranges)
			}
			if net.IsEmpty() {
				continue
			}
			if v := ml.outside(src, dst).Intersect(net); !v.IsEmpty() {
				l.Connections = append(l.Connections, Connection{Src: src, Dst: dst, Ports: v.Ports, L7: v.L7})
			}
		}
	}
	conns := l.Connections[:0]
	for _, c := range l.Connections {
		if !c.Ports.IsEmpty() || len(c.L7) > 0 {
			conns = append(conns, c)
		}
	}
	l.Connections = conns
	sort.SliceStable(l.Connections, func(i, j int) bool {
		a, b := l.Connections[i], l.Connections[j]
		if a.Src != b.Src {
			return a.Src.index < b.Src.index
		}
		return a.Dst.index < b.Dst.index
	})
	l.addEdgeNodes()
}
