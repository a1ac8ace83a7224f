package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// repoRoot is the repository root, found from the package's directory (the
// working directory of its tests) once, before any test moves.
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "..", "..")
}()

// runMeshlint runs the command line in process from the repository root, so
// that file names in the output are the ones users see.
func runMeshlint(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Chdir(repoRoot)
	var out, errOut bytes.Buffer
	code = run(append([]string{"meshlint"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/meshlint -update)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The article's own example: the findings the project exists to catch.
func TestSeedGolden(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", "--format", format, "testdata/manifests/seed")
			if code != 1 {
				t.Errorf("exit code %d, want 1 (stderr %q)", code, errOut)
			}
			wd, _ := os.Getwd()
			t.Chdir(filepath.Join(wd, "cmd", "meshlint")) // golden files live beside the test
			checkGolden(t, "seed."+format, out)
		})
	}
}

func TestSeedFindings(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "--format", "json", "testdata/manifests/seed")
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Object   struct{ Kind, Name string }
			Location struct {
				File   string
				Line   int
				Column int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"MSH401 ServiceRole 4:1": true, "MSH002 ServiceRole 3:1": true,
		"MSH401 ServiceRoleBinding 13:1": true, "MSH002 ServiceRoleBinding 12:1": true,
		"MSH101 NetworkPolicy 41:11": true, "MSH104 NetworkPolicy 41:11": true,
	}
	for _, f := range rep.Findings {
		key := f.Rule + " " + f.Object.Kind + " " + strconv.Itoa(f.Location.Line) + ":" + strconv.Itoa(f.Location.Column)
		delete(want, key)
		// MSH107 notes the cluster's own workloads that no policy isolates.
		if f.Location.File != "testdata/manifests/seed/article/article.yaml" && f.Object.Kind != "" && f.Rule != "MSH107" {
			t.Errorf("finding %s in %s, want the article's file", f.Rule, f.Location.File)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing findings: %v\n%s", want, out)
	}
}

func TestExitCodes(t *testing.T) {
	clean := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"
	split := `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    - podSelector: {matchLabels: {app: x}}
`
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		inErr string
	}{
		{"clean", clean, []string{"-"}, 0, ""},
		{"warning fails by default", split, []string{"-"}, 1, ""},
		{"fail-on error ignores warnings", split, []string{"--fail-on", "error", "-"}, 0, ""},
		{"fail-on none", split, []string{"--fail-on", "none", "-"}, 0, ""},
		{"disabled rule", split, []string{"--disable", "netpol-peer-split", "-"}, 0, ""},
		{"enable other rule only", split, []string{"--enable", "MSH001", "-"}, 0, ""},
		{"explicit lint command", split, []string{"lint", "-"}, 1, ""},
		{"missing path", "", []string{"no/such/dir"}, 2, "no such file or directory"},
		{"no path", "", []string{}, 2, "no PATH"},
		{"bad flag", "", []string{"--no-such-flag", "x"}, 2, "no-such-flag"},
		{"bad fail-on", clean, []string{"--fail-on", "sometimes", "-"}, 2, "fail-on"},
		{"bad format", clean, []string{"--format", "yaml", "-"}, 2, "unknown format"},
		{"unknown rule", clean, []string{"--disable", "MSH999", "-"}, 2, "unknown rule"},
		{"unparseable manifest is a finding, not a failure", "kind: [x\n", []string{"-"}, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if tc.inErr != "" && !strings.Contains(errOut, tc.inErr) {
				t.Errorf("stderr %q does not mention %q", errOut, tc.inErr)
			}
			if code == 2 && out != "" && !strings.Contains(tc.name, "flag") {
				t.Errorf("a failed run printed a report: %q", out)
			}
		})
	}
}

func TestRulesAndExplain(t *testing.T) {
	code, out, _ := runMeshlint(t, "", "rules")
	if code != 0 || !strings.Contains(out, "MSH101") || !strings.Contains(out, "netpol-peer-split") {
		t.Errorf("rules: exit %d\n%s", code, out)
	}
	code, out, _ = runMeshlint(t, "", "rules", "--format", "json")
	var list []map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) == 0 {
		t.Errorf("rules --format json: exit %d\n%s", code, out)
	}
	code, out, _ = runMeshlint(t, "", "explain", "MSH101")
	if code != 0 || !strings.Contains(out, "# MSH101 netpol-peer-split") || !strings.Contains(out, "## Fixed") {
		t.Errorf("explain: exit %d\n%s", code, out)
	}
	code, _, errOut := runMeshlint(t, "", "explain", "MSH999")
	if code != 2 || !strings.Contains(errOut, "unknown rule") {
		t.Errorf("explain MSH999: exit %d, stderr %q", code, errOut)
	}
}

func TestTextOutputShape(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "testdata/manifests/seed")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	first := lines[0]
	if !strings.HasPrefix(first, "testdata/manifests/seed/article/article.yaml:3:1: error: ") || !strings.HasSuffix(first, "[MSH002 unserved-api-version]") {
		t.Errorf("first line %q is not file:line:col: severity: message [ID name]", first)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "objects in 2 files") || !strings.Contains(last, "errors") {
		t.Errorf("summary line %q", last)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes in output that is not a terminal")
	}
}

// Rules from Rego policies are listed and explained like built-in ones.
func TestRulesWithPolicies(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "rules", "--policy", "rules/rego/examples")
	if code != 0 || !strings.Contains(out, "HOUSE001") || !strings.Contains(out, "MSH101") {
		t.Errorf("rules --policy: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runMeshlint(t, "", "explain", "--policy", "rules/rego/examples", "namespace-default-deny")
	if code != 0 || !strings.HasPrefix(out, "# HOUSE001 namespace-default-deny") {
		t.Errorf("explain a Rego rule: exit %d\n%s%s", code, out, errOut)
	}
}
