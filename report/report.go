// Package report writes findings in the formats users and CI read.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// Run is everything a report needs to know about one lint run.
type Run struct {
	ToolVersion string
	Findings    []analyzer.Finding
	Rules       []*analyzer.Rule // the rules that ran
	Objects     int
	Files       int
	Skipped     int
	// Hooks counts the Helm hooks left out of the charts rendered.
	Hooks int
	// HelpBase is the URL rule pages live under (helpUri = HelpBase + ID + ".md").
	HelpBase string
	// Paths are the paths that were linted, as given on the command line.
	Paths []string
	// WorkDir is the directory finding paths are relative to; empty means
	// the process's working directory. The CI formats (SARIF, GitLab,
	// GitHub) rewrite paths relative to the repository root above it.
	WorkDir string
	// Category keeps several SARIF uploads of one commit apart
	// (automationDetails.id); empty derives it from Paths.
	Category string
	// Environments name the run's environments when it has several; each
	// finding then names those it holds in.
	Environments []string
	// Models are what the findings were found in, one per environment in
	// the order of Environments (one when the run has one), for formats that
	// show more than findings (HTML: connectivity); nil leaves that out.
	Models []*model.Model
}

// Writer writes one format.
type Writer func(w io.Writer, run *Run) error

var writers = map[string]Writer{
	"text": func(w io.Writer, run *Run) error { return WriteText(w, run, false) },
	"json": WriteJSON,
}

// Register adds a format; packages that add formats call it from init.
func Register(name string, fn Writer) { writers[name] = fn }

// Lookup returns the writer of a format.
func Lookup(name string) (Writer, error) {
	fn, ok := writers[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (want %s)", name, strings.Join(Formats(), ", "))
	}
	return fn, nil
}

// Formats lists the known formats.
func Formats() []string {
	var names []string
	for n := range writers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// HelpURI is the page of a rule.
func (run *Run) HelpURI(r *analyzer.Rule) string {
	if r.HelpURI != "" {
		return r.HelpURI
	}
	return run.HelpBase + r.ID + ".md"
}

// Active returns the findings that are not suppressed.
func (run *Run) Active() []analyzer.Finding {
	out := make([]analyzer.Finding, 0, len(run.Findings))
	for _, f := range run.Findings {
		if f.Suppressed == nil {
			out = append(out, f)
		}
	}
	return out
}

// inEnvironments says, for text formats, which environments a finding holds
// in: "" when the run has one.
func inEnvironments(f analyzer.Finding) string {
	switch len(f.Environments) {
	case 0:
		return ""
	case 1:
		return " (environment " + f.Environments[0] + ")"
	}
	return " (environments " + strings.Join(f.Environments, ", ") + ")"
}
