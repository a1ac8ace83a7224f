package connectivity

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/model"
)

// Graph is the connectivity the NetworkPolicies of a model allow between its
// endpoints: workload classes and external address ranges.
//
// Workloads that no selector can tell apart (same namespace, same pod
// labels, same named ports) form one class, and everything is computed per
// class: a Deployment with fifty replicas, or fifty Pods of one ReplicaSet,
// cost what one does. Memory is proportional to classes, policies and what
// their peers match, never to pairs of endpoints.
//
// Endpoints are numbered: classes, then the source ranges (the IPv4 space
// cut by the ipBlocks of ingress rules), then the destination ranges (cut by
// those of egress rules). Each side is cut only by the blocks that can match
// it, as netpol-analyzer does: an egress-only cidr does not split the
// sources.
type Graph struct {
	model *model.Model

	classes   []*class
	classOf   map[*model.Workload]int32
	srcRanges []IPRange
	dstRanges []IPRange

	nodes      []*Node // sorted by ID
	rangeNodes []*Node // by endpoint - len(classes)

	policies []*policy
	policyOf map[*model.NetworkPolicy]*policy
	peerOf   map[*model.NetpolPeer]*peerMatch
}

// class is a set of workloads that every policy treats alike.
type class struct {
	labels    labels.Set
	named     []model.ContainerPort // the named container ports
	workloads []*model.Workload
	nodes     []*Node
	ingress   []*policy // policies selecting the class that isolate its ingress
	egress    []*policy // ... its egress
}

type policy struct {
	np       *model.NetworkPolicy
	selected []int32 // classes, sorted
	ingress  []rule
	egress   []rule
}

type rule struct {
	all   bool // from/to missing or empty: every endpoint
	peers []*peerMatch
	ports rulePorts
}

// rulePorts is a rule's ports before named ports are resolved against a
// destination.
type rulePorts struct {
	all   bool
	fixed PortSet
	named []namedPort
}

type namedPort struct {
	name  string
	proto Protocol
}

// peerMatch is what one peer of a rule matches.
type peerMatch struct {
	// namespaces the peer's namespaceSelector matches, in model order; nil
	// for a peer without namespaceSelector or an ipBlock.
	namespaces []*model.Namespace
	endpoints  []int32 // sorted
}

func (p *peerMatch) has(e int32) bool {
	_, ok := slices.BinarySearch(p.endpoints, e)
	return ok
}

// Network returns the network layer of m, computed once per model and shared
// by every rule and the graph command.
func Network(m *model.Model) *Graph {
	return m.Derived("connectivity/network", func() any { return build(m) }).(*Graph)
}

func build(m *model.Model) *Graph {
	g := &Graph{
		model:    m,
		classOf:  make(map[*model.Workload]int32, len(m.Workloads)),
		policyOf: make(map[*model.NetworkPolicy]*policy, len(m.NetworkPolicies)),
		peerOf:   map[*model.NetpolPeer]*peerMatch{},
	}
	classesByNS := g.buildClasses()
	g.buildRanges()
	g.buildNodes()
	b := &peerBuilder{g: g, classesByNS: classesByNS, cache: map[string]*peerMatch{}, nsCache: map[string][]*model.Namespace{}}
	for _, np := range m.NetworkPolicies {
		g.addPolicy(np, classesByNS[np.Object.Namespace], b)
	}
	return g
}

func (g *Graph) buildClasses() map[string][]int32 {
	byKey := map[string]int32{}
	byNS := map[string][]int32{}
	var key strings.Builder
	for _, w := range g.model.Workloads {
		named := namedPorts(w.Ports)
		key.Reset()
		key.WriteString(w.Namespace)
		key.WriteByte(0)
		// labels.Set.String sorts its keys, so equal sets give equal keys.
		key.WriteString(w.Labels.String())
		for _, p := range named {
			key.WriteByte(0)
			key.WriteString(p.Name + "/" + p.Protocol + "/" + strconv.Itoa(int(p.Port)))
		}
		id, ok := byKey[key.String()]
		if !ok {
			id = int32(len(g.classes))
			byKey[key.String()] = id
			g.classes = append(g.classes, &class{labels: w.Labels, named: named})
			byNS[w.Namespace] = append(byNS[w.Namespace], id)
		}
		g.classes[id].workloads = append(g.classes[id].workloads, w)
		g.classOf[w] = id
	}
	return byNS
}

// namedPorts keeps the ports a policy can name, sorted so that the order of
// containers does not split a class.
func namedPorts(ports []model.ContainerPort) []model.ContainerPort {
	var out []model.ContainerPort
	for _, p := range ports {
		if p.Name != "" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		return a.Port < b.Port
	})
	return out
}

func (g *Graph) buildRanges() {
	blocks := func(rules []model.NetpolRule, out [][]IPRange) [][]IPRange {
		for _, r := range rules {
			for _, p := range r.Peers {
				if p.IPBlock != nil {
					out = append(out, blockRanges(p.IPBlock))
				}
			}
		}
		return out
	}
	var src, dst [][]IPRange
	for _, np := range g.model.NetworkPolicies {
		src = blocks(np.Ingress, src)
		dst = blocks(np.Egress, dst)
	}
	src = append(src, authzSourceRanges(g.model)...)
	dst = append(dst, serviceEntryBlocks(g.model)...) // outside.go
	g.srcRanges, g.dstRanges = partition(src), partition(dst)
}

func (g *Graph) buildNodes() {
	byID := map[string]*Node{}
	for _, c := range g.classes {
		for _, w := range c.workloads {
			id := w.ID()
			n := byID[id]
			if n == nil {
				n = &Node{ID: id, Namespace: w.Namespace, Name: w.Name, Kind: w.Kind, Implied: true}
				byID[id] = n
				g.nodes = append(g.nodes, n)
			}
			n.Workloads = append(n.Workloads, w)
			n.Implied = n.Implied && w.Implied
			if !slices.Contains(c.nodes, n) {
				c.nodes = append(c.nodes, n)
			}
		}
	}
	g.addHostNodes(byID) // outside.go
	// A range both sides have (0.0.0.0-255.255.255.255, often) is one node.
	for i, r := range slices.Concat(g.srcRanges, g.dstRanges) {
		id := r.String() + "[External]"
		n := byID[id]
		if n == nil {
			n = &Node{ID: id, Kind: "External", External: true, Range: r}
			byID[id] = n
			g.nodes = append(g.nodes, n)
		}
		n.srcRange, n.dstRange = n.srcRange || i < len(g.srcRanges), n.dstRange || i >= len(g.srcRanges)
		g.rangeNodes = append(g.rangeNodes, n)
	}
	sort.Slice(g.nodes, func(i, j int) bool { return g.nodes[i].ID < g.nodes[j].ID })
	for i, n := range g.nodes {
		n.index = i
	}
}

// peerBuilder matches each distinct peer once: the same selectors in many
// policies (a DNS egress rule in every namespace) share one peerMatch.
type peerBuilder struct {
	g           *Graph
	classesByNS map[string][]int32
	cache       map[string]*peerMatch
	nsCache     map[string][]*model.Namespace
}

func (b *peerBuilder) match(np *model.NetworkPolicy, p *model.NetpolPeer, ingress bool) *peerMatch {
	g := b.g
	if p.IPBlock != nil {
		ranges, first := g.dstRanges, g.firstDstRange()
		if ingress {
			ranges, first = g.srcRanges, g.firstSrcRange()
		}
		ids := rangesCovered(ranges, blockRanges(p.IPBlock))
		for i := range ids {
			ids[i] += first
		}
		return &peerMatch{endpoints: ids}
	}
	var key string
	if p.Namespaces == nil {
		key = "pods\x00" + np.Object.Namespace + "\x00" + p.Pods.String()
	} else {
		key = "ns\x00" + p.Namespaces.String() + "\x00"
		if p.Pods != nil {
			key += "pods\x00" + p.Pods.String()
		}
	}
	if pm, ok := b.cache[key]; ok {
		return pm
	}
	pm := &peerMatch{}
	pick := func(ns string) {
		for _, id := range b.classesByNS[ns] {
			if p.Pods == nil || p.Pods.Matches(g.classes[id].labels) {
				pm.endpoints = append(pm.endpoints, id)
			}
		}
	}
	if p.Namespaces == nil {
		pick(np.Object.Namespace)
	} else {
		pm.namespaces = b.namespaces(p.Namespaces)
		for _, ns := range pm.namespaces {
			pick(ns.Name)
		}
	}
	slices.Sort(pm.endpoints)
	b.cache[key] = pm
	return pm
}

func (b *peerBuilder) namespaces(sel labels.Selector) []*model.Namespace {
	key := sel.String()
	if nss, ok := b.nsCache[key]; ok {
		return nss
	}
	nss := []*model.Namespace{}
	for _, ns := range b.g.model.Namespaces {
		if sel.Matches(ns.Labels) {
			nss = append(nss, ns)
		}
	}
	b.nsCache[key] = nss
	return nss
}

func (g *Graph) addPolicy(np *model.NetworkPolicy, inNS []int32, b *peerBuilder) {
	p := &policy{np: np}
	for _, id := range inNS {
		if np.PodSelector.Matches(g.classes[id].labels) {
			p.selected = append(p.selected, id)
		}
	}
	compile := func(rules []model.NetpolRule, ingress bool) []rule {
		out := make([]rule, len(rules))
		for i := range rules {
			r := &rules[i]
			out[i] = rule{all: r.AllPeers, ports: compilePorts(r)}
			for j := range r.Peers {
				pm := b.match(np, &r.Peers[j], ingress)
				g.peerOf[&r.Peers[j]] = pm
				out[i].peers = append(out[i].peers, pm)
			}
		}
		return out
	}
	p.ingress = compile(np.Ingress, true)
	p.egress = compile(np.Egress, false)
	for _, id := range p.selected {
		c := g.classes[id]
		if np.IsolatesIngress {
			c.ingress = append(c.ingress, p)
		}
		if np.IsolatesEgress {
			c.egress = append(c.egress, p)
		}
	}
	g.policies = append(g.policies, p)
	g.policyOf[np] = p
}

func compilePorts(r *model.NetpolRule) rulePorts {
	if r.AllPorts {
		return rulePorts{all: true}
	}
	var rp rulePorts
	for _, p := range r.Ports {
		proto, ok := ParseProtocol(p.Protocol)
		if !ok {
			continue // the model reports and drops these already
		}
		switch {
		case p.Name != "":
			rp.named = append(rp.named, namedPort{p.Name, proto})
		case p.Port == 0:
			rp.fixed = rp.fixed.Union(ProtocolPorts(proto))
		case p.EndPort != 0:
			rp.fixed = rp.fixed.Union(Ports(proto, p.Port, p.EndPort))
		default:
			rp.fixed = rp.fixed.Union(Ports(proto, p.Port, p.Port))
		}
	}
	return rp
}

// portsTo resolves a rule's ports for destination endpoint dst: a named port
// is the destination's container port of that name and protocol; an
// external destination has none.
func (g *Graph) portsTo(r *rule, dst int32) PortSet {
	if r.ports.all {
		return AllPorts()
	}
	if len(r.ports.named) == 0 || !g.isClass(dst) {
		return r.ports.fixed
	}
	out := r.ports.fixed
	for _, n := range r.ports.named {
		for _, cp := range g.classes[dst].named {
			if cp.Name == n.name && cp.Protocol == n.proto.String() {
				out = out.Union(Ports(n.proto, cp.Port, cp.Port))
			}
		}
	}
	return out
}

func (r *rule) matches(e int32) bool {
	if r.all {
		return true
	}
	for _, p := range r.peers {
		if p.has(e) {
			return true
		}
	}
	return false
}
