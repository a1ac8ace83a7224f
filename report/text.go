package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
)

const (
	colorReset  = "\x1b[0m"
	colorBold   = "\x1b[1m"
	colorRed    = "\x1b[31m"
	colorYellow = "\x1b[33m"
	colorCyan   = "\x1b[36m"
	colorDim    = "\x1b[2m"
)

// WriteText prints findings like a compiler: file:line:col: severity: message
// [ID name], grouped by file, then a summary line. color is for terminals.
func WriteText(out io.Writer, run *Run, color bool) error {
	w := bufio.NewWriter(out)
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + colorReset
	}
	file := ""
	for _, f := range run.Active() {
		if f.Pos.File != file {
			if file != "" {
				fmt.Fprintln(w)
			}
			file = f.Pos.File
		}
		fmt.Fprintf(w, "%s: %s: %s %s%s\n", paint(colorBold, f.Pos.String()), paint(severityColor(f.Severity), f.Severity.String()),
			f.Message, paint(colorDim, "["+f.Rule.ID+" "+f.Rule.Name+"]"), inEnvironments(f))
		for _, r := range f.Related {
			fmt.Fprintf(w, "    %s: %s\n", r.Pos.String(), r.Message)
		}
	}
	if file != "" {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, Summary(run)+versionNote(run))
	return w.Flush()
}

// versionNote names the tool's version at the end of a summary line, as
// JSON's tool.version and SARIF's tool.driver.version do.
func versionNote(run *Run) string {
	if run.ToolVersion == "" {
		return ""
	}
	return "; meshlint " + run.ToolVersion
}

// Plural is n and the noun in the number n needs: "1 file", "2 files".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func severityColor(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return colorRed
	case analyzer.Warning:
		return colorYellow
	}
	return colorCyan
}

// Summary is the one-line tally every text report ends with.
func Summary(run *Run) string {
	c := analyzer.Counts(run.Findings)
	suppressed := len(run.Findings) - len(run.Active())
	s := Plural(run.Objects, "object", "objects") + " in " + Plural(run.Files, "file", "files")
	if n := len(run.Environments); n > 1 {
		s += fmt.Sprintf(" (%d environments: %s)", n, strings.Join(run.Environments, ", "))
	}
	if run.Skipped > 0 {
		s += ", skipped " + Plural(run.Skipped, "non-Kubernetes document", "non-Kubernetes documents")
	}
	switch {
	case run.Hooks == 1:
		s += ", left out 1 Helm hook (--helm-hooks lints it)"
	case run.Hooks > 1:
		s += fmt.Sprintf(", left out %d Helm hooks (--helm-hooks lints them)", run.Hooks)
	}
	s += ": " + Plural(c[analyzer.Error], "error", "errors") + ", " + Plural(c[analyzer.Warning], "warning", "warnings") + ", " + Plural(c[analyzer.Note], "note", "notes")
	if suppressed > 0 {
		s += fmt.Sprintf(" (%d suppressed)", suppressed)
	}
	return s
}
