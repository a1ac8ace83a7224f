package loader

import (
	"strings"
	"testing"
)

const helmChartTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  namespace: {{ .Release.Namespace }}
  level: {{ .Values.level | quote }}
`

// A kustomization's helmCharts are rendered in process (no helm binary):
// its values files and inline values apply, its transformers run on the
// rendered objects, and they point at their templates.
func TestKustomizeHelmCharts(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app/kustomization.yaml": `namespace: shop
namePrefix: prod-
helmCharts:
  - name: settings
    releaseName: rel
    namespace: shop
    additionalValuesFiles: [extra.yaml]
    valuesInline:
      level: inline
    valuesMerge: override
resources:
  - cm.yaml
`,
		"app/extra.yaml":                             "level: extra\n",
		"app/cm.yaml":                                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n",
		"app/charts/settings/Chart.yaml":             "apiVersion: v2\nname: settings\nversion: 1.0.0\n",
		"app/charts/settings/values.yaml":            "level: chart\n",
		"app/charts/settings/templates/cm.yaml":      helmChartTemplate,
		"app/charts/settings/templates/tests/t.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n",
	})
	res, err := Load([]string{dir + "/app"}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.File+" "+o.Kind+" "+o.Namespace+"/"+o.Name)
	}
	want := []string{
		"app/cm.yaml ConfigMap shop/prod-plain",
		"app/charts/settings/templates/cm.yaml ConfigMap shop/prod-rel-settings",
		"app/charts/settings/templates/tests/t.yaml Pod shop/prod-t",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, o := range res.Objects {
		if o.Name != "prod-rel-settings" {
			continue
		}
		if v := o.Field("data.level"); v != "extra" {
			t.Errorf("level %v: the additional values file is applied last", v)
		}
		if v := o.Field("data.namespace"); v != "shop" {
			t.Errorf("release namespace %v", v)
		}
		if p := o.Position("data.level"); p.Line != 7 {
			t.Errorf("data.level at %s, want the template's line 7", p)
		}
	}
}

// A chart kustomize would pull from a repository is refused, and none is
// fetched; one missing without a repository is kustomize's own error.
func TestKustomizeHelmChartsRemote(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"remote/kustomization.yaml":  "helmCharts:\n  - name: redis\n    version: 19.0.0\n    repo: oci://registry.example.com/charts\n",
		"missing/kustomization.yaml": "helmCharts:\n  - name: nowhere\n",
	})
	for _, c := range []struct{ dir, want string }{
		{"remote", "comes from the remote repository oci://registry.example.com/charts: meshlint does not pull charts (not even with --allow-remote)"},
		{"missing", "no chart found at missing/charts/nowhere"},
	} {
		for _, allow := range []bool{false, true} {
			_, err := Load([]string{dir + "/" + c.dir}, Options{WorkDir: dir, AllowRemote: allow})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s (allow-remote %v): %v, want %q", c.dir, allow, err, c.want)
			}
		}
	}
}

// Walking a tree, a chart a kustomization's helmCharts render is part of
// that build, not a chart of its own; another chart below the
// kustomization is rendered alone, and is not a manifest no build reads.
func TestKustomizeHelmChartsInTree(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app/kustomization.yaml":                "helmCharts:\n  - name: settings\n    releaseName: rel\n",
		"app/charts/settings/Chart.yaml":        "apiVersion: v2\nname: settings\nversion: 1.0.0\n",
		"app/charts/settings/values.yaml":       "level: chart\n",
		"app/charts/settings/templates/cm.yaml": helmChartTemplate,
		"app/charts/other/Chart.yaml":           "apiVersion: v2\nname: other\nversion: 1.0.0\n",
		"app/charts/other/templates/cm.yaml":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.File+" "+o.Name)
	}
	want := "app/charts/settings/templates/cm.yaml rel-settings app/charts/other/templates/cm.yaml other"
	if strings.Join(got, " ") != want {
		t.Errorf("objects %v, want %s", got, want)
	}
	if len(res.Problems) != 0 {
		t.Errorf("problems %+v", res.Problems)
	}
}
