package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// StrictMTLSUnmeshedClient reports NetworkPolicy peers that admit plaintext
// clients to workloads that require STRICT mTLS.
var StrictMTLSUnmeshedClient = &analyzer.Rule{
	ID:       "MSH304",
	Name:     "strict-mtls-unmeshed-client",
	Severity: analyzer.Error,
	Summary:  "A workload requires STRICT mTLS while a NetworkPolicy peer admits workloads without a sidecar to it.",
	Description: `A workload with STRICT mTLS accepts only Istio mTLS. A client without a sidecar
(and not in ambient mode) sends plaintext, which the destination's sidecar
resets. When a NetworkPolicy admits such clients on purpose, the two layers
disagree: the network says they may connect, the mesh refuses every
connection. The finding names the peer and an example source.`,
	Bad: `# PeerAuthentication shop/default: STRICT
# NetworkPolicy cart:
ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: legacy   # no injection there
`,
	Good: `# Either bring namespace legacy into the mesh, or relax cart's port:
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: PERMISSIVE}
`,
	Fix:  "Bring the clients into the mesh, or set PERMISSIVE for the port they use (portLevelMtls), or drop the peer.",
	Tags: []string{"correctness", "istio", "mtls", "networkpolicy", "cross-layer"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		reported := map[string]bool{}
		for _, dst := range m.Workloads {
			if dst.Implied || dst.Mesh == model.MeshNone {
				continue
			}
			for _, np := range g.IngressPolicies(dst) {
				for _, r := range np.Ingress {
					if !admitsTCP(r) {
						continue // no mTLS on UDP or SCTP: sidecars do not intercept them
					}
					ports := netpolPorts(r, dst)
					if len(ports) == 0 {
						ports = []int32{0}
					}
					var strictPorts []int32
					var tlsFrom mesh.TLSSource
					for _, p := range ports {
						if mode, src := mesh.MTLS(m, dst, p); mode == mesh.Strict {
							strictPorts = append(strictPorts, p)
							tlsFrom = src
						}
					}
					if len(strictPorts) == 0 {
						continue
					}
					check := func(path string, candidates []*model.Workload) {
						key := np.Object.Namespace + "/" + np.Object.Name + "#" + path
						if reported[key] {
							return
						}
						for _, src := range candidates {
							if src.Mesh != model.MeshNone || src == dst {
								continue
							}
							reported[key] = true
							f := pass.Report(np.Object, path, "admits %s, which has no sidecar, to %s on %s, but it requires STRICT mTLS there: the plaintext connections are reset",
								src.ID(), dst.ID(), portText(strictPorts))
							if tlsFrom.Policy != nil {
								f.Relate(tlsFrom.Policy.Object, tlsFrom.Path, "STRICT mTLS is required here")
							}
							return
						}
					}
					if r.AllPeers {
						check(r.Path, reportable(m.Workloads))
						continue
					}
					for k := range r.Peers {
						check(r.Peers[k].Path, reportable(g.PeerWorkloads(&r.Peers[k])))
					}
				}
			}
		}
	},
}
