package model

import (
	"net/netip"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshlint/meshlint/manifest"
)

// NetworkPolicy is a NetworkPolicy with its selectors compiled. Parts that
// fail validation are left out (and reported as spec errors).
type NetworkPolicy struct {
	Object      *manifest.Object
	Spec        networkingv1.NetworkPolicySpec
	PodSelector labels.Selector

	// Isolates* follow policyTypes, inferred when absent: Ingress always,
	// Egress when the policy has egress rules.
	IsolatesIngress bool
	IsolatesEgress  bool

	Ingress []NetpolRule // spec.ingress, in order
	Egress  []NetpolRule // spec.egress, in order
}

// NetpolRule is one ingress or egress rule.
type NetpolRule struct {
	Path string // spec.ingress[0]
	// AllPeers is true when from/to is missing or empty: any peer.
	AllPeers bool
	Peers    []NetpolPeer
	// AllPorts is true when ports is missing or empty: every port. Ports
	// may also end up empty because every entry failed validation; the
	// rule then admits no port.
	AllPorts bool
	Ports    []NetpolPort
}

// NetpolPeer is one entry of from/to. For a pod peer at least one of Pods
// and Namespaces is set; a nil selector was not given. When only Pods is
// set, the peer's namespace is the policy's.
type NetpolPeer struct {
	Path       string
	Pods       labels.Selector
	Namespaces labels.Selector
	IPBlock    *IPBlock
}

// IPBlock is a CIDR less its exceptions.
type IPBlock struct {
	CIDR   netip.Prefix
	Except []netip.Prefix
}

// NetpolPort is one entry of ports.
type NetpolPort struct {
	Path     string
	Protocol string // TCP, UDP, SCTP
	// Port is 0 for every port of Protocol; Name is set for a named port.
	Port    int32
	EndPort int32 // 0 unless a range
	Name    string
}

func (m *Model) buildNetworkPolicies() {
	for _, o := range m.byKind["NetworkPolicy"] {
		if o.APIVersion != "networking.k8s.io/v1" {
			continue // MSH002: never served from there
		}
		np := &NetworkPolicy{Object: o}
		usable, clean := m.decodeK8s(o, "spec", &np.Spec)
		if !usable {
			continue
		}
		// Validate even an object with unknown fields, so every problem is
		// reported at once; but the API server would refuse it, so it does
		// not take part in the analysis.
		m.compileNetpol(np)
		if clean {
			m.NetworkPolicies = append(m.NetworkPolicies, np)
		}
	}
}

func (m *Model) compileNetpol(np *NetworkPolicy) {
	o := np.Object
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		m.addSpecError(o, "spec.podSelector", "invalid podSelector: %v", err)
		sel = labels.Nothing()
	}
	np.PodSelector = sel

	hasIngress, hasEgress := false, false
	for i, t := range np.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			hasIngress = true
		case networkingv1.PolicyTypeEgress:
			hasEgress = true
		default:
			m.addSpecError(o, manifest.JoinIndex("spec.policyTypes", i), "policyTypes: %q is not Ingress or Egress", t)
		}
	}
	if len(np.Spec.PolicyTypes) == 0 {
		hasIngress = true
		hasEgress = len(np.Spec.Egress) > 0
	}
	np.IsolatesIngress, np.IsolatesEgress = hasIngress, hasEgress

	for i, r := range np.Spec.Ingress {
		path := manifest.JoinIndex("spec.ingress", i)
		np.Ingress = append(np.Ingress, m.compileRule(o, path, "from", r.From, r.Ports))
	}
	for i, r := range np.Spec.Egress {
		path := manifest.JoinIndex("spec.egress", i)
		np.Egress = append(np.Egress, m.compileRule(o, path, "to", r.To, r.Ports))
	}
}

func (m *Model) compileRule(o *manifest.Object, path, peerField string, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort) NetpolRule {
	rule := NetpolRule{Path: path, AllPeers: len(peers) == 0, AllPorts: len(ports) == 0}
	for i, p := range peers {
		ppath := manifest.JoinIndex(path+"."+peerField, i)
		if peer, ok := m.compilePeer(o, ppath, p); ok {
			rule.Peers = append(rule.Peers, peer)
		}
	}
	for i, p := range ports {
		ppath := manifest.JoinIndex(path+".ports", i)
		if port, ok := m.compilePort(o, ppath, p); ok {
			rule.Ports = append(rule.Ports, port)
		}
	}
	return rule
}

func (m *Model) compilePeer(o *manifest.Object, path string, p networkingv1.NetworkPolicyPeer) (NetpolPeer, bool) {
	peer := NetpolPeer{Path: path}
	if p.IPBlock != nil {
		if p.PodSelector != nil || p.NamespaceSelector != nil {
			m.addSpecError(o, path+".ipBlock", "ipBlock cannot be combined with podSelector or namespaceSelector in one peer")
			return peer, false
		}
		block, ok := m.compileIPBlock(o, path+".ipBlock", p.IPBlock)
		peer.IPBlock = block
		return peer, ok
	}
	if p.PodSelector == nil && p.NamespaceSelector == nil {
		if !m.HasSpecError(o, path) { // a misspelt selector is reported already
			m.addSpecError(o, path, "a peer needs podSelector, namespaceSelector or ipBlock")
		}
		return peer, false
	}
	ok := true
	if p.PodSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(p.PodSelector)
		if err != nil {
			m.addSpecError(o, path+".podSelector", "invalid podSelector: %v", err)
			ok = false
		}
		peer.Pods = sel
	}
	if p.NamespaceSelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(p.NamespaceSelector)
		if err != nil {
			m.addSpecError(o, path+".namespaceSelector", "invalid namespaceSelector: %v", err)
			ok = false
		}
		peer.Namespaces = sel
	}
	return peer, ok
}

func (m *Model) compileIPBlock(o *manifest.Object, path string, b *networkingv1.IPBlock) (*IPBlock, bool) {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		m.addSpecError(o, path+".cidr", "cidr %q is not a valid CIDR", b.CIDR)
		return nil, false
	}
	if cidr.Masked() != cidr {
		// Kubernetes accepts host bits set, and treats the block as masked.
		cidr = cidr.Masked()
	}
	block := &IPBlock{CIDR: cidr}
	ok := true
	for i, e := range b.Except {
		epath := manifest.JoinIndex(path+".except", i)
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			m.addSpecError(o, epath, "except %q is not a valid CIDR", e)
			ok = false
			continue
		}
		ex = ex.Masked()
		if ex.Addr().Is4() != cidr.Addr().Is4() || ex.Bits() <= cidr.Bits() || !cidr.Contains(ex.Addr()) {
			m.addSpecError(o, epath, "except %s is not inside cidr %s", e, b.CIDR)
			ok = false
			continue
		}
		block.Except = append(block.Except, ex)
	}
	return block, ok
}

func (m *Model) compilePort(o *manifest.Object, path string, p networkingv1.NetworkPolicyPort) (NetpolPort, bool) {
	port := NetpolPort{Path: path, Protocol: "TCP"}
	if p.Protocol != nil {
		port.Protocol = string(*p.Protocol)
	}
	switch port.Protocol {
	case "TCP", "UDP", "SCTP":
	default:
		m.addSpecError(o, path+".protocol", "protocol %q is not TCP, UDP or SCTP", port.Protocol)
		return port, false
	}
	if p.Port == nil {
		if p.EndPort != nil {
			m.addSpecError(o, path+".endPort", "endPort needs a numeric port")
			return port, false
		}
		return port, true
	}
	if p.Port.Type == intstr.String {
		port.Name = p.Port.StrVal
		if errs := validation.IsValidPortName(port.Name); len(errs) > 0 {
			m.addSpecError(o, path+".port", "port %q is not a valid port name: %s", port.Name, strings.Join(errs, "; "))
			return port, false
		}
		if p.EndPort != nil {
			m.addSpecError(o, path+".endPort", "endPort cannot be used with the named port %q", port.Name)
			return port, false
		}
		return port, true
	}
	port.Port = p.Port.IntVal
	if port.Port < 1 || port.Port > 65535 {
		m.addSpecError(o, path+".port", "port %d is not between 1 and 65535", port.Port)
		return port, false
	}
	if p.EndPort != nil {
		port.EndPort = *p.EndPort
		if port.EndPort < port.Port {
			m.addSpecError(o, path+".endPort", "endPort %d is below port %d", port.EndPort, port.Port)
			return port, false
		}
		if port.EndPort > 65535 {
			m.addSpecError(o, path+".endPort", "endPort %d is above 65535", port.EndPort)
			return port, false
		}
	}
	return port, true
}

// HasSpecError reports whether a spec error was found at path of o or
// below it: rules stay quiet about fields MSH003 already reports.
func (m *Model) HasSpecError(o *manifest.Object, path string) bool {
	for _, e := range m.SpecErrors {
		if e.Object == o && (e.Path == path || strings.HasPrefix(e.Path, path+".") || strings.HasPrefix(e.Path, path+"[")) {
			return true
		}
	}
	return false
}

// Selects reports whether the policy applies to w.
func (np *NetworkPolicy) Selects(w *Workload) bool {
	return w.Namespace == np.Object.Namespace && np.PodSelector.Matches(w.Labels)
}
