package report_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/report"
)

func TestGitHubGolden(t *testing.T) {
	golden(t, "ci.github.txt", write(t, "github", ciRun(t)))
}

// annotation is a workflow command as the runner parses it: a name, then
// comma-separated key=value properties, then "::" and the message. An
// unescaped ',' or ':' in a value, or a line break anywhere, breaks it.
var annotation = regexp.MustCompile(`^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*)::([^\r\n]*)$`)

// TestGitHubAnnotations: every unsuppressed finding of every scenario is one
// well-formed annotation with its file, line, column and rule.
func TestGitHubAnnotations(t *testing.T) {
	root := repoRoot(t)
	runs := map[string]*report.Run{"ci": ciRun(t)}
	for _, dir := range scenarios(t) {
		runs[dir] = lintRun(t, root, lint.Options{Paths: []string{dir}})
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(string(write(t, "github", run)), "\n"), "\n")
			active := run.Active()
			if len(lines) != len(active)+1 {
				t.Fatalf("%d lines for %d unsuppressed findings and the summary", len(lines), len(active))
			}
			if last := lines[len(lines)-1]; last != report.Summary(run) {
				t.Errorf("last line %q, want the summary", last)
			}
			for i, f := range active {
				m := annotation.FindStringSubmatch(lines[i])
				if m == nil {
					t.Errorf("line %d is not a workflow command: %q", i, lines[i])
					continue
				}
				if m[1] != report.GitHubCommand(f.Severity) {
					t.Errorf("line %d: command %s for a %s", i, m[1], f.Severity)
				}
				props := map[string]string{}
				for _, kv := range strings.Split(m[2], ",") {
					k, v, _ := strings.Cut(kv, "=")
					props[k] = v
				}
				if props["file"] == "" || !strings.HasPrefix(props["title"], f.Rule.ID+" ") {
					t.Errorf("line %d: properties %v lack the file or the rule", i, props)
				}
				if f.Pos.Line > 0 && (props["line"] == "" || props["col"] == "") {
					t.Errorf("line %d: properties %v lack line and col", i, props)
				}
				if m[3] == "" {
					t.Errorf("line %d has no message", i)
				}
			}
		})
	}
}
