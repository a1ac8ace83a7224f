package rules

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// NetpolPodSelectorWrongNamespace reports podSelector-only peers that only
// match pods of other namespaces.
var NetpolPodSelectorWrongNamespace = &analyzer.Rule{
	ID:       "MSH104",
	Name:     "netpol-podselector-wrong-namespace",
	Severity: analyzer.Warning,
	Summary:  "A podSelector-only peer matches no pod of the policy's namespace, but matches pods elsewhere.",
	Description: `A peer with only ` + "`podSelector`" + ` selects pods in the policy's own namespace.
When the pods it was written for live in another namespace, it matches nothing,
and the traffic it was meant to admit is dropped. A ` + "`namespaceSelector`" + ` in the same
peer makes it look in the right namespace.`,
	Bad: `# NetworkPolicy in namespace backend
ingress:
- from:
  - podSelector:
      matchLabels:
        app: frontend      # frontend runs in namespace frontend
`,
	Good: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: frontend
    podSelector:
      matchLabels:
        app: frontend
`,
	Fix:  "Add a namespaceSelector for the namespace the pods run in, in the same peer.",
	Tags: []string{"correctness", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, np := range m.NetworkPolicies {
			for _, rules := range [][]model.NetpolRule{np.Ingress, np.Egress} {
				for _, r := range rules {
					for _, p := range r.Peers {
						if p.Pods == nil || p.Namespaces != nil || p.Pods.Empty() {
							continue
						}
						if len(m.SelectWorkloads(np.Object.Namespace, p.Pods)) > 0 {
							continue
						}
						elsewhere := reportable(m.SelectWorkloads("", p.Pods))
						if len(elsewhere) == 0 {
							continue // selects nothing anywhere: MSH103's concern
						}
						pass.Report(np.Object, p.Path+".podSelector",
							"podSelector %s matches no pod in namespace %s, but matches %s in namespace %s: the peer needs a namespaceSelector",
							selectorText(p.Pods), np.Object.Namespace, workloadList(elsewhere), namespacesOf(elsewhere))
					}
				}
			}
		}
	},
}

func namespacesOf(ws []*model.Workload) string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[w.Namespace] {
			seen[w.Namespace] = true
			out = append(out, w.Namespace)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
