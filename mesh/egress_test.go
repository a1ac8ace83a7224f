package mesh

import (
	"net/netip"
	"testing"
)

// What a client's sidecar does with a connection, by its Sidecar resource
// and outbound traffic policy. Expectations follow pilot/pkg/model/
// sidecar.go (egress hosts, "." and "~", exportTo), pilot/pkg/model/
// push_context.go (workload Sidecar, else namespace, else root namespace)
// and pilot/pkg/networking/core/listener_builder.go (PassthroughCluster
// under ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY), plus the
// injector's traffic.sidecar.istio.io/excludeOutboundPorts.
func TestEgressTo(t *testing.T) {
	m := loadModel(t, "testdata/sidecar-egress.yaml")
	e := NewEvaluator(m, Current(m))
	tests := []struct {
		src, dst string
		port     int32
		want     Egress
		why      string
	}{
		{"shop/web", "shop/cart", 8080, EgressKnown, "an exact ./host entry"},
		{"shop/web", "shop/pay", 8080, EgressPassthrough, "not imported, mesh ALLOW_ANY"},
		{"shop/web", "shop/pay", 5432, EgressBypass, "excludeOutboundPorts"},
		{"shop/web", "shop/nosvc", 8080, EgressPassthrough, "no Service, and no ns/* import of shop"},
		{"other/worker", "other/api", 8080, EgressKnown, "./* of the namespace Sidecar"},
		{"other/worker", "shop/cart", 8080, EgressBlackhole, "./* only, and the namespace Sidecar says REGISTRY_ONLY"},
		{"shop/cart", "shop/pay", 8080, EgressPassthrough, "the root-namespace Sidecar excludes it with ~shop/pay..."},
		{"shop/cart", "other/api", 8080, EgressPassthrough, "exportTo . hides api outside its namespace"},
		{"shop/cart", "shop/nosvc", 8080, EgressKnown, "*/* of the root-namespace Sidecar"},
	}
	for _, tc := range tests {
		src, dst := workload(t, m, tc.src+"[Deployment]"), workload(t, m, tc.dst+"[Deployment]")
		if got := e.EgressTo(src, dst, tc.port); got != tc.want {
			t.Errorf("%s -> %s:%d = %s, want %s: %s", tc.src, tc.dst, tc.port, got, tc.want, tc.why)
		}
	}
}

// ServiceEntry hosts and addresses outside the cluster, as the client's
// sidecar sees them.
func TestEgressOutside(t *testing.T) {
	m := loadModel(t, "testdata/sidecar-egress.yaml")
	e := NewEvaluator(m, Current(m))
	web, worker := workload(t, m, "shop/web[Deployment]"), workload(t, m, "other/worker[Deployment]")
	hosts := []struct {
		src  string
		host string
		want Egress
	}{
		{"other/worker", "api.example.com", EgressBlackhole}, // exported to shop only
		{"other/worker", "*.partner.io", EgressKnown},        // ./* imports its own namespace's entry
		{"shop/web", "api.example.com", EgressPassthrough},   // exported, not imported, ALLOW_ANY
	}
	for _, tc := range hosts {
		src := web
		if tc.src == "other/worker" {
			src = worker
		}
		if got := e.EgressToHost(src, tc.host); got != tc.want {
			t.Errorf("%s -> %s = %s, want %s", tc.src, tc.host, got, tc.want)
		}
	}
	in, out := netip.MustParseAddr("203.0.113.0"), netip.MustParseAddr("203.0.113.255")
	if got := e.EgressToRange(worker, in, out); got != EgressKnown {
		t.Errorf("worker -> the partners' addresses = %s, want known", got)
	}
	if got := e.EgressToRange(worker, netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("8.8.8.8")); got != EgressBlackhole {
		t.Errorf("worker -> 8.8.8.8 = %s, want blackhole under REGISTRY_ONLY", got)
	}
}

// A passed-through connection carries no identity: STRICT mTLS at the
// destination refuses it (istio/istio#17463, #41243), and a blackholed one
// never arrives.
func TestEgressDecide(t *testing.T) {
	m := loadModel(t, "testdata/sidecar-egress.yaml")
	e := NewEvaluator(m, Current(m))
	web, pay := workload(t, m, "shop/web[Deployment]"), workload(t, m, "shop/pay[Deployment]")
	if v := e.Decide(Source{Workload: web}, pay, 8080); !v.Allowed.IsNever() {
		t.Errorf("web -> pay:8080 (passthrough to STRICT) = %q (%s), want never", v.Allowed, v.Reason())
	}
	worker, cart := workload(t, m, "other/worker[Deployment]"), workload(t, m, "shop/cart[Deployment]")
	if v := e.Decide(Source{Workload: worker}, cart, 8080); !v.Allowed.IsNever() {
		t.Errorf("worker -> cart (blackholed) = %q, want never", v.Allowed)
	}
	if v := e.Decide(Source{Workload: web}, cart, 8080); !v.Allowed.IsAlways() {
		t.Errorf("web -> cart (in scope, no policy) = %q, want always", v.Allowed)
	}
}

// Inbound ports excluded from the sidecar (traffic.sidecar.istio.io/
// excludeInboundPorts, or not in includeInboundPorts) reach the application
// without mTLS or authorization (injection-template.yaml hands them to
// istio-iptables as -d / -b).
func TestInboundBypass(t *testing.T) {
	m := loadModel(t, "testdata/inbound-bypass.yaml")
	e := NewEvaluator(m, Current(m))
	api := workload(t, m, "shop/api[Deployment]")
	tests := []struct {
		port int32
		want string
	}{
		{8080, "never"}, // the deny-all applies
		{9102, ""},      // excluded
		{9200, ""},      // not in includeInboundPorts
	}
	for _, tc := range tests {
		if got := e.Decide(Source{}, api, tc.port).Allowed.String(); got != tc.want {
			t.Errorf("api:%d = %q, want %q", tc.port, got, tc.want)
		}
	}
}
