package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
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
against the namespaces of the set.

A name one letter off a namespace of the set is a warning that says which
was likely meant. Any other namespace the linted manifests do not hold is a
note: they may be one application of a cluster whose other namespaces live
elsewhere. ` + "`default`" + ` always exists. A value named several times in one policy
is reported once.`,
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
			for _, v := range distinctSourceValues(ap, "namespaces", "notNamespaces") {
				if v.value == "default" || namespaceExists(m, v.value) {
					continue // default always exists
				}
				if !strings.Contains(v.value, "*") {
					if typo, _ := namespaceProblem(m, v.value); typo != "" {
						pass.Report(ap.Object, v.path, "%s %q is not a namespace of the set: did you mean %s?%s", v.field, v.value, typo, v.repeats())
						continue
					}
					pass.Report(ap.Object, v.path, "%s %q is a namespace the linted manifests do not hold%s", v.field, v.value, v.repeats()).Severity = analyzer.Note
					continue
				}
				pass.Report(ap.Object, v.path, "%s %q matches no namespace of the linted manifests%s", v.field, v.value, v.repeats()).Severity = analyzer.Note
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
