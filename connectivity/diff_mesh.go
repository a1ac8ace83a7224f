package connectivity

import (
	"net/netip"
	"slices"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// The mesh layer lets nearly every pair of workloads through (UDP always,
// and TCP wherever no policy says otherwise): two listings of a large
// cluster run to hundreds of thousands of connections each. The diff works
// per destination instead. A destination's policies single out a few
// sources (by principal, namespace or service account); every other source
// gets the verdict of a stand-in with a mesh identity or of one without.
// When neither stand-in's verdict changed, only the singled-out sources of
// either version, and the sources that changed themselves (added, removed,
// joined or left the mesh, several workloads under one name) or whose own
// sidecar decides where their traffic goes (a Sidecar resource, ports or
// addresses kept from the sidecar, Services exported to a few namespaces),
// can differ.

// mesh compares the mesh layers of two versions.
func (d *differ) mesh(old, new *MeshLayer, opts Options) {
	keep := listingFilter(opts)
	ids := unionIDs(d.old.WorkloadNodes(), d.new.WorkloadNodes())
	index := make(map[string]int32, len(ids))
	oldNodes, newNodes := make([]*Node, len(ids)), make([]*Node, len(ids))
	for i, id := range ids {
		index[id] = int32(i)
		oldNodes[i], newNodes[i] = d.old.NodeByID(id), d.new.NodeByID(id)
	}
	// Sources that may differ from the stand-ins whatever the destination.
	var special []int32
	for i := range ids {
		o, n := oldNodes[i], newNodes[i]
		if o == nil || n == nil || len(o.Workloads) != 1 || len(n.Workloads) != 1 ||
			o.Workloads[0].Mesh != n.Workloads[0].Mesh || o.Implied != n.Implied ||
			old.egressMatters(o.Workloads[0]) || new.egressMatters(n.Workloads[0]) {
			special = append(special, int32(i))
		}
	}
	verdict := func(ml *MeshLayer, src, dst *Node) *Verdict {
		if src == nil || dst == nil || !keep(src, dst) {
			return nil
		}
		v := ml.nodeVerdict(src, dst)
		if !v.hasTCP() {
			return nil
		}
		return &v
	}
	mark := make([]int32, len(ids))
	for di, id := range ids {
		dO, dN := oldNodes[di], newNodes[di]
		compare := func(si int32) {
			o := verdict(old, oldNodes[si], dO)
			n := verdict(new, newNodes[si], dN)
			if o == nil && n == nil || o != nil && n != nil && o.equal(*n) {
				return
			}
			d.verdicts(ids[si], id, o, n)
		}
		sources, externals := d.meshShortcut(old, new, dO, dN, opts)
		switch {
		case sources == nil:
			for si := range ids {
				compare(int32(si))
			}
		default:
			stamp := int32(di) + 1
			var todo []int32
			add := func(si int32) {
				if mark[si] != stamp {
					mark[si] = stamp
					todo = append(todo, si)
				}
			}
			for _, si := range special {
				add(si)
			}
			for _, w := range sources {
				if si, ok := index[w.ID()]; ok {
					add(si)
				}
			}
			slices.Sort(todo)
			for _, si := range todo {
				compare(si)
			}
		}
		if externals {
			var o, n []rangeConn
			collect := func(ml *MeshLayer, g *Graph, dst *Node) []rangeConn {
				var out []rangeConn
				if dst == nil {
					return nil
				}
				for _, src := range g.rangeNodes[:len(g.srcRanges)] {
					if v := verdict(ml, src, dst); v != nil {
						out = append(out, rangeConn{r: src.Range, v: *v, conn: Connection{Ports: v.Ports, L7: v.L7}.Conn()})
					}
				}
				return out
			}
			o, n = collect(old, d.old, dO), collect(new, d.new, dN)
			d.ranges(rangeKey{id, false}, o, n)
		}
	}
	if old.outsideDecided || new.outsideDecided {
		d.meshOutside(old, new, ids, oldNodes, newNodes, keep)
	}
}

// meshOutside compares what the mesh lets out of the cluster, where it
// decides it: to ServiceEntry hosts by name, and to the destination ranges.
func (d *differ) meshOutside(old, new *MeshLayer, ids []string, oldNodes, newNodes []*Node, keep func(src, dst *Node) bool) {
	verdict := func(ml *MeshLayer, src, dst *Node) *Verdict {
		if !ml.outsideDecided || src == nil || dst == nil || !keep(src, dst) {
			return nil
		}
		if v := ml.outside(src, dst); v.hasTCP() {
			return &v
		}
		return nil
	}
	hostIDs := map[string]bool{}
	var hosts []string
	for _, g := range []*Graph{d.old, d.new} {
		for _, n := range g.nodes {
			if n.Host != "" && !hostIDs[n.ID] {
				hostIDs[n.ID] = true
				hosts = append(hosts, n.ID)
			}
		}
	}
	slices.Sort(hosts)
	for si, id := range ids {
		for _, h := range hosts {
			o := verdict(old, oldNodes[si], d.old.nodeByID(h))
			n := verdict(new, newNodes[si], d.new.nodeByID(h))
			if o == nil && n == nil || o != nil && n != nil && o.equal(*n) {
				continue
			}
			d.verdicts(id, h, o, n)
		}
		collect := func(ml *MeshLayer, g *Graph, src *Node) []rangeConn {
			var out []rangeConn
			for _, dst := range g.rangeNodes[len(g.srcRanges):] {
				if v := verdict(ml, src, dst); v != nil {
					out = append(out, rangeConn{r: dst.Range, v: *v, conn: Connection{Ports: v.Ports, L7: v.L7}.Conn()})
				}
			}
			return out
		}
		d.ranges(rangeKey{id, true}, collect(old, d.old, oldNodes[si]), collect(new, d.new, newNodes[si]))
	}
}

// meshShortcut decides what to compare for one destination: nil sources
// means every source; otherwise the singled-out sources of either version
// (beside the special ones). externals says whether outside sources must
// be compared.
func (d *differ) meshShortcut(old, new *MeshLayer, dO, dN *Node, opts Options) (sources []*model.Workload, externals bool) {
	if dO == nil || dN == nil || len(dO.Workloads) != 1 || len(dN.Workloads) != 1 || dO.Implied != dN.Implied {
		return nil, true
	}
	if dO.Implied && !opts.ShowImplied {
		return []*model.Workload{}, false // never listed on either side
	}
	sO, sN := old.standIns(dO.Workloads[0]), new.standIns(dN.Workloads[0])
	externals = sO.matchesIPs || sN.matchesIPs || !sO.noID.equal(sN.noID)
	if sO.tlsSensitive || sN.tlsSensitive || !sO.withID.equal(sN.withID) || !sO.noID.equal(sN.noID) {
		return nil, externals
	}
	sources = make([]*model.Workload, 0, len(sO.distinct)+len(sN.distinct))
	for w := range sO.distinct {
		sources = append(sources, w)
	}
	for w := range sN.distinct {
		sources = append(sources, w)
	}
	return sources, externals
}

// standIn is what a destination's verdicts say of the sources its policies
// do not single out.
type standIn struct {
	withID, noID Verdict
	distinct     map[*model.Workload]bool
	matchesIPs   bool
	// tlsSensitive: DestinationRules make some other sources send other
	// TLS, so other identities; every source is compared then.
	tlsSensitive bool
}

func (ml *MeshLayer) standIns(dst *model.Workload) standIn {
	if dst.Mesh == model.MeshNone {
		all := Verdict{Ports: AllPorts()}
		return standIn{withID: all, noID: all}
	}
	v, _ := ml.perDst.LoadOrStore(dst, &dstVerdicts{})
	dv := v.(*dstVerdicts)
	dv.once.Do(func() { ml.prepare(dst, dv) })
	return standIn{withID: dv.withID, noID: dv.noID, distinct: dv.distinct, matchesIPs: dv.matchesIPs, tlsSensitive: dv.tlsSensitive != nil}
}

// egressMatters reports whether src's own sidecar may treat destinations
// otherwise than a plain sidecar does (Between: EgressScope, BypassPorts):
// a Sidecar resource applies to it, it keeps ports or addresses from its
// sidecar, or some Service is exported to a few namespaces only.
func (ml *MeshLayer) egressMatters(src *model.Workload) bool {
	if src.Mesh != model.MeshSidecar || src.Gateway != model.NotGateway || src.Implied {
		return false
	}
	if ml.m.SidecarFor(src) != nil || len(mesh.BypassPorts(src)) > 0 {
		return true
	}
	if in, known := src.Interception.OutboundAddressIntercepted(netip.Addr{}, netip.Addr{}); known && !in {
		return true
	}
	return ml.exportsNarrowly()
}

// exportsNarrowly reports whether some Service or selecting ServiceEntry
// is exported to a few namespaces only, once per layer.
func (ml *MeshLayer) exportsNarrowly() bool {
	return ml.m.Derived("connectivity/diff-exports-narrowly", func() any {
		for _, svc := range ml.m.Services {
			if _, ok := svc.Object.Annotations["networking.istio.io/exportTo"]; ok {
				return true
			}
		}
		for _, se := range ml.m.ServiceEntries {
			if se.Selector != nil && len(se.Spec.GetExportTo()) > 0 {
				return true
			}
		}
		return false
	}).(bool)
}

// verdicts records the change of a pair of workloads.
func (d *differ) verdicts(src, dst string, o, n *Verdict) {
	c := PairChange{Type: Changed, Src: d.end(src), Dst: d.end(dst), Old: o, New: n}
	switch {
	case o == nil:
		c.Type = Added
	case n == nil:
		c.Type = Removed
	}
	d.out = append(d.out, c)
}

// equal reports whether two verdicts let the same traffic through under
// the same conditions.
func (v Verdict) equal(o Verdict) bool {
	if !v.Ports.Equal(o.Ports) || len(v.L7) != len(o.L7) {
		return false
	}
	for i := range v.L7 {
		if !v.L7[i].Ports.Equal(o.L7[i].Ports) || !matchEqual(v.L7[i].When.Cond, o.L7[i].When.Cond) ||
			v.L7[i].When.Known != o.L7[i].When.Known || v.L7[i].When.True != o.L7[i].When.True {
			return false
		}
	}
	return true
}

func matchEqual(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// unionIDs merges the IDs of two sorted node lists.
func unionIDs(a, b []*Node) []string {
	out := make([]string, 0, max(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].ID < b[j].ID:
			out = append(out, a[i].ID)
			i++
		case i == len(a) || b[j].ID < a[i].ID:
			out = append(out, b[j].ID)
			j++
		default:
			out = append(out, a[i].ID)
			i++
			j++
		}
	}
	return out
}
