package loader

import (
	"path/filepath"
	"testing"
)

// Each plain file is a part, each kustomization built another, and a
// build's part names what it is made of: overlays of one base share it.
func TestParts(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"plain.yaml":                 goodPolicy,
		"base/kustomization.yaml":    "resources: [netpol.yaml]\n",
		"base/netpol.yaml":           goodPolicy,
		"prod/kustomization.yaml":    "resources: [../base]\nnamePrefix: prod-\n",
		"staging/kustomization.yaml": "resources: [../base, extra.yaml]\nnamePrefix: staging-\n",
		"staging/extra.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n",
		"other/kustomization.yaml":   "resources: [cm.yaml]\n",
		"other/cm.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n",
		"docs/not-kubernetes.yaml":   "title: notes\n",
		"docs/broken.yaml":           "kind: [\n",
		"plain-too/again.yaml":       goodPolicy,
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind             PartKind
		name             string
		objects, skipped int
		problems         int
	}
	// In the order they were met, walking the tree.
	wants := []want{
		{PartManifests, "docs/broken.yaml", 0, 0, 1},
		{PartManifests, "docs/not-kubernetes.yaml", 0, 1, 0},
		{PartKustomization, "other", 1, 0, 0},
		{PartManifests, "plain-too/again.yaml", 1, 0, 0},
		{PartManifests, "plain.yaml", 1, 0, 0},
		{PartKustomization, "prod", 1, 0, 0},
		{PartKustomization, "staging", 2, 0, 0},
	}
	if len(res.Parts) != len(wants) {
		t.Fatalf("%d parts, want %d", len(res.Parts), len(wants))
	}
	byName := map[string]*Part{}
	for i, w := range wants {
		p := res.Parts[i]
		byName[p.Name] = p
		if p.Kind != w.kind || p.Name != w.name || len(p.Objects) != w.objects || p.Skipped != w.skipped || len(p.Problems) != w.problems {
			t.Errorf("part %d: %v %q with %d objects, %d skipped, %d problems; want %+v", i, p.Kind, p.Name, len(p.Objects), p.Skipped, len(p.Problems), w)
		}
	}
	for i, o := range res.Objects {
		found := false
		for _, po := range res.PartOf(i).Objects {
			found = found || po == o
		}
		if !found {
			t.Errorf("object %s is not in its part %s", o.Name, res.PartOf(i).Name)
		}
	}
	if got, want := byName["staging"].Uses, []string{filepath.Join(dir, "base"), filepath.Join(dir, "base", "netpol.yaml"), filepath.Join(dir, "staging", "extra.yaml")}; !equal(got, want) {
		t.Errorf("staging uses %v, want %v", got, want)
	}
	if !byName["prod"].Shares(byName["staging"]) || byName["prod"].Shares(byName["other"]) || byName["plain.yaml"].Shares(byName["prod"]) {
		t.Error("prod and staging share their base, and nothing else shares")
	}
	// A file read by two builds counts once.
	if res.Files != 7 {
		t.Errorf("%d files, want 7", res.Files)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
