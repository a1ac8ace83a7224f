package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/corpus"
)

// diffConformanceExceptions are diff cases we do not reproduce for a
// reason of Kubernetes semantics: case -> reason. None so far.
var diffConformanceExceptions = map[string]string{}

// TestNetpolAnalyzerDiffConformance runs `diff --layer network --format txt
// REF1 REF2` on every case of netpol-analyzer's diff corpus and wants its
// output byte for byte: the "Connectivity diff:" header and the lines, or
// nothing at all when nothing changed. Lines with {ingress-controller} are
// left out of the expected output (Ingress and Route objects are not
// modelled); a case whose diff is only those lines then wants no output.
func TestNetpolAnalyzerDiffConformance(t *testing.T) {
	dir, err := corpus.Dir(corpus.NetpolAnalyzerDiff)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	matched, total := 0, 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		total++
		name := c.Name()
		ok := t.Run(name, func(t *testing.T) {
			if reason, skip := diffConformanceExceptions[name]; skip {
				t.Skip(reason)
			}
			data, err := os.ReadFile(filepath.Join(dir, name, "expected.txt"))
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, l := range strings.Split(string(data), "\n") {
				if l != "" && !strings.Contains(l, "{ingress-controller}") {
					lines = append(lines, l)
				}
			}
			want := ""
			if len(lines) > 0 {
				want = "Connectivity diff:\n" + strings.Join(lines, "\n") + "\n"
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"meshlint", "diff", "--layer", "network", "--format", "txt",
				filepath.Join(dir, name, "ref1"), filepath.Join(dir, name, "ref2")}, nil, &stdout, &stderr)
			if code != 0 && code != 1 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if got := stdout.String(); got != want {
				t.Errorf("diff differs from netpol-analyzer's\n%s", lineDiff(want, got))
			}
			if strings.Contains(stderr.String(), "not valid manifests") || strings.Contains(stderr.String(), "fail validation") {
				t.Errorf("the case's manifests are reported as broken: %s", stderr.String())
			}
		})
		if _, skipped := diffConformanceExceptions[name]; ok && !skipped {
			matched++
		}
	}
	if total == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	t.Logf("netpol-analyzer diff conformance: %d of %d cases match (%d listed exceptions)", matched, total, len(diffConformanceExceptions))
}
