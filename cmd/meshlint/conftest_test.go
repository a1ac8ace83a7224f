package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// conftest policies run unchanged under meshlint and give conftest's
// verdicts: the same failure and warning messages for each file, and
// exceptions on the same files. The test needs conftest itself
// (go install github.com/open-policy-agent/conftest@v0.71.1); it is skipped
// without it unless MESHLINT_REQUIRE_TOOLS=1, as scripts/test.sh sets it.
func TestConftestSameVerdicts(t *testing.T) {
	bin, err := exec.LookPath("conftest")
	if err != nil {
		if os.Getenv("MESHLINT_REQUIRE_TOOLS") == "1" {
			t.Fatal("conftest is not installed, and MESHLINT_REQUIRE_TOOLS=1 requires it")
		}
		t.Skip("conftest is not installed (go install github.com/open-policy-agent/conftest@v0.71.1)")
	}
	const data = "cmd/meshlint/testdata/conftest/"
	manifests := []string{data + "manifests/good.yaml", data + "manifests/legacy.yaml", data + "manifests/mixed.yaml", data + "manifests/root.yaml"}
	tests := []struct {
		name, policy, regoVersion string
		files                     []string
	}{
		{"rego v1 policies", data + "v1", "v1", manifests},
		{"rego v0 policies", data + "v0", "v0", manifests},
		{"the example policies", examples, "v1", append([]string{scenario + "/shop.yaml", scenario + "/payments.yaml"}, manifests...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", append([]string{"--format", "json", "--fail-on", "none", "--policy", tt.policy}, tt.files...)...)
			if code != 0 {
				t.Fatalf("meshlint exit code %d: %s", code, errOut)
			}
			ours, ourExceptions := meshlintVerdicts(t, out)

			cmd := exec.Command(bin, append([]string{"test", "--no-color", "--output", "json", "--rego-version", tt.regoVersion, "--policy", tt.policy}, tt.files...)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			raw, err := cmd.Output()
			var exit *exec.ExitError
			if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
				t.Fatalf("conftest: %v: %s", err, stderr.String())
			}
			theirs, theirExceptions := conftestVerdicts(t, raw)

			if len(theirs) == 0 {
				t.Fatal("conftest found nothing: the comparison would prove nothing")
			}
			if got, want := fmt.Sprint(ours), fmt.Sprint(theirs); got != want {
				t.Errorf("verdicts differ\nmeshlint: %s\nconftest: %s", got, want)
			}
			if got, want := fmt.Sprint(ourExceptions), fmt.Sprint(theirExceptions); got != want {
				t.Errorf("files with exceptions differ\nmeshlint: %s\nconftest: %s", got, want)
			}
		})
	}
}

// meshlintVerdicts reads the conftest rules' findings of a JSON report as
// file -> sorted "severity: message", and the files with suppressed ones.
func meshlintVerdicts(t *testing.T, out string) (map[string][]string, []string) {
	t.Helper()
	var rep struct {
		Findings []struct {
			Rule, Severity, Message string
			Location                struct{ File string }
			Suppressed              *struct{ Kind string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	verdicts := map[string][]string{}
	excepted := map[string]bool{}
	for _, f := range rep.Findings {
		if !strings.HasPrefix(f.Rule, "CONFTEST-") {
			continue
		}
		if f.Suppressed != nil {
			excepted[f.Location.File] = true
			continue
		}
		verdicts[f.Location.File] = append(verdicts[f.Location.File], f.Severity+": "+f.Message)
	}
	return sortedVerdicts(verdicts), sortedKeys(excepted)
}

func conftestVerdicts(t *testing.T, raw []byte) (map[string][]string, []string) {
	t.Helper()
	type result struct{ Msg string }
	var files []struct {
		Filename                       string
		Failures, Warnings, Exceptions []result
	}
	if err := json.Unmarshal(raw, &files); err != nil {
		t.Fatalf("conftest output does not decode: %v\n%s", err, raw)
	}
	verdicts := map[string][]string{}
	excepted := map[string]bool{}
	for _, f := range files {
		for _, r := range f.Failures {
			verdicts[f.Filename] = append(verdicts[f.Filename], "error: "+r.Msg)
		}
		for _, r := range f.Warnings {
			verdicts[f.Filename] = append(verdicts[f.Filename], "warning: "+r.Msg)
		}
		if len(f.Exceptions) > 0 {
			excepted[f.Filename] = true
		}
	}
	return sortedVerdicts(verdicts), sortedKeys(excepted)
}

func sortedVerdicts(m map[string][]string) map[string][]string {
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
