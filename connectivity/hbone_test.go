package connectivity

import (
	"testing"

	"github.com/meshlint/meshlint/model"
)

// Pods of every kind of mesh membership, and a policy on each destination
// that admits every pod on TCP 8080 and UDP 5353 only: what reaches the
// application port depends on whether the pair talks HBONE, which the
// policies see as TCP 15008 (istio.io/latest/docs/ambient/usage/
// networkpolicy).
const hboneFixture = `
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Namespace
metadata: {name: side, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: plain}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: amb, labels: {app: a}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: a2, namespace: amb, labels: {app: a2}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: s, namespace: side, labels: {app: s}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: s-notunnel, namespace: side, labels: {app: s-notunnel, networking.istio.io/tunnel: none}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: s-bypass, namespace: side, labels: {app: s-bypass}, annotations: {traffic.sidecar.istio.io/excludeOutboundPorts: "8080"}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: plain, labels: {app: p}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: wp
  namespace: amb
  labels: {gateway.networking.k8s.io/gateway-name: wp, gateway.istio.io/managed: istio.io-mesh-controller}
spec: {containers: [{name: istio-proxy, image: istio/proxyv2:1.24.0, args: [proxy, waypoint]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: gw, namespace: side, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy, image: istio/proxyv2:1.24.0, args: [proxy, router]}]}
`

// admitting8080 admits every pod on TCP 8080 and UDP 5353; with15008 on
// TCP 15008 too.
func admitting(ns, name string, with15008 bool) string {
	extra := ""
	if with15008 {
		extra = "\n    - {protocol: TCP, port: 15008}"
	}
	return `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {}}]
    ports:
    - {protocol: TCP, port: 8080}
    - {protocol: UDP, port: 5353}` + extra + "\n"
}

func TestHBONECarried(t *testing.T) {
	tests := []struct {
		src, dst string
		tunnel   bool
		// carried8080: the policies let TCP 8080 reach dst's application
		// (without and with 15008 admitted); UDP 5353 always passes.
		carried8080, carried8080With15008 bool
		why                               string
	}{
		{"amb/a[Pod]", "amb/a2[Pod]", true, false, true, "ztunnel to ztunnel"},
		{"side/s[Pod]", "amb/a2[Pod]", true, false, true, "a sidecar sends HBONE to an ambient pod it knows"},
		{"side/s-bypass[Pod]", "amb/a2[Pod]", false, true, true, "excluded from the sidecar: plaintext to the application port"},
		{"plain/p[Pod]", "amb/a2[Pod]", false, true, true, "outside the mesh: plaintext"},
		{"amb/a[Pod]", "side/s[Pod]", true, false, true, "ztunnel to a sidecar that accepts HBONE (the ambient profile labels it)"},
		{"amb/a[Pod]", "side/s-notunnel[Pod]", false, true, true, "a sidecar whose tunnel label leaves out http: no HBONE"},
		{"amb/a[Pod]", "side/gw[Pod]", false, true, true, "gateways' pods carry no tunnel label"},
		{"amb/a[Pod]", "plain/p[Pod]", false, true, true, "to a pod outside the mesh ztunnel sends plaintext"},
		{"plain/p[Pod]", "amb/wp[Pod]", false, true, true, "a source outside the mesh sends plaintext, to an ambient pod or a waypoint"},
		{"side/s[Pod]", "side/s-bypass[Pod]", false, true, true, "sidecar to sidecar: Istio mTLS on the application port"},
		{"side/s[Pod]", "amb/wp[Pod]", true, false, true, "waypoints are reached over HBONE only"},
		{"amb/wp[Pod]", "side/s[Pod]", true, false, true, "a waypoint talks HBONE to a sidecar that accepts it"},
		{"side/gw[Pod]", "amb/wp[Pod]", true, false, true, "a gateway too sends HBONE to a waypoint"},
		{"side/s-bypass[Pod]", "amb/wp[Pod]", false, true, true, "a port excluded from the sidecar leaves in plaintext"},
	}
	for _, with := range []bool{false, true} {
		m := modelOf(t, hboneFixture+admitting("amb", "amb", with)+admitting("side", "side", with)+admitting("plain", "plain", with))
		ml := Mesh(m)
		byID := map[string]*model.Workload{}
		for _, w := range m.Workloads {
			byID[w.ID()] = w
		}
		for _, tc := range tests {
			src, dst := byID[tc.src], byID[tc.dst]
			if src == nil || dst == nil {
				t.Fatalf("%s or %s not in the fixture", tc.src, tc.dst)
			}
			if got := ml.Tunnelled(src, dst, 8080); got != tc.tunnel {
				t.Errorf("%s -> %s: Tunnelled = %v, want %v (%s)", tc.src, tc.dst, got, tc.tunnel, tc.why)
			}
			want := tc.carried8080
			if with {
				want = tc.carried8080With15008
			}
			c := ml.Carried(src, dst)
			if got := c.Contains(TCP, 8080); got != want {
				t.Errorf("15008 admitted %v: %s -> %s: TCP 8080 carried = %v, want %v (%s)", with, tc.src, tc.dst, got, want, tc.why)
			}
			if !c.Contains(UDP, 5353) || c.Contains(UDP, 53) {
				t.Errorf("%s -> %s: UDP keeps the NetworkPolicies' own verdict, got %s", tc.src, tc.dst, c)
			}
			if tc.tunnel && with && !c.Contains(TCP, 9090) {
				t.Errorf("%s -> %s: with 15008 admitted every tunnelled TCP port reaches the application, got %s", tc.src, tc.dst, c)
			}
		}
	}
}
