package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
)

// NetpolSelectsNothing reports NetworkPolicies whose podSelector selects no
// workload of their namespace.
var NetpolSelectsNothing = &analyzer.Rule{
	ID:       "MSH102",
	Name:     "netpol-selects-nothing",
	Severity: analyzer.Warning,
	Summary:  "A NetworkPolicy's podSelector selects no workload in the policy's namespace.",
	Description: `A NetworkPolicy applies only to pods of its own namespace that its
` + "`spec.podSelector`" + ` matches. When none does, the policy isolates nothing and
allows nothing: the pods it was written for stay open to everyone.

The usual causes are a label that differs from the pods' (` + "`app: backend`" + ` for pods
labelled ` + "`app: back-end`" + `), or a policy applied to the wrong namespace, as when a
manifest names no namespace and lands in ` + "`default`" + `.

When the set holds no workloads at all (a directory of policies alone), there
is nothing to match against and the rule stays silent.`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: backend-ingress     # no namespace: applied to default
spec:
  podSelector:
    matchLabels:
      app: backend          # backend runs in namespace backend
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: backend-ingress
  namespace: backend
spec:
  podSelector:
    matchLabels:
      app: backend
`,
	Fix:  "Make the podSelector match the pods' template labels, or put the policy in the namespace the pods run in.",
	Tags: []string{"correctness", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		if len(reportable(m.Workloads)) == 0 {
			return // policies alone: nothing to match against
		}
		g := connectivity.Network(m)
		for _, np := range m.NetworkPolicies {
			if len(g.Selected(np)) > 0 || m.HasSpecError(np.Object, "spec.podSelector") {
				continue
			}
			ns := np.Object.Namespace
			hint := ""
			if elsewhere := reportable(m.SelectWorkloads("", np.PodSelector)); len(elsewhere) > 0 {
				hint = "; it would select " + workloadList(elsewhere) + " in namespace " + namespacesOf(elsewhere) + ": is the policy in the wrong namespace?"
			} else if len(m.WorkloadsIn(ns)) == 0 {
				hint = "; namespace " + ns + " has no workloads in the set"
			}
			pass.Report(np.Object, "spec.podSelector",
				"podSelector %s selects no workload in namespace %s, so the policy isolates and allows nothing%s",
				selectorText(np.PodSelector), ns, hint)
		}
	},
}
