package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/suppress"
)

// IneffectiveSuppression reports suppressions that cannot silence anything.
var IneffectiveSuppression = &analyzer.Rule{
	ID:       "MSH007",
	Name:     "ineffective-suppression",
	Severity: analyzer.Note,
	Summary:  "A suppression silences nothing: it names no rule meshlint knows, or stands where it applies to no field.",
	Description: `A suppression names rules by ID (` + "`MSH101`" + `) or name (` + "`netpol-peer-split`" + `). A typo,
a rule that was renamed in a user policy, or a comment that forgot the rule
(` + "`# meshlint:ignore because ...`" + ` reads "because" as the rule) silences nothing.
Neither does a ` + "`# meshlint:ignore`" + ` comment that is not on a field's line or directly
above it: one with a blank line before the field, or one after the last field
of a block. The finding it was written for still shows, and the suppression
misleads whoever reads the manifest.

Rules of user policies loaded in the run count as known. A suppression cannot
silence this rule: disable it, or record it in a baseline.`,
	Bad: `metadata:
  annotations:
    ignore-check.meshlint.io/MSH1O1: "the OR is meant"   # letter O, not zero
spec:
  egress:
  # meshlint:ignore MSH106 DNS goes through the node-local cache

  - to:
    - ipBlock: {cidr: 169.254.20.10/32}
`,
	Good: `metadata:
  annotations:
    ignore-check.meshlint.io/MSH101: "the OR is meant"
spec:
  egress:
  # meshlint:ignore MSH106 DNS goes through the node-local cache
  - to:
    - ipBlock: {cidr: 169.254.20.10/32}
`,
	Fix:  "Name the rule by its ID or name as `meshlint rules` lists it, and put a comment on the field's line or directly above it; or remove the suppression.",
	Tags: []string{"correctness", "suppression"},
	// Run is set in init: it looks rules up in All, which lists this rule,
	// and Go forbids that cycle in a package-level initializer.
}

func init() {
	IneffectiveSuppression.Run = func(pass *analyzer.Pass) {
		known := func(name string) bool {
			if Lookup(name) != nil {
				return true
			}
			for _, r := range pass.Rules {
				if strings.EqualFold(r.ID, name) || strings.EqualFold(r.Name, name) {
					return true
				}
			}
			return false
		}
		for _, d := range suppress.Directives(pass.Model) {
			if d.Detached {
				pass.Report(d.Object, d.Path, "%s is neither on the line of a field nor directly above one (a blank line, or the end of a block, parts them), so it silences nothing", d.Form())
				continue
			}
			if d.All {
				continue
			}
			if len(d.Rules) == 0 {
				how := "`# " + suppress.CommentDirective + " <ID or name> reason`"
				if !d.Comment {
					how = "`" + suppress.AnnotationPrefix + "<ID or name>`"
				}
				pass.Report(d.Object, d.Path, "%s names no rule, so it silences nothing: write %s", d.Form(), how)
				continue
			}
			for _, name := range d.Rules {
				if !known(name) {
					pass.Report(d.Object, d.Path, "%s names %q, which is no rule meshlint knows (see `meshlint rules`): it silences nothing", d.Form(), name)
				}
			}
		}
	}
}
