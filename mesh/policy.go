package mesh

import (
	"net/netip"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Policy is an authorization policy ready to evaluate: a current
// AuthorizationPolicy, or one translated from legacy RBAC (the author's
// intent, which Istio no longer enforces).
type Policy struct {
	Spec *securityv1beta1.AuthorizationPolicy
	// Object is where findings about the policy go: the AuthorizationPolicy,
	// or the ServiceRoleBinding the policy was translated from.
	Object *manifest.Object
	// RulePaths gives, for each rule of Spec, the field path in Object that
	// the rule comes from.
	RulePaths []string
	// Legacy marks policies translated from ServiceRole/ServiceRoleBinding.
	Legacy bool
	// Role is the ServiceRole a legacy policy came from.
	Role *manifest.Object
	// Waypoint marks a policy attached by targetRefs: a waypoint enforces
	// it, HTTP attributes included.
	Waypoint bool
	// DryRun marks a policy annotated istio.io/dry-run: logged, not enforced.
	DryRun bool

	applies func(*model.Workload) bool
	ap      *model.AuthorizationPolicy // nil for legacy policies
	// ns and meshWide place a policy translated from a cluster-scoped
	// object (ClusterRbacConfig); "" means the object's namespace.
	ns       string
	meshWide bool
}

// namespace is the namespace the policy lives in.
func (p *Policy) namespace() string {
	if p.ns != "" {
		return p.ns
	}
	return p.Object.Namespace
}

// isMeshWide reports whether the policy applies in every namespace: a
// current policy of the root namespace, or a translated mesh-wide one.
func (p *Policy) isMeshWide(root string) bool {
	return p.meshWide || (!p.Legacy && p.Object.Namespace == root)
}

// Applies reports whether the policy governs w.
func (p *Policy) Applies(w *model.Workload) bool { return p.applies(w) }

// Governed returns the workloads p governs, looking only where it can apply.
func (e *Evaluator) Governed(p *Policy) []*model.Workload {
	candidates := e.m.Workloads
	if !p.isMeshWide(e.m.Settings.RootNamespace) {
		candidates = e.m.WorkloadsIn(p.namespace())
	}
	var out []*model.Workload
	for _, w := range candidates {
		if p.Applies(w) {
			out = append(out, w)
		}
	}
	return out
}

// Action is the policy's action.
func (p *Policy) Action() securityv1beta1.AuthorizationPolicy_Action { return p.Spec.GetAction() }

// Name names the policy in messages: `AuthorizationPolicy ns/name` or
// `ServiceRoleBinding ns/name`.
func (p *Policy) Name() string { return p.Object.Kind + " " + p.Object.Namespace + "/" + p.Object.Name }

// Current wraps the model's AuthorizationPolicies.
func Current(m *model.Model) []*Policy {
	out := make([]*Policy, 0, len(m.AuthorizationPolicies))
	for _, ap := range m.AuthorizationPolicies {
		paths := make([]string, len(ap.Spec.GetRules()))
		for i := range paths {
			paths[i] = manifest.JoinIndex("spec.rules", i)
		}
		out = append(out, &Policy{Spec: ap.Spec, Object: ap.Object, RulePaths: paths, Waypoint: ap.TargetRefs, DryRun: ap.DryRun, applies: ap.Applies, ap: ap})
	}
	return out
}

// Source is the sender of a connection: a workload, or an address range
// outside the cluster.
type Source struct {
	Workload *model.Workload
	// From and To bound an external range (Workload nil).
	From, To netip.Addr
	// Plaintext marks a workload's connection that left it without its
	// proxy's mTLS (passed through, or excluded from the sidecar): it
	// carries no identity, as from a workload outside the mesh.
	Plaintext bool
}

// Name is how messages and the graph name the source.
func (s Source) Name() string {
	if s.Workload != nil {
		return s.Workload.ID()
	}
	return s.From.String() + "-" + s.To.String() + "[External]"
}

// Verdict is the outcome of authorization for a connection.
type Verdict struct {
	// Allowed is which requests get through: Always, Never, or a condition.
	Allowed Match
	// why says why, for messages; built only when asked for.
	why func() string
	// Decisive names the policies and rules that decided, as "Kind ns/name
	// rules[i]"; for a denial by mTLS, the PeerAuthentication.
	Decisive []RuleRef
}

// Reason says why the verdict is what it is, for messages.
func (v Verdict) Reason() string {
	if v.why == nil {
		return ""
	}
	return v.why()
}

// RuleRef points at a rule that took part in a decision.
type RuleRef struct {
	Policy *Policy
	Rule   int // -1: the policy as a whole
}
