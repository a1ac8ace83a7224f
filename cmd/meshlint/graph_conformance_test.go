package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/corpus"
)

// conformanceExceptions are cases whose expected output we do not reproduce
// for a reason of Kubernetes semantics, not of our code: case -> reason.
var conformanceExceptions = map[string]string{}

// TestNetpolAnalyzerConformance runs `graph --layer network --format
// connlist` on every case and compares with netpol-analyzer's connection
// list, without the {ingress-controller} lines (Ingress and Route objects
// are not modelled).
func TestNetpolAnalyzerConformance(t *testing.T) {
	conformanceDir, err := corpus.Dir(corpus.NetpolAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := os.ReadDir(conformanceDir)
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
		dir := filepath.Join(conformanceDir, name)
		ok := t.Run(name, func(t *testing.T) {
			if reason, skip := conformanceExceptions[name]; skip {
				t.Skip(reason)
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.connlist"))
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"meshlint", "graph", "--layer", "network", "--format", "connlist", filepath.Join(dir, "manifests")}, nil, &stdout, &stderr)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got, exp := connlistLines(stdout.String()), connlistLines(string(want))
			if got != exp {
				t.Errorf("connectivity differs from netpol-analyzer\n%s", lineDiff(exp, got))
			}
			if strings.Contains(stderr.String(), "not valid manifests") || strings.Contains(stderr.String(), "fail validation") {
				t.Errorf("the case's manifests are reported as broken: %s", stderr.String())
			}
		})
		if ok {
			if _, skipped := conformanceExceptions[name]; !skipped {
				matched++
			}
		}
	}
	if total == 0 {
		t.Fatalf("no cases in %s", conformanceDir)
	}
	t.Logf("netpol-analyzer conformance: %d of %d cases match (%d listed exceptions)", matched, total, len(conformanceExceptions))
}

// connlistLines keeps the connection lines of a connlist: it drops
// {ingress-controller} lines, and stops at netpol-analyzer's exposure
// report, which some golden files hold in place of an empty list.
func connlistLines(s string) string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, "Exposure Analysis Result:") {
			break
		}
		if line == "" || strings.Contains(line, "{ingress-controller}") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		b.WriteString("(same lines, different order)\n")
	}
	return b.String()
}
