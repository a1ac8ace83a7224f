package mesh

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/model"
)

// Evaluator answers authorization questions for one set of policies.
type Evaluator struct {
	m        *model.Model
	policies []*Policy
	byNS     map[string][]*Policy // policies that can apply in a namespace
	meshWide []*Policy
	// applying caches PoliciesFor per workload, and protocols the L7
	// protocol per workload port; rules evaluate in parallel.
	applying  sync.Map
	protocols sync.Map
	modes     sync.Map // workloadPort -> tlsEntry
	split     sync.Map // *model.Workload -> *dstPolicies (enforcer.go)
	scopes    *scopeTables
	hostsOnce sync.Once
	hostIndex map[string][]hostName // egress.go
}

type tlsEntry struct {
	mode TLSMode
	src  TLSSource
}

func (e *Evaluator) mtls(w *model.Workload, port int32) (TLSMode, TLSSource) {
	key := workloadPort{w, port}
	if v, ok := e.modes.Load(key); ok {
		t := v.(tlsEntry)
		return t.mode, t.src
	}
	mode, src := MTLS(e.m, w, port)
	e.modes.Store(key, tlsEntry{mode, src})
	return mode, src
}

type workloadPort struct {
	w    *model.Workload
	port int32
}

func (e *Evaluator) portProtocol(w *model.Workload, port int32) L7Protocol {
	key := workloadPort{w, port}
	if v, ok := e.protocols.Load(key); ok {
		return v.(L7Protocol)
	}
	p := PortProtocol(e.m, w, port)
	e.protocols.Store(key, p)
	return p
}

// NewEvaluator prepares policies for evaluation.
func NewEvaluator(m *model.Model, policies []*Policy) *Evaluator {
	e := &Evaluator{m: m, policies: policies, byNS: map[string][]*Policy{}, scopes: newScopeTables(m)}
	for _, p := range policies {
		if p.isMeshWide(m.Settings.RootNamespace) {
			e.meshWide = append(e.meshWide, p)
			continue
		}
		e.byNS[p.namespace()] = append(e.byNS[p.namespace()], p)
	}
	return e
}

// Policies returns every policy the evaluator knows, in model order.
func (e *Evaluator) Policies() []*Policy { return e.policies }

// PoliciesFor returns the policies that govern w.
func (e *Evaluator) PoliciesFor(w *model.Workload) []*Policy {
	if cached, ok := e.applying.Load(w); ok {
		return cached.([]*Policy)
	}
	out := e.policiesFor(w)
	e.applying.Store(w, out)
	return out
}

func (e *Evaluator) policiesFor(w *model.Workload) []*Policy {
	var out []*Policy
	for _, list := range [][]*Policy{e.meshWide, e.byNS[w.Namespace]} {
		for _, p := range list {
			// A policy the proxy ignores (AUDIT, dry-run, CUSTOM at
			// ztunnel) does not govern w at all: an ALLOW policy in
			// dry-run does not make the workload deny by default.
			if p.Applies(w) && enforces(enforcerOf(p, w), p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Decide evaluates a TCP connection from src to dst on a container port.
// UDP and SCTP are not intercepted by sidecars, so authorization never
// applies to them: callers ask only about TCP.
func (e *Evaluator) Decide(src Source, dst *model.Workload, port int32) Verdict {
	if src.Workload != nil && !src.Plaintext {
		switch g := e.EgressTo(src.Workload, dst, port); g {
		case EgressBlackhole:
			return blackholed(src, dst)
		case EgressPassthrough, EgressBypass:
			src.Plaintext = true
		}
	}
	return e.DecideArriving(src, dst, port)
}

// DecideArriving is Decide for a connection as it leaves src, the
// client's egress already accounted for (src.Plaintext says whether it
// kept its mTLS).
func (e *Evaluator) DecideArriving(src Source, dst *model.Workload, port int32) Verdict {
	if dst.Mesh == model.MeshNone {
		return Verdict{Allowed: Always, why: func() string { return dst.ID() + " is not in the mesh: nothing enforces authorization" }}
	}
	return e.decideRoutes(src, dst, port)
}

// decideHop evaluates the policies one proxy on the way to dst enforces
// (enforcer.go says which), for the client that proxy sees.
func (e *Evaluator) decideHop(dst *model.Workload, port int32, h hop) Verdict {
	src := h.peer
	mode, tlsFrom := e.mtls(dst, port)
	// The peer's identity comes with Istio mTLS: an in-mesh client sends it
	// unless mTLS is off here or a DestinationRule makes it send plaintext
	// (or TLS of its own).
	identity := src.Workload != nil && src.Workload.Mesh != model.MeshNone && !src.Plaintext && mode != Disable && sendsIstioMTLS(e.m, src.Workload, dst, port)
	if mode == Strict && !identity {
		return Verdict{Allowed: Never, why: func() string {
			r := fmt.Sprintf("%s requires STRICT mTLS on port %d and %s sends plaintext", dst.ID(), port, src.Name())
			if tlsFrom.Policy != nil {
				r += " (PeerAuthentication " + tlsFrom.Policy.Object.Namespace + "/" + tlsFrom.Policy.Object.Name + ")"
			}
			return r
		}}
	}
	proto := e.portProtocol(dst, port)
	ctx := &request{e: e, src: src, dst: dst, port: port, identity: identity}

	policies := h.policies
	custom, deny, allow := Never, Never, Never
	var denyRefs, allowRefs []RuleRef
	hasAllow := false
	for _, p := range policies {
		action := p.Action()
		if action == securityv1beta1.AuthorizationPolicy_ALLOW {
			hasAllow = true
		}
		// What the enforcing proxy sees (HTTP, TCP, or ztunnel's L4
		// attributes) decides how HTTP-only fields behave (match.go).
		ctx.enforcer = h.enforcer
		ctx.proto = proto
		ctx.policyNS = p.namespace()
		for i, r := range p.Spec.GetRules() {
			mt := ctx.rule(r, action)
			if mt.IsNever() {
				continue
			}
			ref := RuleRef{Policy: p, Rule: i}
			switch action {
			case securityv1beta1.AuthorizationPolicy_CUSTOM:
				custom = custom.Or(mt)
			case securityv1beta1.AuthorizationPolicy_DENY:
				deny = deny.Or(mt)
				denyRefs = append(denyRefs, ref)
			case securityv1beta1.AuthorizationPolicy_ALLOW:
				allow = allow.Or(mt)
				allowRefs = append(allowRefs, ref)
			}
		}
	}
	if deny.IsAlways() {
		return Verdict{Allowed: Never, why: func() string { return "denied by " + refNames(denyRefs) }, Decisive: denyRefs}
	}
	if !hasAllow {
		allow = Always
	}
	result := allow.And(deny.Not())
	if !custom.IsNever() {
		// Requests a CUSTOM rule matches are decided by the external
		// authorizer, which no manifest describes.
		result = result.And(custom.Not().Or(When("ext-authz")))
	}
	v := Verdict{Allowed: result}
	switch {
	case !hasAllow && deny.IsNever():
		v.why = func() string { return "no ALLOW policy applies to " + dst.ID() }
	case result.IsNever() && len(allowRefs) == 0:
		v.why = func() string {
			return "no ALLOW rule of " + policyNames(policies, securityv1beta1.AuthorizationPolicy_ALLOW) + " matches " + src.Name() + " on port " + strconv.Itoa(int(port))
		}
	case result.IsNever():
		v.why = func() string { return "denied by " + refNames(denyRefs) }
		v.Decisive = denyRefs
	default:
		v.why = func() string { return "allowed by " + refNames(allowRefs) }
		v.Decisive = allowRefs
	}
	return v
}

func refNames(refs []RuleRef) string {
	var names []string
	for _, r := range refs {
		n := r.Policy.Name()
		if r.Rule >= 0 && r.Rule < len(r.Policy.RulePaths) {
			n += " " + r.Policy.RulePaths[r.Rule]
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "no rule"
	}
	return strings.Join(names, ", ")
}

func policyNames(ps []*Policy, action securityv1beta1.AuthorizationPolicy_Action) string {
	var names []string
	for _, p := range ps {
		if p.Action() == action {
			names = append(names, p.Name())
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// CurrentEvaluator evaluates what Istio enforces today, once per model.
func CurrentEvaluator(m *model.Model) *Evaluator {
	return m.Derived("mesh/current", func() any { return NewEvaluator(m, Current(m)) }).(*Evaluator)
}

// IntentEvaluator adds to today's policies what legacy RBAC meant (when a
// ClusterRbacConfig did not turn it off), once per model.
func IntentEvaluator(m *model.Model) *Evaluator {
	return m.Derived("mesh/intent", func() any {
		policies := Current(m)
		if t := Legacy(m); t.Enforced {
			policies = append(policies, t.Policies...)
		}
		return NewEvaluator(m, policies)
	}).(*Evaluator)
}

// Restricts reports whether authorization limits who may reach w at all:
// some ALLOW or DENY policy governs it.
func (e *Evaluator) Restricts(w *model.Workload) bool {
	for _, p := range e.PoliciesFor(w) {
		switch p.Action() {
		case securityv1beta1.AuthorizationPolicy_ALLOW, securityv1beta1.AuthorizationPolicy_DENY:
			return true
		}
	}
	return false
}
