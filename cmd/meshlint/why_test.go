package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `meshlint why` on the scenarios, text and JSON pinned: the article's
// frontend that cannot reach its backend and the analytics namespace that
// can, the blocked-allow call, and a pair answered for every port it names.
func TestWhyGoldens(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"seed-frontend-backend", []string{"frontend/frontend", "backend/backend", "testdata/manifests/seed"}},
		{"seed-analytics-backend", []string{"analytics/reporting", "backend/backend:9080", "testdata/manifests/seed"}},
		{"blocked-allow-web-cart", []string{"shop/web", "shop/cart:7070/TCP", "testdata/manifests/blocked-allow"}},
		{"blocked-allow-external-cart", []string{"--layer", "network", "external", "shop/cart", "testdata/manifests/blocked-allow"}},
		{"strict-mtls-unmeshed", []string{"legacy/nightly-export", "shop/cart", "testdata/manifests/strict-mtls-unmeshed"}},
		{"bookinfo-productpage-reviews", []string{"bookinfo/productpage-v1", "bookinfo/reviews-v2", "testdata/manifests/bookinfo"}},
		// Two hops: the waypoint with HTTP, then ztunnel seeing the
		// waypoint; or ztunnel alone for a client that dials the pod.
		{"ambient-waypoint-web-cart", []string{"store/web", "store/cart:8080", "testdata/manifests/ambient-waypoint"}},
		// Outside the Sidecar's egress scope under ALLOW_ANY: passed
		// through without identity, refused by STRICT mTLS.
		{"egress-modes-campaigns-charge", []string{"marketing/campaigns", "payments/charge", "testdata/manifests/egress-modes"}},
		// A ServiceEntry host as DST, known to a REGISTRY_ONLY sidecar.
		{"egress-modes-charge-stripe", []string{"payments/charge", "api.stripe.com[ServiceEntry]", "testdata/manifests/egress-modes"}},
		// Ambient: the NetworkPolicies see HBONE's TCP 15008, which shop's
		// policy does not admit.
		{"ambient-netpol-shop", []string{"shop/web", "shop/api:8080", "testdata/manifests/ambient-netpol"}},
		// Through a waypoint: api's NetworkPolicy admits web but not the
		// waypoint's pod, from which the calls arrive on HBONE TCP 15008.
		{"ambient-waypoint-netpol-store", []string{"store/web", "store/api:8080", "testdata/manifests/ambient-waypoint-netpol"}},
	}
	wd, _ := os.Getwd()
	for _, tc := range tests {
		for _, format := range []string{"text", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				code, out, errOut := runMeshlint(t, "", append([]string{"why", "--format", format}, tc.args...)...)
				t.Chdir(wd)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if format == "json" && !json.Valid([]byte(out)) {
					t.Fatalf("not JSON:\n%s", out)
				}
				checkGolden(t, filepath.Join("why", tc.name+"."+format), out)
			})
		}
	}
}

// What the issue asks the answers to name, checked apart from the goldens
// so that an -update cannot lose it.
func TestWhyNamesTheDecidingObjects(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"frontend/frontend", "backend/backend", "testdata/manifests/seed"}, []string{
			"network: denied",
			"article.yaml:38:11: from[0]: namespaceSelector {istio-injection=enabled} does not match namespace frontend",
			"article.yaml:41:11: from[1]: podSelector {app=frontend} selects pods of namespace backend only",
			"mesh: allowed",
			"effective: denied",
		}},
		{[]string{"analytics/reporting", "backend/backend", "testdata/manifests/seed"}, []string{
			"network: allowed",
			"article.yaml:38:11: spec.ingress[0] admits analytics/reporting[Deployment] on every port through from[0], namespaceSelector {istio-injection=enabled}",
			"effective: allowed",
		}},
		{[]string{"store/web", "store/cart:8080", "testdata/manifests/ambient-waypoint"}, []string{
			"through waypoint store/waypoint (the Service addressed), then the ztunnel of store/cart[Deployment]: allowed for requests with methods=GET",
			"the ztunnel of store/cart[Deployment] sees the waypoint store/waypoint[Deployment]",
			"store.yaml:97:7: spec.rules[0] matches every request of the waypoint store/waypoint[Deployment]",
			"directly to the ztunnel of store/cart[Deployment], the pod addressed rather than its Service: denied",
			"mesh: allowed for requests with methods=GET",
		}},
		{[]string{"marketing/campaigns", "payments/charge", "testdata/manifests/egress-modes"}, []string{
			"mesh.yaml:118:3: marketing/campaigns[Deployment]'s sidecar does not know payments/charge[Deployment]",
			"passes the connection through as plaintext (PassthroughCluster)",
			"denied: STRICT mTLS refuses the plaintext connection",
		}},
		{[]string{"payments/charge", "api.stripe.com", "testdata/manifests/egress-modes"}, []string{
			"why payments/charge[Deployment] => api.stripe.com[ServiceEntry]",
			"mesh.yaml:128:11: payments/charge[Deployment]'s sidecar knows api.stripe.com[ServiceEntry]: ServiceEntry payments/stripe names it (host api.stripe.com)",
			"mesh.yaml:56:3: the egress hosts of Sidecar payments/default import it",
			"effective: allowed",
		}},
		{[]string{"shop/web", "shop/api:8080", "testdata/manifests/ambient-netpol"}, []string{
			"network: allowed",
			"shop/web[Deployment] reaches shop/api[Deployment] over HBONE (ambient mode): the NetworkPolicies see TCP 15008, not TCP 8080, and drop it",
			"network: denied on HBONE TCP 15008, which carries TCP 8080 (TCP 8080 itself: allowed)",
			"denied: NetworkPolicy shop/api allows TCP 8080 but ambient traffic arrives on HBONE TCP 15008",
			"effective: denied",
		}},
		{[]string{"pay/web", "pay/api:8080", "testdata/manifests/ambient-netpol"}, []string{
			"network: allowed on HBONE TCP 15008",
			"effective: allowed",
		}},
		{[]string{"jobs/batch", "ledger/reports:8080", "testdata/manifests/ambient-netpol"}, []string{
			"effective: allowed",
		}},
		{[]string{"store/web", "store/api:8080", "testdata/manifests/ambient-waypoint-netpol"}, []string{
			"network: allowed",
			"through waypoint store/waypoint: NetworkPolicies drop the second hop, the waypoint's pod store/waypoint[Deployment] to store/api[Deployment] on HBONE TCP 15008",
			"denied: NetworkPolicy store/api isolates the ingress of store/api[Deployment] and does not admit the waypoint store/waypoint, through which ambient traffic from store/web[Deployment] arrives on HBONE TCP 15008",
			"effective: denied",
		}},
		{[]string{"orders/web", "orders/api:8080", "testdata/manifests/ambient-waypoint-netpol"}, []string{
			"network: denied",
			"through waypoint orders/waypoint: NetworkPolicies admit both hops on HBONE TCP 15008",
			"effective: allowed for requests with methods=GET",
		}},
		{[]string{"plain/web", "plain/api:8080", "testdata/manifests/ambient-waypoint-netpol"}, []string{
			"network: allowed on HBONE TCP 15008",
			"effective: allowed",
		}},
		{[]string{"shop/web", "shop/cart:7070", "testdata/manifests/blocked-allow"}, []string{
			"shop.yaml:108:3: NetworkPolicy shop/cart isolates it",
			"shop.yaml:87:7: spec.rules[0] matches the requests of shop/web[Deployment] with methods=POST",
			"by AuthorizationPolicy shop/cart spec.rules[0]",
			"effective: denied",
		}},
	}
	for _, tc := range tests {
		code, out, errOut := runMeshlint(t, "", append([]string{"why"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: answer lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestWhyFailures(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frontend/frontnd", "backend/backend", "testdata/manifests/seed"}, `SRC: no such workload "frontend/frontnd" (did you mean frontend/frontend[Deployment]?)`},
		{[]string{"frontend/frontend", "backend/bakend:9080", "testdata/manifests/seed"}, `DST: no such workload "backend/bakend" (did you mean backend/backend[Deployment]?)`},
		{[]string{"frontend/frontend", "backend/backend:http", "testdata/manifests/seed"}, `DST: port "http"`},
		{[]string{"frontend/frontend", "backend/backend"}, "want SRC DST[:PORT[/PROTO]] PATH..."},
		{[]string{"--layer", "wire", "a", "b", "testdata/manifests/seed"}, `--layer: unknown layer "wire"`},
		{[]string{"--format", "sarif", "a", "b", "testdata/manifests/seed"}, `--format: unknown format "sarif"`},
		{[]string{"a", "b", "testdata/manifests/no-such-dir"}, "no-such-dir"},
		{[]string{"api.stripe.com", "payments/charge", "testdata/manifests/egress-modes"}, `SRC: "api.stripe.com" is a ServiceEntry host: a destination outside the cluster, never a source`},
		{[]string{"payments/charge", "api.stripe.co", "testdata/manifests/egress-modes"}, `DST: no such workload "api.stripe.co" (did you mean api.stripe.com[ServiceEntry]?)`},
	}
	for _, tc := range tests {
		code, _, errOut := runMeshlint(t, "", append([]string{"why"}, tc.args...)...)
		if code != exitFailure || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// With several environments, why answers in each, under its name; a name
// some environments lack is said on stderr; --environment keeps one.
func TestWhyEnvironments(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "why", "shop/web", "shop/api:8080", "testdata/manifests/overlays")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	prod := strings.Index(out, "# environment: testdata/manifests/overlays/prod\nwhy shop/web[Deployment] => shop/api[Deployment]")
	staging := strings.Index(out, "# environment: testdata/manifests/overlays/staging\nwhy shop/web[Deployment] => shop/api[Deployment]")
	if prod < 0 || staging < prod {
		t.Fatalf("want the prod answer, then the staging one:\n%s", out)
	}
	if !strings.Contains(out[prod:staging], "effective: allowed") || !strings.Contains(out[staging:], "effective: denied") {
		t.Errorf("prod should allow web to api and staging (canary only) deny it:\n%s", out)
	}
	code, out, errOut = runMeshlint(t, "", "why", "-e", "testdata/manifests/overlays/staging", "--format", "json", "shop/web", "shop/api:8080", "testdata/manifests/overlays")
	if code != 0 || strings.Contains(out, `"environment"`) || !strings.Contains(out, `"verdict": "denied"`) {
		t.Errorf("--environment: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	code, _, errOut = runMeshlint(t, "", "why", "shop/canary", "shop/api", "testdata/manifests/overlays")
	if code != exitFailure || !strings.Contains(errOut, `environment testdata/manifests/overlays/prod: SRC: no such workload "shop/canary"`) {
		t.Errorf("a name no environment has: exit %d, stderr %q", code, errOut)
	}
}
