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
// are left out.
func WriteGitHub(out io.Writer, run *Run) error {
	w := bufio.NewWriter(out)
	loc := newLocator(run)
	for _, f := range run.Active() {
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
