package connectivity

import (
	"strings"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// A connection from src to dst through a waypoint is two connections on
// the wire: src's pod to the waypoint's pod on HBONE TCP 15008 ("Waypoints
// always use HBONE", pilot/pkg/xds/endpoints/endpoint_builder.go), then the
// waypoint's pod to dst's pod on HBONE TCP 15008 (the waypoint's endpoints
// for an ambient destination carry the tunnel, supportTunnel, even for an
// endpoint with Istio mTLS, the waypoint's direction being inbound VIP;
// its connect_originate cluster overrides the upstream port with 15008:
// pilot/pkg/networking/core/cluster_waypoint.go). The
// NetworkPolicies judge each: src's egress and the waypoint's ingress the
// first, the waypoint's egress and dst's ingress the second, where the
// source is the waypoint's pod, not src (istio.io/latest/docs/ambient/
// usage/networkpolicy). The waypoint's pods are those of the set labelled
// gateway.networking.k8s.io/gateway-name: <Gateway>, else the Deployment
// Istio creates in the Gateway's namespace with that label
// (model/gateways.go gatewayDeployment).

// WaypointHops says whether the NetworkPolicies let src's HBONE through
// waypoint gw and on to dst: both hops on TCP 15008, through some pod of
// the waypoint. hop is the first that drops it (1 or 2, 0 when none does),
// and pod the waypoint's pod it was judged for.
func (ml *MeshLayer) WaypointHops(src *model.Workload, gw *model.Gateway, dst *model.Workload) (ok bool, hop int, pod *model.Workload) {
	hop = 1
	for _, wp := range gw.Workloads {
		pod = wp
		if !ml.g.Allowed(src, wp).Contains(TCP, HBONEPort) {
			continue
		}
		hop = 2
		if ml.g.Allowed(wp, dst).Contains(TCP, HBONEPort) {
			return true, 0, wp
		}
	}
	return false, hop, pod
}

// RouteWaypoints are the waypoints src's connections to dst may pass.
func (ml *MeshLayer) RouteWaypoints(src, dst *model.Workload) []*model.Gateway {
	return ml.e.RouteWaypoints(mesh.Source{Workload: src}, dst)
}

// pairEffective is what both layers let from src to dst, a tunnelled pair.
// Where waypoints stand between them and the NetworkPolicies judge the
// routes apart, each route is judged on its own: the direct one on what
// the policies say of src to dst, each waypoint's on both its hops (TCP
// alone: the waypoint carries nothing else). A sidecar client whose
// connections leave unknown to it, or with ports excluded from it, keeps
// the verdict of the pair.
func (ml *MeshLayer) pairEffective(src, dst *model.Workload) Verdict {
	v := ml.Between(mesh.Source{Workload: src}, dst)
	direct := ml.Carried(src, dst)
	if !ml.SplitsRoutes(src, dst) {
		return v.Intersect(direct)
	}
	gws := ml.RouteWaypoints(src, dst)
	through := make([]bool, len(gws))
	for i, gw := range gws {
		through[i], _, _ = ml.WaypointHops(src, gw, dst)
	}
	breaks := ml.breakpoints(dst)
	byRoute := func(via *model.Gateway) Verdict {
		return verdictBy(breaks, func(port int32) mesh.Match {
			return ml.e.DecideArrivingVia(mesh.Source{Workload: src}, dst, port, via).Allowed
		})
	}
	out := byRoute(nil).Intersect(direct)
	for i, gw := range gws {
		if through[i] {
			out = out.Union(byRoute(gw).Intersect(ProtocolPorts(TCP)))
		}
	}
	return out
}

// effectiveThroughWaypoints adds to l the pairs the network layer lists
// nothing for but that a waypoint may connect: the NetworkPolicies may
// drop src to dst and still admit both hops through the waypoint.
func (ml *MeshLayer) effectiveThroughWaypoints(l *Listing, opts Options, listed map[[2]*Node]bool) {
	keep := listingFilter(opts)
	var behind []*Node
	for _, d := range ml.g.Nodes() {
		if d.External {
			continue
		}
		for _, w := range d.Workloads {
			if ml.e.BehindWaypoint(w) {
				behind = append(behind, d)
				break
			}
		}
	}
	if len(behind) == 0 {
		return
	}
	added := false
	for _, s := range ml.g.Nodes() {
		if s.External {
			continue
		}
		for _, d := range behind {
			if listed[[2]*Node{s, d}] || !keep(s, d) || !ml.splitsAny(s, d) {
				continue
			}
			if v := ml.effectiveVerdict(s, d, PortSet{}); !v.IsEmpty() {
				l.Connections = append(l.Connections, Connection{Src: s, Dst: d, Ports: v.Ports, L7: v.L7})
				added = true
			}
		}
	}
	if added {
		l.Connections = mergeConnections(l.Connections)
		l.addEdgeNodes()
	}
}

// SplitsRoutes reports whether the effective layer judges src's routes to
// dst apart (pairEffective): waypoints stand between them, and the
// NetworkPolicies treat some waypoint's hops otherwise than src to dst.
func (ml *MeshLayer) SplitsRoutes(src, dst *model.Workload) bool {
	if !tunnelPair(src, dst) {
		return false
	}
	gws := ml.RouteWaypoints(src, dst)
	if len(gws) == 0 || (src.Mesh == model.MeshSidecar && (ml.e.EgressScope(src, dst) != mesh.EgressKnown || len(mesh.BypassPorts(src)) > 0)) {
		return false
	}
	direct := ml.g.Allowed(src, dst).Contains(TCP, HBONEPort)
	for _, gw := range gws {
		if ok, _, _ := ml.WaypointHops(src, gw, dst); ok != direct {
			return true
		}
	}
	return false
}

// WaypointDrop says which NetworkPolicies drop src's calls to dst through
// waypoint gw, on hop (1 or 2, WaypointHops) for the waypoint's pod pod.
func (ml *MeshLayer) WaypointDrop(src *model.Workload, gw *model.Gateway, dst *model.Workload, hop int, pod *model.Workload) string {
	g := ml.g
	wp := "the waypoint " + gw.Name()
	if hop == 2 {
		if ing := g.IngressPolicies(dst); len(ing) > 0 {
			return policyNames(ing) + " the ingress of " + dst.ID() + " and " + plural(ing, "does", "do") + " not admit " + wp +
				", through which ambient traffic from " + src.ID() + " arrives on HBONE TCP 15008"
		}
		return "the egress NetworkPolicies of " + wp + " (pod " + pod.ID() + ") drop its HBONE TCP 15008 to " + dst.ID() +
			", through which ambient traffic from " + src.ID() + " arrives"
	}
	if ing := g.IngressPolicies(pod); len(ing) > 0 {
		return "the calls pass " + wp + ", and " + policyNames(ing) + " the ingress of its pod " + pod.ID() + " and " +
			plural(ing, "does", "do") + " not admit " + src.ID() + " on HBONE TCP 15008"
	}
	return "the calls pass " + wp + ", and the egress NetworkPolicies of " + src.ID() + " drop its HBONE TCP 15008 to the waypoint's pod " + pod.ID()
}

// policyNames is "NetworkPolicy ns/a isolates" or "NetworkPolicies ns/a,
// ns/b isolate".
func policyNames(nps []*model.NetworkPolicy) string {
	names := make([]string, len(nps))
	for i, np := range nps {
		names[i] = np.Object.Namespace + "/" + np.Object.Name
	}
	if len(nps) == 1 {
		return "NetworkPolicy " + names[0] + " isolates"
	}
	return "NetworkPolicies " + strings.Join(names, ", ") + " isolate"
}

func plural(nps []*model.NetworkPolicy, one, many string) string {
	if len(nps) == 1 {
		return one
	}
	return many
}

// splitsAny reports whether the routes of some pair of workloads of src
// and dst are judged apart: a pair the network lists nothing for gets
// something through only then.
func (ml *MeshLayer) splitsAny(src, dst *Node) bool {
	for _, s := range src.Workloads {
		for _, d := range dst.Workloads {
			if ml.SplitsRoutes(s, d) {
				return true
			}
		}
	}
	return false
}
