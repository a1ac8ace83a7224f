package policy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The input of native rules is the documented schema (docs/rego.md); the
// golden file pins it. Conftest rules get each object exactly as written.
func TestInput(t *testing.T) {
	res, err := lint.Run(lint.Options{Paths: []string{"testdata/input"}, Enable: []string{"MSH001"}})
	if err != nil {
		t.Fatal(err)
	}
	in := policy.Input(res.Model, policy.Layers{Network: true, Mesh: true, Effective: true})
	if policy.Input(res.Model, policy.Layers{Network: true, Mesh: true, Effective: true}) != in {
		t.Error("Input is computed again for the same model")
	}
	checkJSONGolden(t, "testdata/input.golden.json", in)
	// Without policies that read it, the connectivity is not computed.
	lean, ok := policy.Input(res.Model, policy.Layers{}).(ast.Object)
	if !ok || lean.Get(ast.StringTerm("connectivity")).String() != "{}" {
		t.Errorf("input.connectivity without policies that read it = %v, want {}", lean.Get(ast.StringTerm("connectivity")))
	}

	objs := policy.Objects(res.Model)
	if len(objs) != len(res.Model.Objects) {
		t.Fatalf("%d conftest inputs for %d objects", len(objs), len(res.Model.Objects))
	}
	// Conftest sees each object as the file holds it.
	for i, want := range []string{
		`{"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": {"istio-injection": "enabled"}, "name": "shop"}}`,
		`{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": "web:1", "name": "web", "ports": [{"containerPort": 8080, "name": "http"}]}], "serviceAccountName": "web"}}}}`,
		`{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"labels": {"app": "gadget"}, "name": "gadget"}, "spec": {"big": 12345678901234, "copied": {"app": "gadget"}, "count": 7, "enabled": true, "infinite": ".inf", "merged": {"a": 1, "b": 3}, "nothing": null, "octal": 15, "quoted": "08", "ratio": 0.25}}`,
		`{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "merged"}, "spec": {"from": "merge"}}`,
	} {
		if got := objs[i].String(); got != want {
			t.Errorf("conftest input %d:\n%s\nwant\n%s", i, got, want)
		}
	}
}

func checkJSONGolden(t *testing.T, path string, v ast.Value) {
	t.Helper()
	raw, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("input differs from %s:\n--- got\n%s", path, got)
	}
}

// Only the layers policies read are computed; reading input.connectivity
// whole, or the whole input, takes them all.
func TestReadsConnectivity(t *testing.T) {
	tests := []struct {
		body string
		want policy.Layers
	}{
		{`deny contains x if { some x in input.objects }`, policy.Layers{}},
		{`deny contains c if { some c in input.connectivity.effective }`, policy.Layers{Effective: true}},
		{`deny contains c if { some c in input.connectivity.network; c.src == input.workloads[0].id }`, policy.Layers{Network: true}},
		{`deny contains c if { some layer; some c in input.connectivity[layer] }`, policy.Layers{Network: true, Mesh: true, Effective: true}},
		{`deny contains c if { c := input.connectivity }`, policy.Layers{Network: true, Mesh: true, Effective: true}},
		{`deny contains c if { c := input }`, policy.Layers{Network: true, Mesh: true, Effective: true}},
	}
	for _, tc := range tests {
		mod := "package meshlint.rules.x\n\n" + tc.body + "\n"
		if got := policy.ReadsConnectivityOf(t, mod); got != tc.want {
			t.Errorf("%s: layers %+v, want %+v", tc.body, got, tc.want)
		}
	}
}
