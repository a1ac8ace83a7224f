package mesh

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"

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

	applies func(*model.Workload) bool
}

// Applies reports whether the policy governs w.
func (p *Policy) Applies(w *model.Workload) bool { return p.applies(w) }

// Governed returns the workloads p governs, looking only where it can apply.
func (e *Evaluator) Governed(p *Policy) []*model.Workload {
	candidates := e.m.Workloads
	if p.Legacy || p.Object.Namespace != e.m.Settings.RootNamespace {
		candidates = e.m.WorkloadsIn(p.Object.Namespace)
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
		out = append(out, &Policy{Spec: ap.Spec, Object: ap.Object, RulePaths: paths, Waypoint: ap.TargetRefs, applies: ap.Applies})
	}
	return out
}

// Source is the sender of a connection: a workload, or an address range
// outside the cluster.
type Source struct {
	Workload *model.Workload
	// From and To bound an external range (Workload nil).
	From, To netip.Addr
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
	e := &Evaluator{m: m, policies: policies, byNS: map[string][]*Policy{}}
	for _, p := range policies {
		if p.Object.Namespace == m.Settings.RootNamespace && !p.Legacy {
			e.meshWide = append(e.meshWide, p)
			continue
		}
		e.byNS[p.Object.Namespace] = append(e.byNS[p.Object.Namespace], p)
	}
	return e
}

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
			if p.Applies(w) {
				out = append(out, p)
			}
		}
	}
	return out
}

// L7Protocol says whether a destination port carries HTTP (so that methods,
// paths and hosts can match), plain TCP (they cannot), or unknown (Istio
// sniffs the protocol).
type L7Protocol int

const (
	L7Unknown L7Protocol = iota
	L7HTTP
	L7TCP
)

// PortProtocol applies Istio's protocol selection: the Service port's
// appProtocol or name prefix, else the container port's name.
func PortProtocol(m *model.Model, dst *model.Workload, port int32) L7Protocol {
	names := []string{}
	for _, svc := range m.ServicesIn(dst.Namespace) {
		if len(svc.Selector) == 0 || !svc.Selector.AsSelector().Matches(dst.Labels) {
			continue
		}
		for _, sp := range svc.Ports {
			if TargetPort(dst, sp) == port {
				names = append(names, sp.AppProtocol, sp.Name)
			}
		}
	}
	for _, cp := range dst.Ports {
		if cp.Port == port {
			names = append(names, cp.Name)
		}
	}
	for _, n := range names {
		n = strings.ToLower(n)
		prefix, _, _ := strings.Cut(n, "-")
		switch prefix {
		case "http", "http2", "grpc", "grpc-web", "h2c":
			return L7HTTP
		case "tcp", "tls", "https", "mongo", "mysql", "redis", "mqtt":
			return L7TCP
		}
	}
	return L7Unknown
}

// TargetPort resolves a Service port to the container port of dst it
// reaches (0 when it reaches none).
func TargetPort(dst *model.Workload, sp model.ServicePort) int32 {
	if sp.TargetPort == "" {
		return sp.Port
	}
	if n, err := strconv.Atoi(sp.TargetPort); err == nil {
		return int32(n)
	}
	for _, cp := range dst.Ports {
		if cp.Name == sp.TargetPort && cp.Protocol == sp.Protocol {
			return cp.Port
		}
	}
	return 0
}

// Decide evaluates a TCP connection from src to dst on a container port.
// UDP and SCTP are not intercepted by sidecars, so authorization never
// applies to them: callers ask only about TCP.
func (e *Evaluator) Decide(src Source, dst *model.Workload, port int32) Verdict {
	if dst.Mesh == model.MeshNone {
		return Verdict{Allowed: Always, why: func() string { return dst.ID() + " is not in the mesh: nothing enforces authorization" }}
	}
	mode, tlsFrom := e.mtls(dst, port)
	// The peer's identity comes with Istio mTLS: an in-mesh client sends it
	// unless mTLS is off here or a DestinationRule makes it send plaintext
	// (or TLS of its own).
	identity := src.Workload != nil && src.Workload.Mesh != model.MeshNone && mode != Disable && sendsIstioMTLS(e.m, dst, port)
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

	policies := e.PoliciesFor(dst)
	custom, deny, allow := Never, Never, Never
	var denyRefs, allowRefs []RuleRef
	hasAllow := false
	for _, p := range policies {
		action := p.Action()
		if action == securityv1beta1.AuthorizationPolicy_AUDIT {
			continue
		}
		if action == securityv1beta1.AuthorizationPolicy_ALLOW {
			hasAllow = true
		}
		// In ambient mode a policy bound by selector is enforced by ztunnel,
		// which sees no HTTP: its L7 fields behave as on a TCP port.
		ctx.proto = proto
		if dst.Mesh == model.MeshAmbient && !p.Waypoint {
			ctx.proto = L7TCP
		}
		for i, r := range p.Spec.GetRules() {
			mt := ctx.rule(r, action == securityv1beta1.AuthorizationPolicy_DENY)
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

// request holds what is known of a connection while its rules are matched.
type request struct {
	e        *Evaluator
	src      Source
	dst      *model.Workload
	port     int32
	identity bool // the source presents a mesh identity (mTLS)
	proto    L7Protocol
}

func (r *request) rule(rule *securityv1beta1.Rule, deny bool) Match {
	from := Always
	if len(rule.GetFrom()) > 0 {
		from = Never
		for _, f := range rule.GetFrom() {
			from = from.Or(r.source(f.GetSource()))
		}
	}
	to := Always
	if len(rule.GetTo()) > 0 {
		to = Never
		for _, t := range rule.GetTo() {
			to = to.Or(r.operation(t.GetOperation(), deny))
		}
	}
	when := Always
	for _, c := range rule.GetWhen() {
		when = when.And(r.condition(c))
	}
	return from.And(to).And(when)
}

func (r *request) principal() string {
	if !r.identity {
		return ""
	}
	return r.src.Workload.Identity
}

// matchAny matches a value against Istio patterns; an absent value (no
// identity) matches no positive pattern.
func matchAny(patterns []string, value string) bool {
	if value == "" {
		return false
	}
	for _, p := range patterns {
		if model.MatchString(p, value) {
			return true
		}
	}
	return false
}

func truth(b bool) Match {
	if b {
		return Always
	}
	return Never
}

func (r *request) source(s *securityv1beta1.Source) Match {
	if s == nil {
		return Always
	}
	principal := r.principal()
	ns, sa := "", ""
	if principal != "" {
		ns, sa = r.src.Workload.Namespace, r.src.Workload.ServiceAccount
	}
	m := Always
	if len(s.GetPrincipals()) > 0 {
		m = m.And(truth(matchAny(s.GetPrincipals(), principal)))
	}
	if len(s.GetNotPrincipals()) > 0 {
		m = m.And(truth(!matchAny(s.GetNotPrincipals(), principal)))
	}
	if len(s.GetNamespaces()) > 0 {
		m = m.And(truth(matchAny(s.GetNamespaces(), ns)))
	}
	if len(s.GetNotNamespaces()) > 0 {
		m = m.And(truth(!matchAny(s.GetNotNamespaces(), ns)))
	}
	if len(s.GetServiceAccounts()) > 0 {
		m = m.And(truth(matchServiceAccount(s.GetServiceAccounts(), ns, sa)))
	}
	if len(s.GetNotServiceAccounts()) > 0 {
		m = m.And(truth(!matchServiceAccount(s.GetNotServiceAccounts(), ns, sa)))
	}
	if len(s.GetTrustDomains()) > 0 {
		m = m.And(truth(principal != "" && matchAny(s.GetTrustDomains(), r.e.m.Settings.TrustDomain)))
	}
	if len(s.GetNotTrustDomains()) > 0 {
		m = m.And(truth(principal == "" || !matchAny(s.GetNotTrustDomains(), r.e.m.Settings.TrustDomain)))
	}
	if len(s.GetIpBlocks()) > 0 {
		m = m.And(r.ipMatch(s.GetIpBlocks()))
	}
	if len(s.GetNotIpBlocks()) > 0 {
		m = m.And(r.ipMatch(s.GetNotIpBlocks()).Not())
	}
	// Request principals come from JWTs and remote IPs from headers: no
	// manifest says what a request carries.
	if v := s.GetRequestPrincipals(); len(v) > 0 {
		m = m.And(When("requestPrincipals=" + strings.Join(v, ",")))
	}
	if v := s.GetNotRequestPrincipals(); len(v) > 0 {
		m = m.And(When("notRequestPrincipals=" + strings.Join(v, ",")))
	}
	if v := s.GetRemoteIpBlocks(); len(v) > 0 {
		m = m.And(When("remoteIpBlocks=" + strings.Join(v, ",")))
	}
	if v := s.GetNotRemoteIpBlocks(); len(v) > 0 {
		m = m.And(When("notRemoteIpBlocks=" + strings.Join(v, ",")))
	}
	return m
}

func matchServiceAccount(patterns []string, ns, sa string) bool {
	if sa == "" {
		return false
	}
	for _, p := range patterns {
		pns, psa, ok := strings.Cut(p, "/")
		if !ok {
			pns, psa = ns, p
		}
		if pns == ns && psa == sa {
			return true
		}
	}
	return false
}

// ipMatch matches source ipBlocks. Pod addresses are not known from
// manifests, so pods never match an ipBlock (the choice the NetworkPolicy
// layer makes too); an external range matches a block that contains it.
func (r *request) ipMatch(blocks []string) Match {
	if r.src.Workload != nil {
		return Never
	}
	for _, b := range blocks {
		prefix, err := netip.ParsePrefix(b)
		if err != nil {
			addr, aerr := netip.ParseAddr(b)
			if aerr != nil {
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		prefix = prefix.Masked()
		if prefix.Contains(r.src.From) && prefix.Contains(r.src.To) {
			return Always
		}
		if prefix.Contains(r.src.From) || prefix.Contains(r.src.To) {
			return When("source.ip=" + b)
		}
	}
	return Never
}

func (r *request) operation(op *securityv1beta1.Operation, deny bool) Match {
	if op == nil {
		return Always
	}
	m := Always
	if len(op.GetPorts()) > 0 {
		m = m.And(truth(portIn(op.GetPorts(), r.port)))
	}
	if len(op.GetNotPorts()) > 0 {
		m = m.And(truth(!portIn(op.GetNotPorts(), r.port)))
	}
	for _, f := range []struct {
		name   string
		values []string
	}{
		{"hosts", op.GetHosts()}, {"notHosts", op.GetNotHosts()},
		{"methods", op.GetMethods()}, {"notMethods", op.GetNotMethods()},
		{"paths", op.GetPaths()}, {"notPaths", op.GetNotPaths()},
	} {
		if len(f.values) == 0 {
			continue
		}
		m = m.And(r.httpOnly(f.name+"="+strings.Join(f.values, ","), deny))
	}
	return m
}

// httpOnly matches an HTTP attribute. On a plain TCP port Istio cannot see
// it: an ALLOW rule that needs it never matches, and a DENY rule ignores it
// (and so matches more).
func (r *request) httpOnly(atom string, deny bool) Match {
	if r.proto == L7TCP {
		return truth(deny)
	}
	return When(atom)
}

func portIn(ports []string, port int32) bool {
	for _, p := range ports {
		if n, err := strconv.Atoi(p); err == nil && int32(n) == port {
			return true
		}
	}
	return false
}

func (r *request) condition(c *securityv1beta1.Condition) Match {
	key := c.GetKey()
	var value string
	known := true
	switch key {
	case "source.namespace":
		if r.principal() != "" {
			value = r.src.Workload.Namespace
		}
	case "source.principal":
		value = r.principal()
	case "destination.port":
		value = strconv.Itoa(int(r.port))
	case "source.ip", "remote.ip":
		if key == "source.ip" {
			m := Always
			if len(c.GetValues()) > 0 {
				m = m.And(r.ipMatch(c.GetValues()))
			}
			if len(c.GetNotValues()) > 0 {
				m = m.And(r.ipMatch(c.GetNotValues()).Not())
			}
			return m
		}
		known = false
	default:
		known = false
	}
	if !known {
		atom := "when " + key
		if len(c.GetValues()) > 0 {
			atom += "=" + strings.Join(c.GetValues(), ",")
		}
		if len(c.GetNotValues()) > 0 {
			atom += " notValues=" + strings.Join(c.GetNotValues(), ",")
		}
		return When(atom)
	}
	m := Always
	if len(c.GetValues()) > 0 {
		m = m.And(truth(matchAny(c.GetValues(), value)))
	}
	if len(c.GetNotValues()) > 0 {
		m = m.And(truth(!matchAny(c.GetNotValues(), value)))
	}
	return m
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
