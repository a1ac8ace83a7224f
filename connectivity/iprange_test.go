package connectivity

import (
	"strings"
	"testing"
)

// Source address blocks of AuthorizationPolicies cut the outside space as
// NetworkPolicy ipBlocks do, so a block inside a wider range matches the
// part it covers (Envoy matches ipBlocks on the connection's direct remote
// address: authz/model/generator.go srcIPGenerator, principalDirectRemoteIP;
// ztunnel src/rbac.rs source_ips).
func TestAuthzBlocksCutTheOutside(t *testing.T) {
	const base = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  rules:
`
	tests := []struct {
		name, rules string
		want        []string // lines of the mesh layer from outside ranges
	}{
		{"ipBlocks", "  - from: [{source: {ipBlocks: [1.2.3.0/24]}}]\n",
			[]string{"1.2.3.0-1.2.3.255[External] => shop/api[Deployment] : All Connections"}},
		{"a single address", "  - from: [{source: {ipBlocks: [9.9.9.9]}}]\n",
			[]string{"9.9.9.9-9.9.9.9[External] => shop/api[Deployment] : All Connections"}},
		{"notIpBlocks", "  - from: [{source: {notIpBlocks: [10.0.0.0/8]}}]\n",
			[]string{
				"0.0.0.0-9.255.255.255[External] => shop/api[Deployment] : All Connections",
				"11.0.0.0-255.255.255.255[External] => shop/api[Deployment] : All Connections",
			}},
		{"when source.ip", "  - when: [{key: source.ip, values: [192.168.0.0/16], notValues: [192.168.1.0/24]}]\n",
			[]string{
				"192.168.0.0-192.168.0.255[External] => shop/api[Deployment] : All Connections",
				"192.168.2.0-192.168.255.255[External] => shop/api[Deployment] : All Connections",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ml := Mesh(modelOf(t, base+tc.rules))
			var b strings.Builder
			if err := WriteConnlist(&b, ml.Listing(Options{})); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
				if strings.Contains(l, "[External] =>") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
