package rules

import (
	"sort"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// sidecarScope is a Sidecar resource with egress hosts and the workloads
// it governs, one per kind of caller (namespace, labels, service account):
// what its egress scope leaves out is the same for all.
type sidecarScope struct {
	sc      *model.Sidecar
	callers []*model.Workload
}

// narrowingSidecars are the Sidecars that list egress hosts, with the
// workloads they govern whose outbound policy is mode.
func narrowingSidecars(m *model.Model, mode string) []sidecarScope {
	byScope := map[*model.Sidecar]*sidecarScope{}
	seen := map[string]bool{}
	var order []*model.Sidecar
	for _, w := range m.Workloads {
		sc := m.SidecarFor(w)
		if sc == nil || w.Implied || len(sc.Spec.GetEgress()) == 0 {
			continue
		}
		if got, _ := m.OutboundPolicy(w); got != mode {
			continue
		}
		key := sc.Object.Namespace + "/" + sc.Object.Name + "\x00" + w.Namespace + "\x00" + w.ServiceAccount + "\x00" + w.Labels.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		s := byScope[sc]
		if s == nil {
			s = &sidecarScope{sc: sc}
			byScope[sc] = s
			order = append(order, sc)
		}
		s.callers = append(s.callers, w)
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i].Object, order[j].Object
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Node.Line < b.Node.Line
	})
	out := make([]sidecarScope, len(order))
	for i, sc := range order {
		out[i] = *byScope[sc]
	}
	return out
}

// passedThrough walks what a caller reaches by NetworkPolicy that its
// sidecar does not know and passes through (ALLOW_ANY): workloads, with the
// TCP ports it may use, address ranges and ServiceEntry hosts. visit
// returns false to stop.
func passedThrough(r *connectivity.Reacher, e *mesh.Evaluator, src *model.Workload, visit func(dst *connectivity.Node, w *model.Workload, ports []int32) bool) {
	r.EachReachable(src, func(n *connectivity.Node, ports connectivity.PortSet) bool {
		if len(ports.Ranges(connectivity.TCP)) == 0 {
			return true
		}
		switch {
		case n.Host != "":
			if e.EgressToHost(src, n.Host) == mesh.EgressPassthrough {
				return visit(n, nil, nil)
			}
		case n.External:
			if e.EgressToRange(src, addrOf(n.Range.First), addrOf(n.Range.Last)) == mesh.EgressPassthrough {
				return visit(n, nil, nil)
			}
		default:
			for _, w := range n.Workloads {
				if w == src || w.Implied || e.EgressScope(src, w) != mesh.EgressPassthrough {
					continue
				}
				if !visit(n, w, tcpPortsIn(ports, w)) {
					return false
				}
			}
		}
		return true
	})
}

// tcpPortsIn are the TCP ports of dst that ports hold, or, when dst
// declares none there, the first TCP port of ports.
func tcpPortsIn(ports connectivity.PortSet, dst *model.Workload) []int32 {
	var out []int32
	for _, cp := range dst.Ports {
		if cp.Protocol == "TCP" && ports.Contains(connectivity.TCP, cp.Port) {
			out = append(out, cp.Port)
		}
	}
	if len(out) == 0 {
		if rs := ports.Ranges(connectivity.TCP); len(rs) > 0 {
			out = append(out, rs[0].First)
		}
	}
	return uniquePorts(out)
}

// egressPath is where a Sidecar lists its egress hosts.
func egressPath(sc *model.Sidecar) string {
	if sc.Object.Lookup("spec.egress") != nil {
		return "spec.egress"
	}
	return "spec"
}

// outboundSource says where a workload's outbound traffic policy comes
// from, and the Sidecar that sets it (nil: the mesh's).
func outboundSource(m *model.Model, w *model.Workload) (string, *model.Sidecar) {
	if _, sc := m.OutboundPolicy(w); sc != nil {
		return "set by Sidecar " + sc.Object.Namespace + "/" + sc.Object.Name, sc
	}
	if m.Settings.MeshConfigFrom != "" {
		return "the mesh's, from " + m.Settings.MeshConfigFrom, nil
	}
	return "the mesh default", nil
}

// relateOutbound points a finding at the Sidecar field that sets the
// outbound traffic policy, if one does.
func relateOutbound(f *analyzer.Finding, sc *model.Sidecar) {
	if sc != nil {
		f.Relate(sc.Object, sc.OutboundPath, "outboundTrafficPolicy %s", sc.Outbound)
	}
}
