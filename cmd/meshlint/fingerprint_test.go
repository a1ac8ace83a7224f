package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A baseline written by meshlint before fingerprints left the message out
// (version 1, testdata/baseline-v1-seed.json) still applies: every entry
// but the two MSH107 notes, which are now one per namespace without
// NetworkPolicies, at the Namespace, rather than one per workload.
func TestVersion1BaselineStillApplies(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--baseline", "cmd/meshlint/testdata/baseline-v1-seed.json", "--format", "json", "testdata/manifests/seed")
	if code != 0 || !strings.Contains(errOut, "10 findings baselined, 2 entries no longer occur") {
		t.Errorf("exit %d, stderr %q:\n%s", code, errOut, out)
	}
	for _, f := range jsonOf(t, out).Findings {
		if (f.Suppressed == nil) != (f.Rule == "MSH107") {
			t.Errorf("%s at %s: suppressed %v", f.Rule, f.Location.File, f.Suppressed)
		}
	}
}

// A namespace nobody's policy is about, added beside the seed, changes the
// example source MSH302 names; every baseline entry still matches.
func TestUnrelatedNamespaceKeepsBaseline(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "testdata/manifests/seed"), filepath.Join(dir, "seed"))
	t.Chdir(dir)
	var out, errOut strings.Builder
	if code := run([]string{"meshlint", "baseline", "write", "--no-config", "seed"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("baseline write: exit %d, %s", code, errOut.String())
	}
	before := lintText(t, "seed")
	extra := `apiVersion: v1
kind: Namespace
metadata:
  name: aaa-batch
  labels: {istio-injection: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: aaa-importer, namespace: aaa-batch}
spec:
  selector: {matchLabels: {app: importer}}
  template:
    metadata: {labels: {app: importer}}
    spec:
      containers: [{name: importer, image: example/importer:1}]
`
	if err := os.WriteFile(filepath.Join(dir, "seed", "batch.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	after := lintText(t, "seed", "seed/batch.yaml")
	if before == after || !strings.Contains(after, "aaa-batch/aaa-importer[Deployment]") {
		t.Fatalf("the new namespace changes no message; the test shows nothing:\n%s", after)
	}
	out.Reset()
	errOut.Reset()
	code := run([]string{"meshlint", "--no-config", "--baseline", ".meshlint-baseline.json", "--fail-on", "note", "seed", "seed/batch.yaml"}, strings.NewReader(""), &out, &errOut)
	if !strings.Contains(errOut.String(), " 0 entries no longer occur") {
		t.Errorf("baseline entries stopped matching (exit %d): %s\n%s", code, errOut.String(), out.String())
	}
}

func lintText(t *testing.T, paths ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	run(append([]string{"meshlint", "--no-config", "--fail-on", "none"}, paths...), strings.NewReader(""), &out, &errOut)
	return out.String()
}
