package explain

import (
	"net/netip"
	"strconv"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Options choose what Why answers.
type Options struct {
	// Ports to answer for; none: every port either layer names for the
	// pair.
	Ports []Port
	// Layers to answer for, in the order given; none: network, mesh and
	// effective.
	Layers []connectivity.Layer
}

// AllLayers are the layers of an answer, in the order printed.
var AllLayers = []connectivity.Layer{connectivity.LayerNetwork, connectivity.LayerMesh, connectivity.LayerEffective}

// Why explains connections from src to dst in m.
func Why(m *model.Model, src, dst *Endpoint, opts Options) *Answer {
	g := connectivity.Network(m)
	ml := connectivity.Mesh(m)
	var nf connectivity.NetworkFacts
	var known bool
	var host hostNetwork
	var facts []connectivity.NetworkFacts
	if dst.Node.Host != "" {
		host = hostNetworks(g, src.Node, dst.Node)
		facts = host.facts
	} else if nf, known = g.ExplainNetwork(src.Node, dst.Node); known {
		facts = []connectivity.NetworkFacts{nf}
	}
	ports := opts.Ports
	if len(ports) == 0 {
		var meshPorts []int32
		switch {
		case dst.Workload != nil && dst.Workload.Mesh != model.MeshNone:
			meshPorts = ml.Breakpoints(dst.Workload)
		case dst.Workload == nil && src.Workload != nil:
			// Outside the cluster, the ports that bypass the source's
			// sidecar are the ones its scope cannot stop.
			meshPorts = mesh.BypassPorts(src.Workload)
		}
		ports = portsNamed(facts, dst, meshPorts)
	}
	layers := opts.Layers
	if len(layers) == 0 {
		layers = AllLayers
	}
	a := &Answer{Src: src, Dst: dst}
	for _, e := range []*Endpoint{src, dst} {
		if e.Workload != nil && e.Workload.Implied {
			a.Notes = append(a.Notes, plain(0, e.Node.ID+" is not in the manifests: meshlint assumes it, as every cluster has it"))
		}
		if e.Workload != nil && len(e.Node.Workloads) > 1 {
			a.Notes = append(a.Notes, plain(0, e.Node.ID+" stands for "+strconv.Itoa(len(e.Node.Workloads))+
				" pods of one owner: the answer reads the first, at "+e.Workload.Object.Position("").String()))
		}
	}
	msrc := meshSource(src)
	for _, port := range ports {
		var network, meshLayer LayerAnswer
		if dst.Node.Host != "" {
			network = hostNetworkAnswer(g, host, src, port)
		} else {
			network = networkAnswer(g, nf, known, src, dst, port)
		}
		if dst.Workload == nil {
			meshLayer = OutsideAnswer(ml, src, dst, port)
		} else {
			meshLayer = MeshAnswer(m, ml.Evaluator(), msrc, dst.Workload, port)
		}
		effective := func() LayerAnswer { return Effective(network, meshLayer) }
		if tunnelled(ml, src, dst, port) && len(nf.Ingress.Isolating)+len(nf.Egress.Isolating) > 0 {
			// The network layer is NetworkPolicy alone, on the port asked;
			// both layers together see the tunnel's port. Where no policy
			// isolates either side, both ports pass alike: nothing to say.
			carried := networkAnswer(g, nf, known, src, dst, hbonePort)
			app := network
			effective = func() LayerAnswer { return effectiveTunnelled(nf, app, carried, meshLayer, port) }
			hboneNote(&network, carried, port)
		}
		if wa, ok := waypointEffective(ml, src, dst, port, meshLayer); ok {
			effective = func() LayerAnswer { return wa }
		}
		pa := PortAnswer{Port: port}
		for _, l := range layers {
			switch l {
			case connectivity.LayerNetwork:
				pa.Layers = append(pa.Layers, network)
			case connectivity.LayerMesh:
				pa.Layers = append(pa.Layers, meshLayer)
			case connectivity.LayerEffective:
				pa.Layers = append(pa.Layers, effective())
			}
		}
		a.Ports = append(a.Ports, pa)
	}
	names := NamesOf(m, src, dst)
	names.fillAll(a.Notes)
	for i := range a.Ports {
		for j := range a.Ports[i].Layers {
			l := &a.Ports[i].Layers[j]
			names.fillAll(l.Reasons)
		}
	}
	return a
}

func networkAnswer(g *connectivity.Graph, nf connectivity.NetworkFacts, known bool, src, dst *Endpoint, port Port) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerNetwork, Verdict: Denied}
	if !known {
		out.Reasons = []Reason{plain(0, "both ends are outside the cluster: no NetworkPolicy speaks of traffic between them")}
		return out
	}
	if nf.Allowed.Contains(port.Protocol, port.sample()) {
		out.Verdict = Allowed
	}
	pm := NewPeerMisses(g)
	out.Reasons = append(NetworkSide(pm, nf.Egress, true, dst.Node, &port), NetworkSide(pm, nf.Ingress, false, src.Node, &port)...)
	return out
}

// Effective joins the two layers: a connection passes when both let it.
func Effective(network, meshLayer LayerAnswer) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerEffective, Verdict: Allowed, Condition: meshLayer.Condition}
	out.Reasons = []Reason{
		plain(0, "network: "+string(network.Verdict)),
		plain(0, "mesh: "+verdictText(meshLayer)),
	}
	switch {
	case network.Verdict == Denied && meshLayer.Verdict == Denied:
		out.Verdict, out.Condition = Denied, ""
		out.Reasons = append(out.Reasons, plain(0, "denied by both layers"))
	case network.Verdict == Denied:
		out.Verdict, out.Condition = Denied, ""
		out.Reasons = append(out.Reasons, plain(0, "denied: the NetworkPolicies drop it, whatever the mesh allows"))
	case meshLayer.Verdict == Denied:
		out.Verdict = Denied
		out.Reasons = append(out.Reasons, plain(0, "denied: mesh authorization refuses it, though the network lets it through"))
	case meshLayer.Verdict == Conditional:
		out.Verdict = Conditional
		out.Reasons = append(out.Reasons, plain(0, "allowed only for the requests the mesh allows: "+meshLayer.Condition))
	default:
		out.Reasons = append(out.Reasons, plain(0, "allowed: both layers let it through"))
	}
	return out
}

func verdictText(l LayerAnswer) string {
	if l.Verdict == Conditional {
		return "allowed for requests with " + l.Condition
	}
	return string(l.Verdict)
}

// meshSource is the end as mesh authorization sees a sender.
func meshSource(e *Endpoint) mesh.Source {
	switch {
	case e.Workload != nil:
		return mesh.Source{Workload: e.Workload}
	case e.Addr.IsValid():
		return mesh.Source{From: e.Addr, To: e.Addr}
	}
	return RangeSource(e.Node)
}

// RangeSource is an external node as a sender: its whole range.
func RangeSource(n *connectivity.Node) mesh.Source {
	return mesh.Source{From: addrOf(n.Range.First), To: addrOf(n.Range.Last)}
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
