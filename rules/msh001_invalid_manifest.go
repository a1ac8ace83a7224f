package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
)

// InvalidManifest reports documents that are not valid manifests.
var InvalidManifest = &analyzer.Rule{
	ID:       "MSH001",
	Name:     "invalid-manifest",
	Severity: analyzer.Error,
	Summary:  "A document does not parse, or is not a complete Kubernetes object.",
	Description: `A manifest that does not parse is never applied: kubectl stops at it, and
every policy it holds is missing from the cluster. meshlint reports bad YAML or
JSON, text that is not UTF-8, binary files, YAML alias bombs, documents with a
` + "`kind`" + ` but no ` + "`apiVersion`" + ` (or the reverse), and objects without ` + "`metadata.name`" + `
(install-time kinds such as ` + "`IstioOperator`" + `, which ` + "`istioctl install -f`" + ` reads,
need none). It reports metadata the API server refuses too, at the value: a
label or annotation value that YAML reads as a number or a boolean
(` + "`version: 1`" + `, which must be quoted), labels or annotations that are not a
mapping, and a ` + "`metadata.name`" + ` or ` + "`namespace`" + ` that is not a string.

The other documents of the file, and every other file, are still linted.
Documents with neither ` + "`apiVersion`" + ` nor ` + "`kind`" + ` are not Kubernetes objects: they
are skipped and counted in the summary, not reported. So are, while walking a
tree, files that do not parse and have no ` + "`apiVersion`" + ` or ` + "`kind`" + ` text in them
(data files), and Helm charts' ` + "`Chart.yaml`" + `.`,
	Bad: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
spec:
  podSelector: {}
    policyTypes: [Ingress]   # indented under podSelector: not YAML
`,
	Good: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
spec:
  podSelector: {}
  policyTypes: [Ingress]
`,
	Fix:  "Fix the syntax at the reported line, or add the missing apiVersion, kind or metadata.name.",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		for _, p := range pass.Model.Problems {
			if p.Kind == loader.ProblemManifest {
				pass.ReportFile(p.Pos, "%s", p.Message)
			}
		}
	},
}
