package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKustomizeOverlayPointsAtSourceFiles(t *testing.T) {
	res, err := Load([]string{"testdata/kustomize/overlay"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	byKind := map[string]int{}
	for i, o := range res.Objects {
		byKind[o.Kind] = i
	}
	np := res.Objects[byKind["NetworkPolicy"]]
	if np.Name != "prod-backend" || np.Namespace != "prod" {
		t.Errorf("built policy is %s/%s, want prod/prod-backend", np.Namespace, np.Name)
	}
	if np.Labels["env"] != "prod" {
		t.Errorf("labels = %v, want the overlay's env=prod", np.Labels)
	}
	if _, ok := np.Annotations[originAnnotation]; ok {
		t.Errorf("the origin annotation meshlint asked for must not show: %v", np.Annotations)
	}
	tests := []struct {
		path       string
		line, col  int
		wantInFile string
	}{
		{"spec.ingress[0].from[0].podSelector", 12, 11, "testdata/kustomize/base/netpol.yaml"},
		{"spec.podSelector.matchLabels.app", 9, 7, "testdata/kustomize/base/netpol.yaml"},
		// Added by kustomize: the nearest field the user wrote.
		{"metadata.namespace", 5, 3, "testdata/kustomize/base/netpol.yaml"},
	}
	for _, tc := range tests {
		pos := np.Position(tc.path)
		if pos.File != tc.wantInFile || pos.Line != tc.line || pos.Column != tc.col {
			t.Errorf("%s at %v, want %s:%d:%d", tc.path, pos, tc.wantInFile, tc.line, tc.col)
		}
	}
	if d := res.Objects[byKind["Deployment"]]; !strings.HasSuffix(d.File, "base/backend.yaml") {
		t.Errorf("deployment file = %s", d.File)
	}
}

func TestKustomizeRemoteRefused(t *testing.T) {
	_, err := Load([]string{"testdata/kustomize/remote"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "--allow-remote") || !strings.Contains(err.Error(), "github.com/example/manifests") {
		t.Fatalf("err = %v, want a refusal naming the remote resource and --allow-remote", err)
	}
}

func TestKustomizeBuildFailureIsAnError(t *testing.T) {
	dir := writeTree(t, map[string]string{"kustomization.yaml": "resources:\n  - missing.yaml\n"})
	_, err := Load([]string{dir}, Options{WorkDir: dir})
	if err == nil || !strings.Contains(err.Error(), "kustomize build failed") {
		t.Fatalf("err = %v", err)
	}
}

// Walking a tree that holds a base and its overlay builds the overlay only:
// the base's objects are the overlay's, not a second set.
func TestKustomizeBaseBesideOverlay(t *testing.T) {
	files := map[string]string{}
	for _, name := range []string{"base/kustomization.yaml", "base/backend.yaml", "base/netpol.yaml", "overlay/kustomization.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata/kustomize", name))
		if err != nil {
			t.Fatal(err)
		}
		files["apps/"+name] = string(data)
	}
	files["plain/ns.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n"
	dir := writeTree(t, files)
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Kind+"/"+o.Name)
	}
	want := "Namespace/prod Deployment/prod-backend NetworkPolicy/prod-backend"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("objects %s, want %s", got, want)
	}
	// Named on the command line, a base is built as asked.
	res, err = Load([]string{filepath.Join(dir, "apps/base"), filepath.Join(dir, "apps/overlay")}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 4 {
		t.Errorf("%d objects, want both builds (4)", len(res.Objects))
	}
}
