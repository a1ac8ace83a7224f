package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
)

func init() { Register("github", WriteGitHub) }

// GitHubCommand is the workflow command of a severity: GitHub has error,
// warning and notice annotations.
func GitHubCommand(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "error"
	case analyzer.Warning:
		return "warning"
	}
	return "notice"
}

// WriteGitHub prints one workflow command per finding, which GitHub Actions
// turns into an annotation on the pull request's diff:
//
//	::error file=path,line=3,col=1,title=MSH002 unserved-api-version::message
//
// then the summary line, which the log shows as it is. Suppressed findings
// are left out. When GitHub would drop some annotations, a notice saying so
// comes first.
func WriteGitHub(out io.Writer, run *Run) error {
	w := bufio.NewWriter(out)
	loc := newLocator(run)
	active := run.Active()
	if note := annotationCapNote(active); note != "" {
		fmt.Fprintf(w, "::notice title=meshlint::%s\n", escapeData(note))
	}
	for _, f := range active {
		props := []string{"file=" + escapeProperty(loc.repoPath(f.Pos.File))}
		if f.Pos.Line > 0 {
			// Without a line, the annotation is on the file as a whole.
			props = append(props, "line="+strconv.Itoa(f.Pos.Line))
			if f.Pos.Column > 0 {
				props = append(props, "col="+strconv.Itoa(f.Pos.Column))
			}
		}
		props = append(props, "title="+escapeProperty(f.Rule.ID+" "+f.Rule.Name))
		msg := f.Message + inEnvironments(f)
		for _, r := range f.Related {
			msg += "\n" + loc.repoPath(r.Pos.File)
			if r.Pos.Line > 0 {
				msg += fmt.Sprintf(":%d:%d", r.Pos.Line, r.Pos.Column)
			}
			msg += ": " + r.Message
		}
		fmt.Fprintf(w, "::%s %s::%s\n", GitHubCommand(f.Severity), strings.Join(props, ","), escapeData(msg))
	}
	fmt.Fprintln(w, Summary(run))
	return w.Flush()
}

// GitHub shows at most 10 error, 10 warning and 10 notice annotations per
// step, and 50 per job, and drops the rest without a word
// (https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md#limitations).
const (
	annotationsPerKind = 10
	annotationsPerJob  = 50
)

// annotationCapNote says, when the findings pass GitHub's caps, that the
// diff does not show them all and where they all are. It goes first, so
// that it is never the one dropped.
func annotationCapNote(active []analyzer.Finding) string {
	counts := map[string]int{}
	for _, f := range active {
		counts[GitHubCommand(f.Severity)]++
	}
	// Three kinds of at most 10 stay within the 50 of a job, unless other
	// steps add theirs.
	var parts []string
	over := false
	for _, kind := range []string{"error", "warning", "notice"} {
		if n := counts[kind]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, kind))
			over = over || n > annotationsPerKind
		}
	}
	if !over {
		return ""
	}
	return fmt.Sprintf("%d findings (%s): GitHub shows at most %d annotations of each kind per step and %d per job, so the diff does not show them all. The job summary and the SARIF report (code scanning) hold every one.",
		len(active), strings.Join(parts, ", "), annotationsPerKind, annotationsPerJob)
}

// escapeData escapes a command's message as @actions/core does: '%' first,
// so that the escapes themselves survive, then the line breaks that would
// end the command.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty also escapes ':' and ',', which separate a command's
// properties.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
