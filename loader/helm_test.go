package loader

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/manifest"
)

const shopChart = "../testdata/helm/shop"

func absPath(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// A directory holding Chart.yaml is rendered, one part per values set;
// objects point at their templates, and take the release namespace.
func TestLoadChart(t *testing.T) {
	wd := absPath(t, "../testdata/helm")
	res, err := Load([]string{shopChart}, Options{WorkDir: wd, DefaultNamespace: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Parts) != 1 || res.Parts[0].Kind != PartHelm || res.Parts[0].Name != "shop" || res.Parts[0].Hooks != 1 || !res.Parts[0].Named {
		t.Fatalf("parts %+v", res.Parts)
	}
	if len(res.Objects) != 9 || len(res.Problems) != 0 {
		t.Fatalf("%d objects, problems %v", len(res.Objects), res.Problems)
	}
	for _, o := range res.Objects {
		if !strings.HasPrefix(o.File, "shop/templates/") || o.Namespace != "shop" || o.NamespaceSet {
			t.Errorf("%s/%s in %s, namespace %q (set %v)", o.Kind, o.Name, o.File, o.Namespace, o.NamespaceSet)
		}
	}
	// Hooks, when asked for.
	hooks, err := Load([]string{shopChart}, Options{WorkDir: wd, Helm: HelmOptions{Hooks: true}})
	if err != nil || len(hooks.Objects) != 10 || hooks.Parts[0].Hooks != 0 {
		t.Errorf("with hooks: %v, %d objects", err, len(hooks.Objects))
	}
}

// Each values set the config file gives a chart is a part of its own, named
// by its files; the command line's values apply to each.
func TestLoadChartValuesSets(t *testing.T) {
	wd := absPath(t, "../testdata/helm")
	chart := absPath(t, shopChart)
	res, err := Load([]string{shopChart}, Options{WorkDir: wd, Helm: HelmOptions{
		Charts: map[string][]ValuesSet{chart: {
			{},
			{Files: []string{filepath.Join(chart, "values-broken-peer.yaml")}},
			{Name: "canary", Set: []string{"cart.port=7071"}},
		}},
		Set: []string{"web.port=8081"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Parts {
		names = append(names, p.Name)
		if !p.Shares(res.Parts[0]) {
			t.Errorf("%s does not share the chart with %s", p.Name, res.Parts[0].Name)
		}
	}
	if got := strings.Join(names, " "); got != "shop[web.port=8081] shop[values-broken-peer.yaml,web.port=8081] shop[canary]" {
		t.Errorf("parts %s", got)
	}
	canary := res.Parts[2]
	for _, o := range canary.Objects {
		if o.Kind == "Service" && o.Name == "cart" {
			if port := o.Field("spec.ports[0].port"); port != int64(7071) {
				t.Errorf("canary's cart port %v", port)
			}
		}
	}
}

// Walking a tree: subcharts are their parent's, not charts of their own;
// a chart that does not render is a problem and the rest is read; named,
// it fails the run.
func TestLoadChartsInTree(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"plain.yaml":                               goodPolicy,
		"app/Chart.yaml":                           "apiVersion: v2\nname: app\nversion: 1.0.0\n",
		"app/templates/cm.yaml":                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
		"app/charts/sub/Chart.yaml":                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
		"app/charts/sub/templates/cm.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\n",
		"broken/Chart.yaml":                        "apiVersion: v2\nname: broken\nversion: 1.0.0\n",
		"broken/templates/cm.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"name is required\" .Values.name }}\n",
		"broken/templates/ok.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
		"notachart/templates/looks-like-helm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n",
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.File+" "+o.Name)
	}
	want := []string{
		"app/charts/sub/templates/cm.yaml sub",
		"app/templates/cm.yaml app",
		"broken/templates/ok.yaml ok",
		"notachart/templates/looks-like-helm.yaml plain",
		"plain.yaml deny-all",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Problems) != 1 || res.Problems[0].Pos != (manifest.Position{File: "broken/templates/cm.yaml", Line: 4, Column: 11}) ||
		!strings.Contains(res.Problems[0].Message, "name is required") {
		t.Errorf("problems %+v", res.Problems)
	}
	_, err = Load([]string{filepath.Join(dir, "broken")}, Options{WorkDir: dir})
	if err == nil || !strings.Contains(err.Error(), "broken/templates/cm.yaml:4:11") || !strings.Contains(err.Error(), "name is required") {
		t.Errorf("named broken chart: %v", err)
	}
}

// ValuesOf finds where the values behind a field are set, also for a field
// whose value an action wrote below it.
func TestValuesOf(t *testing.T) {
	wd := absPath(t, "../testdata/helm")
	res, err := Load([]string{shopChart}, Options{WorkDir: wd, Helm: HelmOptions{Values: []string{"shop/values-broken-peer.yaml"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		if o.Kind != "NetworkPolicy" || o.Name != "cart" {
			continue
		}
		for _, path := range []string{"spec.ingress[0].from[0].podSelector", "spec.ingress[0].from[0].podSelector.matchLabels.app"} {
			refs := res.ValuesOf(o, path)
			found := false
			for _, r := range refs {
				found = found || (r.Key == "networkPolicy.allowFrom.app" && r.Pos == manifest.Position{File: "shop/values-broken-peer.yaml", Line: 5, Column: 5})
			}
			if !found {
				t.Errorf("%s: values %+v", path, refs)
			}
		}
		if refs := res.ValuesOf(o, "metadata.name"); len(refs) != 0 {
			t.Errorf("metadata.name is literal, yet values %+v", refs)
		}
	}
}

// Charts found while walking that fail before rendering: a values set the
// schema refuses stands at the line that sets the key; a dependency not
// vendored, at its name in Chart.yaml. A values file the command line names
// that is not there fails the run.
func TestLoadChartFailuresInTree(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"schema/Chart.yaml":         "apiVersion: v2\nname: schema\nversion: 1.0.0\n",
		"schema/values.yaml":        "replicas: 1\n",
		"schema/values.schema.json": `{"type": "object", "properties": {"replicas": {"type": "integer"}}}`,
		"schema/values-bad.yaml":    "# two\nreplicas: two\n",
		"schema/templates/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"deps/Chart.yaml":           "apiVersion: v2\nname: deps\nversion: 1.0.0\ndependencies:\n  - name: db\n    version: 1.0.0\n    repository: oci://registry.example.com/charts\n",
		"deps/templates/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir, Helm: HelmOptions{
		Charts: map[string][]ValuesSet{filepath.Join(dir, "schema"): {{Files: []string{filepath.Join(dir, "schema", "values-bad.yaml")}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.Pos.String())
		if !strings.Contains(p.Message, "Helm chart does not render") {
			t.Errorf("%s: %s", p.Pos, p.Message)
		}
	}
	if strings.Join(got, " ") != "deps/Chart.yaml:5:1 schema/values-bad.yaml:2:1" {
		t.Errorf("problems at %v", got)
	}
	if !strings.Contains(res.Problems[0].Message, `dependency "db"`) || !strings.Contains(res.Problems[1].Message, "/replicas") {
		t.Errorf("messages: %+v", res.Problems)
	}
	_, err = Load([]string{dir}, Options{WorkDir: dir, Helm: HelmOptions{Values: []string{"nope.yaml"}}})
	if err == nil || err.Error() != "--helm-values nope.yaml: no such file" {
		t.Errorf("missing values file: %v", err)
	}
}
