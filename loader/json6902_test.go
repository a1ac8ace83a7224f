package loader

import (
	"path/filepath"
	"strings"
	"testing"
)

// A field a JSON 6902 operation writes is located at the operation's value,
// in the kustomization (inline) or the patch file, at the index it has after
// the operations that follow; fields of the resource's file that later
// operations moved keep their own lines. Real kustomize builds.
func TestJSON6902Locations(t *testing.T) {
	base := map[string]string{
		"base/kustomization.yaml": "resources: [netpol.yaml, authz.yaml]\n",
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
		"base/authz.yaml": `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: api
spec:
  action: ALLOW
  rules:
    - to:
        - operation:
            ports: ["8080"]
`,
	}
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string // object kind, field path -> file:line:col
	}{
		{
			name: "patches, inline block",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patches:
  - target: {kind: NetworkPolicy, name: api}
    patch: |
      - op: replace
        path: /spec/ingress/0/ports/0
        value:
          port: 9000
          endPort: 8000
      - op: add
        path: /spec/ingress/0/ports/-
        value: {port: 443, protocol: UDP}
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].ports[0].endPort":  "overlay/kustomization.yaml:9:11",
				"NetworkPolicy spec.ingress[0].ports[1].protocol": "overlay/kustomization.yaml:12:28",
				"NetworkPolicy spec.ingress[0].from[0]":           "base/netpol.yaml:10:11",
			},
		},
		{
			name: "patchesJson6902 inline and by file, JSON",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patchesJson6902:
  - target: {group: security.istio.io, version: v1, kind: AuthorizationPolicy, name: api}
    patch: |-
      - op: add
        path: /spec/rules/0/to/0/operation/methods
        value: [GET]
  - target: {group: security.istio.io, version: v1, kind: AuthorizationPolicy, name: api}
    path: ops.json
  - target: {group: networking.k8s.io, version: v1, kind: NetworkPolicy, name: api}
    patch: '[{"op": "replace", "path": "/spec/ingress/0/ports/0/port", "value": 9443}]'
`,
				"overlay/ops.json": `[
  {"op": "replace", "path": "/spec/action", "value": "DENY"}
]
`,
			},
			want: map[string]string{
				"AuthorizationPolicy spec.rules[0].to[0].operation.methods": "overlay/kustomization.yaml:7:16",
				"AuthorizationPolicy spec.action":                           "overlay/ops.json:2:54",
				"AuthorizationPolicy spec.rules[0].to[0].operation.ports":   "base/authz.yaml:10:13",
				"NetworkPolicy spec.ingress[0].ports[0].port":               "overlay/kustomization.yaml:11:81",
			},
		},
		{
			name: "adds at one index: the later one comes first",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patches:
  - target: {kind: NetworkPolicy}
    path: ops.yaml
`,
				"overlay/ops.yaml": `- op: add
  path: /spec/ingress/0
  value:
    ports: [{port: 7000}]
- op: add
  path: /spec/ingress/0
  value:
    ports: [{port: 5000}]
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].ports[0].port":       "overlay/ops.yaml:8:14",
				"NetworkPolicy spec.ingress[1].ports[0].port":       "overlay/ops.yaml:4:14",
				"NetworkPolicy spec.ingress[2].ports[0].port":       "base/netpol.yaml:12:11",
				"NetworkPolicy spec.ingress[2].from[0].podSelector": "base/netpol.yaml:10:11",
				"NetworkPolicy spec.podSelector.matchLabels.app":    "base/netpol.yaml:7:19",
				"NetworkPolicy spec.ingress[2].ports[0]":            "base/netpol.yaml:12:11",
				"NetworkPolicy spec.ingress[0].ports[0]":            "overlay/ops.yaml:8:13",
				"NetworkPolicy spec.ingress[1]":                     "overlay/ops.yaml:4:5",
			},
		},
		{
			name: "a later patch moves what an earlier one wrote; replace overwrites",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patches:
  - target: {kind: NetworkPolicy}
    patch: |-
      - op: replace
        path: /spec/ingress/0/ports/0/port
        value: 8443
      - op: add
        path: /spec/ingress/-
        value: {ports: [{port: 1}]}
      - op: replace
        path: /spec/ingress/1/ports/0/port
        value: 2
  - target: {kind: NetworkPolicy}
    patch: |-
      - op: add
        path: /spec/ingress/0
        value: {ports: [{port: 53, protocol: UDP}]}
      - op: remove
        path: /spec/ingress/2
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].ports[0].protocol":   "overlay/kustomization.yaml:18:36",
				"NetworkPolicy spec.ingress[1].ports[0].port":       "overlay/kustomization.yaml:7:16",
				"NetworkPolicy spec.ingress[1].from[0].podSelector": "base/netpol.yaml:10:11",
			},
		},
		{
			name: "an item added and removed again moves what is after it there and back",
			files: map[string]string{
				"overlay/kustomization.yaml": `resources: [../base]
patches:
  - target: {kind: NetworkPolicy}
    patch: |-
      - op: replace
        path: /spec/ingress/0/ports/0/port
        value: 8443
      - op: add
        path: /spec/ingress/0
        value: {ports: [{port: 1}]}
      - op: remove
        path: /spec/ingress/0
`,
			},
			want: map[string]string{
				"NetworkPolicy spec.ingress[0].ports[0].port":       "overlay/kustomization.yaml:7:16",
				"NetworkPolicy spec.ingress[0].from[0].podSelector": "base/netpol.yaml:10:11",
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
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %v", res.Problems)
			}
			byKind := map[string]int{}
			for i, o := range res.Objects {
				byKind[o.Kind] = i
			}
			for field, want := range tc.want {
				kind, path, _ := strings.Cut(field, " ")
				o := res.Objects[byKind[kind]]
				if o.Lookup(path) == nil {
					t.Errorf("%s: no such field in the built resource", field)
					continue
				}
				if got := o.Position(path).String(); got != want {
					t.Errorf("%s at %s, want %s", field, got, want)
				}
			}
		})
	}
}
