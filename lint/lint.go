// Package lint runs the whole pipeline once: load, model, analyze. The
// command line, the tests and the benchmarks all go through it.
package lint

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/envs"
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
	// Environments are those the config file declares; without any, the
	// loaded parts decide (package envs).
	Environments []envs.Declared
	// Environment, when set, keeps only the environment of that name.
	Environment string
	// Helm says how charts are rendered.
	Helm loader.HelmOptions
	// AllowEmpty lets a run find no Kubernetes object at all; otherwise
	// that is an error (EmptyError).
	AllowEmpty bool
}

// EmptyError is a run that found no Kubernetes object in its paths.
type EmptyError struct {
	Paths          []string
	Files, Skipped int
}

func (e *EmptyError) Error() string {
	count := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("no Kubernetes object in %s (%s read, %s skipped as not Kubernetes); pass --allow-empty if that is expected",
		strings.Join(e.Paths, " "), count(e.Files, "file", "files"), count(e.Skipped, "document", "documents"))
}

// Result is one run's outcome.
type Result struct {
	// Loaded is everything the paths held, all environments together.
	Loaded *loader.Result
	// Split says how the loaded parts were grouped into environments.
	Split *envs.Split
	// Environments hold one model each (and, after Run, its findings), in
	// the order of Split.Envs; one unnamed environment in most runs.
	Environments []*Environment
	// Model is the first environment's model: the only one when the run has
	// one environment.
	Model *model.Model
	Rules []*analyzer.Rule
	// Findings are those of every environment, merged: a finding that holds
	// in several is listed once, with their names in Environments when the
	// run has more than one. Sorted by file, line, column and rule.
	Findings []analyzer.Finding
	// LoadTime is how long loading took.
	LoadTime time.Duration
}

// Environment is one environment's model and findings.
type Environment struct {
	Name  string
	Env   *envs.Env
	Model *model.Model
	// Findings are this environment's alone, suppressions applied.
	Findings []analyzer.Finding
	// ModelTime and RulesTime are how long the model and the rules took.
	ModelTime, RulesTime time.Duration
}

// Several reports whether the run has more than one environment: reports
// then name the environments of each finding.
func (r *Result) Several() bool { return len(r.Environments) > 1 }

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
	if len(enable) > 0 {
		// A document that does not parse, or a build that fails, was not
		// linted at all: --enable never hides that.
		for _, r := range available {
			if r.ID == rules.InvalidManifest.ID || r.ID == rules.BuildFailed.ID {
				selected[r] = true
			}
		}
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

// Build loads the paths and builds one model per environment, running no
// rules: what graph, diff and why read.
func Build(opts Options) (*Result, error) {
	start := time.Now()
	res, err := loader.Load(opts.Paths, loader.Options{
		DefaultNamespace: opts.Settings.DefaultNamespace,
		AllowRemote:      opts.AllowRemote,
		Stdin:            opts.Stdin,
		WorkDir:          opts.WorkDir,
		Ignore:           opts.Ignore,
		Helm:             opts.Helm,
	})
	if err != nil {
		return nil, err
	}
	if len(res.Objects) == 0 && len(res.Problems) == 0 && !opts.AllowEmpty {
		return nil, &EmptyError{Paths: opts.Paths, Files: res.Files, Skipped: res.Skipped}
	}
	out := &Result{Loaded: res, LoadTime: time.Since(start)}
	out.Split = envs.Group(res, opts.Environments)
	selected := out.Split.Envs
	if opts.Environment != "" {
		e, err := envs.Pick(selected, opts.Environment)
		if err != nil {
			return nil, err
		}
		selected = []*envs.Env{e}
	}
	for _, e := range selected {
		start := time.Now()
		m := model.Build(e.Loaded, opts.Settings)
		out.Environments = append(out.Environments, &Environment{Name: e.Name, Env: e, Model: m, ModelTime: time.Since(start)})
	}
	if len(out.Environments) > 0 {
		out.Model = out.Environments[0].Model
	}
	return out, nil
}

// Run loads the paths and runs the selected rules in every environment. An
// error means the run failed (exit code 2).
func Run(opts Options) (*Result, error) {
	available := append(append([]*analyzer.Rule(nil), rules.All()...), opts.ExtraRules...)
	selected, err := SelectRules(available, opts.Enable, opts.Disable, opts.Severity)
	if err != nil {
		return nil, err
	}
	out, err := Build(opts)
	if err != nil {
		return nil, err
	}
	out.Rules = selected
	for _, e := range out.Environments {
		start := time.Now()
		e.Findings = analyzer.Run(e.Model, selected)
		relateValues(e.Env.Loaded, e.Findings)
		if !opts.Strict {
			suppress.Apply(e.Model, e.Findings)
		}
		e.RulesTime = time.Since(start)
	}
	out.Findings = merge(out)
	return out, nil
}

// merge lists each finding once, with the environments it holds in when
// the run has several (SPEC.md: left out when it has one).
func merge(r *Result) []analyzer.Finding {
	if len(r.Environments) == 1 {
		return r.Environments[0].Findings
	}
	var out []analyzer.Finding
	index := map[string]int{}
	for _, e := range r.Environments {
		for _, f := range e.Findings {
			key := mergeKey(f)
			if i, ok := index[key]; ok {
				out[i].Environments = append(out[i].Environments, e.Name)
				out[i].Related = addRelated(out[i].Related, f.Related)
				continue
			}
			index[key] = len(out)
			f.Environments = []string{e.Name}
			out = append(out, f)
		}
	}
	analyzer.Sort(out)
	return out
}

// mergeKey is what makes two environments' findings one: the same rule
// saying the same thing at the same place, and silenced (or not) alike.
func mergeKey(f analyzer.Finding) string {
	obj := ""
	if f.Object != nil {
		obj = f.Object.APIVersion + "/" + f.Object.String()
	}
	return strings.Join([]string{f.Rule.ID, f.Pos.String(), obj, f.Path, f.Message, fmt.Sprint(f.Suppressed != nil)}, "\x00")
}
