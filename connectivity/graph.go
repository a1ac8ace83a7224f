// Package connectivity computes which traffic the cluster lets through:
// for every pair of workloads, and every address range outside the cluster,
// the protocols and ports allowed.
//
// The network layer (Network) is NetworkPolicy v1 exactly as Kubernetes
// enforces it. A result is a list of connections (src, dst, port set), the
// shape every layer shares: the mesh layer (Istio authorization) and the
// effective layer (both together) add L7 conditions to a connection and
// produce the same Listing, so that the formats and --focus work on all.
package connectivity

import (
	"errors"
	"fmt"
	"sort"

	"github.com/meshlint/meshlint/model"
)

// Layer names a connectivity layer, as `meshlint graph --layer` does.
type Layer string

const (
	LayerNetwork   Layer = "network"   // NetworkPolicy alone
	LayerMesh      Layer = "mesh"      // Istio authorization and mTLS alone
	LayerEffective Layer = "effective" // both together
)

// Node is one end of a connection: a workload (the pods of one owner are one
// node), or an IPv4 range outside the cluster.
type Node struct {
	// ID is how the graph prints the node: ns/name[Kind], or
	// A.B.C.D-E.F.G.H[External].
	ID        string
	Namespace string // "" for an external range
	Name      string // the workload's name (its owner's, for an owned Pod)
	Kind      string // Deployment, Pod, ...; "External" for a range
	External  bool
	Range     IPRange // for an external range
	// Host is, for a destination outside the cluster known by name (a
	// ServiceEntry host), that name; the node is printed HOST[ServiceEntry].
	Host string
	// Workloads are the model's workloads the node stands for (several
	// Pods of one ReplicaSet, say), in model order.
	Workloads []*model.Workload
	// Implied nodes stand for cluster services the set lacks (kube-dns,
	// istiod): they take part, but are printed only on request.
	Implied bool

	index int // in the graph's sorted node list
	// srcRange, dstRange: an external range that the address space is cut
	// into on the side of sources, of destinations (or both).
	srcRange, dstRange bool
}

// Label is how drawings name the node: its workload, range or host.
func (n *Node) Label() string {
	switch {
	case n.Host != "":
		return n.Host
	case n.External:
		return n.Range.String()
	}
	return n.Name + "[" + n.Kind + "]"
}

// Connection is traffic allowed from Src to Dst on Ports; in the mesh and
// effective layers L7 adds ports allowed only for some requests.
type Connection struct {
	Src, Dst *Node
	Ports    PortSet
	L7       []Conditional
}

// Listing is a layer's connections, ready to print.
type Listing struct {
	Layer       Layer
	Nodes       []*Node // the nodes shown, sorted by ID
	Connections []Connection
	// Environment names the environment shown, when a run has several.
	Environment string
}

// Options select what a Listing shows.
type Options struct {
	// ShowImplied keeps implied nodes (kube-dns, istiod) in the listing.
	ShowImplied bool
	// Focus keeps only connections that touch one of these nodes.
	Focus []*Node
}

// Nodes returns every node, sorted by ID.
func (g *Graph) Nodes() []*Node { return g.nodes }

// FindNodes returns the nodes a user means by name: ns/name[Kind],
// ns/name, or a bare workload name (possibly in several namespaces).
func (g *Graph) FindNodes(name string) []*Node {
	var out []*Node
	for _, n := range g.nodes {
		if n.External {
			continue
		}
		if n.ID == name || n.Namespace+"/"+n.Name == name || n.Name == name {
			out = append(out, n)
		}
	}
	return out
}

// ErrNoSuchWorkload is returned by FindFocus for names that match nothing.
var ErrNoSuchWorkload = errors.New("no such workload")

// FindFocus resolves --focus names to nodes.
func (g *Graph) FindFocus(names []string) ([]*Node, error) {
	var out []*Node
	for _, name := range names {
		ns := g.FindNodes(name)
		if len(ns) == 0 {
			return nil, fmt.Errorf("%w %q (give ns/name[Kind], ns/name or name)", ErrNoSuchWorkload, name)
		}
		out = append(out, ns...)
	}
	return out, nil
}

// Listing computes the connections between nodes. Pairs of a node with
// itself and pairs of two external ranges are left out, as are connections
// of implied nodes unless opts.ShowImplied. Connections are sorted by source
// and destination ID, which is the order of netpol-analyzer's lines.
func (g *Graph) Listing(opts Options) *Listing {
	focus := map[*Node]bool{}
	for _, n := range opts.Focus {
		focus[n] = true
	}
	keep := func(src, dst *Node) bool {
		if src == dst || (!opts.ShowImplied && (src.Implied || dst.Implied)) {
			return false
		}
		return len(focus) == 0 || focus[src] || focus[dst]
	}
	var conns []Connection
	emit := func(src, dst int32, ports PortSet) {
		for _, s := range g.endpointNodes(src) {
			for _, d := range g.endpointNodes(dst) {
				if keep(s, d) {
					conns = append(conns, Connection{Src: s, Dst: d, Ports: ports})
				}
			}
		}
	}
	seen := make([]int32, g.endpoints())
	if len(focus) == 0 {
		for src := range g.sources {
			g.eachFrom(src, seen, func(dst int32, p PortSet) { emit(src, dst, p) })
		}
	} else {
		// Everything from a focused endpoint, and into one from the rest.
		in := map[int32]bool{}
		var focused []int32
		for n := range focus {
			for _, e := range g.nodeEndpoints(n) {
				if !in[e] {
					in[e] = true
					focused = append(focused, e)
				}
			}
		}
		sort.Slice(focused, func(i, j int) bool { return focused[i] < focused[j] })
		for src := range g.sources {
			if in[src] {
				g.eachFrom(src, seen, func(dst int32, p PortSet) { emit(src, dst, p) })
				continue
			}
			for _, dst := range focused {
				if p := g.allowed(src, dst); !p.IsEmpty() {
					emit(src, dst, p)
				}
			}
		}
	}
	conns = mergeConnections(conns)

	l := &Listing{Layer: LayerNetwork, Connections: conns}
	for _, n := range g.nodes {
		switch {
		case !opts.ShowImplied && n.Implied:
		case n.External:
			// Ranges are drawn only where traffic goes.
		case len(focus) > 0 && !focus[n]:
		default:
			l.Nodes = append(l.Nodes, n)
		}
	}
	l.addEdgeNodes()
	return l
}

// mergeConnections sorts connections and joins those between the same two
// nodes: a node whose pods fall in several classes gets their union, the
// traffic some pod of it is allowed.
func mergeConnections(conns []Connection) []Connection {
	sort.Slice(conns, func(i, j int) bool {
		a, b := conns[i], conns[j]
		if a.Src != b.Src {
			return a.Src.index < b.Src.index
		}
		return a.Dst.index < b.Dst.index
	})
	out := conns[:0]
	for _, c := range conns {
		if n := len(out); n > 0 && out[n-1].Src == c.Src && out[n-1].Dst == c.Dst {
			v := Verdict{Ports: out[n-1].Ports, L7: out[n-1].L7}.Union(Verdict{Ports: c.Ports, L7: c.L7})
			out[n-1].Ports, out[n-1].L7 = v.Ports, v.L7
			continue
		}
		out = append(out, c)
	}
	return out
}

// addEdgeNodes adds the nodes that connections reach but Nodes lacks
// (external ranges, and the peers of a focused node).
func (l *Listing) addEdgeNodes() {
	have := map[*Node]bool{}
	for _, n := range l.Nodes {
		have[n] = true
	}
	for _, c := range l.Connections {
		for _, n := range []*Node{c.Src, c.Dst} {
			if !have[n] {
				have[n] = true
				l.Nodes = append(l.Nodes, n)
			}
		}
	}
	sort.Slice(l.Nodes, func(i, j int) bool { return l.Nodes[i].ID < l.Nodes[j].ID })
}

func (g *Graph) endpointNodes(e int32) []*Node {
	if g.isClass(e) {
		return g.classes[e].nodes
	}
	i := int(e) - len(g.classes)
	return g.rangeNodes[i : i+1]
}

func (g *Graph) nodeEndpoints(n *Node) []int32 {
	if n.External {
		var out []int32
		for i, r := range g.rangeNodes {
			if r == n {
				out = append(out, int32(len(g.classes)+i))
			}
		}
		return out
	}
	var out []int32
	for _, w := range n.Workloads {
		id := g.classOf[w]
		if !containsID(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func containsID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Allowed returns the ports on which src may open connections to dst.
func (g *Graph) Allowed(src, dst *model.Workload) PortSet {
	s, ok1 := g.classOf[src]
	d, ok2 := g.classOf[dst]
	if !ok1 || !ok2 {
		return NoPorts()
	}
	return g.allowed(s, d)
}

// AllowedFrom returns the ports on which a node (a workload or an external
// range) may open connections to dst.
func (g *Graph) AllowedFrom(src *Node, dst *model.Workload) PortSet {
	d, ok := g.classOf[dst]
	if !ok {
		return NoPorts()
	}
	var out PortSet
	for _, e := range g.nodeEndpoints(src) {
		out = out.Union(g.allowed(e, d))
	}
	return out
}

// IngressPolicies returns the policies that select w and isolate its
// ingress; none means every source may reach it.
func (g *Graph) IngressPolicies(w *model.Workload) []*model.NetworkPolicy {
	id, ok := g.classOf[w]
	if !ok {
		return nil
	}
	return policiesOf(g.classes[id].ingress)
}

// EgressPolicies returns the policies that select w and isolate its egress.
func (g *Graph) EgressPolicies(w *model.Workload) []*model.NetworkPolicy {
	id, ok := g.classOf[w]
	if !ok {
		return nil
	}
	return policiesOf(g.classes[id].egress)
}

func policiesOf(ps []*policy) []*model.NetworkPolicy {
	out := make([]*model.NetworkPolicy, len(ps))
	for i, p := range ps {
		out[i] = p.np
	}
	return out
}

// Selected returns the workloads np's podSelector selects.
func (g *Graph) Selected(np *model.NetworkPolicy) []*model.Workload {
	p := g.policyOf[np]
	if p == nil {
		return nil
	}
	return g.workloadsOf(p.selected)
}

// PeerWorkloads returns the workloads a pod peer (podSelector and/or
// namespaceSelector) matches; p must point into the model's policy (as
// &rule.Peers[i]). An ipBlock peer matches no workload.
func (g *Graph) PeerWorkloads(p *model.NetpolPeer) []*model.Workload {
	pm := g.peerOf[p]
	if pm == nil {
		return nil
	}
	return g.workloadsOf(pm.endpoints)
}

// PeerSelectsWorkloads reports whether a peer matches any workload, as
// len(PeerWorkloads(p)) > 0 does without listing them.
func (g *Graph) PeerSelectsWorkloads(p *model.NetpolPeer) bool {
	pm := g.peerOf[p]
	if pm == nil {
		return false
	}
	for _, id := range pm.endpoints {
		if g.isClass(id) && len(g.classes[id].workloads) > 0 {
			return true
		}
	}
	return false
}

// PeerNamespaces returns the namespaces a peer's namespaceSelector matches,
// and false for a peer without one.
func (g *Graph) PeerNamespaces(p *model.NetpolPeer) ([]*model.Namespace, bool) {
	pm := g.peerOf[p]
	if pm == nil || p.Namespaces == nil {
		return nil, false
	}
	return pm.namespaces, true
}

// PeerRanges returns the external ranges an ipBlock peer matches.
func (g *Graph) PeerRanges(p *model.NetpolPeer) []*Node {
	pm := g.peerOf[p]
	if pm == nil {
		return nil
	}
	var out []*Node
	for _, e := range pm.endpoints {
		if !g.isClass(e) {
			out = append(out, g.rangeNodes[int(e)-len(g.classes)])
		}
	}
	return out
}

func (g *Graph) workloadsOf(ids []int32) []*model.Workload {
	var out []*model.Workload
	for _, id := range ids {
		if g.isClass(id) {
			out = append(out, g.classes[id].workloads...)
		}
	}
	return out
}

// Stats describes the size of the computation, for benchmarks and -v output.
type Stats struct {
	Workloads, Classes, SrcRanges, DstRanges, Policies, Peers int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d workloads in %d classes, %d+%d external ranges, %d policies, %d distinct peers",
		s.Workloads, s.Classes, s.SrcRanges, s.DstRanges, s.Policies, s.Peers)
}

// Stats returns the graph's size.
func (g *Graph) Stats() Stats {
	peers := map[*peerMatch]bool{}
	for _, pm := range g.peerOf {
		peers[pm] = true
	}
	return Stats{Workloads: len(g.classOf), Classes: len(g.classes), SrcRanges: len(g.srcRanges), DstRanges: len(g.dstRanges), Policies: len(g.policies), Peers: len(peers)}
}
