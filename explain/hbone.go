package explain

import (
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// hbonePort is the port NetworkPolicies see for a connection ztunnel (or a
// waypoint, or a sidecar sending to an ambient pod) carries over HBONE
// (connectivity/hbone.go).
var hbonePort = Port{Protocol: connectivity.TCP, Number: connectivity.HBONEPort}

// tunnelled reports whether the connection on port travels over HBONE.
func tunnelled(ml *connectivity.MeshLayer, src, dst *Endpoint, port Port) bool {
	return port.Protocol == connectivity.TCP && src.Workload != nil && dst.Workload != nil &&
		port.sample() != connectivity.HBONEPort && ml.Tunnelled(src.Workload, dst.Workload, port.sample())
}

// hboneNote adds to the network answer for the application port what the
// NetworkPolicies say of the tunnel that really carries it.
func hboneNote(network *LayerAnswer, carried LayerAnswer, port Port) {
	network.Reasons = append(network.Reasons,
		plain(0, "but "+SlotSrc+" reaches "+SlotDst+" over HBONE (ambient mode): the NetworkPolicies see TCP 15008, not "+port.String()+", and "+admitsWord(carried.Verdict)+" it"))
	for _, r := range carried.Reasons {
		r.Depth++
		network.Reasons = append(network.Reasons, r)
	}
}

func admitsWord(v Verdict) string {
	if v == Allowed {
		return "admit"
	}
	return "drop"
}

// effectiveTunnelled joins the layers for a connection carried over
// HBONE: the network's part is its verdict on TCP 15008, the mesh's on the
// application port.
func effectiveTunnelled(nf connectivity.NetworkFacts, network, carried, meshLayer LayerAnswer, port Port) LayerAnswer {
	out := Effective(carried, meshLayer)
	out.Reasons[0] = plain(0, "network: "+string(carried.Verdict)+" on HBONE TCP 15008, which carries "+port.String()+" ("+port.String()+" itself: "+string(network.Verdict)+")")
	if carried.Verdict == Denied && network.Verdict == Allowed && meshLayer.Verdict != Denied {
		msg := "denied: the NetworkPolicies admit " + port.String() + " but ambient traffic arrives on HBONE TCP 15008, which they drop"
		if np := admitting(nf, port); np != nil {
			msg = "denied: NetworkPolicy " + np.Object.Namespace + "/" + np.Object.Name + " allows " + port.String() +
				" but ambient traffic arrives on HBONE TCP 15008, which the NetworkPolicies drop"
		}
		for i, r := range out.Reasons {
			if i > 1 && r.Depth == 0 {
				out.Reasons[i] = plain(0, msg)
			}
		}
	}
	return out
}

// admitting is the first isolating policy whose rule admits the other end
// on port (the destination's ingress first).
func admitting(nf connectivity.NetworkFacts, port Port) *model.NetworkPolicy {
	for _, f := range []connectivity.SideFacts{nf.Ingress, nf.Egress} {
		for _, r := range f.Rules {
			if r.Matches && r.Ports.Contains(port.Protocol, port.sample()) {
				return r.Policy
			}
		}
	}
	return nil
}
