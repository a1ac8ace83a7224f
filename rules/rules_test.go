package rules_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Every rule has testdata/<ID>/fires (a manifest directory on which the rule
// must report, pinned by fires.golden) and testdata/<ID>/silent (the same
// situation done right, on which it must stay silent).
func TestRuleFixtures(t *testing.T) {
	for _, r := range rules.All() {
		t.Run(r.ID, func(t *testing.T) {
			dir := filepath.Join("testdata", r.ID)
			fires := findings(t, filepath.Join(dir, "fires"), r)
			if len(fires) == 0 {
				t.Fatalf("%s does not fire on %s/fires", r.ID, dir)
			}
			got := render(fires)
			golden := filepath.Join(dir, "fires.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./rules -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s findings differ from %s:\n--- got\n%s--- want\n%s", r.ID, golden, got, want)
			}
			if silent := findings(t, filepath.Join(dir, "silent"), r); len(silent) > 0 {
				t.Errorf("%s fires on %s/silent:\n%s", r.ID, dir, render(silent))
			}
		})
	}
}

// findings runs every rule (as users do) and keeps those of r.
func findings(t *testing.T, dir string, r *analyzer.Rule) []analyzer.Finding {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("missing fixture: %v", err)
	}
	res, err := lint.Run(lint.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var out []analyzer.Finding
	for _, f := range res.Findings {
		if f.Rule.ID == r.ID {
			out = append(out, f)
		}
	}
	return out
}

func render(fs []analyzer.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s: %s: %s\n", f.Pos, f.Severity, f.Message)
		for _, r := range f.Related {
			fmt.Fprintf(&b, "    %s: %s\n", r.Pos, r.Message)
		}
	}
	return b.String()
}

// Every rule is documented well enough to generate its page.
func TestRuleDocs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules.All() {
		for _, s := range []string{r.ID, r.Name} {
			if seen[s] {
				t.Errorf("duplicate rule ID or name %q", s)
			}
			seen[s] = true
		}
		if r.Summary == "" || r.Description == "" || r.Bad == "" || r.Good == "" || r.Fix == "" || r.Run == nil || r.Severity == 0 {
			t.Errorf("%s lacks a summary, description, bad or good example, fix, severity or Run", r.ID)
		}
	}
}

// Other vendors' kinds that bear known names, and install-time kinds, are
// counted and never reported: no rule fires on them.
func TestOtherVendorsKinds(t *testing.T) {
	for _, path := range []string{"testdata/MSH002/silent/other-vendors.yaml", "testdata/MSH001/silent/istio-operator.yaml"} {
		res, err := lint.Run(lint.Options{Paths: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) > 0 {
			t.Errorf("%s: findings on kinds not ours:\n%s", path, render(res.Findings))
		}
		if len(res.Loaded.Objects) == 0 || len(res.Model.NetworkPolicies) > 0 || len(res.Model.Services) > 0 {
			t.Errorf("%s: %d objects, %d NetworkPolicies, %d Services: want them counted and out of the model", path,
				len(res.Loaded.Objects), len(res.Model.NetworkPolicies), len(res.Model.Services))
		}
	}
}
