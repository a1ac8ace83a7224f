package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A kustomization found while walking that does not build is an MSH009
// finding and the rest is linted; named on the command line it fails the
// run. Remote resources are fetched only when the flag or the config file
// allows it.
func TestBuildFailures(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"base/kustomization.yaml":   "resources: [sa.yaml]\n",
		"base/sa.yaml":              "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n",
		"remote/kustomization.yaml": "resources:\n  - ../base\n  - https://example.invalid/policies//shop?ref=v1\n",
		"plain.yaml":                "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	lint := func(args ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := run(append([]string{"meshlint", "--fail-on", "error"}, args...), strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := lint("--no-config", ".")
	if code != 1 || !strings.Contains(out, "remote/kustomization.yaml:3:5: error: kustomization refers to remote resources (https://example.invalid/policies//shop?ref=v1); pass --allow-remote") {
		t.Errorf("walked: exit %d, want 1 and MSH009 at the remote reference:\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "2 objects in 2 files") {
		t.Errorf("the rest of the tree is not linted:\n%s", out)
	}
	if code, _, errOut := lint("--no-config", "remote"); code != 2 || !strings.Contains(errOut, "refers to remote resources") {
		t.Errorf("named: exit %d, %s", code, errOut)
	}
	// Allowed (here by the config file), the build is tried: the host does
	// not exist, so it fails for that reason instead.
	if err := os.WriteFile(".meshlint.yaml", []byte("allow-remote: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ = lint(".")
	if strings.Contains(out, "pass --allow-remote") || !strings.Contains(out, "kustomize build failed") {
		t.Errorf("allow-remote in the config file is not applied:\n%s", out)
	}
	_, out, _ = lint("--allow-remote=false", ".")
	if !strings.Contains(out, "pass --allow-remote") {
		t.Errorf("--allow-remote=false does not beat the config file:\n%s", out)
	}
	// diff reads the config file's allow-remote too.
	var diffOut, diffErr strings.Builder
	if code := run([]string{"meshlint", "diff", "remote", "remote"}, strings.NewReader(""), &diffOut, &diffErr); code != 2 || strings.Contains(diffErr.String(), "pass --allow-remote") {
		t.Errorf("diff with allow-remote in the config file: exit %d, %s", code, diffErr.String())
	}
}

// A finding located in a patch is silenced by a comment there, and by the
// object's annotation in the base.
func TestSuppressionInPatch(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "testdata/manifests/overlays"), dir)
	patch := filepath.Join(dir, "staging/canary-only.yaml")
	data, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	commented := strings.Replace(string(data), "        - podSelector:", "        # meshlint:ignore MSH103 canary pods ship next sprint\n        - podSelector:", 1)
	if err := os.WriteFile(patch, []byte(commented), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	rep := jsonOf(t, run0(t, "--no-config", "staging"))
	found := false
	for _, f := range rep.Findings {
		if f.Rule == "MSH103" {
			found = true
			if f.Location.File != "staging/canary-only.yaml" || f.Suppressed == nil {
				t.Errorf("MSH103 at %s, suppressed %v: want at the patch, silenced by its comment", f.Location.File, f.Suppressed)
			}
		}
	}
	if !found {
		t.Error("MSH103 does not fire in staging")
	}
}

// Many duplicates usually mean a tree of alternatives linted as one
// cluster: stderr says how to tell meshlint.
func TestManyDuplicatesHint(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 12; i++ {
		cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {case: \"" + strconv.Itoa(i) + "\"}\n"
		if err := os.WriteFile(filepath.Join(dir, "case"+strconv.Itoa(i+10)+".yaml"), []byte(cm), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var out, errOut strings.Builder
	run([]string{"meshlint", "--no-config", "."}, strings.NewReader(""), &out, &errOut)
	if !strings.Contains(errOut.String(), "12 duplicate-object findings (MSH008): if these files are alternatives") {
		t.Errorf("no hint on stderr: %q", errOut.String())
	}
}
