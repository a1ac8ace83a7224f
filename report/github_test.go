package report_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/manifest"
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
			if strings.HasPrefix(lines[0], "::notice title=meshlint::") {
				lines = lines[1:] // the note on GitHub's annotation caps
			}
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

// TestGitHubAnnotationCap: past GitHub's caps (10 of a kind per step, 50
// per job), a notice comes first and says the diff shows only some.
func TestGitHubAnnotationCap(t *testing.T) {
	rule := &analyzer.Rule{ID: "MSH999", Name: "test-rule"}
	findings := func(counts map[analyzer.Severity]int) []analyzer.Finding {
		var out []analyzer.Finding
		for sev, n := range counts {
			for i := range n {
				out = append(out, analyzer.Finding{Rule: rule, Severity: sev, Message: "m", Pos: manifest.Position{File: "a.yaml", Line: i + 1, Column: 1}})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		counts map[analyzer.Severity]int
		note   string // what the note says; empty: no note
	}{
		{"none", nil, ""},
		{"ten of each", map[analyzer.Severity]int{analyzer.Error: 10, analyzer.Warning: 10, analyzer.Note: 10}, ""},
		{"eleven errors", map[analyzer.Severity]int{analyzer.Error: 11, analyzer.Warning: 2}, "13 findings (11 error, 2 warning)"},
		{"eleven notes", map[analyzer.Severity]int{analyzer.Note: 11}, "11 findings (11 notice)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := &report.Run{Findings: findings(tc.counts), Rules: []*analyzer.Rule{rule}}
			lines := strings.Split(string(write(t, "github", run)), "\n")
			first := lines[0]
			isNote := strings.HasPrefix(first, "::notice title=meshlint::")
			switch {
			case tc.note == "" && isNote:
				t.Errorf("a note below the caps: %q", first)
			case tc.note != "" && !isNote:
				t.Errorf("first line %q, want the note", first)
			case tc.note != "" && !(strings.Contains(first, tc.note) && strings.Contains(first, "SARIF")):
				t.Errorf("note %q, want it to say %q and where all findings are", first, tc.note)
			}
			if want := len(run.Findings) + 1; isNote && len(lines) != want+2 || !isNote && len(lines) != want+1 {
				t.Errorf("%d lines for %d findings", len(lines), len(run.Findings))
			}
		})
	}
}
