package explain

import (
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
)

// waypointEffective joins the layers for a connection that may pass a
// waypoint the NetworkPolicies judge otherwise than the pair itself
// (connectivity.SplitsRoutes): each route is two layers of its own, the
// route through a waypoint being two HBONE hops on TCP 15008 (the source's
// pod to the waypoint's, then the waypoint's to the destination's, where
// the destination's ingress NetworkPolicies see the waypoint's pod), the
// direct one what the NetworkPolicies say of the pair.
func waypointEffective(ml *connectivity.MeshLayer, src, dst *Endpoint, port Port, meshLayer LayerAnswer) (LayerAnswer, bool) {
	if port.Protocol != connectivity.TCP || src.Workload == nil || dst.Workload == nil || !ml.SplitsRoutes(src.Workload, dst.Workload) {
		return LayerAnswer{}, false
	}
	s, d, p := src.Workload, dst.Workload, port.sample()
	e := ml.Evaluator()
	out := LayerAnswer{Layer: connectivity.LayerEffective}
	out.Reasons = []Reason{
		plain(0, "mesh: "+verdictText(meshLayer)),
		plain(0, "network: the calls may take several routes, which the NetworkPolicies see as other packets"),
	}
	allowed := mesh.Never
	drop := ""
	for _, gw := range ml.RouteWaypoints(s, d) {
		mv := e.DecideArrivingVia(mesh.Source{Workload: s}, d, p, gw).Allowed
		ok, hop, pod := ml.WaypointHops(s, gw, d)
		net := "NetworkPolicies admit both hops on HBONE TCP 15008"
		switch {
		case ok:
			allowed = allowed.Or(mv)
		case hop == 1:
			net = "NetworkPolicies drop the first hop, " + SlotSrc + " to the waypoint's pod " + pod.ID() + " on HBONE TCP 15008"
		default:
			net = "NetworkPolicies drop the second hop, the waypoint's pod " + pod.ID() + " to " + SlotDst + " on HBONE TCP 15008"
		}
		if !ok && drop == "" && !mv.IsNever() {
			drop = ml.WaypointDrop(s, gw, d, hop, pod)
		}
		out.Reasons = append(out.Reasons, plain(1, "through waypoint "+gw.Name()+": "+net+"; mesh: "+verdictWord(mv)))
	}
	mv := e.DecideArrivingVia(mesh.Source{Workload: s}, d, p, nil).Allowed
	net := "NetworkPolicies drop it"
	if ml.Carried(s, d).Contains(connectivity.TCP, p) {
		net = "NetworkPolicies admit it"
		allowed = allowed.Or(mv)
	}
	if ml.Tunnelled(s, d, p) {
		net += " on HBONE TCP 15008"
	}
	out.Reasons = append(out.Reasons, plain(1, "directly to the pod: "+net+"; mesh: "+verdictWord(mv)))
	out.Verdict, out.Condition = verdictOf(allowed)
	switch {
	case out.Verdict == Denied && drop != "":
		out.Reasons = append(out.Reasons, plain(0, "denied: "+drop))
	case out.Verdict == Denied:
		out.Reasons = append(out.Reasons, plain(0, "denied: no route gets through both layers"))
	case out.Verdict == Conditional:
		out.Reasons = append(out.Reasons, plain(0, "allowed only for the requests the mesh allows on a route the NetworkPolicies admit: "+out.Condition))
	default:
		out.Reasons = append(out.Reasons, plain(0, "allowed: a route gets through both layers"))
	}
	return out, true
}
