package envs

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func deployment(name string) string {
	return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n"
}

func kustomization(resources ...string) string {
	return "resources:\n  - " + strings.Join(resources, "\n  - ") + "\n"
}

// app is one application with a base and two overlays.
func app(prefix string) map[string]string {
	return map[string]string{
		prefix + "/base/kustomization.yaml":             kustomization("web.yaml"),
		prefix + "/base/web.yaml":                       deployment(filepath.Base(prefix)),
		prefix + "/overlays/prod/kustomization.yaml":    kustomization("../../base") + "namePrefix: prod-\n",
		prefix + "/overlays/staging/kustomization.yaml": kustomization("../../base") + "namePrefix: staging-\n",
	}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// describe prints each environment as "name: object names".
func describe(split *Split) []string {
	var out []string
	for _, e := range split.Envs {
		var names []string
		for _, o := range e.Loaded.Objects {
			names = append(names, o.Name)
		}
		sort.Strings(names)
		out = append(out, e.Name+": "+strings.Join(names, " "))
	}
	return out
}

func TestGroup(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		declared []Declared // paths relative to the tree
		want     []string
		leftOut  []string
		empty    []string
	}{
		{
			name:  "plain manifests are one environment",
			files: map[string]string{"a.yaml": deployment("a"), "sub/b.yaml": deployment("b")},
			want:  []string{": a b"},
		},
		{
			name: "a lone kustomization joins the plain manifests",
			files: merge(map[string]string{"ns.yaml": deployment("ns")},
				map[string]string{"k/kustomization.yaml": kustomization("x.yaml"), "k/x.yaml": deployment("x")}),
			want: []string{": ns x"},
		},
		{
			name:  "overlays of one base are alternatives; plain manifests join each",
			files: merge(app("shop"), map[string]string{"common/ns.yaml": deployment("common")}),
			want: []string{
				"shop/overlays/prod: common prod-shop",
				"shop/overlays/staging: common staging-shop",
			},
		},
		{
			name:  "same-named overlays of several apps are one environment",
			files: merge(app("apps/cart"), app("apps/web")),
			want: []string{
				"apps/*/overlays/prod: prod-cart prod-web",
				"apps/*/overlays/staging: staging-cart staging-web",
			},
		},
		{
			name: "an overlay only one app has is an environment of its own",
			files: merge(app("apps/cart"), app("apps/web"), map[string]string{
				"apps/web/overlays/dev/kustomization.yaml": kustomization("../../base") + "namePrefix: dev-\n",
			}),
			want: []string{
				"apps/*/overlays/prod: prod-cart prod-web",
				"apps/*/overlays/staging: staging-cart staging-web",
				"apps/web/overlays/dev: dev-web",
			},
		},
		{
			name:  "declared environments",
			files: merge(app("apps/cart"), app("apps/web"), map[string]string{"infra/ns.yaml": deployment("infra"), "other/x.yaml": deployment("other")}),
			declared: []Declared{
				{Name: "production", Paths: []string{"apps/*/overlays/prod", "infra"}},
				{Name: "cart-staging", Paths: []string{"apps/cart/overlays/staging", "infra/ns.yaml"}},
				{Name: "nothing", Paths: []string{"apps/*/overlays/qa"}},
			},
			// other/x.yaml is listed nowhere and joins both; web's staging
			// overlay is an alternative to listed ones, so it is left out.
			want: []string{
				"production: infra other prod-cart prod-web",
				"cart-staging: infra other staging-cart",
			},
			leftOut: []string{"apps/web/overlays/staging"},
			empty:   []string{"nothing"},
		},
		{
			name:     "overlays of one base listed together are still alternatives",
			files:    merge(app("apps/cart"), map[string]string{"infra/ns.yaml": deployment("infra")}),
			declared: []Declared{{Name: "all", Paths: []string{"apps", "infra"}}},
			want:     []string{"all/prod: infra prod-cart", "all/staging: infra staging-cart"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			t.Chdir(dir)
			res, err := loader.Load([]string{"."}, loader.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var declared []Declared
			for _, d := range tc.declared {
				var paths []string
				for _, p := range d.Paths {
					paths = append(paths, filepath.Join(dir, p))
				}
				declared = append(declared, Declared{Name: d.Name, Paths: paths})
			}
			split := Group(res, declared)
			got := describe(split)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("environments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var left []string
			for _, p := range split.LeftOut {
				left = append(left, p.Name)
			}
			if strings.Join(left, ",") != strings.Join(tc.leftOut, ",") {
				t.Errorf("left out %v, want %v", left, tc.leftOut)
			}
			if strings.Join(split.Empty, ",") != strings.Join(tc.empty, ",") {
				t.Errorf("empty %v, want %v", split.Empty, tc.empty)
			}
		})
	}
}

// One environment costs nothing: it is the loader's own result.
func TestOneEnvironmentSharesTheResult(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": deployment("a")})
	res, err := loader.Load([]string{dir}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	split := Group(res, nil)
	if len(split.Envs) != 1 || split.Envs[0].Loaded != res || split.Envs[0].Name != "" {
		t.Fatalf("got %+v, want one unnamed environment holding the loader's result", split.Envs)
	}
}

// An environment keeps the objects, problems and counts of its own parts.
func TestEnvironmentCounts(t *testing.T) {
	files := app("shop")
	files["shop/overlays/staging/extra.yaml"] = deployment("extra")
	files["shop/overlays/staging/kustomization.yaml"] = kustomization("../../base", "extra.yaml") + "namePrefix: staging-\n"
	files["shop/overlays/staging/broken/kustomization.yaml"] = kustomization("../../../base", "missing.yaml")
	files["plain.yaml"] = deployment("plain") + "---\njust: data\n"
	dir := writeTree(t, files)
	t.Chdir(dir)
	res, err := loader.Load([]string{"."}, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	split := Group(res, nil)
	want := map[string][4]int{ // objects, skipped, files, problems
		"shop/overlays/prod":           {2, 1, 2, 0},
		"shop/overlays/staging":        {3, 1, 3, 0},
		"shop/overlays/staging/broken": {1, 1, 1, 1},
	}
	if len(split.Envs) != len(want) {
		t.Fatalf("%d environments, want %d: %v", len(split.Envs), len(want), describe(split))
	}
	for _, e := range split.Envs {
		l := e.Loaded
		if got := [4]int{len(l.Objects), l.Skipped, l.Files, len(l.Problems)}; got != want[e.Name] {
			t.Errorf("%s: objects, skipped, files, problems = %v, want %v", e.Name, got, want[e.Name])
		}
		for i := range l.Objects {
			found := false
			for _, p := range e.Parts {
				found = found || l.PartOf(i) == p
			}
			if !found {
				t.Errorf("%s: object %d belongs to a part the environment lacks", e.Name, i)
			}
		}
	}
}

func TestPick(t *testing.T) {
	all := []*Env{{Name: "b"}, {Name: "a"}}
	if e, err := Pick(all, "a"); err != nil || e != all[1] {
		t.Errorf("Pick(a) = %v, %v", e, err)
	}
	if _, err := Pick(all, "c"); err == nil || !strings.Contains(err.Error(), `no environment "c" (there are: a, b)`) {
		t.Errorf("Pick(c) error = %v", err)
	}
	if _, err := Pick([]*Env{{}}, "prod"); err == nil || !strings.Contains(err.Error(), "the run has one environment") {
		t.Errorf("Pick on one environment: %v", err)
	}
}
