package explain

import (
	"slices"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Destinations outside the cluster: an address range, or a ServiceEntry
// host (HOST[ServiceEntry]). The mesh decides them once the set has
// ServiceEntries or a REGISTRY_ONLY sidecar: a sidecar then reaches only
// what its scope knows. The verdict is the mesh layer's (OutsideFrom); the
// reasons are the lookups its egress functions make (mesh.TraceOutside).

// OutsideAnswer explains what the mesh lets src send to dst, an end
// outside the cluster, on one port.
func OutsideAnswer(ml *connectivity.MeshLayer, src, dst *Endpoint, port Port) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerMesh, Verdict: Allowed}
	w := src.Workload
	switch {
	case w == nil:
		out.Reasons = []Reason{plain(0, "both ends are outside the cluster: mesh authorization does not govern them")}
		return out
	case !ml.OutsideDecided():
		out.Reasons = []Reason{plain(0, SlotDst+" is outside the cluster, and no ServiceEntry or REGISTRY_ONLY sidecar makes traffic leaving it the mesh's business: the mesh lets it through")}
		return out
	case port.Protocol != connectivity.TCP:
		out.Reasons = []Reason{plain(0, "sidecars and ztunnel do not intercept "+port.Protocol.String()+": the mesh lets it through")}
		return out
	}
	if !ml.OutsideFrom(w, dst.Node).Ports.Contains(port.Protocol, port.sample()) {
		out.Verdict = Denied
	}
	var first, last = addrOf(dst.Node.Range.First), addrOf(dst.Node.Range.Last)
	t := ml.Evaluator().TraceOutside(w, dst.Node.Host, first, last, port.sample())
	out.Reasons = outsideReasons(t, w, dst.Node, port)
	if out.Verdict == Denied {
		out.Reasons = append(out.Reasons, plain(0, "denied: the connection never leaves "+SlotSrc))
	} else {
		out.Reasons = append(out.Reasons, plain(0, "allowed: the mesh lets it out of the cluster (no authorization policy applies outside it)"))
	}
	return out
}

func outsideReasons(t mesh.OutsideTrace, w *model.Workload, dst *connectivity.Node, port Port) []Reason {
	if !t.Decides {
		switch {
		case w.Mesh == model.MeshNone:
			return []Reason{plain(0, SlotSrc+" is not in the mesh: no sidecar stands between it and "+SlotDst)}
		case w.Mesh == model.MeshAmbient:
			return []Reason{plain(0, SlotSrc+" is ambient: ztunnel applies no Sidecar egress scope and no outboundTrafficPolicy")}
		case w.Gateway != model.NotGateway:
			return []Reason{plain(0, SlotSrc+" is a gateway or waypoint: no Sidecar resource scopes its egress")}
		}
		return []Reason{plain(0, SlotSrc+"'s proxy applies no Sidecar egress scope")}
	}
	switch t.Egress {
	case mesh.EgressBypass:
		if t.BypassPort {
			return []Reason{at(w.Object, annotationsPath(w), 0, "port "+strconv.Itoa(int(port.sample()))+" is excluded from "+SlotSrc+"'s sidecar (traffic.sidecar.istio.io/excludeOutboundPorts): the connection leaves directly, whatever the sidecar's scope says")}
		}
		return []Reason{at(w.Object, annotationsPath(w), 0, "the addresses of "+SlotDst+" are excluded from "+SlotSrc+"'s sidecar (traffic.sidecar.istio.io/excludeOutboundIPRanges or includeOutboundIPRanges): the connection leaves directly")}
	case mesh.EgressKnown:
		se := t.Entry
		k := slices.Index(se.Hosts, t.EntryHost)
		what := "names it"
		if dst.Host == "" {
			what = "lists addresses that cover it"
		}
		path := "spec.hosts"
		if k >= 0 {
			path = "spec.hosts[" + strconv.Itoa(k) + "]"
		}
		rs := []Reason{at(se.Object, path, 0, SlotSrc+"'s sidecar knows "+SlotDst+": ServiceEntry "+se.Object.Namespace+"/"+se.Object.Name+" "+what+" (host "+t.EntryHost+") and is exported to namespace "+SlotSrcNS)}
		if sc := t.Sidecar; sc != nil {
			rs = append(rs, atSourceSidecar(sc, egressHostsPath(sc), SlotSrcSCEgress, 1, "the egress hosts of Sidecar "+SlotSrcSC+" import it"))
		}
		return rs
	}
	what := "lists addresses covering it"
	if dst.Host != "" {
		what = "names it"
	}
	rs := []Reason{unknownOutside(t.EgressFacts, what)}
	return append(rs, outboundReason(t.EgressFacts, t.Egress))
}

// unknownOutside says why a sidecar does not know a destination outside
// the cluster: no ServiceEntry its scope imports names it.
func unknownOutside(f mesh.EgressFacts, what string) Reason {
	msg := SlotSrc + "'s sidecar does not know " + SlotDst + ": no ServiceEntry that " + what + " is"
	if sc := f.Sidecar; sc != nil {
		return atSourceSidecar(sc, egressHostsPath(sc), SlotSrcSCEgress, 0, msg+" both exported to namespace "+SlotSrcNS+" and imported by the egress hosts of Sidecar "+SlotSrcSC)
	}
	return plain(0, msg+" exported to namespace "+SlotSrcNS)
}

// hostNetwork is what NetworkPolicies say of a ServiceEntry host: the
// ranges it may resolve to, each with the graph's facts.
type hostNetwork struct {
	anywhere bool
	ranges   []*connectivity.Node
	facts    []connectivity.NetworkFacts
}

func hostNetworks(g *connectivity.Graph, src, host *connectivity.Node) hostNetwork {
	ranges, anywhere := g.HostRanges(host)
	h := hostNetwork{anywhere: anywhere}
	for _, r := range ranges {
		if nf, ok := g.ExplainNetwork(src, r); ok {
			h.ranges = append(h.ranges, r)
			h.facts = append(h.facts, nf)
		}
	}
	return h
}

// hostNetworkAnswer explains the network layer toward a ServiceEntry host
// as the effective layer reads it: allowed on a port when some address the
// host may resolve to is. The explanation is that of one range: the first
// that admits the port, else the first.
func hostNetworkAnswer(g *connectivity.Graph, h hostNetwork, src *Endpoint, port Port) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerNetwork, Verdict: Denied}
	if src.Workload == nil || len(h.ranges) == 0 {
		out.Reasons = []Reason{plain(0, "both ends are outside the cluster: no NetworkPolicy speaks of traffic between them")}
		return out
	}
	chosen := 0
	for i, nf := range h.facts {
		if nf.Allowed.Contains(port.Protocol, port.sample()) {
			out.Verdict, chosen = Allowed, i
			break
		}
	}
	r := h.ranges[chosen]
	head := SlotDst + " resolves to addresses in " + r.ID + " (its ServiceEntry's addresses)"
	switch {
	case h.anywhere && out.Verdict == Allowed:
		head = "no ServiceEntry gives " + SlotDst + " an address: it may resolve anywhere outside the cluster, and the NetworkPolicies let " + SlotSrc + " reach " + r.ID + " on " + port.String()
	case h.anywhere:
		head = "no ServiceEntry gives " + SlotDst + " an address: it may resolve anywhere outside the cluster, and the NetworkPolicies let " + SlotSrc + " reach no address there on " + port.String() + "; for " + r.ID + ":"
	case len(h.ranges) > 1 && out.Verdict == Denied:
		head = SlotDst + " resolves to addresses in " + rangeIDs(h.ranges) + " (its ServiceEntries' addresses), and none is open on " + port.String() + "; for " + r.ID + ":"
	case len(h.ranges) > 1:
		head = SlotDst + " resolves to addresses in " + rangeIDs(h.ranges) + " (its ServiceEntries' addresses); " + r.ID + " is open on " + port.String()
	}
	out.Reasons = []Reason{plain(0, head)}
	pm := NewPeerMisses(g)
	nf := h.facts[chosen]
	side := append(NetworkSide(pm, nf.Egress, true, r, &port), NetworkSide(pm, nf.Ingress, false, src.Node, &port)...)
	for _, rs := range side {
		// The rules speak of the range, not of the host's name.
		rs.Message = strings.ReplaceAll(rs.Message, SlotDst, r.ID)
		out.Reasons = append(out.Reasons, rs)
	}
	return out
}

func rangeIDs(ns []*connectivity.Node) string {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return strings.Join(ids, ", ")
}
