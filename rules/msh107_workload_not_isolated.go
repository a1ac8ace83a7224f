package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// WorkloadNotIsolated notes workloads that no NetworkPolicy selects for
// ingress.
var WorkloadNotIsolated = &analyzer.Rule{
	ID:       "MSH107",
	Name:     "workload-not-isolated",
	Severity: analyzer.Note,
	Summary:  "No NetworkPolicy selects the workload for ingress: every pod and address may connect to it.",
	Description: `A pod is isolated for ingress only once a NetworkPolicy of its namespace selects
it with the Ingress policy type. Until then Kubernetes lets every pod of the
cluster, and every address that can route to it, connect on every port; the
mesh's authorization, where there is one, is the only guard left.

A default-deny policy per namespace (` + "`podSelector: {}`" + ` with
` + "`policyTypes: [Ingress]`" + `) isolates every pod at once; allow policies then open
what is meant.`,
	Bad: `# namespace shop: a Deployment, and no NetworkPolicy selecting it
kind: Deployment
metadata:
  name: cart
  namespace: shop
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
`,
	Fix:  "Add a default-deny ingress policy to the namespace, then policies that allow the traffic the workload needs.",
	Tags: []string{"security", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		policiesIn := map[string]int{}
		for _, np := range m.NetworkPolicies {
			policiesIn[np.Object.Namespace]++
		}
		// Once per node: the fifty Pods of one ReplicaSet are one finding.
		for _, n := range g.Nodes() {
			if n.External || n.Implied {
				continue
			}
			var w *model.Workload
			for _, x := range n.Workloads {
				if len(g.IngressPolicies(x)) == 0 {
					w = x
					break
				}
			}
			if w == nil {
				continue
			}
			why := "namespace " + w.Namespace + " has no NetworkPolicy"
			if k := policiesIn[w.Namespace]; k > 0 {
				why = "none of the NetworkPolicies of namespace " + w.Namespace + " selects it for ingress"
			}
			pass.Report(w.Object, manifest.JoinKey(w.TemplatePath, "metadata"),
				"%s is not isolated for ingress (%s): every pod and address may connect to it on every port", n.ID, why)
		}
	},
}
