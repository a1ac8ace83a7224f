// Package lint runs the whole pipeline once: load, model, analyze. The
// command line, the tests and the benchmarks all go through it.
package lint

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
	"github.com/meshlint/meshlint/rules"
	"github.com/meshlint/meshlint/suppress"
)

// Options select what to read and which rules to run.
type Options struct {
	Paths       []string
	Stdin       io.Reader
	WorkDir     string
	AllowRemote bool
	Settings    model.Settings
	// Enable and Disable take rule IDs or names. A non-empty Enable runs only
	// those rules; Disable removes rules from what would run.
	Enable  []string
	Disable []string
	// Severity overrides a rule's default severity, by ID or name.
	Severity map[string]analyzer.Severity
	// ExtraRules are rules from elsewhere (user Rego policies).
	ExtraRules []*analyzer.Rule
	// Ignore drops paths found while walking directories.
	Ignore func(path string, isDir bool) bool
	// Strict ignores the suppressions written in the manifests (annotations
	// and meshlint:ignore comments): every finding is reported.
	Strict bool
}

// Result is one run's outcome.
type Result struct {
	Model    *model.Model
	Rules    []*analyzer.Rule
	Findings []analyzer.Finding
}

// SelectRules applies enable, disable and severity overrides to the
// available rules. Unknown names are an error: a typo must not silently turn
// a rule off.
func SelectRules(available []*analyzer.Rule, enable, disable []string, severity map[string]analyzer.Severity) ([]*analyzer.Rule, error) {
	find := func(name string) (*analyzer.Rule, error) {
		for _, r := range available {
			if strings.EqualFold(r.ID, name) || strings.EqualFold(r.Name, name) {
				return r, nil
			}
		}
		return nil, &UnknownRuleError{Name: name}
	}
	selected := map[*analyzer.Rule]bool{}
	if len(enable) == 0 {
		for _, r := range available {
			selected[r] = true
		}
	}
	for _, n := range SplitList(enable) {
		r, err := find(n)
		if err != nil {
			return nil, err
		}
		selected[r] = true
	}
	for _, n := range SplitList(disable) {
		r, err := find(n)
		if err != nil {
			return nil, err
		}
		delete(selected, r)
	}
	var out []*analyzer.Rule
	for _, r := range available {
		if !selected[r] {
			continue
		}
		for name, sev := range severity {
			if strings.EqualFold(r.ID, name) || strings.EqualFold(r.Name, name) {
				copied := *r
				copied.Severity = sev
				r = &copied
			}
		}
		out = append(out, r)
	}
	for name := range severity {
		if _, err := find(name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UnknownRuleError is a rule name that matches no rule; callers that know
// where the name came from (a config file) say so.
type UnknownRuleError struct{ Name string }

func (e *UnknownRuleError) Error() string {
	return fmt.Sprintf("unknown rule %q (see `meshlint rules`)", e.Name)
}

// SplitList accepts both repeated flags and comma-separated values.
func SplitList(items []string) []string {
	var out []string
	for _, it := range items {
		for _, s := range strings.Split(it, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// Run loads the paths and runs the selected rules. An error means the run
// failed (exit code 2).
func Run(opts Options) (*Result, error) {
	available := append(append([]*analyzer.Rule(nil), rules.All()...), opts.ExtraRules...)
	selected, err := SelectRules(available, opts.Enable, opts.Disable, opts.Severity)
	if err != nil {
		return nil, err
	}
	res, err := loader.Load(opts.Paths, loader.Options{
		DefaultNamespace: opts.Settings.DefaultNamespace,
		AllowRemote:      opts.AllowRemote,
		Stdin:            opts.Stdin,
		WorkDir:          opts.WorkDir,
		Ignore:           opts.Ignore,
	})
	if err != nil {
		return nil, err
	}
	m := model.Build(res, opts.Settings)
	findings := analyzer.Run(m, selected)
	if !opts.Strict {
		suppress.Apply(m, findings)
	}
	return &Result{Model: m, Rules: selected, Findings: findings}, nil
}
