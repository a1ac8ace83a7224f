package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const (
	overlays = "testdata/manifests/overlays"
	prodEnv  = overlays + "/prod"
	stageEnv = overlays + "/staging"
)

type jsonFindings struct {
	Findings []struct {
		Rule         string   `json:"rule"`
		Message      string   `json:"message"`
		Environments []string `json:"environments"`
		Fingerprint  string   `json:"fingerprint"`
		Suppressed   *struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
		} `json:"suppressed"`
		Location struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"location"`
	} `json:"findings"`
	Summary struct {
		Objects int `json:"objects"`
	} `json:"summary"`
}

func envLint(t *testing.T, args ...string) jsonFindings {
	t.Helper()
	code, out, errOut := runMeshlint(t, "", append([]string{"--format", "json", "--fail-on", "none"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep jsonFindings
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return rep
}

// Two overlays of one base are two environments: staging's patch breaks
// web -> api there alone, and what both share is reported once, naming both.
func TestOverlaysAreEnvironments(t *testing.T) {
	rep := envLint(t, overlays)
	byRule := map[string][]string{}
	for _, f := range rep.Findings {
		if len(f.Environments) == 0 {
			t.Errorf("%s has no environments in a run with two", f.Rule)
		}
		byRule[f.Rule] = append(byRule[f.Rule], strings.Join(f.Environments, ","))
	}
	if got := strings.Join(byRule["MSH301"], ";"); got != stageEnv {
		t.Errorf("MSH301 in %q, want staging alone", got)
	}
	if got := strings.Join(byRule["MSH107"], ";"); got != prodEnv+","+stageEnv {
		t.Errorf("MSH107 in %q, want one finding naming both", got)
	}

	// One environment picked: a run of one, so no environments field.
	rep = envLint(t, "--environment", prodEnv, overlays)
	for _, f := range rep.Findings {
		if f.Rule == "MSH301" || len(f.Environments) > 0 {
			t.Errorf("prod alone: %s in %v", f.Rule, f.Environments)
		}
	}
	if rep.Summary.Objects != 8 {
		t.Errorf("prod alone counts %d objects, want its own 8", rep.Summary.Objects)
	}

	code, _, errOut := runMeshlint(t, "", "--environment", "qa", overlays)
	if code != 2 || !strings.Contains(errOut, `no environment "qa" (there are: `+prodEnv+", "+stageEnv+")") {
		t.Errorf("unknown environment: exit %d, %s", code, errOut)
	}
}

func TestEnvironmentsInReports(t *testing.T) {
	_, text, _ := runMeshlint(t, "", "--fail-on", "none", overlays)
	if !strings.Contains(text, "[MSH301 mesh-allow-blocked-by-netpol] (environment "+stageEnv+")") {
		t.Errorf("text does not name the environment:\n%s", text)
	}
	if !strings.Contains(text, "(2 environments: ") || !strings.Contains(text, stageEnv+")") {
		t.Errorf("summary does not count the environments:\n%s", text)
	}

	_, out, _ := runMeshlint(t, "", "--format", "sarif", "--fail-on", "none", overlays)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string `json:"ruleId"`
				Properties struct {
					Environments []string `json:"environments"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		if r.RuleID == "MSH301" && strings.Join(r.Properties.Environments, ",") != stageEnv {
			t.Errorf("SARIF MSH301 environments %v", r.Properties.Environments)
		}
		if len(r.Properties.Environments) == 0 {
			t.Errorf("SARIF %s without environments", r.RuleID)
		}
	}

	_, out, _ = runMeshlint(t, "", "--format", "gitlab", "--fail-on", "none", overlays)
	var issues []struct {
		CheckName   string `json:"check_name"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal([]byte(out), &issues); err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		if is.CheckName == "MSH301" && !strings.HasSuffix(is.Description, "(environment "+stageEnv+")") {
			t.Errorf("GitLab description %q does not name the environment", is.Description)
		}
	}
}

// graph prints each environment under a header; JSON is one object per
// environment, each naming it.
func TestGraphPerEnvironment(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "graph", overlays)
	prod, staging, ok := strings.Cut(out, "# environment: "+stageEnv+"\n")
	if !ok || !strings.HasPrefix(prod, "# environment: "+prodEnv+"\n") {
		t.Fatalf("no header per environment:\n%s", out)
	}
	const call = "shop/web[Deployment] => shop/api[Deployment] : TCP 8080"
	if !strings.Contains(prod, call) || strings.Contains(staging, call) {
		t.Errorf("web -> api should hold in prod only:\n%s", out)
	}

	_, out, _ = runMeshlint(t, "", "graph", "--format", "json", overlays)
	// One JSON document: an array of the environments' graphs.
	var graphs []struct {
		Environment string `json:"environment"`
	}
	if err := json.Unmarshal([]byte(out), &graphs); err != nil {
		t.Fatalf("graph --format json of several environments is not one JSON document: %v\n%s", err, out)
	}
	var names []string
	for _, g := range graphs {
		names = append(names, g.Environment)
	}
	if strings.Join(names, ",") != prodEnv+","+stageEnv {
		t.Errorf("graph JSON objects name %v", names)
	}

	_, out, _ = runMeshlint(t, "", "graph", "--environment", stageEnv, overlays)
	if strings.Contains(out, "# environment") || strings.Contains(out, call) {
		t.Errorf("one environment picked: no header, and no web -> api:\n%s", out)
	}
}

// Environments the config file declares: each scenario directory its own,
// as if each were linted alone.
func TestDeclaredEnvironments(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"seed", "seed-fixed"} {
		copyTree(t, filepath.Join(repoRoot, "testdata/manifests", s), filepath.Join(dir, s))
	}
	cfg := "environments:\n  - {name: seed, paths: [seed]}\n  - {name: fixed, paths: [seed-fixed/]}\n"
	if err := os.WriteFile(filepath.Join(dir, ".meshlint.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	together := jsonOf(t, run0(t, "."))
	t.Chdir(dir)
	seed := jsonOf(t, run0(t, "--no-config", "seed"))
	var inSeed []string
	for _, f := range together.Findings {
		if strings.Join(f.Environments, ",") == "seed" {
			inSeed = append(inSeed, f.Rule+" "+f.Location.File)
		} else if !strings.HasPrefix(f.Location.File, "seed-fixed/") {
			t.Errorf("%s at %s in %v", f.Rule, f.Location.File, f.Environments)
		}
	}
	var alone []string
	for _, f := range seed.Findings {
		alone = append(alone, f.Rule+" "+f.Location.File)
	}
	sort.Strings(inSeed)
	sort.Strings(alone)
	if strings.Join(inSeed, "\n") != strings.Join(alone, "\n") {
		t.Errorf("seed in its environment:\n%s\nseed alone:\n%s", strings.Join(inSeed, "\n"), strings.Join(alone, "\n"))
	}
}

// run0 runs meshlint in the current directory (not the repository root).
func run0(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	code := run(append([]string{"meshlint", "--format", "json", "--fail-on", "none"}, args...), strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	return out.String()
}

func jsonOf(t *testing.T, out string) jsonFindings {
	t.Helper()
	var rep jsonFindings
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return rep
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestJSONIsOneDocument: every --format json output is one valid JSON
// document, with no finding and with several environments alike.
func TestJSONIsOneDocument(t *testing.T) {
	const overlays = "testdata/manifests/overlays"
	empty := t.TempDir()
	writeTree(t, empty, map[string]string{"data.yaml": "a: 1\n"})
	for _, args := range [][]string{
		{"--format", "json", "--allow-empty", empty},
		{"--format", "json", "--fail-on", "none", "testdata/manifests/seed-fixed"},
		{"--format", "json", "--fail-on", "none", overlays},
		{"graph", "--format", "json", overlays},
		{"graph", "--format", "json", "-e", overlays + "/prod", overlays},
		{"why", "--format", "json", "shop/web", "shop/api:8080", overlays},
		{"diff", "--format", "json", overlays, overlays},
		{"rules", "--format", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("not one JSON document: %v\n%s", err, out)
			}
		})
	}
}

// TestPlainFileFindingsOnce: a plain manifest joins every environment; a
// finding on it is one finding naming them all, in every format, and is
// counted once.
func TestPlainFileFindingsOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "overlays"), os.DirFS(filepath.Join(repoRoot, overlays))); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"plain.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: stray, namespace: shop}
spec:
  podSelector: {matchLabels: {app: nothing}}
`})
	envs := "overlays/prod,overlays/staging"
	_, out, _ := runIn(t, dir, "--format", "json", "--fail-on", "none", ".")
	rep := jsonOf(t, out)
	n := 0
	for _, f := range rep.Findings {
		if f.Rule == "MSH102" {
			n++
			if got := strings.Join(f.Environments, ","); got != envs {
				t.Errorf("MSH102 in %q, want %q", got, envs)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d MSH102 findings in JSON, want 1", n)
	}
	// Each finding counts once in the summary.
	var counts struct {
		Findings []struct {
			Suppressed any `json:"suppressed"`
		} `json:"findings"`
		Summary struct{ Error, Warning, Note int } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &counts); err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, f := range counts.Findings {
		if f.Suppressed == nil {
			active++
		}
	}
	if s := counts.Summary; s.Error+s.Warning+s.Note != active {
		t.Errorf("summary counts %+v, the findings are %d", s, active)
	}
	_, text, _ := runIn(t, dir, "--fail-on", "none", ".")
	if c := strings.Count(text, "[MSH102 netpol-selects-nothing]"); c != 1 || !strings.Contains(text, "(environments overlays/prod, overlays/staging)") {
		t.Errorf("text holds MSH102 %d times:\n%s", c, text)
	}
	_, sarif, _ := runIn(t, dir, "--format", "sarif", "--fail-on", "none", ".")
	if c := strings.Count(sarif, `"ruleId": "MSH102"`); c != 1 {
		t.Errorf("SARIF holds %d MSH102 results, want 1", c)
	}
	// Exit code: one warning at --fail-on warning is exit 1, whatever the
	// number of environments.
	if code, _, _ := runIn(t, dir, "--fail-on", "warning", "--disable", "MSH103,MSH301", "."); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
}
