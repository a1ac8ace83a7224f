package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// A rule a waypoint enforces is judged on calls that are two HBONE
// connections on the wire: the client's pod to the waypoint's pod on TCP
// 15008, then the waypoint's pod to the destination's on TCP 15008, where
// the destination's ingress NetworkPolicies see the waypoint's pod as the
// source, not the client (connectivity/waypoint_hops.go).

// waypointBlock is where the NetworkPolicies drop a client's calls through
// a waypoint: on hop 1 (client to the waypoint's pod) or hop 2 (the
// waypoint's pod to the destination).
type waypointBlock struct {
	gw  *model.Gateway
	hop int
	pod *model.Workload
}

// throughWaypoints reports whether the NetworkPolicies let src's calls to
// dst through one of gws, and if not, where they drop them through the
// first.
func throughWaypoints(ml *connectivity.MeshLayer, src *model.Workload, gws []*model.Gateway, dst *model.Workload) (bool, *waypointBlock) {
	var first *waypointBlock
	for _, gw := range gws {
		ok, hop, pod := ml.WaypointHops(src, gw, dst)
		if ok {
			return true, nil
		}
		if first == nil && pod != nil {
			first = &waypointBlock{gw: gw, hop: hop, pod: pod}
		}
	}
	return first == nil, first
}

// waypointWhy says how the NetworkPolicies drop src's calls to dst
// through the waypoint.
func waypointWhy(ml *connectivity.MeshLayer, src, dst *model.Workload, b *waypointBlock) string {
	return "but the calls time out: " + ml.WaypointDrop(src, b.gw, dst, b.hop, b.pod)
}

// relateWaypoint lists the NetworkPolicies on the hop that drops the calls.
func relateWaypoint(g *connectivity.Graph, f *analyzer.Finding, src, dst *model.Workload, b *waypointBlock) {
	from, to := src, b.pod
	if b.hop == 2 {
		from, to = b.pod, dst
	}
	for _, np := range g.IngressPolicies(to) {
		f.Relate(np.Object, "spec.podSelector", "isolates the ingress of %s and admits %s on no rule for HBONE (TCP 15008)", to.ID(), from.ID())
	}
	for _, np := range g.EgressPolicies(from) {
		f.Relate(np.Object, "spec.podSelector", "isolates the egress of %s, which may be what blocks its HBONE (TCP 15008) to %s", from.ID(), to.ID())
	}
}
