package htmlreport

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/report"
)

// TestCountsPlural: the page's tallies say "1 error", "2 notes".
func TestCountsPlural(t *testing.T) {
	rule := &analyzer.Rule{ID: "MSH999", Name: "test"}
	var findings []analyzer.Finding
	for _, sev := range []analyzer.Severity{analyzer.Error, analyzer.Note, analyzer.Note} {
		findings = append(findings, analyzer.Finding{Rule: rule, Severity: sev, Message: "m"})
	}
	var b bytes.Buffer
	if err := WriteReport(&b, &report.Run{ToolVersion: "v1", Findings: findings, Rules: []*analyzer.Rule{rule}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"</span> 1 error</li>", "</span> 0 warnings</li>", "</span> 2 notes</li>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(b.String(), "1 errors") {
		t.Error(`the page says "1 errors"`)
	}
}
