package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// AuthzUnknownNamespace reports source namespaces that are not in the set.
var AuthzUnknownNamespace = &analyzer.Rule{
	ID:       "MSH203",
	Name:     "authz-unknown-namespace",
	Severity: analyzer.Warning,
	Summary:  "source.namespaces or notNamespaces names a namespace not in the set.",
	Description: `A namespace that does not exist never matches: an ALLOW rule that names it
admits nobody from it, and a DENY or ` + "`notNamespaces`" + ` exclusion written for it
protects against nothing. A typo is the usual cause. Wildcards are matched
against the namespaces of the set.`,
	Bad: `- from:
  - source:
      namespaces: ["frontnd"]
`,
	Good: `- from:
  - source:
      namespaces: ["frontend"]
`,
	Fix:  "Name a namespace of the set.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			for _, field := range []string{"namespaces", "notNamespaces"} {
				sourceFields(ap, field, func(path string, _ int, values []string) {
					for k, ns := range values {
						if namespaceExists(m, ns) {
							continue
						}
						pass.Report(ap.Object, manifest.JoinIndex(path, k), "%s names %q, which matches no namespace of the set", field, ns)
					}
				})
			}
		}
	},
}

func namespaceExists(m *model.Model, pattern string) bool {
	for _, ns := range m.Namespaces {
		if model.MatchString(pattern, ns.Name) {
			return true
		}
	}
	return false
}
