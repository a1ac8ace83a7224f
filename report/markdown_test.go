package report_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/report"
)

func TestMarkdownGolden(t *testing.T) {
	golden(t, "ci.md", write(t, "markdown", ciRun(t)))
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// unescapedPipe is a cell border: a '|' without a backslash before it.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

// TestMarkdownTables: on every scenario, each table row has as many cells as
// its header (a message must never break the table) and no raw HTML from a
// message gets through.
func TestMarkdownTables(t *testing.T) {
	root := repoRoot(t)
	runs := map[string]*report.Run{"ci": ciRun(t)}
	for _, dir := range scenarios(t) {
		runs[dir] = lintRun(t, root, lint.Options{Paths: []string{dir}})
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			out := string(write(t, "markdown", run))
			if !strings.HasPrefix(out, "## meshlint\n") {
				t.Errorf("no heading:\n%s", out)
			}
			cols, rows := 0, 0
			for _, line := range strings.Split(out, "\n") {
				if !strings.HasPrefix(line, "|") {
					cols = 0
					continue
				}
				n := len(unescapedPipe.FindAllString(line, -1))
				if cols == 0 {
					cols = n
					continue
				}
				rows++
				if n != cols {
					t.Errorf("row has %d borders, header %d: %q", n, cols, line)
				}
			}
			// Every finding is a row, and each table has a separator line.
			active := len(run.Active())
			if want := len(run.Findings) + boolInt(active > 0) + boolInt(len(run.Findings) > active); rows != want {
				t.Errorf("%d table rows (with separators), want %d", rows, want)
			}
			if strings.Contains(codeSpan.ReplaceAllString(out, ""), "<stdin>") {
				t.Error("raw <stdin> outside code in Markdown: it would be read as an HTML tag")
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestVersionInEveryReport: each format names the one version string of
// internal/version (SARIF's without the "v": SARIF2005 wants a digit first).
func TestVersionInEveryReport(t *testing.T) {
	run := &report.Run{ToolVersion: "v9.8.7-test", HelpBase: "https://example.com/"}
	for _, tc := range []struct{ format, want string }{
		{"text", "; meshlint v9.8.7-test\n"},
		{"markdown", "; meshlint v9.8.7-test\n"},
		{"json", `"version": "v9.8.7-test"`},
		{"sarif", `"version": "9.8.7-test"`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			w, err := report.Lookup(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := w(&b, run); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("lacks %q:\n%s", tc.want, b.String())
			}
		})
	}
}
