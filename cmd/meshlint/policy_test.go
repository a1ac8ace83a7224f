package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

const (
	examples = "rules/rego/examples"
	scenario = "cmd/meshlint/testdata/rego"
)

// The example policies on the shop scenario: one finding per policy, at the
// field that causes it, as "file:line:col rule" in the order of findings.
var exampleFindings = []string{
	"cmd/meshlint/testdata/rego/shop.yaml:5:3 HOUSE001",        // the Namespace's metadata.name
	"cmd/meshlint/testdata/rego/shop.yaml:22:5 HOUSE004",       // spec.template.spec (no serviceAccountName)
	"cmd/meshlint/testdata/rego/shop.yaml:24:11 CONFTEST-deny", // containers[0], no cpu limit
	"cmd/meshlint/testdata/rego/shop.yaml:24:11 CONFTEST-deny", // containers[0], no memory limit
	"cmd/meshlint/testdata/rego/shop.yaml:25:11 CONFTEST-warn", // containers[0].image, :latest
	"cmd/meshlint/testdata/rego/shop.yaml:41:26 HOUSE002",      // principals[0], "*"
}

func TestRegoExamplesText(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--policy", examples, scenario)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (stderr %q)", code, errOut)
	}
	line := regexp.MustCompile(`^(\S+:\d+:\d+): (error|warning|note): .* \[(\S+) \S+\]$`)
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if m := line.FindStringSubmatch(l); m != nil && !strings.HasPrefix(m[3], "MSH") {
			got = append(got, m[1]+" "+m[3])
		}
	}
	if strings.Join(got, "\n") != strings.Join(exampleFindings, "\n") {
		t.Errorf("text findings:\n%s\nwant:\n%s\n\nfull output:\n%s", strings.Join(got, "\n"), strings.Join(exampleFindings, "\n"), out)
	}
	for _, want := range []string{
		"shop.yaml:41:26: error: AuthorizationPolicy shop/web allows any principal (\"*\") in rule 0: name the service accounts that may call [HOUSE002 authz-wildcard-principal]",
		"shop.yaml:24:11: error: Deployment web: container web sets no memory limit [CONFTEST-deny conftest-deny]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "payments.yaml") {
		t.Errorf("the compliant payments namespace has findings:\n%s", out)
	}
}

func TestRegoExamplesJSON(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--format", "json", "--policy", examples, scenario)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (stderr %q)", code, errOut)
	}
	var rep struct {
		Findings []struct {
			Rule, Severity, Message string
			Object                  struct{ Kind, Namespace, Name string }
			Location                struct {
				File         string
				Line, Column int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Rule, "MSH") {
			continue
		}
		got = append(got, fmt.Sprintf("%s:%d:%d %s", f.Location.File, f.Location.Line, f.Location.Column, f.Rule))
		if f.Rule == "HOUSE002" && (f.Severity != "error" || f.Object.Kind != "AuthorizationPolicy" || f.Object.Namespace != "shop" || f.Object.Name != "web") {
			t.Errorf("HOUSE002 finding %+v", f)
		}
	}
	if strings.Join(got, "\n") != strings.Join(exampleFindings, "\n") {
		t.Errorf("JSON findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exampleFindings, "\n"))
	}
}

// SARIF carries the rules' metadata from their METADATA annotations.
func TestRegoExamplesSARIF(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--format", "sarif", "--policy", examples, scenario)
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (stderr %q)", code, errOut)
	}
	var rep struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID               string
						HelpURI          string
						ShortDescription struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Runs) != 1 {
		t.Fatalf("SARIF does not decode (%v):\n%s", err, out)
	}
	var house002 bool
	for _, r := range rep.Runs[0].Tool.Driver.Rules {
		if r.ID == "HOUSE002" {
			house002 = true
			if r.HelpURI != "https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source" || !strings.Contains(r.ShortDescription.Text, "No ALLOW rule admits any principal") {
				t.Errorf("HOUSE002 SARIF rule %+v", r)
			}
		}
	}
	if !house002 {
		t.Error("SARIF lacks rule HOUSE002")
	}
	var got []string
	for _, r := range rep.Runs[0].Results {
		if strings.HasPrefix(r.RuleID, "MSH") || len(r.Locations) == 0 {
			continue
		}
		l := r.Locations[0].PhysicalLocation
		got = append(got, fmt.Sprintf("%s:%d:%d %s", l.ArtifactLocation.URI, l.Region.StartLine, l.Region.StartColumn, r.RuleID))
	}
	if strings.Join(got, "\n") != strings.Join(exampleFindings, "\n") {
		t.Errorf("SARIF results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(exampleFindings, "\n"))
	}
}

// Rego rules obey --enable, --disable and --fail-on like built-in rules.
func TestRegoRuleSelection(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string // rule IDs that appear, in order
	}{
		{"enable one", []string{"--enable", "HOUSE002"}, 1, []string{"HOUSE002"}},
		{"enable by name", []string{"--enable", "namespace-default-deny"}, 1, []string{"HOUSE001"}},
		{"disable the errors, fail on errors", []string{"--disable", "HOUSE002,CONFTEST-deny", "--enable", "HOUSE001,HOUSE002,HOUSE004,CONFTEST-deny,CONFTEST-warn", "--fail-on", "error"}, 0, []string{"HOUSE001", "HOUSE004", "CONFTEST-warn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"--policy", examples}, tt.args...), scenario)
			code, out, errOut := runMeshlint(t, "", args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			var got []string
			for _, m := range regexp.MustCompile(`\[(\S+) \S+\]`).FindAllStringSubmatch(out, -1) {
				got = append(got, m[1])
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("rules %v, want %v:\n%s", got, tt.want, out)
			}
		})
	}
}

// Policies that cannot run end the run with exit 2 and say why and where.
func TestPolicyFailures(t *testing.T) {
	const dir = "cmd/meshlint/testdata/policy/"
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"module that does not compile", []string{"--policy", dir + "broken"},
			[]string{"Rego module does not compile", dir + "broken/broken.rego:7:9: rego_unsafe_var_error: var undefined_var is unsafe"}},
		{"rule without an ID", []string{"--policy", dir + "noid"},
			[]string{dir + "noid/noid.rego: package meshlint.rules.noid has no rule ID"}},
		{"rule that loops", []string{"--policy", dir + "loop", "--policy-timeout", "300ms"},
			[]string{"policy rule LOOP1 (" + dir + "loop/loop.rego) did not finish within 300ms (--policy-timeout)"}},
		{"data file that does not parse", []string{"--policy", dir + "baddata"},
			[]string{dir + "baddata/settings.yaml:3: data file does not parse as YAML: did not find expected ',' or ']'"}},
		{"ID of a built-in rule", []string{"--policy", dir + "clash"},
			[]string{"policy rules MSH101 (" + dir + "clash/clash.rego) and MSH101 (built in) share the ID or name"}},
		{"no such directory", []string{"--policy", dir + "nope"},
			[]string{"--policy: stat " + dir + "nope: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runMeshlint(t, "", append(tt.args, scenario)...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

func TestPolicyTestCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"examples pass", []string{examples}, 0, []string{
			"data.meshlint.rules.namespace_default_deny_test.test_namespace_without_policy_is_reported: PASS",
			"data.meshlint.rules.authz_wildcard_principal_test.test_wildcard_principal_is_reported_at_its_field: PASS",
			"data.meshlint.rules.sensitive_reachability_test.test_source_off_the_list_is_reported: PASS",
			"data.main_test.test_missing_memory_limit_is_denied_at_the_container: PASS",
			"data.meshlint.rules.mesh_default_service_account_test.test_default_account_in_mesh_warns: PASS",
		}},
		{"a failing test", []string{"cmd/meshlint/testdata/policy/failing"}, 1, []string{
			"data.main_test.test_pods_are_denied: PASS",
			"data.main_test.test_services_are_denied: FAIL",
			"PASS: 1/2", "FAIL: 1/2",
		}},
		{"filtered", []string{"--run", "pods", "cmd/meshlint/testdata/policy/failing"}, 0, []string{"PASS: 1/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", append([]string{"policy", "test"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.code == 0 && strings.Contains(out, "FAIL") {
				t.Errorf("a test fails:\n%s", out)
			}
		})
	}
	t.Run("broken module", func(t *testing.T) {
		code, _, errOut := runMeshlint(t, "", "policy", "test", "cmd/meshlint/testdata/policy/broken")
		if code != 2 || !strings.Contains(errOut, "broken.rego:7:9: rego_unsafe_var_error") {
			t.Errorf("exit code %d, stderr %q; want 2 and the compile error", code, errOut)
		}
	})
}

// An annotation and a comment silence Rego findings like built-in ones.
func TestRegoSuppressions(t *testing.T) {
	_, out, errOut := runMeshlint(t, "", "--format", "json", "--policy", examples, "cmd/meshlint/testdata/rego-suppressed")
	var rep struct {
		Findings []struct {
			Rule       string
			Location   struct{ Line int }
			Suppressed *struct{ Kind, Reason string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	var got []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Rule, "MSH") {
			continue
		}
		s := fmt.Sprintf("%s:%d", f.Rule, f.Location.Line)
		if f.Suppressed != nil {
			s += " " + f.Suppressed.Kind + ": " + f.Suppressed.Reason
		}
		got = append(got, s)
	}
	want := []string{
		"HOUSE001:5 inSource: the platform chart installs the default-deny",
		"CONFTEST-deny:19 inSource: limits come from the namespace's LimitRange",
		"CONFTEST-deny:19 inSource: limits come from the namespace's LimitRange",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
