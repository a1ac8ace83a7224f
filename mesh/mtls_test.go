package mesh

import "testing"

// Which TLS a client sends: the DestinationRule it resolves, per Istio's
// lookup order, and HBONE around ambient workloads.
func TestClientTLS(t *testing.T) {
	m := loadModel(t, "testdata/mtls.yaml")
	tests := []struct {
		client, dst string
		port        int32
		want        bool // Istio mTLS, so an identity
		source      string
	}{
		{"shop/front[Deployment]", "shop/cart[Deployment]", 8080, false, "push_context.go destinationRule step 1: the client's namespace (exportTo . is local)"},
		{"shop/front[Deployment]", "shop/cart[Deployment]", 5432, true, "util.go GetPortLevelTrafficPolicy: port-level settings do not inherit tls"},
		{"team-a/web[Deployment]", "shop/cart[Deployment]", 8080, true, "step 1: team-a's own rule; shop's exportTo . does not reach it"},
		{"team-a/admin[Deployment]", "shop/cart[Deployment]", 8080, false, "sidecar.go DestinationRule: a workloadSelector rule of the client's namespace wins"},
		{"team-b/web[Deployment]", "shop/cart[Deployment]", 8080, false, "step 3: the root namespace's exported rule; team-c's rule is team-c's alone"},
		{"team-c/web[Deployment]", "shop/cart[Deployment]", 8080, false, "step 1: team-c's own rule (the exact host beats cart.shop, which names no Service)"},
		{"amb/web[Deployment]", "amb/api[Deployment]", 8080, true, "cluster_tls.go applyHBONETransportSocketMatches: HBONE toward ambient workloads"},
		{"shop/front[Deployment]", "amb/api[Deployment]", 8080, true, "cluster_tls.go: a sidecar sends HBONE to an ambient backend"},
	}
	for _, tc := range tests {
		c, d := workload(t, m, tc.client), workload(t, m, tc.dst)
		if got := sendsIstioMTLS(m, c, d, tc.port); got != tc.want {
			t.Errorf("%s -> %s:%d: Istio mTLS %v, want %v (%s)", tc.client, tc.dst, tc.port, got, tc.want, tc.source)
		}
	}
}

// The mode a workload accepts, as Istio enforces it.
func TestPeerAuthenticationScopes(t *testing.T) {
	m := loadModel(t, "testdata/mtls.yaml")
	tests := []struct {
		w              string
		mode, declared TLSMode
		policy         string
		source         string
	}{
		{"shop/cart[Deployment]", Strict, Strict, "strict", "policy_applier.go ComposePeerAuthentication: a selector policy in the root namespace is ignored"},
		{"amb/api[Deployment]", Permissive, Disable, "off", "ambient/authorization.go: ztunnel enforces STRICT only; HBONE is mTLS"},
		{"team-b/web[Deployment]", Strict, Strict, "z-old", "config.go configCompareByCreationTime: the older namespace policy wins"},
	}
	for _, tc := range tests {
		w := workload(t, m, tc.w)
		mode, src := MTLS(m, w, 8080)
		declared, _ := DeclaredMTLS(m, w, 8080)
		name := ""
		if src.Policy != nil {
			name = src.Policy.Object.Name
		}
		if mode != tc.mode || declared != tc.declared || name != tc.policy {
			t.Errorf("%s: %s (declared %s) from %q, want %s (%s) from %q per %s", tc.w, mode, declared, name, tc.mode, tc.declared, tc.policy, tc.source)
		}
	}
}

// End to end: STRICT refuses the plaintext a client's own DestinationRule
// makes it send, and only that client's.
func TestStrictAgainstClientRules(t *testing.T) {
	m := loadModel(t, "testdata/mtls.yaml")
	e := NewEvaluator(m, Current(m))
	cart := workload(t, m, "shop/cart[Deployment]")
	for client, want := range map[string]string{
		"team-a/web[Deployment]":   "",
		"team-a/admin[Deployment]": "never",
		"team-b/web[Deployment]":   "never",
		"shop/front[Deployment]":   "never",
	} {
		if got := e.Decide(Source{Workload: workload(t, m, client)}, cart, 8080).Allowed.String(); got != want {
			t.Errorf("%s -> cart:8080 = %q, want %q", client, got, want)
		}
	}
	api := workload(t, m, "amb/api[Deployment]")
	if v := e.Decide(Source{Workload: workload(t, m, "amb/web[Deployment]")}, api, 8080); !v.Allowed.IsAlways() {
		t.Errorf("ambient DISABLE must not cost the identity: %q", v.Allowed)
	}
}
