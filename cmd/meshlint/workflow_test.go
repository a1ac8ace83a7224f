package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// scenarioDirs are the scenario directories under testdata/manifests.
func scenarioDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(repoRoot, "testdata/manifests"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// findingSet prints a lint run's findings one per line, each with the
// environment it holds in (envName maps the run's names to scenario terms).
func findingSet(rep jsonFindings, envName func(string) string) []string {
	var out []string
	for _, f := range rep.Findings {
		envs := f.Environments
		if len(envs) == 0 {
			envs = []string{""}
		}
		for _, e := range envs {
			out = append(out, envName(e)+" | "+f.Rule+" "+f.Location.File+":"+strconv.Itoa(f.Location.Line)+" "+f.Message)
		}
	}
	sort.Strings(out)
	return out
}

// The example workflow lints every scenario in one run; each must come out
// as it does linted alone (the seed's MSH301 once vanished behind
// seed-fixed, which shares its namespaces).
func TestExampleWorkflowPerScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github/workflows/example.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	var with map[string]string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses == "./" {
				with = s.With
			}
		}
	}
	if with == nil || with["paths"] == "" {
		t.Fatal("the example workflow has no step using the action with paths")
	}
	// As the action runs it (action.yml): the config, then the paths.
	args := []string{}
	if with["config"] != "" {
		args = append(args, "--config", with["config"])
	}
	args = append(args, strings.Fields(with["paths"])...)
	together := findingSet(envLint(t, args...), func(e string) string { return e })

	var alone []string
	for _, s := range scenarioDirs(t) {
		rep := envLint(t, "--no-config", "testdata/manifests/"+s)
		alone = append(alone, findingSet(rep, func(e string) string {
			if e == "" {
				return s
			}
			return strings.TrimPrefix(e, "testdata/manifests/")
		})...)
	}
	sort.Strings(alone)
	if a, b := strings.Join(together, "\n"), strings.Join(alone, "\n"); a != b {
		t.Errorf("the example workflow's findings differ from each scenario's alone:\n--- workflow\n%s\n--- alone\n%s", a, b)
	}
}

// The scenarios' config lists every scenario directory as an environment.
func TestScenarioConfigListsEveryScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "testdata/manifests/.meshlint.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scenarioDirs(t) {
		if !regexp.MustCompile(`paths: \[` + regexp.QuoteMeta(s) + `\]`).Match(data) {
			t.Errorf("testdata/manifests/.meshlint.yaml does not list scenario %s", s)
		}
	}
}

// The README's commands lint one scenario each: what they print is that
// scenario alone.
func TestReadmeCommandsLintOneScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := regexp.MustCompile(`(?m)meshlint\b[^\n]*?((?:testdata/manifests/[\w.-]+/?\s*)+)`).FindAllSubmatch(data, -1)
	if len(cmds) == 0 {
		t.Fatal("found no README command that lints a scenario: the check looks in the wrong place")
	}
	for _, m := range cmds {
		if paths := strings.Fields(string(m[1])); len(paths) > 1 {
			t.Errorf("README command %q lints several scenarios in one environment", m[0])
		}
	}
}
