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
func NetworkSide(g *connectivity.Graph, f connectivity.SideFacts, egress bool, other *connectivity.Node, port *Port) []Reason {
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
		out = append(out, ruleReasons(g, r, s, other, port)...)
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

func ruleReasons(g *connectivity.Graph, r connectivity.RuleFacts, s side, other *connectivity.Node, port *Port) []Reason {
	o := r.Policy.Object
	peerField := "from"
	if s.egress {
		peerField = "to"
	}
	if !r.Matches {
		out := []Reason{at(o, r.Rule.Path, 2, r.Rule.Path+" does not take in "+s.other)}
		for i := range r.Rule.Peers {
			p := &r.Rule.Peers[i]
			out = append(out, at(o, p.Path, 3, shortPath(p.Path, r.Rule.Path)+": "+peerMiss(g, p, o.Namespace, s, other)))
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

// peerMiss says why a peer does not take in the other end.
func peerMiss(g *connectivity.Graph, p *model.NetpolPeer, policyNS string, s side, other *connectivity.Node) string {
	desc := peerText(p)
	switch {
	case p.IPBlock != nil && !other.External:
		return desc + " never matches a pod: pod addresses are not in the manifests"
	case p.IPBlock != nil:
		return desc + " does not hold " + s.other
	case other.External:
		return desc + " selects pods, and " + s.other + " is outside the cluster"
	case p.Namespaces == nil:
		if other.Namespace != policyNS {
			return desc + " selects pods of namespace " + policyNS + " only, and " + s.other + " is in " + s.otherNS
		}
		return desc + " does not match the labels of " + s.other
	}
	if nss, ok := g.PeerNamespaces(p); ok && !containsNamespace(nss, other.Namespace) {
		return "namespaceSelector " + selectorText(p.Namespaces) + " does not match namespace " + s.otherNS + " (labels " + s.otherNSLabels + ")"
	}
	return "podSelector " + selectorText(p.Pods) + " does not match the labels of " + s.other
}

func containsNamespace(nss []*model.Namespace, name string) bool {
	for _, ns := range nss {
		if ns.Name == name {
			return true
		}
	}
	return false
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
