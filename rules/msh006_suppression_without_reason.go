package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/suppress"
)

// SuppressionWithoutReason reports suppressions that do not say why.
var SuppressionWithoutReason = &analyzer.Rule{
	ID:       "MSH006",
	Name:     "suppression-without-reason",
	Severity: analyzer.Note,
	Summary:  "A suppression (annotation or meshlint:ignore comment) gives no reason.",
	Description: `A suppression tells meshlint "not here": an annotation
` + "`ignore-check.meshlint.io/<rule>`" + ` or ` + "`meshlint.io/ignore-all`" + ` on an object, or a
` + "`# meshlint:ignore <rule>`" + ` comment on a field. Without a reason, the next reader
cannot tell whether the exception was thought through, nor whether it still
holds after the manifest changed; it will outlive the reason it had.

The suppression still works; this note asks for the reason. Reports show it
next to every finding it silences (JSON ` + "`suppressed.reason`" + `, SARIF
` + "`suppressions[].justification`" + `).

A suppression cannot silence this rule: disable it, or record it in a baseline.`,
	Bad: `metadata:
  name: frontend-ingress
  annotations:
    ignore-check.meshlint.io/MSH101: ""
spec:
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {}   # meshlint:ignore MSH101
`,
	Good: `metadata:
  name: frontend-ingress
  annotations:
    ignore-check.meshlint.io/MSH101: "the OR is meant: monitoring scrapes from any namespace"
spec:
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {}   # meshlint:ignore MSH101 same-namespace jobs need it too
`,
	Fix:  "Write why in the annotation's value, or after the rule in the comment.",
	Tags: []string{"maintainability", "suppression"},
	Run: func(pass *analyzer.Pass) {
		for _, d := range suppress.Directives(pass.Model) {
			if d.Reason != "" || d.Detached || (!d.All && len(d.Rules) == 0) {
				continue // one that silences nothing is MSH007's
			}
			what := "silences " + joinRules(d.Rules)
			if d.All {
				what = "silences every rule on " + d.Object.Ref().String()
			}
			where := "in its value"
			switch {
			case d.Comment && len(d.Rules) > 1:
				where = "after the rules"
			case d.Comment:
				where = "after the rule"
			}
			pass.Report(d.Object, d.Path, "%s %s without a reason: say why %s, so that the next reader can tell whether it still holds", d.Form(), what, where)
		}
	},
}

// joinRules names rules for a message: MSH101, or MSH101 and MSH104.
func joinRules(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
