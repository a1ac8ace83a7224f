package rules

import (
	"fmt"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
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

A namespace without any NetworkPolicy is one note for all its workloads;
in a namespace that has some, each workload none selects is a note of its
own. A default-deny policy per namespace (` + "`podSelector: {}`" + ` with
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
		// A namespace without any NetworkPolicy is one note, whatever it
		// holds.
		bare := map[string][]*model.Workload{}
		var bareOrder []string
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
			if policiesIn[w.Namespace] == 0 {
				if len(bare[w.Namespace]) == 0 {
					bareOrder = append(bareOrder, w.Namespace)
				}
				bare[w.Namespace] = append(bare[w.Namespace], w)
				continue
			}
			// At the workload's own name, the object the message names,
			// not its pod template.
			pass.Report(w.Object, "metadata.name",
				"%s is not isolated for ingress (none of the NetworkPolicies of namespace %s selects it for ingress): every pod and address may connect to it on every port", n.ID, w.Namespace)
		}
		for _, name := range bareOrder {
			ws := bare[name]
			// At the Namespace when the set declares it, else at the
			// workload first met.
			at, path := ws[0].Object, "metadata.name"
			for _, w := range ws {
				if w.Object.File < at.File || (w.Object.File == at.File && w.Object.Node.Line < at.Node.Line) {
					at = w.Object
				}
			}
			if ns := m.Namespace(name); ns != nil && ns.Object != nil {
				at, path = ns.Object, "metadata.name"
			}
			what := ws[0].ID() + " is"
			if len(ws) > 1 {
				what = fmt.Sprintf("its %d workloads (%s) are", len(ws), workloadList(ws))
			}
			pass.Report(at, path, "namespace %s has no NetworkPolicy: %s not isolated for ingress, and every pod and address may connect to %s on every port",
				name, what, map[bool]string{true: "it", false: "them"}[len(ws) == 1]).Identity("namespace", name)
		}
	},
}
