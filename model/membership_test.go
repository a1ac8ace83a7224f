package model_test

import (
	"testing"

	"github.com/meshlint/meshlint/model"
)

// Who is in the mesh, as Istio decides it. Each case names the Istio source
// its expectation follows:
//   - webhook: manifests/charts/istio-control/istio-discovery/templates/
//     mutatingwebhook.yaml (the injector's namespace and object selectors)
//   - inject: pkg/kube/inject/inject.go (injectRequired; the
//     sidecar.istio.io/status annotation, the istio-proxy container)
//   - charts: manifests/charts/gateways/istio-ingress/templates/
//     deployment.yaml (sidecar.istio.io/inject "false", `proxy router`) and
//     manifests/charts/gateway (inject.istio.io/templates: gateway)
//   - cni: cni/pkg/util/podutil.go (ambient.istio.io/redirection: enabled)
//   - gateways: pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go,
//     gateway_utils.go and files/kube-gateway.yaml, files/waypoint.yaml
const membership = `apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
apiVersion: v1
kind: Namespace
metadata: {name: revns, labels: {istio.io/rev: canary}}
---
apiVersion: v1
kind: Namespace
metadata: {name: both, labels: {istio.io/rev: canary, istio-injection: disabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: istio-ingress}
---
apiVersion: v1
kind: Pod
metadata: {name: podrev, namespace: plain, labels: {istio.io/rev: canary}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: podlabel, namespace: plain, labels: {sidecar.istio.io/inject: "true"}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: plain, labels: {sidecar.istio.io/inject: "true"}}
spec: {hostNetwork: true, containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: optout, namespace: revns, annotations: {sidecar.istio.io/inject: "false"}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: inrev, namespace: revns}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: podanno, namespace: plain, annotations: {sidecar.istio.io/inject: "true"}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: disabled, namespace: both}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: dumped
  namespace: plain
  annotations: {sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"],"imagePullSecrets":null,"revision":"default"}'}
spec:
  containers:
  - {name: app}
  - {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0, args: [proxy, sidecar, --domain, $(POD_NAMESPACE).svc.cluster.local]}
---
apiVersion: v1
kind: Pod
metadata: {name: ambient-dump, namespace: plain, annotations: {ambient.istio.io/redirection: enabled}}
spec: {containers: [{name: c}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  template:
    metadata:
      labels: {app: istio-ingressgateway, istio: ingressgateway, sidecar.istio.io/inject: "false"}
    spec:
      serviceAccountName: istio-ingressgateway-service-account
      containers:
      - {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0, args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-ingress}
spec:
  template:
    metadata:
      annotations: {inject.istio.io/templates: gateway}
      labels: {app: ingress, istio: ingress, sidecar.istio.io/inject: "true"}
    spec:
      serviceAccountName: ingress
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: plain, annotations: {gateway.istio.io/service-account: wp-sa}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: plain}
spec:
  gatewayClassName: envoy-gateway
  listeners: [{name: http, port: 80, protocol: HTTP}]
`

func TestMembership(t *testing.T) {
	m := build(t, membership, model.Settings{})
	tests := []struct {
		id       string
		mesh     model.MeshMode
		gateway  model.GatewayKind
		identity string
		by       model.Injection
		source   string
	}{
		{"plain/podrev[Pod]", model.MeshSidecar, "", "cluster.local/ns/plain/sa/default", model.InjectedByPodLabel, "webhook: rev.object, a pod-level istio.io/rev"},
		{"plain/podlabel[Pod]", model.MeshSidecar, "", "cluster.local/ns/plain/sa/default", model.InjectedByPodLabel, "webhook: object, label sidecar.istio.io/inject=true"},
		{"plain/hostnet[Pod]", model.MeshNone, "", "", model.NotInjected, "inject: hostNetwork pods are skipped"},
		{"revns/optout[Pod]", model.MeshNone, "", "", model.NotInjected, "inject: the annotation opts out"},
		{"revns/inrev[Pod]", model.MeshSidecar, "", "cluster.local/ns/revns/sa/default", model.InjectedByNamespace, "webhook: rev.namespace"},
		{"both/disabled[Pod]", model.MeshNone, "", "", model.NotInjected, "webhook: rev.namespace needs istio-injection absent"},
		{"plain/podanno[Pod]", model.MeshSidecar, "", "cluster.local/ns/plain/sa/default", model.InjectedByPodAnnotation, "SPEC: the annotation opts in; the webhook reads only the label (MSH211 warns)"},
		{"plain/dumped[Pod]", model.MeshSidecar, "", "cluster.local/ns/plain/sa/default", model.InjectedProxyPresent, "inject: a pod that carries its proxy"},
		{"plain/ambient-dump[Pod]", model.MeshAmbient, "", "cluster.local/ns/plain/sa/default", model.NotInjected, "cni: the redirection annotation"},
		{"istio-system/istio-ingressgateway[Deployment]", model.MeshSidecar, model.GatewayProxy, "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account", model.InjectedProxyPresent, "charts: the proxy is the main container"},
		{"istio-ingress/ingress[Deployment]", model.MeshSidecar, model.GatewayProxy, "cluster.local/ns/istio-ingress/sa/ingress", model.InjectedProxyPresent, "charts: the gateway injection template"},
		{"istio-ingress/public-istio[Deployment]", model.MeshSidecar, model.GatewayProxy, "cluster.local/ns/istio-ingress/sa/public-istio", model.InjectedProxyPresent, "gateways: <name>-<class> for class istio"},
		{"plain/waypoint[Deployment]", model.MeshSidecar, model.GatewayWaypoint, "cluster.local/ns/plain/sa/wp-sa", model.InjectedProxyPresent, "gateways: no suffix for waypoints; the service-account annotation"},
	}
	for _, tc := range tests {
		w := find(m, tc.id)
		if w == nil {
			t.Errorf("no workload %s (%s)", tc.id, tc.source)
			continue
		}
		if w.Mesh != tc.mesh || w.Gateway != tc.gateway || w.Identity != tc.identity || w.InjectedBy != tc.by {
			t.Errorf("%s: mesh %s gateway %q identity %q injected by %q, want %s %q %q %q (%s)", tc.id, w.Mesh, w.Gateway, w.Identity, w.InjectedBy, tc.mesh, tc.gateway, tc.identity, tc.by, tc.source)
		}
	}
	if find(m, "plain/other-envoy-gateway[Deployment]") != nil || len(m.Gateways()) != 2 {
		t.Errorf("only Gateways of classes istio and istio-waypoint are Istio's: %d", len(m.Gateways()))
	}
	if !m.HasServiceAccount("plain", "wp-sa") {
		t.Error("the waypoint's service account must resolve (MSH202)")
	}
}
