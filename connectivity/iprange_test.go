package connectivity

import (
	"os"
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

// The mesh layer follows each client's own DestinationRule toward a STRICT
// destination (push_context.go destinationRule: the client's namespace,
// then the Service's, then the root namespace; sidecar.go: workloadSelector
// rules for the clients they select), and HBONE around ambient workloads
// (cluster_tls.go). The fixture is mesh/testdata/mtls.yaml.
func TestMeshLayerPerClientTLS(t *testing.T) {
	data, err := os.ReadFile("../mesh/testdata/mtls.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ml := Mesh(modelOf(t, string(data)))
	var b strings.Builder
	if err := WriteConnlist(&b, ml.Listing(Options{})); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"amb/web[Deployment] => shop/cart[Deployment]":      "All Connections",                                          // ambient client: HBONE
		"team-a/web[Deployment] => shop/cart[Deployment]":   "All Connections",                                          // its namespace's ISTIO_MUTUAL rule
		"shop/front[Deployment] => shop/cart[Deployment]":   "SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535",           // shop's DISABLE, but 5432's port-level entry is auto mTLS
		"team-a/admin[Deployment] => shop/cart[Deployment]": "SCTP 1-65535,TCP 1-5431,5433-8079,8081-65535,UDP 1-65535", // its workloadSelector rule: SIMPLE
		"team-b/web[Deployment] => shop/cart[Deployment]":   "SCTP 1-65535,TCP 1-5431,5433-8079,8081-65535,UDP 1-65535", // the root namespace's DISABLE
	}
	got := map[string]string{}
	for _, l := range strings.Split(b.String(), "\n") {
		if pair, conn, ok := strings.Cut(l, " : "); ok {
			got[pair] = conn
		}
	}
	for pair, conn := range want {
		if got[pair] != conn {
			t.Errorf("%s : %q, want %q", pair, got[pair], conn)
		}
	}
}
