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
	"sync"
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
			// A run step sets an output by writing NAME=value to $GITHUB_OUTPUT,
			// itself or in the action's script it runs.
			if s.Run != "" && !strings.Contains(runText(s.Run), m[2]+"=") {
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

var actionScript = regexp.MustCompile(`"\$ACTION_PATH/(ci/github/[A-Za-z0-9_.-]+\.sh)"`)

// runText is a step's script with the action's scripts it runs.
func runText(run string) string {
	for _, m := range actionScript.FindAllStringSubmatch(run, -1) {
		if data, err := os.ReadFile(m[1]); err == nil {
			run += "\n" + string(data)
		}
	}
	return run
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
	bin := meshlintBinary(t)
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

var built struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

// meshlintBinary builds meshlint once for the tests of this package.
func meshlintBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "meshlint-action-test")
		if built.err == nil {
			// As the action builds it, so that its build in
			// TestActionInstallSteps finds every package compiled.
			cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(built.dir, "meshlint"), "./cmd/meshlint")
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			built.out, built.err = cmd.CombinedOutput()
		}
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return filepath.Join(built.dir, "meshlint")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func readAction(t *testing.T) actionMeta {
	t.Helper()
	data, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionMeta
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func actionStepNamed(t *testing.T, a actionMeta, id string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

// TestActionScripts runs shellcheck on the action's scripts, as actionlint
// does on a workflow's (it does not read action.yml). Each step's env
// variables are declared first, so that shellcheck knows they are set.
func TestActionScripts(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
			t.Fatalf("shellcheck is required (MESHLINT_REQUIRE_TOOLS): %v", err)
		}
		t.Skip("shellcheck is not installed")
	}
	a := readAction(t)
	n := 0
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		n++
		var head strings.Builder
		head.WriteString("# shellcheck shell=" + s.Shell + "\n")
		for name := range s.Env {
			fmt.Fprintf(&head, "%s=${%s-}\n", name, name)
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("step%d.sh", i+1))
		if err := os.WriteFile(path, []byte(head.String()+s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("shellcheck", path).CombinedOutput(); err != nil {
			t.Errorf("step %d (%s), lines offset by %d:\n%s", i+1, s.Name, len(s.Env)+1, out)
		}
	}
	if n == 0 {
		t.Fatal("no scripts in action.yml")
	}
	for _, script := range []string{"ci/github/install.sh", "ci/github/diff.sh", "scripts/release-snapshot.sh", "scripts/release-notes.sh"} {
		if out, err := exec.Command("shellcheck", "-x", script).CombinedOutput(); err != nil {
			t.Errorf("%s:\n%s", script, out)
		}
	}
}

// TestActionRunStep runs the action's lint step as the runner would, in a
// working directory with spaces in its paths, and reads what it leaves for
// the later steps.
func TestActionRunStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint")
	}
	step := actionStepNamed(t, readAction(t), "lint")
	bin := meshlintBinary(t)
	seed, err := os.ReadFile("testdata/manifests/seed/article/article.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, paths, args string
		wantCode          string // "" : the step itself fails
	}{
		{name: "quoted path with spaces", paths: `"my manifests/prod"`, wantCode: "1"},
		{name: "glob", paths: "my*/prod", wantCode: "1"},
		{name: "newline-separated and one quoted", paths: "'my manifests/prod'\nother\n", wantCode: "1"},
		{name: "args with a quoted value", paths: `"my manifests/prod"`, args: `--fail-on none --namespace "team a"`, wantCode: "0"},
		{name: "args that select no rule run", paths: `"my manifests/prod"`, args: "--enable MSH999", wantCode: "2"},
		{name: "no such path", paths: "missing", wantCode: "2"},
		{name: "unclosed quote", paths: `"my manifests/prod`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			for _, dir := range []string{"my manifests/prod", "other"} {
				if err := os.MkdirAll(filepath.Join(work, dir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(work, "my manifests/prod/article.yaml"), seed, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(work, "other/ns.yaml"), []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			runnerTemp := t.TempDir()
			output := filepath.Join(runnerTemp, "output")
			summary := filepath.Join(runnerTemp, "summary.md")
			env := map[string]string{
				"MESHLINT": bin, "PATHS": tc.paths, "KUSTOMIZE": "", "FORMAT": "text", "FAIL_ON": "warning",
				"CONFIG": "", "POLICY_DIRS": "", "BASELINE": "", "CATEGORY": "", "ALLOW_REMOTE": "false", "ARGS": tc.args,
				"RUNNER_TEMP": runnerTemp, "GITHUB_OUTPUT": output, "GITHUB_STEP_SUMMARY": summary,
			}
			for name := range step.Env {
				if _, ok := env[name]; !ok {
					t.Fatalf("the test does not set %s, which the step reads", name)
				}
			}
			cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step.Run)
			cmd.Dir = work
			cmd.Env = os.Environ()
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			log, err := cmd.CombinedOutput()
			if tc.wantCode == "" {
				if err == nil || !strings.Contains(string(log), "quote") {
					t.Errorf("the step passed, or failed without naming the quote: %v\n%s", err, log)
				}
				return
			}
			if err != nil {
				t.Fatalf("the step failed: %v\n%s", err, log)
			}
			outputs, _ := os.ReadFile(output)
			if !strings.Contains(string(outputs), "exit-code="+tc.wantCode+"\n") {
				t.Fatalf("outputs %q, want exit-code=%s; log:\n%s", outputs, tc.wantCode, log)
			}
			if tc.wantCode == "2" {
				if strings.Contains(string(outputs), "sarif-file=") {
					t.Errorf("a failed run names a SARIF file: %q", outputs)
				}
				return
			}
			if !strings.Contains(string(log), "my manifests/prod/article.yaml:") {
				t.Errorf("the findings do not name the file under the path with spaces:\n%s", log)
			}
			m := regexp.MustCompile(`(?m)^sarif-file=(.+)$`).FindStringSubmatch(string(outputs))
			if m == nil {
				t.Fatalf("no sarif-file output: %q", outputs)
			}
			if data, err := os.ReadFile(m[1]); err != nil || !strings.Contains(string(data), `"version": "2.1.0"`) {
				t.Errorf("sarif-file %s is not a SARIF report: %v", m[1], err)
			}
			if data, err := os.ReadFile(summary); err != nil || len(data) == 0 {
				t.Errorf("no job summary written: %v", err)
			}
		})
	}
}

// runStep runs one of the action's scripts with env, as the runner would,
// and returns what it wrote to GITHUB_OUTPUT. runnerTemp is RUNNER_TEMP
// (empty: a new directory).
func runStep(t *testing.T, step actionStep, env map[string]string, runnerTemp string) (map[string]string, string) {
	t.Helper()
	if runnerTemp == "" {
		runnerTemp = t.TempDir()
	}
	output := filepath.Join(runnerTemp, "output")
	cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step.Run)
	cmd.Env = append(os.Environ(), "RUNNER_TEMP="+runnerTemp, "GITHUB_OUTPUT="+output)
	for name := range step.Env {
		if _, ok := env[name]; !ok {
			t.Fatalf("the test does not set %s, which step %s reads", name, step.ID)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("step %s failed: %v\n%s", step.ID, err, log)
	}
	data, _ := os.ReadFile(output)
	outputs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	return outputs, string(log)
}

// TestActionInstallSteps: the plan chooses a release binary when a version
// names a release, else a build keyed on go.mod and go.sum; the install
// step then installs that and runs it.
func TestActionInstallSteps(t *testing.T) {
	a := readAction(t)
	plan, install := actionStepNamed(t, a, "plan"), actionStepNamed(t, a, "install")
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version, ref, wantMode, wantVersion string
	}{
		{"v1.2.3", "", "release", "v1.2.3"},
		{"latest", "v1", "release", "latest"},
		{"", "v1.2.3", "release", "v1.2.3"}, // uses: meshlint/meshlint@v1.2.3
		{"", "v1", "source", ""},
		{"", "main", "source", ""},
		{"", "", "source", ""}, // uses: ./
	} {
		out, log := runStep(t, plan, map[string]string{"VERSION": tc.version, "ACTION_REF": tc.ref, "ACTION_PATH": root, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, "")
		if out["mode"] != tc.wantMode || out["version"] != tc.wantVersion {
			t.Errorf("version %q, ref %q: outputs %v, want mode %s version %q\n%s", tc.version, tc.ref, out, tc.wantMode, tc.wantVersion, log)
		}
		if tc.wantMode == "source" && !regexp.MustCompile(`^meshlint-go-Linux-X64-[0-9a-f]{64}$`).MatchString(out["cache-key"]) {
			t.Errorf("cache key %q", out["cache-key"])
		}
	}
	// The key follows go.sum.
	key := func(sum string) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "go.sum"), []byte(sum), 0o644)
		out, _ := runStep(t, plan, map[string]string{"VERSION": "", "ACTION_REF": "", "ACTION_PATH": dir, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, "")
		return out["cache-key"]
	}
	if key("a h1:x\n") == key("b h1:y\n") {
		t.Error("the cache key does not change with go.sum")
	}

	t.Run("release", func(t *testing.T) {
		releases := fakeRelease(t, "v1.2.3", releaseFiles(t, "1.2.3"))
		t.Setenv("MESHLINT_RELEASES", releases)
		out, log := runStep(t, install, map[string]string{"MODE": "release", "VERSION": "v1.2.3", "ACTION_PATH": root, "ACTION_REF": "v1", "RUNNER_OS": "Linux", "RUNNER_ARCH": "ARM64"}, "")
		// The fake binary answers `version` with its platform.
		if !strings.Contains(log, "linux_arm64") || filepath.Base(out["path"]) != "meshlint" {
			t.Errorf("outputs %v, log:\n%s", out, log)
		}
	})
	t.Run("source", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds meshlint")
		}
		meshlintBinary(t) // compiles what the step's build then finds in the cache
		// The step's private module and build caches start as this
		// machine's, as actions/cache would restore them, so that the
		// test does not download and compile everything again.
		runnerTemp := t.TempDir()
		if err := os.MkdirAll(filepath.Join(runnerTemp, "meshlint-go"), 0o755); err != nil {
			t.Fatal(err)
		}
		for dir, goVar := range map[string]string{"mod": "GOMODCACHE", "build": "GOCACHE"} {
			v, err := exec.Command("go", "env", goVar).Output()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(strings.TrimSpace(string(v)), filepath.Join(runnerTemp, "meshlint-go", dir)); err != nil {
				t.Fatal(err)
			}
		}
		out, log := runStep(t, install, map[string]string{"MODE": "source", "VERSION": "", "ACTION_PATH": root, "ACTION_REF": "v9.9.9-test", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}, runnerTemp)
		if !strings.Contains(log, "meshlint v9.9.9-test\n") {
			t.Errorf("the built meshlint does not name the action's ref:\n%s", log)
		}
		if _, err := os.Stat(out["path"]); err != nil {
			t.Errorf("path output %q: %v", out["path"], err)
		}
	})
}
