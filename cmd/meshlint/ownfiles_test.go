package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const ownFilesManifest = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
`

// TestOwnFilesNotLinted: meshlint's config file, baselines, Rego policy
// directories and the Helm values files it is given, met while walking a
// tree, are neither linted (no MSH001 for a values file's top-level kind)
// nor counted as files or skipped documents; -v names them.
func TestOwnFilesNotLinted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		// skipped is what -v must list.
		skipped []string
		// extra is how many files the run reads besides the manifest (a
		// chart's own).
		extra int
	}{
		{
			name: "config file",
			files: map[string]string{
				".meshlint.yaml":    "fail-on: error\n",
				"sub/.meshlint.yml": "kind: Deployment\n", // another tree's, still ours
			},
			skipped: []string{"config file .meshlint.yaml, sub/.meshlint.yml"},
		},
		{
			name: "baselines, default and named",
			files: map[string]string{
				".meshlint-baseline.json": `{"version": 1, "findings": [{"rule": "MSH107", "kind": "Deployment"}]}`,
				"ci/known.json":           `{"version": 1, "findings": []}`,
			},
			args:    []string{"--baseline", "ci/known.json"},
			skipped: []string{"baseline .meshlint-baseline.json, ci/known.json"},
		},
		{
			name: "Rego policy directories",
			files: map[string]string{
				"policy/deny.rego":       "package main\nimport rego.v1\ndeny contains msg if { false; msg := \"\" }\n",
				"policy/data.yaml":       "kind: Deployment\n",
				"policy/input_test.json": `{"kind": "Deployment"}`,
				"named/data.yaml":        "kind: Service\n",
				"named/p.rego":           "package other\n",
			},
			args:    []string{"--policy", "named"},
			skipped: []string{"Rego policy data policy/data.yaml, policy/input_test.json", "Rego policy directory named"},
		},
		{
			name: "Helm values files of the config and the flags",
			files: map[string]string{
				".meshlint.yaml":        "helm:\n  chart:\n    - name: prod\n      values: [values/prod.yaml]\n",
				"chart/Chart.yaml":      "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
				"chart/values.yaml":     "{}\n",
				"values/prod.yaml":      "kind: StatefulSet\n",
				"values/extra.yaml":     "kind: Deployment\n",
				"chart/templates/.keep": "",
			},
			args:    []string{"--helm-values", "values/extra.yaml"},
			skipped: []string{"Helm values file values/extra.yaml, values/prod.yaml", "config file .meshlint.yaml"},
			extra:   3, // the chart's Chart.yaml, values.yaml and template
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["manifests/ns.yaml"] = ownFilesManifest
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			t.Chdir(dir)
			var out, errOut bytes.Buffer
			args := append([]string{"meshlint", "--format", "json", "--fail-on", "none", "-v"}, tc.args...)
			code := run(append(args, "."), strings.NewReader(""), &out, &errOut)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
			}
			var rep struct {
				Findings []struct {
					Rule     string
					Location struct{ File string }
				}
				Summary struct{ Files, Skipped int }
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v:\n%s", err, out.String())
			}
			for _, f := range rep.Findings {
				if f.Rule == "MSH001" {
					t.Errorf("MSH001 at %s: a file of meshlint's own was linted", f.Location.File)
				}
			}
			if rep.Summary.Files != 1+tc.extra || rep.Summary.Skipped != 0 {
				t.Errorf("summary counts %d files and %d skipped documents, want %d and none", rep.Summary.Files, rep.Summary.Skipped, 1+tc.extra)
			}
			for _, want := range tc.skipped {
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("-v does not say %q was skipped:\n%s", want, errOut.String())
				}
			}
		})
	}
}

// TestOwnFilesNamedAreLinted: a file named on the command line is linted
// whatever its name; only what a walk meets is left out.
func TestOwnFilesNamedAreLinted(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"policy/deny.rego": "package main\n", "policy/ns.yaml": ownFilesManifest})
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	if code := run([]string{"meshlint", "--fail-on", "none", "policy/ns.yaml"}, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "1 object in 1 file") {
		t.Errorf("a named file beside Rego modules was not linted:\n%s", out.String())
	}
}
