package report

import (
	"encoding/json"
	"io"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
)

type jsonLocation struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

type jsonRelated struct {
	Object   *manifest.Ref `json:"object,omitempty"`
	Location jsonLocation  `json:"location"`
	Message  string        `json:"message"`
}

type jsonSuppression struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

type jsonFinding struct {
	Rule         string           `json:"rule"`
	Name         string           `json:"name"`
	Severity     string           `json:"severity"`
	Message      string           `json:"message"`
	Object       *manifest.Ref    `json:"object,omitempty"`
	Location     jsonLocation     `json:"location"`
	Related      []jsonRelated    `json:"related,omitempty"`
	Environments []string         `json:"environments,omitempty"`
	Fingerprint  string           `json:"fingerprint"`
	Suppressed   *jsonSuppression `json:"suppressed,omitempty"`
}

type jsonReport struct {
	Version  int           `json:"version"`
	Tool     jsonTool      `json:"tool"`
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSummary struct {
	Objects    int `json:"objects"`
	Files      int `json:"files"`
	Skipped    int `json:"skipped"`
	Error      int `json:"error"`
	Warning    int `json:"warning"`
	Note       int `json:"note"`
	Suppressed int `json:"suppressed"`
}

func location(p manifest.Position) jsonLocation {
	return jsonLocation{File: p.File, Line: p.Line, Column: p.Column}
}

// WriteJSON writes the report of SPEC.md. Suppressed findings are listed
// with the reason and left out of the counts.
func WriteJSON(w io.Writer, run *Run) error {
	rep := jsonReport{
		Version:  1,
		Tool:     jsonTool{Name: "meshlint", Version: run.ToolVersion},
		Findings: []jsonFinding{},
	}
	for _, f := range run.Findings {
		jf := jsonFinding{
			Rule:         f.Rule.ID,
			Name:         f.Rule.Name,
			Severity:     f.Severity.String(),
			Message:      f.Message,
			Object:       f.Object,
			Location:     location(f.Pos),
			Environments: f.Environments,
			Fingerprint:  f.Fingerprint,
		}
		for _, r := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{Object: r.Object, Location: location(r.Pos), Message: r.Message})
		}
		if f.Suppressed != nil {
			jf.Suppressed = &jsonSuppression{Kind: f.Suppressed.Kind, Reason: f.Suppressed.Reason}
		}
		rep.Findings = append(rep.Findings, jf)
	}
	c := analyzer.Counts(run.Findings)
	rep.Summary = jsonSummary{
		Objects: run.Objects, Files: run.Files, Skipped: run.Skipped,
		Error: c[analyzer.Error], Warning: c[analyzer.Warning], Note: c[analyzer.Note],
		Suppressed: len(run.Findings) - len(run.Active()),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
