package mesh

import (
	"net/netip"
	"path/filepath"
	"testing"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/model"
)

// joined is what a trace's routes let through, each route what all its
// hops let through: it must be the verdict the trace reports.
func joined(t *Trace) Match {
	out := Never
	for _, r := range t.Routes {
		through := Always
		for _, h := range r.Hops {
			through = through.And(h.Verdict.Allowed)
		}
		if through.String() != r.Allowed.String() {
			return When("route " + r.Allowed.String() + " is not its hops' " + through.String())
		}
		out = out.Or(through)
	}
	return out
}

// Trace is Decide with a recorder: on every pair of workloads of every
// fixture, at every port where a verdict can change, its verdict is
// Decide's, and the hops it recorded join to that verdict.
func TestTraceIsDecide(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	traced := 0
	for _, f := range files {
		m := loadModel(t, f)
		e := NewEvaluator(m, Current(m))
		for _, dst := range m.Workloads {
			ports := []int32{1}
			for _, p := range dst.Ports {
				ports = append(ports, p.Port)
			}
			ports = append(ports, e.RoutePorts(dst)...)
			for _, src := range append(m.Workloads, nil) {
				s := Source{Workload: src}
				if src == nil {
					s = externalSource(t)
				}
				for _, port := range ports {
					want := e.Decide(s, dst, port)
					tr := e.Trace(s, dst, port)
					traced++
					if got := tr.Verdict.Allowed.String(); got != want.Allowed.String() || tr.Verdict.Reason() != want.Reason() {
						t.Errorf("%s: %s -> %s:%d: Trace %q (%s), Decide %q (%s)", f, s.Name(), dst.ID(), port, got, tr.Verdict.Reason(), want.Allowed, want.Reason())
					}
					if len(tr.Routes) == 0 {
						if tr.Egress != EgressBlackhole && tr.Mesh != model.MeshNone && !tr.InboundBypassed {
							t.Errorf("%s: %s -> %s:%d: no route recorded", f, s.Name(), dst.ID(), port)
						}
						continue
					}
					if got := joined(tr).String(); got != want.Allowed.String() {
						t.Errorf("%s: %s -> %s:%d: the hops join to %q, Decide says %q", f, s.Name(), dst.ID(), port, got, want.Allowed)
					}
				}
			}
		}
	}
	if traced == 0 {
		t.Fatal("nothing traced")
	}
}

func externalSource(t *testing.T) Source {
	t.Helper()
	return Source{From: netip.MustParseAddr("203.0.113.0"), To: netip.MustParseAddr("203.0.113.255")}
}

// The facts Trace keeps beside the verdict, each where Decide met it.
func TestTraceFacts(t *testing.T) {
	m := loadModel(t, "testdata/trace.yaml")
	e := NewEvaluator(m, Current(m))
	api := workload(t, m, "shop/api[Deployment]")
	web := Source{Workload: workload(t, m, "shop/web[Deployment]")}
	batch := Source{Workload: workload(t, m, "shop/batch[Deployment]")}
	db := workload(t, m, "amb/db[Deployment]")
	only := func(tr *Trace) *HopTrace {
		t.Helper()
		if len(tr.Routes) != 1 || len(tr.Routes[0].Hops) != 1 {
			t.Fatalf("%d routes, want one of one hop", len(tr.Routes))
		}
		return tr.Routes[0].Hops[0]
	}
	names := func(ps []*Policy) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			out[p.Object.Name] = true
		}
		return out
	}
	rule := func(h *HopTrace, policy string, i int) RuleTrace {
		t.Helper()
		for _, pt := range h.Policies {
			if pt.Policy.Object.Name == policy {
				return pt.Rules[i]
			}
		}
		t.Fatalf("policy %s not traced", policy)
		return RuleTrace{}
	}

	// The sidecar reads the dry-run DENY and the AUDIT policy and enforces
	// neither; web presents its identity and rule 0 matches it with GET.
	h := only(e.Trace(web, api, 8080))
	if got := names(h.NotEnforced); !got["deny-web-trial"] || !got["audit-all"] || len(got) != 2 {
		t.Errorf("not enforced: %v, want the dry-run and the AUDIT policy", got)
	}
	if h.Gap != IdentityPresented || h.Enforcer != EnforcerSidecar {
		t.Errorf("web to api:8080: gap %d at %s", h.Gap, h.Enforcer)
	}
	if r := rule(h, "api", 0); r.Match.String() != "methods=GET" {
		t.Errorf("rule 0 matched %q", r.Match)
	}

	// On TCP 5432 the DestinationRule turns web's mTLS off, the ALLOW rule
	// with methods is dropped, and the DENY rule is evaluated without it.
	h = only(e.Trace(web, api, 5432))
	if h.Gap != GapDestinationRule || h.ClientTLS == nil || h.ClientTLS.Rule.Object.Name != "api-db-plain" || h.ClientTLS.Path != "spec.trafficPolicy.portLevelSettings[0].tls.mode" {
		t.Errorf("web to api:5432: gap %d, client TLS %+v", h.Gap, h.ClientTLS)
	}
	if r := rule(h, "api", 1); !r.Match.IsNever() || len(r.Unseen) != 1 || r.Unseen[0].Name != "methods" || len(r.Misses) != 0 {
		t.Errorf("ALLOW rule with methods on TCP: %+v", r)
	}
	if r := rule(h, "no-delete", 0); !r.Match.IsAlways() || len(r.Unseen) != 1 || r.Unseen[0].Path != "spec.rules[0].to[0].operation.methods" {
		t.Errorf("DENY rule with methods on TCP: %+v", r)
	}

	// batch's port 8080 bypasses its sidecar: plaintext, so the principal
	// rule misses for want of an identity.
	tr := e.Trace(batch, api, 8080)
	if tr.Egress != EgressBypass || !tr.BypassPort {
		t.Errorf("batch egress %s (port %v)", tr.Egress, tr.BypassPort)
	}
	h = only(tr)
	if h.Gap != GapPlaintext {
		t.Errorf("batch gap %d, want plaintext", h.Gap)
	}
	if r := rule(h, "api", 0); !r.Match.IsNever() || len(r.Misses) != 1 || r.Misses[0].Field != "principals" {
		t.Errorf("rule 0 for plaintext batch: %+v", r)
	}

	// ztunnel skips the CUSTOM policy and cannot see requestPrincipals.
	h = only(e.Trace(web, db, 5432))
	if h.Enforcer != EnforcerZtunnel || !names(h.NotEnforced)["db-ext"] {
		t.Errorf("db: enforcer %s, not enforced %v", h.Enforcer, names(h.NotEnforced))
	}
	if len(h.Policies) != 1 || h.Policies[0].Protocol != L7TCP {
		t.Fatalf("db: %d policies traced", len(h.Policies))
	}
	if r := rule(h, "db", 0); !r.Match.IsNever() || len(r.Unseen) != 1 || r.Unseen[0].Name != "requestPrincipals" {
		t.Errorf("requestPrincipals at ztunnel: %+v", r)
	}
	if r := rule(h, "db", 1); !r.Match.IsAlways() {
		t.Errorf("namespaces at ztunnel: %+v", r)
	}
	for _, p := range h.NotEnforced {
		if p.Action() != securityv1beta1.AuthorizationPolicy_CUSTOM {
			t.Errorf("%s is not enforced at ztunnel", p.Name())
		}
	}
}
