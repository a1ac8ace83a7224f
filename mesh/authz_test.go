package mesh

import (
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

func loadModel(t *testing.T, paths ...string) *model.Model {
	t.Helper()
	res, err := loader.Load(paths, loader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("problems: %v", res.Problems)
	}
	m := model.Build(res, model.Settings{})
	if len(m.SpecErrors) > 0 {
		t.Fatalf("spec errors: %v", m.SpecErrors[0].Message)
	}
	return m
}

func workload(t *testing.T, m *model.Model, id string) *model.Workload {
	t.Helper()
	for _, w := range m.Workloads {
		if w.ID() == id {
			return w
		}
	}
	t.Fatalf("no workload %s", id)
	return nil
}

func TestDecide(t *testing.T) {
	m := loadModel(t, "testdata/authz.yaml")
	e := NewEvaluator(m, Current(m))
	cart := workload(t, m, "shop/cart[Deployment]")
	tests := []struct {
		src, dst string
		port     int32
		want     string // "" allowed always, "never", or the condition
	}{
		// web is named by principal; the method and path are L7 conditions,
		// and the DENY of DELETE stays out of it as POST excludes it only
		// at request time.
		{"shop/web[Deployment]", "shop/cart[Deployment]", 8080, "methods=POST not(methods=DELETE) paths=/cart/*"},
		// Service cart-db names port 5432 tcp-db: HTTP fields cannot match
		// there, so the ALLOW rule that needs GET never matches
		// (pkg/config/kube/conversion.go; authz/model/generator.go).
		{"shop/web[Deployment]", "shop/cart[Deployment]", 5432, "never"},
		// No rule names cart's own identity for 8080.
		{"shop/cart[Deployment]", "shop/cart[Deployment]", 8080, "never"},
		// batch has no sidecar: STRICT mTLS rejects its plaintext.
		{"legacy/batch[Deployment]", "shop/cart[Deployment]", 8080, "never"},
		// web has no ALLOW policy: anything not denied gets in.
		{"shop/cart[Deployment]", "shop/web[Deployment]", 9000, ""},
		// batch is not in the mesh: nothing enforces anything there.
		{"shop/web[Deployment]", "legacy/batch[Deployment]", 80, ""},
	}
	for _, tc := range tests {
		t.Run(tc.src+"->"+tc.dst, func(t *testing.T) {
			v := e.Decide(Source{Workload: workload(t, m, tc.src)}, workload(t, m, tc.dst), tc.port)
			if got := v.Allowed.String(); got != tc.want {
				t.Errorf("port %d: allowed %q, want %q (%s)", tc.port, got, tc.want, v.Reason())
			}
		})
	}
	if mode, src := MTLS(m, cart, 8080); mode != Strict || src.Policy == nil || src.Path != "spec.mtls.mode" {
		t.Errorf("mTLS of cart = %s from %v", mode, src)
	}
}

func TestMatchLogic(t *testing.T) {
	a, b := When("methods=GET"), When("paths=/x")
	tests := []struct {
		name string
		got  Match
		want string
	}{
		{"and", a.And(b), "methods=GET paths=/x"},
		{"or", a.Or(b), "methods=GET | paths=/x"},
		{"and never", a.And(Never), "never"},
		{"or always", a.Or(Always), ""},
		{"not", a.Not(), "not(methods=GET)"},
		{"distributes", a.Or(b).And(When("hosts=h")), "hosts=h methods=GET | hosts=h paths=/x"},
		{"idempotent", a.And(a), "methods=GET"},
	}
	for _, tc := range tests {
		if s := tc.got.String(); s != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, s, tc.want)
		}
	}
}

// A DestinationRule that turns TLS off makes in-mesh clients send plaintext,
// which STRICT mTLS refuses, and which carries no identity to authorize.
func TestDestinationRuleDisablesIdentity(t *testing.T) {
	m := loadModel(t, "testdata/authz.yaml", "testdata/destinationrule.yaml")
	e := NewEvaluator(m, Current(m))
	web, cart := workload(t, m, "shop/web[Deployment]"), workload(t, m, "shop/cart[Deployment]")
	if v := e.Decide(Source{Workload: web}, cart, 8080); !v.Allowed.IsNever() {
		t.Errorf("web -> cart:8080 through a DISABLE DestinationRule: %q (%s), want never", v.Allowed, v.Reason())
	}
	// The rule names Service port 80, which reaches container port 8080
	// only: 5432 keeps auto mTLS.
	if !sendsIstioMTLS(m, web, cart, 5432) || sendsIstioMTLS(m, web, cart, 8080) {
		t.Error("port-level DestinationRule settings must apply to the container port their Service port reaches, and only there")
	}
}

// A policy attached to a Service by targetRefs is enforced only by a
// waypoint or gateway; the Service's workloads here run sidecars, which
// ignore it (pilot/pkg/model/policyattachment.go, ShouldAttachPolicy: "if
// targetRef is specified, ignore the policy altogether").
func TestTargetRefServiceIgnoredBySidecar(t *testing.T) {
	m := loadModel(t, "testdata/authz.yaml", "testdata/waypoint.yaml")
	without := loadModel(t, "testdata/authz.yaml")
	cart, web := workload(t, m, "shop/cart[Deployment]"), workload(t, m, "shop/web[Deployment]")
	for _, p := range Current(m) {
		if p.Object.Name == "cart-waypoint" && (p.Applies(cart) || p.Applies(web)) {
			t.Fatalf("a targetRefs policy governs a sidecar workload")
		}
	}
	got := NewEvaluator(m, Current(m)).Decide(Source{Workload: web}, cart, 5432).Allowed
	want := NewEvaluator(without, Current(without)).Decide(Source{Workload: workload(t, without, "shop/web[Deployment]")}, workload(t, without, "shop/cart[Deployment]"), 5432).Allowed
	if got.String() != want.String() {
		t.Errorf("web -> cart:5432 = %q with the targetRefs DENY, %q without: the sidecar must ignore it", got, want)
	}
}

// ztunnel enforces selector-bound policies of ambient workloads without
// seeing HTTP: an ALLOW rule that needs a method never matches there.
func TestAmbientSelectorPolicyIsL4(t *testing.T) {
	m := loadModel(t, "testdata/ambient.yaml")
	e := NewEvaluator(m, Current(m))
	web, api := workload(t, m, "catalog/web[Deployment]"), workload(t, m, "catalog/api[Deployment]")
	if v := e.Decide(Source{Workload: web}, api, 8080); !v.Allowed.IsNever() {
		t.Errorf("web -> api:8080 = %q, want never: ztunnel cannot match methods", v.Allowed)
	}
	if v := e.Decide(Source{Workload: web}, api, 9090); !v.Allowed.IsAlways() {
		t.Errorf("web -> api:9090 = %q, want the L4 rule to allow it", v.Allowed)
	}
}
