package rules

import (
	"github.com/meshlint/meshlint/analyzer"
)

// PeerAuthSelectsNothing reports PeerAuthentications whose selector matches
// no workload.
var PeerAuthSelectsNothing = &analyzer.Rule{
	ID:       "MSH501",
	Name:     "peerauth-selects-nothing",
	Severity: analyzer.Warning,
	Summary:  "A PeerAuthentication selector matches no workload.",
	Description: `A workload-scoped PeerAuthentication whose selector matches nothing sets no
mode anywhere: the workload it was meant for keeps the namespace's or the
mesh's mode, often PERMISSIVE, and accepts plaintext the author meant to
refuse.`,
	Bad: `spec:
  selector:
    matchLabels:
      app: paymnets
  mtls:
    mode: STRICT
`,
	Good: `spec:
  selector:
    matchLabels:
      app: payments
  mtls:
    mode: STRICT
`,
	Fix:  "Make the selector match the workload's pod labels.",
	Tags: []string{"security", "istio", "mtls"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, pa := range m.PeerAuthentications {
			if pa.Selector == nil {
				continue
			}
			if len(reportable(m.SelectWorkloads(pa.Object.Namespace, pa.Selector))) == 0 {
				pass.Report(pa.Object, "spec.selector", "selector %s matches no workload in namespace %s: this mTLS setting applies nowhere", selectorText(pa.Selector), pa.Object.Namespace)
			}
		}
	},
}
