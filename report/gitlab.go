package report

import (
	"encoding/json"
	"io"

	"github.com/meshlint/meshlint/analyzer"
)

func init() { Register("gitlab", WriteGitLab) }

// GitLabSeverity maps a severity to GitLab Code Quality's (SPEC.md).
func GitLabSeverity(s analyzer.Severity) string {
	switch s {
	case analyzer.Error:
		return "critical"
	case analyzer.Warning:
		return "major"
	}
	return "info"
}

// gitlabIssue is one entry of a Code Quality report: the fields GitLab
// requires, plus the Code Climate type and categories it shows, and the
// engine that found it. GitLab reads engine_name; the format has no place
// for the engine's version, so engine_version carries it for those who read
// the file (GitLab ignores keys it does not know).
type gitlabIssue struct {
	EngineName    string         `json:"engine_name"`
	EngineVersion string         `json:"engine_version"`
	Type          string         `json:"type"`
	CheckName     string         `json:"check_name"`
	Description   string         `json:"description"`
	Categories    []string       `json:"categories"`
	Severity      string         `json:"severity"`
	Fingerprint   string         `json:"fingerprint"`
	Location      gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// WriteGitLab writes a GitLab Code Quality report (artifacts:reports:
// codequality). GitLab compares reports of the merge request's base and head
// by fingerprint, so fingerprints ignore line numbers: a finding that only
// moved is not shown as fixed and new. Suppressed findings are left out, as
// GitLab has no notion of them.
func WriteGitLab(w io.Writer, run *Run) error {
	loc := newLocator(run)
	keys := findingKeys(run.Findings)
	issues := []gitlabIssue{}
	for i, f := range run.Findings {
		if f.Suppressed != nil {
			continue
		}
		line := f.Pos.Line
		if line < 1 {
			line = 1 // a problem with the whole file; GitLab needs a line
		}
		issues = append(issues, gitlabIssue{
			EngineName:    "meshlint",
			EngineVersion: run.ToolVersion,
			Type:          "issue",
			CheckName:     f.Rule.ID,
			Description:   f.Rule.ID + " " + f.Rule.Name + ": " + f.Message + inEnvironments(f),
			Categories:    []string{"Security"},
			Severity:      GitLabSeverity(f.Severity),
			Fingerprint:   keys[i],
			Location:      gitlabLocation{Path: loc.repoPath(f.Pos.File), Lines: gitlabLines{Begin: line}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}
