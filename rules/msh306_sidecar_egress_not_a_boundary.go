package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// SidecarEgressNotABoundary reports Sidecar egress hosts read as a firewall
// where outboundTrafficPolicy is ALLOW_ANY.
var SidecarEgressNotABoundary = &analyzer.Rule{
	ID:       "MSH306",
	Name:     "sidecar-egress-not-a-boundary",
	Severity: analyzer.Warning,
	Summary:  "A Sidecar's egress.hosts leaves out destinations its workloads still reach: under ALLOW_ANY out-of-scope traffic passes through as plaintext.",
	Description: `A Sidecar's ` + "`egress.hosts`" + ` says which destinations the sidecar is configured
for: it trims the configuration istiod sends, it is not an access list. Under
` + "`outboundTrafficPolicy: ALLOW_ANY`" + ` (Istio's default) a connection to anything else
goes to the PassthroughCluster: it leaves as plaintext, without the caller's
identity, and arrives wherever the network lets it (istio/istio#17463,
istio/istio#41243, istio/api#1813). Reading the list as a firewall, as people
and at least one other analyzer do, overstates what the mesh blocks. The
finding names one destination the workloads still reach: a workload of the
cluster when there is one, else a ServiceEntry host or an address range.`,
	Bad: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]    # other namespaces are still reachable
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY                  # now unknown destinations are dropped
`,
	Fix:  "Set outboundTrafficPolicy REGISTRY_ONLY (on the Sidecar or mesh-wide) to drop what the scope leaves out, or restrict egress with NetworkPolicies or authorization at the destinations.",
	Tags: []string{"security", "istio", "egress"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		reach := connectivity.Network(m).NewReacher()
		e := mesh.CurrentEvaluator(m)
		for _, s := range narrowingSidecars(m, model.AllowAny) {
			// By preference: a workload of the cluster (whose own
			// authorization lets the plaintext call in), a ServiceEntry
			// host, an address range.
			var best [3]string
			var from [3]*model.Workload
			for _, w := range s.callers {
				passedThrough(reach, e, w, func(n *connectivity.Node, dst *model.Workload, ports []int32) bool {
					rank := 2
					switch {
					case dst != nil:
						rank = 0
						allowed := false
						for _, p := range ports {
							if !e.Decide(mesh.Source{Workload: w}, dst, p).Allowed.IsNever() {
								allowed = true
								break
							}
						}
						if !allowed {
							return true
						}
					case n.Host != "":
						rank = 1
					}
					if best[rank] == "" {
						best[rank], from[rank] = n.ID, w
					}
					return rank != 0
				})
				if best[0] != "" {
					break
				}
			}
			for rank, example := range best {
				if example == "" {
					continue
				}
				src := from[rank]
				source, sc := outboundSource(m, src)
				f := pass.Report(s.sc.Object, egressPath(s.sc), "egress.hosts leave out %s, which %s still reaches: under outboundTrafficPolicy ALLOW_ANY (%s) the sidecar passes unknown destinations through as plaintext, so egress.hosts is no firewall",
					example, src.ID(), source)
				relateOutbound(f, sc)
				break
			}
		}
	},
}
