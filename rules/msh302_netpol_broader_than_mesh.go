package rules

import (
	"fmt"
	"net/netip"
	"sort"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// NetpolBroaderThanMesh reports NetworkPolicy peers that admit sources the
// destination's mesh authorization never allows.
var NetpolBroaderThanMesh = &analyzer.Rule{
	ID:       "MSH302",
	Name:     "netpol-broader-than-mesh",
	Severity: analyzer.Warning,
	Summary:  "A NetworkPolicy admits at L3/L4 sources that the workload's mesh authorization never allows.",
	Description: `Defence in depth means both layers say the same thing. When a NetworkPolicy
admits callers that the workload's AuthorizationPolicies refuse, the mesh alone
stands between them and the workload: a pod that opts out of injection, a port
excluded from the sidecar, or PERMISSIVE mTLS is enough to get through. The
finding names the peer that is too broad and an example source.

Legacy RBAC counts as the author's intent when no current policy governs the
workload.`,
	Bad: `# AuthorizationPolicy payments: only shop/checkout
# NetworkPolicy payments:
ingress:
- from:
  - namespaceSelector: {}     # every pod of every namespace
`,
	Good: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: shop
    podSelector:
      matchLabels:
        app: checkout
`,
	Fix:  "Narrow the peer to the callers the mesh allows.",
	Tags: []string{"security", "networkpolicy", "cross-layer"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		type excess struct {
			np      *model.NetworkPolicy
			peer    *model.NetpolPeer
			path    string
			dsts    []*model.Workload
			sources []string
			note    string
		}
		found := map[string]*excess{}
		var order []string
		for _, dst := range m.Workloads {
			if dst.Implied || dst.Mesh == model.MeshNone {
				continue
			}
			e, note := intentFor(m, dst)
			if e == nil {
				continue // the mesh allows everyone: nothing to be broader than
			}
			for _, np := range g.IngressPolicies(dst) {
				for _, r := range np.Ingress {
					if !admitsTCP(r) {
						continue // UDP and SCTP: the mesh never sees them, NetworkPolicy alone decides
					}
					ports := netpolPorts(r, dst)
					check := func(path string, peer *model.NetpolPeer, candidates []mesh.Source) {
						var names []string
						for _, src := range candidates {
							if src.Workload == dst {
								continue
							}
							if !meshAllowsSome(e, src, dst, ports) {
								names = append(names, src.Name())
								if len(names) == 3 {
									break
								}
							}
						}
						if len(names) == 0 {
							return
						}
						key := np.Object.Namespace + "/" + np.Object.Name + "#" + path
						x := found[key]
						if x == nil {
							x = &excess{np: np, peer: peer, path: path, note: note}
							found[key] = x
							order = append(order, key)
						}
						x.dsts = append(x.dsts, dst)
						if len(x.sources) == 0 {
							x.sources = names
						}
					}
					if r.AllPeers {
						check(r.Path, nil, workloadSources(reportable(m.Workloads)))
						continue
					}
					for k := range r.Peers {
						peer := &r.Peers[k]
						if peer.IPBlock != nil {
							check(peer.Path, peer, rangeSources(g.PeerRanges(peer)))
							continue
						}
						check(peer.Path, peer, workloadSources(reportable(g.PeerWorkloads(peer))))
					}
				}
			}
		}
		sort.Strings(order)
		for _, key := range order {
			x := found[key]
			pass.Report(x.np.Object, x.path, "%s admits sources that the mesh authorization of %s never allows%s, e.g. %s: the mesh alone keeps them out",
				peerText(x.peer), workloadList(x.dsts), x.note, joinExamples(x.sources))
		}
	},
}

func workloadSources(ws []*model.Workload) []mesh.Source {
	out := make([]mesh.Source, len(ws))
	for i, w := range ws {
		out[i] = mesh.Source{Workload: w}
	}
	return out
}

func rangeSources(nodes []*connectivity.Node) []mesh.Source {
	var out []mesh.Source
	for _, n := range nodes {
		out = append(out, mesh.Source{From: addrOf(n.Range.First), To: addrOf(n.Range.Last)})
	}
	return out
}

func joinExamples(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return fmt.Sprintf("%s, %s and %s", names[0], names[1], names[2])
}

// netpolPorts returns the TCP container ports of dst a NetworkPolicy rule
// admits (named ports resolved against dst), or dst's declared TCP ports
// when the rule names none.
func netpolPorts(r model.NetpolRule, dst *model.Workload) []int32 {
	var out []int32
	if r.AllPorts {
		for _, cp := range dst.Ports {
			if cp.Protocol == "TCP" {
				out = append(out, cp.Port)
			}
		}
		return uniquePorts(out)
	}
	for _, p := range r.Ports {
		if p.Protocol != "TCP" {
			continue
		}
		switch {
		case p.Name != "":
			for _, cp := range dst.Ports {
				if cp.Name == p.Name && cp.Protocol == "TCP" {
					out = append(out, cp.Port)
				}
			}
		case p.Port == 0:
			for _, cp := range dst.Ports {
				if cp.Protocol == "TCP" {
					out = append(out, cp.Port)
				}
			}
		default:
			end := p.EndPort
			if end == 0 {
				end = p.Port
			}
			matched := false
			for _, cp := range dst.Ports {
				if cp.Protocol == "TCP" && cp.Port >= p.Port && cp.Port <= end {
					out = append(out, cp.Port)
					matched = true
				}
			}
			if !matched {
				out = append(out, p.Port)
			}
		}
	}
	return uniquePorts(out)
}

// admitsTCP reports whether a NetworkPolicy rule admits some TCP port.
// Sidecars and ztunnel intercept TCP alone: a rule for UDP or SCTP only
// admits what no mesh authorization or mTLS ever sees.
func admitsTCP(r model.NetpolRule) bool {
	if r.AllPorts {
		return true
	}
	for _, p := range r.Ports {
		if p.Protocol == "TCP" {
			return true
		}
	}
	return false
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
