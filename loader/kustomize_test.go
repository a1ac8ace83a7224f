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
	want := "Deployment/prod-backend NetworkPolicy/prod-backend Namespace/prod"
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

func problemsOf(res *Result, kind ProblemKind) []string {
	var out []string
	for _, p := range res.Problems {
		if p.Kind == kind {
			out = append(out, p.Pos.String()+": "+p.Message)
		}
	}
	return out
}

func objectNames(res *Result) string {
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Name)
	}
	return strings.Join(names, " ")
}

// A root kustomization that lists only infra/ does not hide apps/ beside it:
// files no build reads are plain manifests, and the kustomization says so.
func TestKustomizationLeavesFilesOut(t *testing.T) {
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" }
	dir := writeTree(t, map[string]string{
		"kustomization.yaml":                  "resources:\n  - infra\n",
		"infra/kustomization.yaml":            "resources: [ns.yaml]\npatches:\n  - path: patch.yaml\nconfigMapGenerator:\n  - name: gen\n    files: [conf=settings.json]\n",
		"infra/ns.yaml":                       cm("ns"),
		"infra/patch.yaml":                    cm("ns") + "data: {a: b}\n",
		"infra/settings.json":                 `{"not": "a manifest"}`,
		"apps/web.yaml":                       cm("web"),
		"apps/api.yaml":                       cm("api"),
		"apps/own/kustomization.yaml":         "resources: [x.yaml]\n",
		"apps/own/x.yaml":                     cm("own"),
		"apps/own/unlisted/kustomization.yml": "resources: [y.yaml]\n",
		"apps/own/unlisted/y.yaml":            cm("nested"),
		// A component no build lists is never built alone, and its files
		// are its own.
		"components/extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [z.yaml]\npatches:\n  - path: delete.yaml\n",
		"components/extra/z.yaml":             cm("component"),
		"components/extra/delete.yaml":        "$patch: delete\n" + cm("ns"),
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	// In the order they were met: the root's build, then what lies below.
	if got, want := objectNames(res), "ns gen-9h74b552dd api own nested web"; got != want {
		t.Errorf("objects %s, want %s", got, want)
	}
	if got := problemsOf(res, ProblemOutsideBuild); len(got) != 1 || !strings.HasPrefix(got[0], "kustomization.yaml:1:1: 2 manifest files below this kustomization (.) are in no kustomize build: apps/api.yaml, apps/web.yaml; they are linted") {
		t.Errorf("outside-build problems %q", got)
	}
	if len(res.Problems) != 1 {
		t.Errorf("problems %v", res.Problems)
	}
}

// A kustomization found while walking that does not build is a problem at
// its file; the rest of the tree is still read, and the base the broken
// overlay included is built on its own. Named, it fails the run.
func TestBrokenKustomizationWhileWalking(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"base/kustomization.yaml":     "resources: [netpol.yaml]\n",
		"base/netpol.yaml":            goodPolicy,
		"broken/kustomization.yaml":   "resources:\n  - ../base\n  - missing.yaml\n",
		"remote/kustomization.yaml":   "resources:\n  - ../base\n  - https://github.com/example/manifests//base?ref=v1.0.0\n",
		"bad-yaml/kustomization.yaml": "resources: [\n",
		"plain.yaml":                  strings.Replace(goodPolicy, "deny-all", "plain", 1),
	})
	res, err := Load([]string{dir}, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got := problemsOf(res, ProblemBuild)
	want := []string{
		"bad-yaml/kustomization.yaml:1:1: kustomize build failed",
		"broken/kustomization.yaml:3:5: kustomize build failed",
		"remote/kustomization.yaml:3:5: kustomization refers to remote resources (https://github.com/example/manifests//base?ref=v1.0.0); pass --allow-remote",
	}
	if len(got) != len(want) {
		t.Fatalf("build problems %q, want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want %q...", i, got[i], want[i])
		}
	}
	if names := objectNames(res); names != "deny-all plain" {
		t.Errorf("objects %s, want the base built alone and the plain file", names)
	}
	for _, named := range []string{"broken", "remote"} {
		if _, err := Load([]string{filepath.Join(dir, named)}, Options{WorkDir: dir}); err == nil {
			t.Errorf("%s named on the command line: no error", named)
		}
	}
}

// A field a patch sets is located in the patch, at the patch's line for it;
// the fields it leaves alone stay in the base.
func TestPatchLocations(t *testing.T) {
	base := map[string]string{
		"base/kustomization.yaml": "resources: [netpol.yaml, deploy.yaml]\n",
		"base/netpol.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
spec:
  podSelector:
    matchLabels: {app: api}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web}}
      ports:
        - port: 8080
`,
		"base/deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {tier: backend}
spec:
  template:
    spec:
      containers:
        - name: api
          image: api:1
          ports:
            - containerPort: 8080
        - name: sidecar
          image: side:1
`,
	}
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string // object kind, field path -> file:line:col
	}{
		{
			name: "strategic merge, by file",
			files: map[string]string{
				"overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: staging-\npatches:\n  - path: patch.yaml\n",
				"overlay/patch.yaml": `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
spec:
  ingress:
    - from:
        - podSelector: {matchLabels: {app: web, track: canary}}
      ports:
        - port: 9090
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].from[0].podSelector": "overlay/patch.yaml:8:11",
				"NetworkPolicy spec.ingress[0].ports[0].port":       "overlay/patch.yaml:10:11",
				"NetworkPolicy spec.podSelector.matchLabels":        "base/netpol.yaml:7:5",
				"NetworkPolicy metadata.name":                       "base/netpol.yaml:4:3",
				"Deployment spec.template.spec.containers[0].image": "base/deploy.yaml:11:11",
			},
		},
		{
			name: "strategic merge of a list by name, inline",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      template:
        spec:
          containers:
            - name: sidecar
              image: side:2
`,
			},
			// The merge puts the patched container first.
			want: map[string]string{
				"Deployment spec.template.spec.containers[0].image": "overlay/kustomization.yaml:13:15",
				"Deployment spec.template.spec.containers[1].image": "base/deploy.yaml:11:11",
			},
		},
		{
			name: "JSON 6902 with a target",
			files: map[string]string{
				"overlay/kustomization.yaml": "resources: [../base]\npatches:\n  - path: ops.yaml\n    target: {kind: NetworkPolicy, name: ap.*}\n",
				"overlay/ops.yaml": `- op: replace
  path: /spec/ingress/0/ports/0/port
  value: 9443
- op: add
  path: /spec/ingress/0/from/-
  value:
    namespaceSelector: {matchLabels: {team: ops}}
- op: remove
  path: /spec/podSelector/matchLabels
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].ports[0].port":             "overlay/ops.yaml:3:10",
				"NetworkPolicy spec.ingress[0].from[1].namespaceSelector": "overlay/ops.yaml:7:5",
				"NetworkPolicy spec.ingress[0].from[0].podSelector":       "base/netpol.yaml:10:11",
			},
		},
		{
			name: "strategic merge with a label selector target",
			files: map[string]string{
				"overlay/kustomization.yaml": "resources: [../base]\npatches:\n  - target: {labelSelector: tier=backend}\n    patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: ignored\n      spec:\n        replicas: 3\n",
			},
			want: map[string]string{
				"Deployment spec.replicas":                          "overlay/kustomization.yaml:10:9",
				"Deployment spec.template.spec.containers[0].image": "base/deploy.yaml:11:11",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range base {
				files[k] = v
			}
			for k, v := range tc.files {
				files[k] = v
			}
			dir := writeTree(t, files)
			res, err := Load([]string{filepath.Join(dir, "overlay")}, Options{WorkDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			byKind := map[string]int{}
			for i, o := range res.Objects {
				byKind[o.Kind] = i
			}
			for field, want := range tc.want {
				kind, path, _ := strings.Cut(field, " ")
				if got := res.Objects[byKind[kind]].Position(path).String(); got != want {
					t.Errorf("%s at %s, want %s", field, got, want)
				}
			}
		})
	}
}
