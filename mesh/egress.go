package mesh

import (
	"net/netip"

	"github.com/meshlint/meshlint/model"
)

// Egress is what a client's side of the mesh does with a connection,
// before the destination's authorization sees it.
type Egress uint8

const (
	// EgressKnown: the client's sidecar knows the destination and sends
	// mTLS with the client's identity (or has no sidecar to decide).
	EgressKnown Egress = iota
	// EgressPassthrough: the sidecar does not know the destination and,
	// under outboundTrafficPolicy ALLOW_ANY, passes the connection through
	// as plaintext (PassthroughCluster): the client's identity is lost.
	EgressPassthrough
	// EgressBlackhole: unknown under REGISTRY_ONLY: the sidecar drops it
	// (BlackHoleCluster).
	EgressBlackhole
	// EgressBypass: the port or address is excluded from the sidecar
	// (traffic.sidecar.istio.io/excludeOutbound*): plaintext, and neither
	// scope nor REGISTRY_ONLY applies.
	EgressBypass
)

func (g Egress) String() string {
	switch g {
	case EgressPassthrough:
		return "passthrough"
	case EgressBlackhole:
		return "blackhole"
	case EgressBypass:
		return "bypass"
	}
	return "known"
}

// decidesEgress reports whether w's own sidecar handles its outbound
// traffic: gateways route only what their configuration names, ztunnel
// applies no Sidecar scope and no outboundTrafficPolicy.
func decidesEgress(w *model.Workload) bool {
	return w != nil && w.Mesh == model.MeshSidecar && w.Gateway == model.NotGateway && !w.Implied
}

// EgressTo says what src's sidecar does with a connection to workload dst
// on a TCP port (pilot/pkg/networking/core/listener_builder.go: traffic no
// listener matches goes to PassthroughCluster under ALLOW_ANY and to
// BlackHoleCluster under REGISTRY_ONLY).
func (e *Evaluator) EgressTo(src, dst *model.Workload, port int32) Egress {
	if !decidesEgress(src) {
		return EgressKnown
	}
	if !src.Interception.OutboundPortIntercepted(port) {
		return EgressBypass
	}
	return e.EgressScope(src, dst)
}

// EgressScope is EgressTo on the ports src's sidecar intercepts.
func (e *Evaluator) EgressScope(src, dst *model.Workload) Egress {
	if !decidesEgress(src) {
		return EgressKnown
	}
	if in, known := src.Interception.OutboundAddressIntercepted(netip.Addr{}, netip.Addr{}); known && !in {
		return EgressBypass
	}
	// The cluster services meshlint stands in (kube-dns, istiod) exist
	// whatever the set says; pilot-agent answers DNS itself.
	if dst.Implied || e.scopes.knows(src, dst) {
		return EgressKnown
	}
	return e.unknown(src)
}

func (e *Evaluator) unknown(src *model.Workload) Egress {
	if mode, _ := e.m.OutboundPolicy(src); mode == model.RegistryOnly {
		return EgressBlackhole
	}
	return EgressPassthrough
}

// BypassPorts are the outbound ports src sends past its sidecar.
func BypassPorts(src *model.Workload) []int32 {
	if !decidesEgress(src) || src.Interception == nil {
		return nil
	}
	return src.Interception.ExcludedOutbound
}

// EgressToHost says what src's sidecar does with a connection to a host of
// a ServiceEntry outside the cluster. The host is known when some entry
// exported to src's namespace names it (or a wildcard covering it) and
// src's egress hosts import it. A ServiceEntry host is reached by name,
// whatever address it resolves to: excluded ranges cannot be told.
func (e *Evaluator) EgressToHost(src *model.Workload, host string) Egress {
	if !decidesEgress(src) {
		return EgressKnown
	}
	hs := egressHosts(e.m.SidecarFor(src))
	for _, n := range e.namingHost(host) {
		if n.se.Visible(src.Namespace) && importsHost(hs, src.Namespace, n.se.Object.Namespace, n.host) {
			return EgressKnown
		}
	}
	return e.unknown(src)
}

// hostName is a ServiceEntry host that names (or, as a wildcard, covers)
// an outside host.
type hostName struct {
	se   *model.ServiceEntry
	host string
}

// namingHost returns the entries' hosts that name host, indexed once.
func (e *Evaluator) namingHost(host string) []hostName {
	e.hostsOnce.Do(func() {
		e.hostIndex = map[string][]hostName{}
		for _, h := range e.m.OutsideHosts() {
			for _, se := range e.m.ServiceEntries {
				for _, sh := range se.Hosts {
					if model.MatchHost(sh, h) {
						e.hostIndex[h] = append(e.hostIndex[h], hostName{se, sh})
					}
				}
			}
		}
	})
	if names, ok := e.hostIndex[host]; ok {
		return names
	}
	var out []hostName
	for _, se := range e.m.ServiceEntries {
		for _, sh := range se.Hosts {
			if model.MatchHost(sh, host) {
				out = append(out, hostName{se, sh})
			}
		}
	}
	return out
}

// EgressToRange says what src's sidecar does with connections to the
// addresses [first, last] outside the cluster: known when a ServiceEntry
// it imports lists addresses that cover the range, bypassed when the range
// is excluded from the sidecar.
func (e *Evaluator) EgressToRange(src *model.Workload, first, last netip.Addr) Egress {
	if !decidesEgress(src) {
		return EgressKnown
	}
	if in, known := src.Interception.OutboundAddressIntercepted(first, last); known && !in {
		return EgressBypass
	}
	hs := egressHosts(e.m.SidecarFor(src))
	for _, se := range e.m.ServiceEntries {
		if !se.Visible(src.Namespace) {
			continue
		}
		for _, p := range se.Addresses {
			if !p.Contains(first) || !p.Contains(last) {
				continue
			}
			for _, h := range se.Hosts {
				if importsHost(hs, src.Namespace, se.Object.Namespace, h) {
					return EgressKnown
				}
			}
		}
	}
	return e.unknown(src)
}

func blackholed(src Source, dst *model.Workload) Verdict {
	return Verdict{Allowed: Never, why: func() string {
		return src.Name() + "'s sidecar does not know " + dst.ID() + " (its Sidecar egress hosts, or the Services exported to it) and outboundTrafficPolicy is REGISTRY_ONLY: the connection is black-holed"
	}}
}
