package connectivity

import (
	"strings"
	"testing"
)

// Destinations outside the cluster in the effective layer: a NetworkPolicy
// egress rule (Kubernetes semantics) meets the sidecar's egress scope (a
// REGISTRY_ONLY Sidecar reaches only what it imports: pilot/pkg/networking/
// core/listener_builder.go). A ServiceEntry with addresses is reached at
// those addresses; one without may resolve anywhere, so what the
// NetworkPolicies let out to any range reaches it, unless the scope leaves
// it out (api.stripe.com lives in namespace shared, which ./* does not
// import).
func TestEffectiveOutside(t *testing.T) {
	m := modelOf(t, `apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Pod
metadata: {name: charge, namespace: pay, labels: {app: charge}}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: charge, namespace: pay}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 198.51.100.0/24}}]
    ports: [{port: 5432}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: pay}
spec:
  egress: [{hosts: ["./*", "*/db.partner.example"]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partner, namespace: pay}
spec:
  hosts: [db.partner.example]
  addresses: [198.51.100.0/24]
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  resolution: NONE
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: stripe, namespace: shared}
spec:
  hosts: [api.stripe.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`)
	var b strings.Builder
	if err := WriteConnlist(&b, Mesh(m).Effective(Options{})); err != nil {
		t.Fatal(err)
	}
	want := []string{
		// The partner's addresses: imported, and the NetworkPolicy admits 5432.
		"pay/charge[Pod] => 198.51.100.0-198.51.100.255[External] : TCP 5432",
		"pay/charge[Pod] => db.partner.example[ServiceEntry] : TCP 5432",
	}
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if !strings.HasPrefix(line, "pay/charge[Pod] =>") {
			continue
		}
		if len(want) == 0 || line != want[0] {
			t.Fatalf("unexpected or missing connection %q; got:\n%s", line, b.String())
		}
		want = want[1:]
	}
	if len(want) > 0 {
		t.Errorf("missing %v; got:\n%s", want, b.String())
	}
}
