package connectivity

import (
	"testing"

	"github.com/meshlint/meshlint/model"
)

// web calls api's Service, which waypoint wp serves; api's ztunnel admits
// only the waypoint, so every call that gets through passes wp: two HBONE
// hops on TCP 15008, web to wp's pod, then wp's pod to api.
const waypointFixture = `
apiVersion: v1
kind: Namespace
metadata: {name: ns, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: wp}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: wp, namespace: ns}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ns, labels: {app: web}}
spec: {serviceAccountName: web, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: ns, labels: {app: api}}
spec: {serviceAccountName: api, containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ns}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: ns}
spec:
  selector: {matchLabels: {app: api}}
  rules:
  - from: [{source: {principals: ["cluster.local/ns/ns/sa/wp"]}}]
`

// wpNetpol is a NetworkPolicy on the pods of selector.
func wpNetpol(name, selector, body string) string {
	return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: " + name + ", namespace: ns}\nspec:\n  podSelector: {matchLabels: " + selector + "}\n" + body
}

const (
	fromWeb      = "  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{protocol: TCP, port: 15008}]\n"
	fromWaypoint = "  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {matchLabels: {gateway.networking.k8s.io/gateway-name: wp}}}]\n    ports: [{protocol: TCP, port: 15008}]\n"
	denyIngress  = "  policyTypes: [Ingress]\n"
	denyEgress   = "  policyTypes: [Egress]\n"
	waypointPods = "{gateway.networking.k8s.io/gateway-name: wp}"
)

func TestWaypointHops(t *testing.T) {
	tests := []struct {
		name     string
		policies string
		allowed  bool // web reaches api on TCP 8080, in the effective layer
		hop      int  // the hop the NetworkPolicies drop, 0 for none
	}{
		{"no NetworkPolicy", "", true, 0},
		{"api admits web, not the waypoint", wpNetpol("api", "{app: api}", fromWeb), false, 2},
		{"api admits the waypoint", wpNetpol("api", "{app: api}", fromWaypoint), true, 0},
		{"the waypoint admits nobody", wpNetpol("api", "{app: api}", fromWaypoint) + wpNetpol("wp", waypointPods, denyIngress), false, 1},
		{"the waypoint sends nothing", wpNetpol("api", "{app: api}", fromWaypoint) + wpNetpol("wp", waypointPods, denyEgress), false, 2},
		{"web sends nothing", wpNetpol("web", "{app: web}", denyEgress), false, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := modelOf(t, waypointFixture+tc.policies)
			ml := Mesh(m)
			web, api := findWorkload(t, m, "ns/web[Pod]"), findWorkload(t, m, "ns/api[Pod]")
			gws := ml.RouteWaypoints(web, api)
			if len(gws) != 1 || gws[0].Name() != "ns/wp" {
				t.Fatalf("RouteWaypoints = %v, want ns/wp", gws)
			}
			ok, hop, pod := ml.WaypointHops(web, gws[0], api)
			if ok != (tc.hop == 0) || hop != tc.hop || pod == nil || pod.Name != "wp" {
				t.Errorf("WaypointHops = %v, %d, %v; want hop %d through pod wp", ok, hop, pod, tc.hop)
			}
			got := false
			for _, c := range ml.Effective(Options{}).Connections {
				if c.Src.ID == "ns/web[Pod]" && c.Dst.ID == "ns/api[Pod]" {
					got = c.Ports.Contains(TCP, 8080)
				}
			}
			if got != tc.allowed {
				t.Errorf("effective web -> api TCP 8080 = %v, want %v", got, tc.allowed)
			}
			if g := Network(m).Allowed(web, api).Contains(TCP, 15008); tc.name == "api admits web, not the waypoint" && !g {
				t.Errorf("the network layer stays NetworkPolicy alone: web -> api TCP 15008 admitted")
			}
		})
	}
}

func findWorkload(t *testing.T, m *model.Model, id string) *model.Workload {
	t.Helper()
	for _, w := range m.Workloads {
		if w.ID() == id {
			return w
		}
	}
	t.Fatalf("%s not in the model", id)
	return nil
}
