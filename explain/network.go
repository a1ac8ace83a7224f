package explain

import (
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// side names the slots of one side of a connection: the end whose
// policies are read (self) and the other end their peers must take in.
type side struct {
	egress                 bool
	self, other            string // SlotSrc / SlotDst
	otherNS, otherNSLabels string
}

var (
	egressSide  = side{true, SlotSrc, SlotDst, SlotDstNS, SlotDstNSL}
	ingressSide = side{false, SlotDst, SlotSrc, SlotSrcNS, SlotSrcNSL}
)

func (s side) word() string {
	if s.egress {
		return "egress"
	}
	return "ingress"
}

// NetworkSide explains one side of a connection: whether policies isolate
// it and which rules and peers take in the other end (other, external or a
// workload). With port nil the ports each rule opens are listed instead of
// judged, as the HTML report shows them.
func NetworkSide(pm *PeerMisses, f connectivity.SideFacts, egress bool, other *connectivity.Node, port *Port) []Reason {
	s := ingressSide
	if egress {
		s = egressSide
	}
	var out []Reason
	switch {
	case !f.Governed:
		if egress {
			return []Reason{plain(0, "egress of "+s.self+": outside the cluster, no NetworkPolicy governs what it sends")}
		}
		return []Reason{plain(0, "ingress of "+s.self+": outside the cluster, no NetworkPolicy governs what it receives")}
	case len(f.Isolating) == 0:
		what := "it may send to every destination"
		if !egress {
			what = "every source may connect to it"
		}
		return []Reason{plain(0, s.word()+" of "+s.self+": not isolated (no NetworkPolicy selects it for "+s.word()+"): "+what)}
	}
	admitted := f.Admitted()
	head := s.word() + " of " + s.self + ": "
	switch {
	case port == nil && admitted.IsEmpty():
		head += "admits nothing from " + s.other
		if egress {
			head = s.word() + " of " + s.self + ": lets nothing out to " + s.other
		}
	case port == nil:
		head += "opens " + portsText(admitted) + " to " + s.other
	case admitted.Contains(port.Protocol, port.sample()):
		head += "admits " + s.other + " on " + port.String()
	default:
		head += "blocks " + s.other + " on " + port.String()
	}
	out = append(out, plain(0, head))
	var prev *model.NetworkPolicy
	for _, r := range f.Rules {
		if r.Policy != prev {
			prev = r.Policy
			out = append(out, at(r.Policy.Object, "spec.podSelector", 1, "NetworkPolicy "+r.Policy.Object.Namespace+"/"+r.Policy.Object.Name+
				" isolates it (podSelector "+selectorText(r.Policy.PodSelector)+")"))
		}
		out = append(out, ruleReasons(pm, r, s, other, port)...)
	}
	// Policies without a rule in this direction come after: they isolate
	// and admit nothing.
	for _, np := range f.Isolating {
		if !hasRules(f, np) {
			out = append(out, at(np.Object, "spec.podSelector", 1, "NetworkPolicy "+np.Object.Namespace+"/"+np.Object.Name+
				" isolates it (podSelector "+selectorText(np.PodSelector)+") and has no "+s.word()+" rule: it admits nothing"))
		}
	}
	return out
}

func hasRules(f connectivity.SideFacts, np *model.NetworkPolicy) bool {
	for _, r := range f.Rules {
		if r.Policy == np {
			return true
		}
	}
	return false
}

func ruleReasons(pm *PeerMisses, r connectivity.RuleFacts, s side, other *connectivity.Node, port *Port) []Reason {
	o := r.Policy.Object
	peerField := "from"
	if s.egress {
		peerField = "to"
	}
	if !r.Matches {
		out := []Reason{at(o, r.Rule.Path, 2, r.Rule.Path+" does not take in "+s.other)}
		for i := range r.Rule.Peers {
			p := &r.Rule.Peers[i]
			out = append(out, at(o, p.Path, 3, shortPath(p.Path, r.Rule.Path)+": "+peerMiss(pm, p, o.Namespace, s, other)))
		}
		if len(r.Rule.Peers) == 0 {
			out = append(out, at(o, r.Rule.Path, 3, "every "+peerField+" entry failed validation: the rule takes in nothing"))
		}
		return out
	}
	via := " (no " + peerField + ": every " + map[bool]string{true: "destination", false: "source"}[s.egress] + ")"
	path := r.Rule.Path
	if r.Peer >= 0 {
		p := &r.Rule.Peers[r.Peer]
		via = " through " + shortPath(p.Path, r.Rule.Path) + ", " + peerText(p)
		path = p.Path
	}
	switch {
	case port == nil:
		return []Reason{at(o, path, 2, r.Rule.Path+" takes in "+s.other+" on "+portsText(r.Ports)+via)}
	case r.Ports.Contains(port.Protocol, port.sample()):
		return []Reason{at(o, path, 2, r.Rule.Path+" admits "+s.other+" on "+portsText(r.Ports)+via)}
	}
	portsPath := r.Rule.Path + ".ports"
	return []Reason{at(o, portsPath, 2, r.Rule.Path+" takes in "+s.other+via+" but opens only "+portsText(r.Ports)+", not "+port.String())}
}

// MissKind is why a peer does not take in the other end of a connection.
type MissKind uint8

const (
	MissIPBlockPod      MissKind = iota + 1 // an ipBlock, and the other end a pod
	MissIPBlockRange                        // an ipBlock that does not hold the range
	MissPodsExternal                        // pod selectors, and the other end outside the cluster
	MissOtherNamespace                      // a podSelector alone, and the other end in another namespace
	MissPodLabels                           // a podSelector that does not match the other end's labels
	MissNamespaceLabels                     // a namespaceSelector that does not match its namespace
)

// PeerMisses tells why peers do not take in an end, remembering which
// namespaces each namespaceSelector took in.
type PeerMisses struct {
	g    *connectivity.Graph
	inNS map[*model.NetpolPeer]map[string]bool
}

// NewPeerMisses prepares to explain g's peers.
func NewPeerMisses(g *connectivity.Graph) *PeerMisses {
	return &PeerMisses{g: g, inNS: map[*model.NetpolPeer]map[string]bool{}}
}

// Kind says why p, a peer of a policy of namespace policyNS that does not
// take in other, leaves it out.
func (pm *PeerMisses) Kind(p *model.NetpolPeer, policyNS string, other *connectivity.Node) MissKind {
	switch {
	case p.IPBlock != nil && !other.External:
		return MissIPBlockPod
	case p.IPBlock != nil:
		return MissIPBlockRange
	case other.External:
		return MissPodsExternal
	case p.Namespaces == nil && other.Namespace != policyNS:
		return MissOtherNamespace
	case p.Namespaces == nil:
		return MissPodLabels
	}
	in, ok := pm.inNS[p]
	if !ok {
		in = map[string]bool{}
		nss, _ := pm.g.PeerNamespaces(p)
		for _, ns := range nss {
			in[ns.Name] = true
		}
		pm.inNS[p] = in
	}
	if !in[other.Namespace] {
		return MissNamespaceLabels
	}
	return MissPodLabels
}

// peerMiss says why a peer does not take in the other end.
func peerMiss(pm *PeerMisses, p *model.NetpolPeer, policyNS string, s side, other *connectivity.Node) string {
	desc := peerText(p)
	switch pm.Kind(p, policyNS, other) {
	case MissIPBlockPod:
		return desc + " never matches a pod: pod addresses are not in the manifests"
	case MissIPBlockRange:
		return desc + " does not hold " + s.other
	case MissPodsExternal:
		return desc + " selects pods, and " + s.other + " is outside the cluster"
	case MissOtherNamespace:
		return desc + " selects pods of namespace " + policyNS + " only, and " + s.other + " is in " + s.otherNS
	case MissNamespaceLabels:
		return "namespaceSelector " + selectorText(p.Namespaces) + " does not match namespace " + s.otherNS + " (labels " + s.otherNSLabels + ")"
	}
	if p.Namespaces != nil {
		return "podSelector " + selectorText(p.Pods) + " does not match the labels of " + s.other
	}
	return desc + " does not match the labels of " + s.other
}

// shortPath is a peer's path relative to its rule: from[1].
func shortPath(path, rule string) string {
	return strings.TrimPrefix(path, rule+".")
}

func peerText(p *model.NetpolPeer) string {
	switch {
	case p.IPBlock != nil:
		s := "ipBlock " + p.IPBlock.CIDR.String()
		for i, e := range p.IPBlock.Except {
			if i == 0 {
				s += " except "
			} else {
				s += ", "
			}
			s += e.String()
		}
		return s
	case p.Namespaces != nil && p.Pods != nil:
		return "namespaceSelector " + selectorText(p.Namespaces) + " with podSelector " + selectorText(p.Pods)
	case p.Namespaces != nil:
		return "namespaceSelector " + selectorText(p.Namespaces)
	}
	return "podSelector " + selectorText(p.Pods)
}

func selectorText(s labels.Selector) string {
	if s == nil || s.Empty() {
		return "{} (everything)"
	}
	return "{" + s.String() + "}"
}

func labelText(l labels.Set) string { return "{" + l.String() + "}" }

// portsText prints a port set for a sentence: "every port" for all of them.
func portsText(p connectivity.PortSet) string {
	switch {
	case p.IsAll():
		return "every port"
	case p.IsEmpty():
		return "no port"
	}
	return p.String()
}
