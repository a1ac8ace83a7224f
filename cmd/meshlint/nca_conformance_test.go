package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/corpus"
)

// asMeshlint makes the test binary behave as the meshlint command when set,
// so that scripts driven by tests (the NCA comparator) run this build.
const asMeshlint = "MESHLINT_TEST_RUN_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMeshlint) == "1" {
		os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// ncaPending are NCA Istio cases that do not match yet, with what is
// missing. Remove a case from here once it matches: the test fails when a
// listed case starts matching, so the list cannot go stale.
var ncaPending = map[string]string{}

// TestNCAIstioConformance runs np-guard network-config-analyzer's Istio
// cases through their comparator (compare.py, which drives `meshlint graph
// --format json`), with the deviations the corpus documents (cases where
// NCA's model differs from Istio's and meshlint's extra edges are right).
func TestNCAIstioConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("runs meshlint once per case")
	}
	dir, err := corpus.Dir(corpus.NCAIstio)
	if err != nil {
		t.Fatal(err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 runs the NCA comparator: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{filepath.Join(dir, "compare.py"), self, dir, "--deviations", filepath.Join(dir, "deviations.txt")}
	cmd := exec.Command(python, args...)
	cmd.Env = append(os.Environ(), asMeshlint+"=1")
	out, _ := cmd.CombinedOutput() // exit 1 means some case differs; the lines say which
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	summary := lines[len(lines)-1]
	if !strings.HasPrefix(summary, "nca-istio: ") {
		t.Fatalf("the comparator did not finish:\n%s", out)
	}
	t.Log(summary)
	seen := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		name := c.Name()
		var status string
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) >= 2 && f[1] == name {
				status = f[0]
			}
		}
		if status == "" {
			t.Errorf("%s: the comparator printed no result", name)
			continue
		}
		seen++
		reason, pending := ncaPending[name]
		switch {
		case status == "MATCH" && pending:
			t.Errorf("%s matches now: remove it from ncaPending (%s)", name, reason)
		case status != "MATCH" && !pending:
			t.Errorf("%s does not match NCA's expected connectivity", name)
		}
	}
	if seen == 0 {
		t.Fatalf("no cases compared:\n%s", out)
	}
	if t.Failed() {
		t.Logf("comparator output:\n%s", out)
	}
}
