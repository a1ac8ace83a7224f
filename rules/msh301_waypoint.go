package rules

import (
	"fmt"
	"strings"

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
func waypointWhy(g *connectivity.Graph, src, dst *model.Workload, b *waypointBlock) string {
	wp := "the waypoint " + b.gw.Name()
	if b.hop == 2 {
		if ing := g.IngressPolicies(dst); len(ing) > 0 {
			return fmt.Sprintf("but the calls time out: %s the ingress of %s and %s not admit %s, through which ambient traffic from %s arrives on HBONE TCP 15008",
				policyNames(ing), dst.ID(), plural(ing, "does", "do"), wp, src.ID())
		}
		return fmt.Sprintf("but the calls time out: the egress NetworkPolicies of %s (pod %s) drop its HBONE TCP 15008 to %s, through which ambient traffic from %s arrives",
			wp, b.pod.ID(), dst.ID(), src.ID())
	}
	if ing := g.IngressPolicies(b.pod); len(ing) > 0 {
		return fmt.Sprintf("but the calls time out: they pass %s, and %s the ingress of its pod %s and %s not admit %s on HBONE TCP 15008",
			wp, policyNames(ing), b.pod.ID(), plural(ing, "does", "do"), src.ID())
	}
	return fmt.Sprintf("but the calls time out: they pass %s, and the egress NetworkPolicies of %s drop its HBONE TCP 15008 to the waypoint's pod %s",
		wp, src.ID(), b.pod.ID())
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
