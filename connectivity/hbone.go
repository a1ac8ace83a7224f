package connectivity

import (
	"strings"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// HBONE: in ambient mode ztunnel (and waypoints, and sidecars sending to
// ambient pods) carry a TCP connection inside an HBONE tunnel to TCP 15008
// of the destination pod, which hands it to the application port there.
// NetworkPolicy is enforced on the host, outside the pod, so for such a
// connection it sees source pod -> destination pod TCP 15008, never the
// application port (istio.io/latest/docs/ambient/usage/networkpolicy).
// The network layer stays NetworkPolicy alone; the effective layer, MSH301
// and `why` read the NetworkPolicies' verdict on 15008 for these ports.

// HBONEPort is the port ztunnel, waypoints and HBONE-capable sidecars
// listen on for HBONE.
const HBONEPort int32 = 15008

// tunnelLabel says which tunnels a pod accepts (pilot/pkg/model/service.go
// TunnelLabel, a comma-separated list; "http" is HBONE). The sidecar
// injection template sets it to "http" when ISTIO_META_ENABLE_HBONE is on,
// as Istio's ambient profile sets it.
const tunnelLabel = "networking.istio.io/tunnel"

// Tunnelled reports whether a TCP connection from src to dst on port
// travels over HBONE, so that NetworkPolicies see TCP 15008 instead of
// port. Sources outside the mesh (and outside the cluster, src nil) send
// plaintext to the application port.
func (ml *MeshLayer) Tunnelled(src, dst *model.Workload, port int32) bool {
	if !tunnelPair(src, dst) {
		return false
	}
	if src.Mesh == model.MeshSidecar && src.Gateway == model.NotGateway {
		// A sidecar sends HBONE only on a route it knows: passed through
		// or excluded from the sidecar, the connection leaves in
		// plaintext to the application port.
		return ml.e.EgressTo(src, dst, port) == mesh.EgressKnown
	}
	return true
}

// tunnelPair says whether src's intercepted TCP to dst rides on HBONE:
//   - to a waypoint from any mesh workload: waypoints are reached over HBONE
//     only (pilot/pkg/xds/endpoints/endpoint_builder.go: "Waypoints always
//     use HBONE");
//   - to an ambient pod from any mesh workload: ztunnel and waypoints speak
//     HBONE, and sidecars and gateways send HBONE to endpoints that support
//     a tunnel and have no Istio mTLS label (supportTunnel, the
//     PILOT_ENABLE_SENDING_HBONE default under ambient);
//   - to a sidecar from ztunnel or a waypoint, when the pod accepts HBONE
//     (its tunnel label, which the injector sets under ambient: a cluster
//     with ambient pods runs that profile). Gateways' own pods carry no
//     tunnel label: ztunnel reaches them without HBONE.
func tunnelPair(src, dst *model.Workload) bool {
	if src == nil || dst == nil || src.Mesh == model.MeshNone || dst.Mesh == model.MeshNone || src.Implied || dst.Implied {
		return false
	}
	switch {
	case dst.Gateway == model.GatewayWaypoint, dst.Mesh == model.MeshAmbient:
		return true
	case dst.Gateway != model.NotGateway:
		return false
	}
	if src.Mesh != model.MeshAmbient && src.Gateway != model.GatewayWaypoint {
		return false // sidecar to sidecar: Istio mTLS on the application port
	}
	v, set := dst.Labels[tunnelLabel]
	if !set {
		return true
	}
	for _, t := range strings.Split(v, ",") {
		if t == "http" {
			return true
		}
	}
	return false
}

// Carried is what NetworkPolicies let through from src to dst's
// application ports: for a tunnelled pair, every tunnelled TCP port when
// they admit TCP 15008 and none when they do not; other protocols (ztunnel
// and sidecars carry TCP alone) and ports sent in plaintext keep their
// own verdict.
func (ml *MeshLayer) Carried(src, dst *model.Workload) PortSet {
	net := ml.g.Allowed(src, dst)
	if !tunnelPair(src, dst) {
		return net
	}
	return ml.carry(src, dst, net)
}

func (ml *MeshLayer) carry(src, dst *model.Workload, net PortSet) PortSet {
	tcp := ProtocolPorts(TCP)
	var tunnelled PortSet
	if src.Mesh == model.MeshSidecar && src.Gateway == model.NotGateway {
		if ml.e.EgressScope(src, dst) != mesh.EgressKnown {
			return net
		}
		tunnelled = tcp
		for _, p := range mesh.BypassPorts(src) {
			tunnelled = tunnelled.Subtract(Ports(TCP, p, p))
		}
	} else {
		tunnelled = tcp
	}
	out := net.Subtract(tunnelled)
	if net.Contains(TCP, HBONEPort) {
		out = out.Union(tunnelled)
	}
	return out
}

// effectiveVerdict is what both layers let from node src to node dst, the
// network letting net through between them.
func (ml *MeshLayer) effectiveVerdict(src, dst *Node, net PortSet) Verdict {
	tunnel := false
	if !src.External {
		for _, s := range src.Workloads {
			for _, d := range dst.Workloads {
				if tunnelPair(s, d) {
					tunnel = true
				}
			}
		}
	}
	if !tunnel {
		return ml.nodeVerdict(src, dst).Intersect(net)
	}
	var out Verdict
	for _, d := range dst.Workloads {
		for _, s := range src.Workloads {
			out = out.Union(ml.pairEffective(s, d))
		}
	}
	return out
}
