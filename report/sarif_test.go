package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/report"
	"github.com/meshlint/meshlint/rules"
)

// The shape of a SARIF log the tests look into; the golden file pins the rest.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string `json:"name"`
				Version         string `json:"version"`
				SemanticVersion string `json:"semanticVersion"`
				Rules           []struct {
					ID                   string            `json:"id"`
					Name                 string            `json:"name"`
					ShortDescription     map[string]string `json:"shortDescription"`
					FullDescription      map[string]string `json:"fullDescription"`
					Help                 map[string]string `json:"help"`
					HelpURI              string            `json:"helpUri"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []sarifResult `json:"results"`
	} `json:"runs"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Level     string `json:"level"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	} `json:"suppressions"`
}

type sarifLocation struct {
	ID               int `json:"id"`
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine, StartColumn, EndLine, EndColumn int
		} `json:"region"`
	} `json:"physicalLocation"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
}

func TestSARIFGolden(t *testing.T) {
	golden(t, "ci.sarif", write(t, "sarif", ciRun(t)))
}

// TestSARIFContent checks what GitHub code scanning relies on, on every
// scenario and on the fixture with suppressions and a whole-file finding.
func TestSARIFContent(t *testing.T) {
	root := repoRoot(t)
	runs := map[string]*report.Run{"ci": ciRun(t)}
	for _, dir := range scenarios(t) {
		runs[dir] = lintRun(t, root, lint.Options{Paths: []string{dir}})
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			var log sarifLog
			if err := json.Unmarshal(write(t, "sarif", run), &log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || len(log.Runs) != 1 {
				t.Fatalf("want one SARIF 2.1.0 run, got version %q with %d runs", log.Version, len(log.Runs))
			}
			r := log.Runs[0]
			d := r.Tool.Driver
			if d.Name != "meshlint" || d.Version != "1.2.3" || d.SemanticVersion != "1.2.3" {
				t.Errorf("driver %q version %q semanticVersion %q", d.Name, d.Version, d.SemanticVersion)
			}
			if want := report.AutomationID(run); r.AutomationDetails.ID != want || !strings.HasSuffix(want, "/") {
				t.Errorf("automationDetails.id = %q, want %q ending in /", r.AutomationDetails.ID, want)
			}
			sev := map[string]analyzer.Severity{}
			custom := map[string]bool{}
			for _, rule := range run.Rules {
				sev[rule.ID] = rule.Severity
				custom[rule.ID] = rule.Custom
			}
			ids := map[string]int{}
			for i, rule := range d.Rules {
				ids[rule.ID] = i
				level := report.SARIFLevel(sev[rule.ID])
				switch {
				case rule.Name == "" || rule.ShortDescription["text"] == "" || rule.FullDescription["text"] == "":
					t.Errorf("%s lacks a name or description", rule.ID)
				case rule.Help["text"] == "" || !strings.HasPrefix(rule.Help["markdown"], "# "+rule.ID):
					t.Errorf("%s help is not its page", rule.ID)
				case !custom[rule.ID] && rule.HelpURI != helpBase+rule.ID+".md", custom[rule.ID] && rule.HelpURI != "":
					t.Errorf("%s helpUri = %q", rule.ID, rule.HelpURI)
				case rule.DefaultConfiguration.Level != level:
					t.Errorf("%s level %q, want %q", rule.ID, rule.DefaultConfiguration.Level, level)
				case !slices.Contains(rule.Properties.Tags, "security"):
					t.Errorf("%s tags %v lack security", rule.ID, rule.Properties.Tags)
				case rule.Properties.SecuritySeverity != report.SecuritySeverity(sev[rule.ID]):
					t.Errorf("%s security-severity %q", rule.ID, rule.Properties.SecuritySeverity)
				}
			}
			for _, rule := range run.Rules {
				if _, ok := ids[rule.ID]; !ok {
					t.Errorf("rule %s ran but is not in tool.driver.rules", rule.ID)
				}
			}
			if r.Results == nil {
				t.Fatal("results is missing; it must be present, even empty")
			}
			if len(r.Results) != len(run.Findings) {
				t.Fatalf("%d results for %d findings", len(r.Results), len(run.Findings))
			}
			seen := map[string]bool{}
			for i, res := range r.Results {
				f := run.Findings[i]
				checkResult(t, f, res, ids)
				fp := res.PartialFingerprints[report.FingerprintKey]
				if fp == "" || seen[fp] {
					t.Errorf("result %d: fingerprint %q empty or not unique", i, fp)
				}
				seen[fp] = true
			}
		})
	}
}

func checkResult(t *testing.T, f analyzer.Finding, res sarifResult, ids map[string]int) {
	t.Helper()
	where := fmt.Sprintf("%s at %s", f.Rule.ID, f.Pos)
	if res.RuleID != f.Rule.ID || res.RuleIndex == nil || *res.RuleIndex != ids[f.Rule.ID] {
		t.Errorf("%s: ruleId %q ruleIndex %v", where, res.RuleID, res.RuleIndex)
	}
	if res.Level != report.SARIFLevel(f.Severity) || !strings.HasSuffix(res.Message.Text, ".") {
		t.Errorf("%s: level %q, message %q", where, res.Level, res.Message.Text)
	}
	if len(res.Locations) != 1 {
		t.Fatalf("%s: %d locations", where, len(res.Locations))
	}
	locs := append([]sarifLocation{res.Locations[0]}, res.RelatedLocations...)
	if len(res.RelatedLocations) != len(f.Related) {
		t.Errorf("%s: %d related locations, want %d", where, len(res.RelatedLocations), len(f.Related))
	}
	for i, l := range locs {
		pl := l.PhysicalLocation
		uri := pl.ArtifactLocation.URI
		if uri == "stdin" && pl.ArtifactLocation.URIBaseID == "" {
			continue // stdin: no file of the checkout
		}
		if pl.ArtifactLocation.URIBaseID != "%SRCROOT%" || uri == "" || strings.Contains(uri, `\`) || strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "..") {
			t.Errorf("%s: location %d uri %q base %q: want a repository-relative URI", where, i, uri, pl.ArtifactLocation.URIBaseID)
		}
		reg := pl.Region
		if reg.StartLine < 1 || reg.StartColumn < 1 || reg.EndLine < reg.StartLine || (reg.EndLine == reg.StartLine && reg.EndColumn <= reg.StartColumn) {
			t.Errorf("%s: location %d region %+v", where, i, reg)
		}
		pos := f.Pos
		if i > 0 {
			pos = f.Related[i-1].Pos
			if l.ID != i || l.Message.Text == "" {
				t.Errorf("%s: related location %d has id %d, message %q", where, i, l.ID, l.Message.Text)
			}
		}
		if pos.Line > 0 && (reg.StartLine != pos.Line || reg.StartColumn != pos.Column) {
			t.Errorf("%s: location %d starts at %d:%d, want %d:%d", where, i, reg.StartLine, reg.StartColumn, pos.Line, pos.Column)
		}
	}
	switch {
	case f.Suppressed == nil && len(res.Suppressions) > 0:
		t.Errorf("%s: suppressions on an active finding", where)
	case f.Suppressed != nil && (len(res.Suppressions) != 1 || res.Suppressions[0].Kind != f.Suppressed.Kind ||
		res.Suppressions[0].Justification != f.Suppressed.Reason || res.Suppressions[0].Status != "accepted"):
		t.Errorf("%s: suppressions %+v, want %+v", where, res.Suppressions, f.Suppressed)
	}
}

// TestCleanRun: with no findings every format still writes a valid,
// complete report (GitLab and SARIF consumers reject a missing array).
func TestCleanRun(t *testing.T) {
	run := &report.Run{ToolVersion: "dev", Rules: rules.All(), HelpBase: helpBase, Paths: []string{"deploy"}, Objects: 3, Files: 1}
	for _, tc := range []struct {
		format string
		want   string
	}{
		{"sarif", `"results": []`},
		{"gitlab", "[]\n"},
		{"github", "3 objects in 1 file: 0 errors, 0 warnings, 0 notes\n"},
		{"markdown", "No findings.\n"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out := string(write(t, tc.format, run))
			if tc.format == "gitlab" || tc.format == "github" {
				if out != tc.want {
					t.Errorf("got %q, want %q", out, tc.want)
				}
			} else if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
	var log sarifLog
	if err := json.Unmarshal(write(t, "sarif", run), &log); err != nil {
		t.Fatal(err)
	}
	if got := len(log.Runs[0].Tool.Driver.Rules); got != len(rules.All()) {
		t.Errorf("a clean run lists %d rules, want every rule that ran (%d)", got, len(rules.All()))
	}
	if v := log.Runs[0].Tool.Driver.Version; v != "0.0.0-dev" {
		t.Errorf("version %q: SARIF consumers want it to start with a digit", v)
	}
}

func TestAutomationID(t *testing.T) {
	for _, tc := range []struct {
		paths    []string
		category string
		want     string
	}{
		{[]string{"deploy/prod"}, "", "meshlint/deploy/prod/"},
		{[]string{"./b/", "a", "b"}, "", "meshlint/a,b/"},
		{[]string{"-"}, "", "meshlint/stdin/"},
		{nil, "", "meshlint/"},
		{[]string{"x"}, "staging", "staging/"},
		{[]string{"x"}, "staging/", "staging/"},
		// No double slash, however the paths end.
		{[]string{"deploy/prod/"}, "", "meshlint/deploy/prod/"},
		{[]string{"deploy//prod//"}, "", "meshlint/deploy/prod/"},
		{[]string{"/abs/deploy/"}, "", "meshlint/abs/deploy/"},
		{[]string{"/"}, "", "meshlint/root/"},
		{[]string{"."}, "", "meshlint/./"},
		{[]string{"x"}, "ci//staging//", "ci/staging/"},
		{[]string{"x"}, "/", "/"},
	} {
		if got := report.AutomationID(&report.Run{Paths: tc.paths, Category: tc.category}); got != tc.want {
			t.Errorf("AutomationID(%q, %q) = %q, want %q", tc.paths, tc.category, got, tc.want)
		}
	}
}

// multitool finds Microsoft's SARIF validator, which scripts/test.sh
// installs under .tools/npm and names in SARIF_MULTITOOL. The npm package's
// own launcher runs the binary through a shell, which splits "Gh;Sarif" at
// the semicolon, so the tests run the platform binary itself.
func multitool(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SARIF_MULTITOOL")
	if path == "" {
		plat, exe := runtime.GOOS, ""
		if plat == "windows" {
			plat, exe = "win32", ".exe"
		}
		path = filepath.Join(repoRoot(t), ".tools", "npm", "node_modules", "@microsoft", "sarif-multitool-"+plat, "Sarif.Multitool"+exe)
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("SARIF validator not installed (%v): run scripts/test.sh, which installs it under .tools/", err)
		if os.Getenv("MESHLINT_REQUIRE_TOOLS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// validate runs `sarif-multitool validate` with GitHub's and the SARIF
// spec's rules on logs (by name), in one run of the tool, and returns every
// error and warning it reports on each.
func validate(t *testing.T, tool string, logs map[string][]byte) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "validation.sarif")
	args := []string{"validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning", "--output", out}
	names := slices.Sorted(maps.Keys(logs))
	files := map[string]string{} // file name -> log name
	for i, name := range names {
		file := fmt.Sprintf("log%03d.sarif", i)
		files[file] = name
		if err := os.WriteFile(filepath.Join(dir, file), logs[name], 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, filepath.Join(dir, file))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	// The .NET runtime otherwise wants ICU, which slim machines lack.
	env := append(os.Environ(), "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1")
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = env
	console, err := cmd.CombinedOutput()
	data, readErr := os.ReadFile(out)
	if readErr != nil {
		t.Fatalf("the validator wrote no log (%v, %v):\n%s", err, readErr, console)
	}
	var res struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						DefaultConfiguration struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Invocations []struct {
				ToolExecutionNotifications []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					ID        string   `json:"id"`
					Arguments []string `json:"arguments"`
				} `json:"message"`
				Locations []sarifLocation `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Runs) == 0 {
		t.Fatalf("cannot read the validator's log (%v):\n%s", err, data)
	}
	problems := map[string][]string{}
	for _, r := range res.Runs {
		for _, inv := range r.Invocations {
			for _, n := range inv.ToolExecutionNotifications {
				if n.Level == "" || n.Level == "error" || n.Level == "warning" {
					t.Errorf("the validator failed: %s\n%s", n.Message.Text, console)
				}
			}
		}
		for _, x := range r.Results {
			level := x.Level
			if level == "" && x.RuleIndex != nil && *x.RuleIndex < len(r.Tool.Driver.Rules) {
				level = r.Tool.Driver.Rules[*x.RuleIndex].DefaultConfiguration.Level
			}
			if level == "" {
				level = "warning" // SARIF's default level
			}
			if level != "error" && level != "warning" {
				continue
			}
			name := "(no file)"
			if len(x.Locations) > 0 {
				name = files[path.Base(x.Locations[0].PhysicalLocation.ArtifactLocation.URI)]
			}
			problems[name] = append(problems[name], fmt.Sprintf("%s %s %s: %s", level, x.RuleID, x.Message.ID, strings.Join(x.Message.Arguments, " | ")))
		}
	}
	for file, name := range files {
		if len(problems[name]) > 0 {
			for _, line := range strings.Split(string(console), "\n") {
				if strings.Contains(line, file) {
					problems[name] = append(problems[name], "  "+strings.TrimSpace(line))
				}
			}
			continue
		}
		// validate silently skips a log it cannot deserialize (an unknown
		// enum value, a null where an object belongs) and reports nothing
		// at all, so a clean report proves nothing until the log is shown to
		// load. rewrite goes through the same reader and fails loudly.
		rewrite := exec.CommandContext(ctx, tool, "rewrite", "--output", filepath.Join(dir, "rewritten-"+file), filepath.Join(dir, file))
		rewrite.Env = env
		if console, err := rewrite.CombinedOutput(); err != nil {
			first, _, _ := strings.Cut(strings.TrimSpace(string(console)), "\n   at ")
			problems[name] = append(problems[name], fmt.Sprintf("error: the SARIF SDK cannot read the log, so validate skipped it (%v):\n%s", err, first))
		}
	}
	return problems
}

// TestSARIFValidator runs Microsoft's SARIF validator, with the rules
// GitHub code scanning applies, on meshlint's SARIF for every scenario.
func TestSARIFValidator(t *testing.T) {
	tool := multitool(t)
	root := repoRoot(t)
	logs := map[string][]byte{"ci": write(t, "sarif", ciRun(t))}
	for _, dir := range scenarios(t) {
		logs[dir] = write(t, "sarif", lintRun(t, root, lint.Options{Paths: []string{dir}}))
	}
	// A file outside the working directory and its repository: an absolute
	// file:// URI.
	outside := t.TempDir()
	broken := filepath.Join(outside, "broken policy.yaml")
	if err := os.WriteFile(broken, []byte("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs["outside"] = write(t, "sarif", lintRun(t, root, lint.Options{Paths: []string{broken}}))
	if !strings.Contains(string(logs["outside"]), `"uri": "file:///`) {
		t.Errorf("a file outside the repository is not a file:// URI:\n%s", logs["outside"])
	}
	problems := validate(t, tool, logs)
	for _, name := range slices.Sorted(maps.Keys(logs)) {
		t.Run(name, func(t *testing.T) {
			if p := problems[name]; len(p) > 0 {
				t.Errorf("the SARIF validator reports:\n%s", strings.Join(p, "\n"))
			}
		})
	}
	if p := problems["(no file)"]; len(p) > 0 {
		t.Errorf("the SARIF validator reports:\n%s", strings.Join(p, "\n"))
	}
}

// TestSARIFValidatorCatchesErrors proves the validator test can fail, on
// logs that break GitHub's rules and on one the SARIF SDK cannot read.
func TestSARIFValidatorCatchesErrors(t *testing.T) {
	tool := multitool(t)
	const head = `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "meshlint", "version": "1.0.0", "informationUri": "https://example.com/",`
	cases := []struct {
		name, log, want string
	}{
		{
			name: "rule without help, relative helpUri",
			log: head + `"rules": [{"id": "MSH101", "helpUri": "MSH101.md", "shortDescription": {"text": "Split peers."}}]}},
				"results": []}]}`,
			want: "error GH2012",
		},
		{
			name: "no region",
			log: head + `"rules": []}}, "results": [{"ruleId": "MSH101", "level": "warning", "message": {"text": "Split peers."},
				"locations": [{"physicalLocation": {"artifactLocation": {"uri": "policy.yaml", "uriBaseId": "%SRCROOT%"}}}]}]}]}`,
			want: "warning SARIF2017",
		},
		{
			name: "region starting at line 0",
			log: head + `"rules": []}}, "results": [{"ruleId": "MSH101", "level": "warning", "message": {"text": "Split peers."},
				"locations": [{"physicalLocation": {"artifactLocation": {"uri": "policy.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 0}}}]}]}]}`,
			want: "error JSON1008",
		},
		{
			name: "unknown level",
			log: head + `"rules": []}}, "results": [{"ruleId": "MSH101", "level": "fatal", "message": {"text": "Split peers."},
				"locations": [{"physicalLocation": {"artifactLocation": {"uri": "policy.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}}]}]}]}`,
			want: "cannot read the log",
		},
	}
	logs := map[string][]byte{}
	for _, tc := range cases {
		logs[tc.name] = []byte(tc.log)
	}
	problems := validate(t, tool, logs)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(problems[tc.name], "\n"); !strings.Contains(got, tc.want) {
				t.Errorf("the validator test lets a broken log through: want %q in\n%s", tc.want, got)
			}
		})
	}
}
