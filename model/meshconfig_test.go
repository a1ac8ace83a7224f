package model_test

import (
	"testing"

	"github.com/meshlint/meshlint/model"
)

// The mesh settings come from the flags, else the set's mesh configuration:
// the ConfigMap istiod reads (manifests/charts/istio-control/
// istio-discovery/templates/configmap.yaml renders it as `istio[-<rev>]`
// with MeshConfig under data.mesh), else an IstioOperator's
// spec.meshConfig (which the install renders into that ConfigMap), else
// Istio's defaults (cluster.local, istio-system, ALLOW_ANY).
func TestMeshConfig(t *testing.T) {
	const operator = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: installed-state, namespace: istio-system}
spec:
  meshConfig:
    trustDomain: corp.example
    rootNamespace: istio-config
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`
	const configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |-
    trustDomain: mesh.example
    outboundTrafficPolicy:
      mode: ALLOW_ANY_DYNAMIC_DNS
`
	tests := []struct {
		name     string
		set      string
		settings model.Settings
		want     model.Settings
	}{
		{"defaults", "", model.Settings{}, model.Settings{TrustDomain: "cluster.local", RootNamespace: "istio-system", OutboundTrafficPolicy: model.AllowAny}},
		{"operator", operator, model.Settings{}, model.Settings{TrustDomain: "corp.example", RootNamespace: "istio-config", OutboundTrafficPolicy: model.RegistryOnly, MeshConfigFrom: "IstioOperator istio-system/installed-state"}},
		// The ConfigMap is what istiod reads; what it leaves out is Istio's default, not the operator's.
		{"configmap first", operator + "---\n" + configMap, model.Settings{}, model.Settings{TrustDomain: "mesh.example", RootNamespace: "istio-system", OutboundTrafficPolicy: model.AllowAny, MeshConfigFrom: "ConfigMap istio-system/istio"}},
		{"flags win", operator, model.Settings{TrustDomain: "flag.example", OutboundTrafficPolicy: "allow_any"}, model.Settings{TrustDomain: "flag.example", RootNamespace: "istio-config", OutboundTrafficPolicy: model.AllowAny, MeshConfigFrom: "IstioOperator istio-system/installed-state"}},
	}
	for _, tc := range tests {
		text := tc.set
		if text == "" {
			text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
		}
		s := build(t, text, tc.settings).Settings
		got := model.Settings{TrustDomain: s.TrustDomain, RootNamespace: s.RootNamespace, OutboundTrafficPolicy: s.OutboundTrafficPolicy, MeshConfigFrom: s.MeshConfigFrom}
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
