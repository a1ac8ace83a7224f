package model_test

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

func build(t *testing.T, text string, s model.Settings) *model.Model {
	t.Helper()
	res, err := loader.Load([]string{"-"}, loader.Options{Stdin: strings.NewReader(text), DefaultNamespace: s.DefaultNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	return model.Build(res, s)
}

func find(m *model.Model, id string) *model.Workload {
	for _, w := range m.Workloads {
		if w.ID() == id {
			return w
		}
	}
	return nil
}

const cluster = `apiVersion: v1
kind: Namespace
metadata: {name: inj, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: rev, labels: {istio.io/rev: canary}}
---
apiVersion: v1
kind: Namespace
metadata: {name: off, labels: {istio-injection: disabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: inj}
spec: {template: {metadata: {labels: {app: a}}, spec: {serviceAccountName: sa-a, containers: [{name: c, ports: [{name: http, containerPort: 8080}, {containerPort: 53, protocol: UDP}]}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: optout, namespace: inj}
spec: {template: {metadata: {labels: {app: o, sidecar.istio.io/inject: "false"}}, spec: {containers: [{name: c}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: rev}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {app: n}}, spec: {containers: [{name: c}]}}}}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: off, annotations: {sidecar.istio.io/inject: "true"}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: z, namespace: amb}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9f-abcde
  namespace: plain
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9f, controller: true}]
spec: {containers: [{name: c}]}
`

func TestWorkloads(t *testing.T) {
	m := build(t, cluster, model.Settings{TrustDomain: "example.org"})
	tests := []struct {
		id       string
		mesh     model.MeshMode
		identity string
	}{
		{"inj/a[Deployment]", model.MeshSidecar, "example.org/ns/inj/sa/sa-a"},
		{"inj/optout[Deployment]", model.MeshNone, ""},
		{"rev/nightly[CronJob]", model.MeshSidecar, "example.org/ns/rev/sa/default"},
		// A namespace labelled istio-injection=disabled wins over the pod.
		{"off/p[Pod]", model.MeshNone, ""},
		{"amb/z[Pod]", model.MeshAmbient, "example.org/ns/amb/sa/default"},
		// A pod owned by a ReplicaSet is its owner.
		{"plain/web-7d9f[ReplicaSet]", model.MeshNone, ""},
	}
	for _, tc := range tests {
		w := find(m, tc.id)
		if w == nil {
			t.Errorf("no workload %s", tc.id)
			continue
		}
		if w.Mesh != tc.mesh || w.Identity != tc.identity {
			t.Errorf("%s: mesh %s identity %q, want %s %q", tc.id, w.Mesh, w.Identity, tc.mesh, tc.identity)
		}
	}
	a := find(m, "inj/a[Deployment]")
	if len(a.Ports) != 2 || a.Ports[0] != (model.ContainerPort{Name: "http", Port: 8080, Protocol: "TCP"}) || a.Ports[1].Protocol != "UDP" {
		t.Errorf("ports of a = %v", a.Ports)
	}
	// Anything in the mesh implies istiod; DNS is always implied.
	for _, id := range []string{"kube-system/kube-dns[Deployment]", "istio-system/istiod[Deployment]"} {
		if w := find(m, id); w == nil || !w.Implied {
			t.Errorf("%s is not implied", id)
		}
	}
	if ns := m.Namespace("plain"); ns == nil || !ns.Implied || ns.Labels["kubernetes.io/metadata.name"] != "plain" {
		t.Errorf("namespace plain, used but not declared: %+v", ns)
	}
	if got := m.WorkloadsMatchingPrincipal("example.org/ns/inj/sa/sa-a"); len(got) != 1 || got[0] != a {
		t.Errorf("principal lookup = %v", got)
	}
	if got := m.WorkloadsMatchingPrincipal("example.org/ns/inj/*"); len(got) != 2 {
		t.Errorf("principal prefix lookup found %d workloads, want 2", len(got))
	}
}

func TestNoImpliedServices(t *testing.T) {
	m := build(t, cluster, model.Settings{NoImpliedKubeDNS: true, NoImpliedIstiod: true})
	for _, w := range m.Workloads {
		if w.Implied {
			t.Errorf("%s implied although the settings say the cluster has none", w.ID())
		}
	}
}

func TestSpecErrorsKeepTheRestOfTheSet(t *testing.T) {
	m := build(t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: a}
spec:
  podSelectr: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: good, namespace: a}
spec:
  podSelector: {}
  ingress:
  - ports: [{port: 90, endPort: 80}, {port: 443}]
`, model.Settings{})
	if len(m.NetworkPolicies) != 1 || m.NetworkPolicies[0].Object.Name != "good" {
		t.Fatalf("policies in the model: %d, want only the one without unknown fields", len(m.NetworkPolicies))
	}
	if got := m.NetworkPolicies[0].Ingress[0].Ports; len(got) != 1 || got[0].Port != 443 {
		t.Errorf("the valid port must stay and the invalid one go: %+v", got)
	}
	var paths []string
	for _, e := range m.SpecErrors {
		paths = append(paths, e.Object.Name+" "+e.Path)
	}
	want := []string{"typo spec.podSelectr", "good spec.ingress[0].ports[0].endPort"}
	if strings.Join(paths, ",") != strings.Join(want, ",") {
		t.Errorf("spec errors at %v, want %v", paths, want)
	}
}
