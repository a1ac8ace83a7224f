package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
)

func init() { Register("markdown", WriteMarkdown) }

// markdownMaxRows caps each table: GitHub refuses a step summary over 1 MiB,
// and nobody reads thousands of rows in one.
const markdownMaxRows = 300

// WriteMarkdown writes a summary fit for $GITHUB_STEP_SUMMARY (or a merge
// request comment): the tally, a table of findings linking each rule's page,
// and the suppressed findings folded away with their reasons.
func WriteMarkdown(out io.Writer, run *Run) error {
	w := bufio.NewWriter(out)
	loc := newLocator(run)
	fmt.Fprintf(w, "## meshlint\n\n%s\n\n", mdText(Summary(run)+versionNote(run)))
	active := run.Active()
	if len(active) == 0 {
		fmt.Fprint(w, "No findings.\n")
	} else {
		fmt.Fprint(w, "| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
		for i, f := range active {
			if i == markdownMaxRows {
				fmt.Fprintf(w, "\n… and %d more: see the full report.\n", len(active)-i)
				break
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.Severity, mdRule(run, f.Rule), mdCode(mdPos(loc, f.Pos)), mdMessage(loc, f))
		}
	}
	var suppressed []analyzer.Finding
	for _, f := range run.Findings {
		if f.Suppressed != nil {
			suppressed = append(suppressed, f)
		}
	}
	if len(suppressed) > 0 {
		fmt.Fprintf(w, "\n<details><summary>%d suppressed</summary>\n\n", len(suppressed))
		fmt.Fprint(w, "| Rule | Location | Message | Reason |\n|---|---|---|---|\n")
		for i, f := range suppressed {
			if i == markdownMaxRows {
				fmt.Fprintf(w, "\n… and %d more.\n", len(suppressed)-i)
				break
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdRule(run, f.Rule), mdCode(mdPos(loc, f.Pos)), mdText(f.Message),
				mdText(f.Suppressed.Kind+": "+f.Suppressed.Reason))
		}
		fmt.Fprint(w, "\n</details>\n")
	}
	return w.Flush()
}

func mdPos(loc *locator, p manifest.Position) string {
	s := loc.repoPath(p.File)
	if p.Line > 0 {
		s += fmt.Sprintf(":%d:%d", p.Line, p.Column)
	}
	return s
}

// mdRule links the rule's page when it has an absolute URL.
func mdRule(run *Run, r *analyzer.Rule) string {
	label := mdText(r.ID + " " + r.Name)
	if u := helpLink(run, r); u != "" {
		return "[" + label + "](" + u + ")"
	}
	return label
}

func mdMessage(loc *locator, f analyzer.Finding) string {
	s := mdText(f.Message + inEnvironments(f))
	for _, r := range f.Related {
		s += "<br>↳ " + mdCode(mdPos(loc, r.Pos)) + " " + mdText(r.Message)
	}
	return s
}

// mdText makes s safe in a table cell: no HTML (file names such as
// "<stdin>", or text a manifest put in a message), no cell breaks, no line
// breaks. Backticks stay: messages quote commands and fields with them.
func mdText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`, "\r", "", "\n", "<br>").Replace(s)
}

// mdCode is s as inline code, fenced with more backticks than it holds.
func mdCode(s string) string {
	s = strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
