package mesh

import "testing"

// Traffic to an ambient Service with a waypoint passes two proxies: the
// waypoint enforces the policies attached to the Service by targetRefs,
// with HTTP; the destination's ztunnel enforces the selector-bound ones and
// sees the waypoint's identity. A client may also address the pod directly,
// and then only ztunnel decides, with the client's identity. Expectations
// follow pilot/pkg/serviceregistry/ambient/waypoints.go (use-waypoint on
// the namespace), pilot/pkg/model/policyattachment.go (which policies
// attach where) and ambientmesh.io's "Authorization policy with waypoint
// proxies" (ztunnel accepts any endpoint unless its policy says otherwise).
func TestWaypointHops(t *testing.T) {
	m := loadModel(t, "testdata/ambient-waypoint.yaml")
	e := NewEvaluator(m, Current(m))
	cart := workload(t, m, "store/cart[Deployment]")
	tests := []struct {
		src  string
		port int32
		want string
		why  string
	}{
		{"store/web[Deployment]", 8080, "methods=GET", "GET through the waypoint; ztunnel admits only the waypoint"},
		{"legacy/batch[Deployment]", 8080, "never", "a client without a proxy goes straight to ztunnel, with no identity"},
		{"store/web[Deployment]", 9102, "never", "no Service reaches 9102: no waypoint, and ztunnel's policy names only 8080"},
		{"store/waypoint[Deployment]", 8080, "", "the waypoint itself is what ztunnel admits"},
	}
	for _, tc := range tests {
		v := e.Decide(Source{Workload: workload(t, m, tc.src)}, cart, tc.port)
		if got := v.Allowed.String(); got != tc.want {
			t.Errorf("%s -> cart:%d = %q (%s), want %q: %s", tc.src, tc.port, got, v.Reason(), tc.want, tc.why)
		}
	}
}

// The waypoint Istio deploys for a Gateway of class istio-waypoint is a
// mesh workload named after the Gateway, with a service account of that
// name (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go;
// files/waypoint.yaml), and selector-bound policies never attach to it.
func TestWaypointWorkload(t *testing.T) {
	m := loadModel(t, "testdata/ambient-waypoint.yaml")
	wp := workload(t, m, "store/waypoint[Deployment]")
	if wp.Identity != "cluster.local/ns/store/sa/waypoint" {
		t.Errorf("waypoint identity %q", wp.Identity)
	}
	if got := proxyEnforcer(wp); got != EnforcerWaypoint {
		t.Errorf("the waypoint's own enforcer is %s", got)
	}
	for _, p := range Current(m) {
		if p.Object.Name == "cart-from-waypoint" && p.Applies(wp) {
			t.Error("a selector-bound policy attached to a waypoint")
		}
		if p.Object.Name == "cart-get" && !p.Applies(workload(t, m, "store/cart[Deployment]")) {
			t.Error("the targetRefs policy does not govern the workload its waypoint serves")
		}
	}
}
