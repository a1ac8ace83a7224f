package connectivity

import (
	"testing"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Sidecars and ztunnel capture TCP alone, so AuthorizationPolicy never
// applies to UDP or SCTP (istio.io/latest/docs/reference/config/security/
// authorization-policy: "only TCP is supported"; ztunnel and the sidecar's
// iptables redirect TCP only): a connection on UDP or SCTP is decided by
// NetworkPolicy alone, in the mesh and the effective layer, whatever the
// policies and the destination's mode.
func TestMeshKeepsUDPAndSCTP(t *testing.T) {
	const fixture = `
apiVersion: v1
kind: Namespace
metadata: {name: side, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: amb, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: side, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: side, labels: {app: dns}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: dns, namespace: amb, labels: {app: dns}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 53, protocol: UDP}, {containerPort: 53}]}]}
---
# Deny everything, on every port: TCP only, in fact.
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: side}
spec:
  selector: {matchLabels: {app: dns}}
  action: DENY
  rules: [{}]
---
# Allow nothing.
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: amb}
spec:
  selector: {matchLabels: {app: dns}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: side}
spec:
  podSelector: {matchLabels: {app: dns}}
  policyTypes: [Ingress]
  ingress:
  - ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: amb}
spec:
  podSelector: {matchLabels: {app: dns}}
  policyTypes: [Ingress]
  ingress:
  - ports: [{protocol: UDP, port: 53}, {protocol: SCTP, port: 9899}, {protocol: TCP, port: 53}]
`
	m := modelOf(t, fixture)
	ml := Mesh(m)
	byID := map[string]*model.Workload{}
	for _, w := range m.Workloads {
		byID[w.ID()] = w
	}
	effective := map[string]Connection{}
	for _, c := range ml.Effective(Options{}).Connections {
		effective[c.Src.ID+" => "+c.Dst.ID] = c
	}
	tests := []struct {
		dst            string
		effective      string // what both layers let the client send
		meshUDP, mesh1 bool   // the mesh layer: UDP 53, TCP 53
	}{
		{"side/dns[Pod]", "UDP 53", true, false},
		{"amb/dns[Pod]", "SCTP 9899,UDP 53", true, false},
	}
	for _, tc := range tests {
		dst := byID[tc.dst]
		v := ml.Between(mesh.Source{Workload: byID["side/client[Pod]"]}, dst)
		if got := v.Ports.Contains(UDP, 53) && v.Ports.Contains(SCTP, 9899); got != tc.meshUDP {
			t.Errorf("mesh layer client -> %s: UDP 53 and SCTP 9899 allowed = %v, want %v (%s)", tc.dst, got, tc.meshUDP, v.Ports)
		}
		if got := v.Ports.Contains(TCP, 53); got != tc.mesh1 {
			t.Errorf("mesh layer client -> %s: TCP 53 allowed = %v, want %v", tc.dst, got, tc.mesh1)
		}
		c, ok := effective["side/client[Pod] => "+tc.dst]
		if got := c.Ports.String(); !ok || got != tc.effective || len(c.L7) > 0 {
			t.Errorf("effective client -> %s: %q (listed %v), want %q", tc.dst, got, ok, tc.effective)
		}
	}
}
