package main

import (
	"sort"
	"strings"
	"testing"
)

// tcpEdges reads a connlist and returns, for each connection that lets some
// TCP through, "src => dst : the TCP part", sorted.
func tcpEdges(connlist string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(connlist), "\n") {
		pair, conn, ok := strings.Cut(line, " : ")
		if !ok {
			continue
		}
		if conn == "All Connections" {
			out = append(out, pair+" : TCP all")
			continue
		}
		var tcp []string
		for _, part := range strings.Split(conn, ",") {
			if strings.HasPrefix(part, "TCP ") || (len(tcp) > 0 && !strings.HasPrefix(part, "UDP ") && !strings.HasPrefix(part, "SCTP ")) {
				tcp = append(tcp, part)
			}
		}
		if len(tcp) > 0 {
			out = append(out, pair+" : "+strings.Join(tcp, ","))
		}
	}
	sort.Strings(out)
	return out
}

// The membership scenarios, each written from Istio's behaviour (the file
// or istio.io page in its manifests' header), checked for what it exists to
// show: which TCP connections the mesh lets through, and which rules stay
// silent or fire.
func TestMembershipScenarios(t *testing.T) {
	tests := []struct {
		scenario string
		layer    string
		// tcp are the connections that carry TCP, with their TCP part;
		// with prefix set, only those from or to workloads of it.
		tcp    []string
		prefix string
		fire   []string
		silent []string
	}{
		{
			// A `kubectl get pods -o yaml` dump of Bookinfo with its
			// deny-all and per-service allows.
			scenario: "bookinfo-live", layer: "effective", prefix: "bookinfo/",
			tcp: []string{
				"bookinfo/details-v1-6cd699df8c[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/productpage-v1-54bb874995[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/productpage-v1-54bb874995[ReplicaSet] => bookinfo/details-v1-6cd699df8c[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/productpage-v1-54bb874995[ReplicaSet] => bookinfo/reviews-v1-5b5d6494f4[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/productpage-v1-54bb874995[ReplicaSet] => bookinfo/reviews-v2-5b667bcbf8[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/productpage-v1-54bb874995[ReplicaSet] => bookinfo/reviews-v3-5b9bd44f4[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/ratings-v1-bd8d5fb9d[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/reviews-v1-5b5d6494f4[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/reviews-v1-5b5d6494f4[ReplicaSet] => bookinfo/ratings-v1-bd8d5fb9d[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/reviews-v2-5b667bcbf8[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/reviews-v2-5b667bcbf8[ReplicaSet] => bookinfo/ratings-v1-bd8d5fb9d[ReplicaSet] : TCP 1-65535 [methods=GET]",
				"bookinfo/reviews-v3-5b9bd44f4[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"bookinfo/reviews-v3-5b9bd44f4[ReplicaSet] => bookinfo/ratings-v1-bd8d5fb9d[ReplicaSet] : TCP 1-65535 [methods=GET]",
			},
			silent: []string{"MSH205", "MSH206", "MSH202"},
		},
		{
			// An ingress gateway (inject=false, the proxy its main
			// container) named by the frontend's policy.
			scenario: "ingress-gateway", layer: "effective", prefix: "shop/frontend",
			tcp: []string{
				"istio-system/istio-ingressgateway[Deployment] => shop/frontend[Deployment] : TCP 8080",
				"shop/frontend[Deployment] => 0.0.0.0-255.255.255.255[External] : TCP all",
				"shop/frontend[Deployment] => istio-system/istio-ingressgateway[Deployment] : TCP all",
			},
			silent: []string{"MSH302", "MSH304", "MSH206", "MSH202"},
		},
		{
			// GET through the waypoint; ztunnel admits only the waypoint on
			// the app port and Prometheus on the metrics port.
			scenario: "ambient-waypoint", layer: "mesh", prefix: "store/cart",
			tcp: []string{
				"monitoring/prometheus[Deployment] => store/cart[Deployment] : TCP 9102",
				"store/cart[Deployment] => monitoring/prometheus[Deployment] : TCP all",
				"store/cart[Deployment] => store/waypoint[Deployment] : TCP all",
				"store/cart[Deployment] => store/web[Deployment] : TCP all",
				"store/waypoint[Deployment] => store/cart[Deployment] : TCP 8080",
				"store/web[Deployment] => store/cart[Deployment] : TCP 8080 [methods=GET]",
			},
			silent: []string{"MSH209", "MSH202", "MSH205"},
		},
		{
			// REGISTRY_ONLY black-holes what payments' Sidecar leaves out;
			// ALLOW_ANY passes marketing's through.
			scenario: "egress-modes", layer: "mesh", prefix: "payments/charge[Deployment] =>",
			tcp: []string{
				"payments/charge[Deployment] => 198.51.100.0-198.51.100.255[External] : TCP all",
				"payments/charge[Deployment] => api.stripe.com[ServiceEntry] : TCP all",
				"payments/charge[Deployment] => db.partner.example[ServiceEntry] : TCP all",
			},
			fire: []string{"MSH306", "MSH307"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			path := "testdata/manifests/" + tc.scenario
			_, graph, _ := runMeshlint(t, "", "graph", "--layer", tc.layer, path)
			var got []string
			for _, e := range tcpEdges(graph) {
				if strings.Contains(e, tc.prefix) {
					got = append(got, e)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.tcp, "\n") {
				t.Errorf("TCP connections (%s layer) touching %q:\n%s\nwant:\n%s", tc.layer, tc.prefix, strings.Join(got, "\n"), strings.Join(tc.tcp, "\n"))
			}
			_, lint, _ := runMeshlint(t, "", "--fail-on", "none", path)
			for _, id := range tc.fire {
				if !strings.Contains(lint, "["+id+" ") {
					t.Errorf("%s does not fire:\n%s", id, lint)
				}
			}
			for _, id := range tc.silent {
				if strings.Contains(lint, "["+id+" ") {
					t.Errorf("%s fires:\n%s", id, lint)
				}
			}
		})
	}
}
