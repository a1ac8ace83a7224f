package loader

import (
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
