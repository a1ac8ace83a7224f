package meshlint_test

// actionlint checks the workflows, and the inputs they give to `uses: ./`,
// but not the action's own metadata: these tests do.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// actionStep holds every key a composite action's step may have, so that
// decoding with KnownFields catches a misspelt one.
type actionStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	With             map[string]string `yaml:"with"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  string            `yaml:"continue-on-error"`
}

type actionMeta struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Author      string            `yaml:"author"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]struct {
		Description        string  `yaml:"description"`
		Required           bool    `yaml:"required"`
		Default            *string `yaml:"default"`
		DeprecationMessage string  `yaml:"deprecationMessage"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

var (
	inputRef  = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepRef   = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	flagInRun = regexp.MustCompile(`(?:^|[\s(])(--[a-z][a-z0-9-]*)`)
)

// checkAction lists what is wrong with a composite action's metadata.
func checkAction(data []byte) []string {
	var a actionMeta
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if a.Name == "" || a.Description == "" {
		bad("name and description are required")
	}
	if a.Runs.Using != "composite" {
		bad("runs.using is %q, want composite", a.Runs.Using)
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			bad("input %s has no description", name)
		}
	}
	// refs checks the inputs and step outputs an expression names; steps
	// may name only the steps before them, outputs any step.
	refs := func(where, text string, steps map[string]actionStep) {
		for _, m := range inputRef.FindAllStringSubmatch(text, -1) {
			if _, ok := a.Inputs[m[1]]; !ok {
				bad("%s uses inputs.%s, which is not declared", where, m[1])
			}
		}
		for _, m := range stepRef.FindAllStringSubmatch(text, -1) {
			s, ok := steps[m[1]]
			if !ok {
				bad("%s uses steps.%s, which is no step before it", where, m[1])
				continue
			}
			// A run step sets an output by writing NAME=value to $GITHUB_OUTPUT.
			if s.Run != "" && !strings.Contains(s.Run, m[2]+"=") {
				bad("%s uses steps.%s.outputs.%s, which that step never writes", where, m[1], m[2])
			}
		}
	}
	seen := map[string]actionStep{}
	for i, s := range a.Runs.Steps {
		where := fmt.Sprintf("step %d (%s)", i+1, cmpOr(s.Name, s.ID, s.Uses))
		switch {
		case (s.Run == "") == (s.Uses == ""):
			bad("%s needs exactly one of run and uses", where)
		case s.Run != "" && s.Shell == "":
			bad("%s runs a script without shell:, which composite actions require", where)
		case s.Run != "" && strings.Contains(s.Run, "${{"):
			// Expressions are pasted into the script before it runs: an input
			// holding `"; rm -rf ~` would run. Inputs go through env instead.
			bad("%s has an expression in its script; pass it through env", where)
		case s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !strings.Contains(s.Uses, "@"):
			bad("%s uses %s without a version", where, s.Uses)
		}
		texts := []string{s.If, s.Uses}
		for _, v := range s.Env {
			texts = append(texts, v)
		}
		for _, v := range s.With {
			texts = append(texts, v)
		}
		refs(where, strings.Join(texts, "\n"), seen)
		if s.ID != "" {
			if _, dup := seen[s.ID]; dup {
				bad("%s: id %s is used twice", where, s.ID)
			}
			seen[s.ID] = s
		}
	}
	for name, out := range a.Outputs {
		refs("output "+name, out.Value, seen)
	}
	slices.Sort(problems)
	return problems
}

func cmpOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func TestActionMetadata(t *testing.T) {
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkAction(data); len(problems) > 0 {
		t.Errorf("action.yml:\n  %s", strings.Join(problems, "\n  "))
	}
}

// TestActionChecks proves the checks can fail.
func TestActionChecks(t *testing.T) {
	const head = "name: x\ndescription: y\ninputs:\n  paths:\n    description: p\nruns:\n  using: composite\n  steps:\n"
	for _, tc := range []struct {
		name, steps, want string
	}{
		{"undeclared input", "  - run: echo \"$P\"\n    shell: bash\n    env:\n      P: ${{ inputs.path }}\n", "inputs.path, which is not declared"},
		{"no shell", "  - run: echo hi\n", "without shell:"},
		{"expression in script", "  - run: echo ${{ inputs.paths }}\n    shell: bash\n", "expression in its script"},
		{"unknown step", "  - uses: a/b@v1\n    if: steps.lint.outputs.code != '0'\n", "steps.lint, which is no step before it"},
		{"output never written", "  - id: lint\n    run: echo hi\n    shell: bash\n  - uses: a/b@v1\n    with:\n      f: ${{ steps.lint.outputs.file }}\n", "never writes"},
		{"unpinned action", "  - uses: a/b\n", "without a version"},
		{"misspelt key", "  - run: echo hi\n    shel: bash\n", "does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := strings.Join(checkAction([]byte(head+tc.steps)), "\n")
			if !strings.Contains(problems, tc.want) {
				t.Errorf("want %q among the problems, got:\n%s", tc.want, problems)
			}
		})
	}
}

// TestActionFlags: every flag the action passes to meshlint exists.
func TestActionFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint")
	}
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionMeta
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "meshlint")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/meshlint").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	help, err := exec.Command(bin, "lint", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("meshlint lint --help: %v\n%s", err, help)
	}
	n := 0
	for _, s := range a.Runs.Steps {
		if !strings.Contains(s.Run, `"$MESHLINT"`) {
			continue
		}
		for _, m := range flagInRun.FindAllStringSubmatch(s.Run, -1) {
			n++
			if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(m[1]) + `\b`).Match(help) {
				t.Errorf("action.yml passes %s, which meshlint lint does not take", m[1])
			}
		}
	}
	if n == 0 {
		t.Error("found no meshlint flags in action.yml: the check is looking in the wrong place")
	}
}
