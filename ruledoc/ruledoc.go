// Package ruledoc renders rule documentation from the rule values, so that
// docs/rules, `meshlint explain` and SARIF help never drift from the code.
package ruledoc

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
)

// Page is a rule's help page in Markdown.
func Page(r *analyzer.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", r.ID, r.Name)
	fmt.Fprintf(&b, "**Severity:** %s", r.Severity)
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, " · **Tags:** %s", strings.Join(r.Tags, ", "))
	}
	fmt.Fprintf(&b, "\n\n## What it catches\n\n%s\n\n", r.Summary)
	if d := strings.TrimSpace(r.Description); d != "" {
		fmt.Fprintf(&b, "## Why it matters\n\n%s\n\n", d)
	}
	if r.Bad != "" {
		fmt.Fprintf(&b, "## Bad\n\n```yaml\n%s\n```\n\n", strings.TrimRight(r.Bad, "\n"))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "## Fixed\n\n```yaml\n%s\n```\n\n", strings.TrimRight(r.Good, "\n"))
	}
	if r.Fix != "" {
		fmt.Fprintf(&b, "## How to fix\n\n%s\n\n", r.Fix)
	}
	fmt.Fprintf(&b, "## How to suppress\n\n%s", suppression(r))
	return b.String()
}

func suppression(r *analyzer.Rule) string {
	for _, t := range r.Tags {
		if t == "suppression" {
			// A suppression cannot vouch for itself: these findings are
			// about the suppression mechanism, so only rule selection and
			// baselines silence them.
			return fmt.Sprintf("Annotations and `# meshlint:ignore` comments do not apply to this rule, which is about them.\n\n"+
				"Everywhere: `--disable %s`, or `disable: [%s]` in `.meshlint.yaml`; or record the current findings with `meshlint baseline write`.\n", r.ID, r.ID)
		}
	}
	return fmt.Sprintf(`On one object, with a reason:

`+"```yaml"+`
metadata:
  annotations:
    ignore-check.meshlint.io/%s: "why this is fine here"
`+"```"+`

On one field, with a YAML comment on its line or the line above:
`+"`# meshlint:ignore %s why this is fine here`"+`.

Everywhere: `+"`--disable %s`"+`, or `+"`disable: [%s]`"+` in `+"`.meshlint.yaml`"+`.
`, r.ID, r.ID, r.ID, r.ID)
}

// Catalogue is the table of every rule, linking each page.
func Catalogue(rules []*analyzer.Rule, link func(*analyzer.Rule) string) string {
	var b strings.Builder
	b.WriteString("# meshlint rules\n\n")
	b.WriteString("Generated from the rule definitions (`go generate ./...`); do not edit.\n\n")
	b.WriteString("| ID | Name | Severity | Summary |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| [%s](%s) | %s | %s | %s |\n", r.ID, link(r), r.Name, r.Severity, strings.ReplaceAll(r.Summary, "|", `\|`))
	}
	return b.String()
}
