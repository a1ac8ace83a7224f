package mesh

import (
	"net/netip"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/model"
)

// request holds what is known of a connection while its rules are matched.
type request struct {
	e        *Evaluator
	src      Source
	dst      *model.Workload
	port     int32
	identity bool // the source presents a mesh identity (mTLS)
	proto    L7Protocol
	enforcer Enforcer // the proxy evaluating the policy at hand
	policyNS string   // the namespace of the policy at hand (serviceAccounts are relative to it)
}

// view is what the enforcing proxy sees of the connection, which decides
// how HTTP-only fields behave.
type view int

const (
	// viewHTTP: an HTTP port, or a sniffed one (the HTTP filter chain
	// matches requests of clients that speak HTTP; a client that does not
	// meets no HTTP condition). HTTP fields become conditions.
	viewHTTP view = iota
	// viewTCP: a sidecar, waypoint or gateway on a port whose protocol is
	// TCP, TLS, HTTPS, ...: Envoy's network RBAC filter, built with forTCP
	// (pilot/pkg/security/authz/model/generator.go: HTTP-only generators
	// fail; model.go checkError keeps the failure for ALLOW, which drops
	// the whole rule, and ignores it for DENY, which drops only the field).
	viewTCP
	// viewZtunnel: ztunnel, which evaluates only the L4 attributes istiod
	// translates (pilot/pkg/serviceregistry/ambient/authorization.go,
	// handleRule; ztunnel src/rbac.rs).
	viewZtunnel
)

func (r *request) view() view {
	switch {
	case r.enforcer == EnforcerZtunnel:
		return viewZtunnel
	case r.proto == L7TCP:
		return viewTCP
	}
	return viewHTTP
}

// enforces reports whether the proxy that enforces p acts on it at all:
// AUDIT policies only log; a dry-run policy is logged, not enforced
// (builder.go isDryRun puts it in shadow rules; ztunnel skips it,
// src/state.rs assert_rbac); ztunnel does not support CUSTOM
// (ambient/authorization.go convertAuthorizationPolicy). Validation admits
// dry-run on ALLOW and DENY policies only (validation.go
// checkDryRunAnnotation).
func enforces(e Enforcer, p *Policy) bool {
	switch p.Action() {
	case securityv1beta1.AuthorizationPolicy_AUDIT:
		return false
	case securityv1beta1.AuthorizationPolicy_CUSTOM:
		return e != EnforcerZtunnel
	}
	return !p.DryRun
}

// rule matches one rule. At an Envoy that sees no HTTP an ALLOW rule with
// an HTTP-only field never matches; elsewhere unseen fields are dropped,
// which widens a DENY (or CUSTOM) rule.
func (r *request) rule(rule *securityv1beta1.Rule, action securityv1beta1.AuthorizationPolicy_Action) Match {
	v := r.view()
	if v != viewHTTP && action == securityv1beta1.AuthorizationPolicy_ALLOW && len(UnseenFields(rule, "", v == viewZtunnel)) > 0 {
		return Never
	}
	from := Always
	if len(rule.GetFrom()) > 0 {
		from = Never
		for _, f := range rule.GetFrom() {
			from = from.Or(r.source(f.GetSource(), v))
		}
	}
	to := Always
	if len(rule.GetTo()) > 0 {
		to = Never
		for _, t := range rule.GetTo() {
			to = to.Or(r.operation(t.GetOperation(), v))
		}
	}
	when := Always
	for _, c := range rule.GetWhen() {
		when = when.And(r.condition(c, v))
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

func (r *request) source(s *securityv1beta1.Source, v view) Match {
	if s == nil {
		return Always
	}
	// ztunnel skips a match that istiod left empty (rbac.rs: is_empty),
	// so a source made only of fields it cannot see matches nothing.
	if v == viewZtunnel && !hasZtunnelSource(s) {
		return Never
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
		m = m.And(truth(r.matchServiceAccount(s.GetServiceAccounts(), ns, sa)))
	}
	if len(s.GetNotServiceAccounts()) > 0 {
		m = m.And(truth(!r.matchServiceAccount(s.GetNotServiceAccounts(), ns, sa)))
	}
	// istiod does not translate trustDomains for ztunnel at all (handleRule
	// builds no field for them): they are silently ignored there.
	if v != viewZtunnel {
		if len(s.GetTrustDomains()) > 0 {
			m = m.And(truth(principal != "" && matchAny(s.GetTrustDomains(), r.e.m.Settings.TrustDomain)))
		}
		if len(s.GetNotTrustDomains()) > 0 {
			m = m.And(truth(principal == "" || !matchAny(s.GetNotTrustDomains(), r.e.m.Settings.TrustDomain)))
		}
	}
	if len(s.GetIpBlocks()) > 0 {
		m = m.And(r.ipMatch(s.GetIpBlocks()))
	}
	if len(s.GetNotIpBlocks()) > 0 {
		m = m.And(r.ipMatch(s.GetNotIpBlocks()).Not())
	}
	// Request principals come from JWTs, remote IPs from X-Forwarded-For
	// or the PROXY protocol: no manifest says what a request carries.
	if v == viewHTTP {
		if v := s.GetRequestPrincipals(); len(v) > 0 {
			m = m.And(When("requestPrincipals=" + strings.Join(v, ",")))
		}
		if v := s.GetNotRequestPrincipals(); len(v) > 0 {
			m = m.And(When("notRequestPrincipals=" + strings.Join(v, ",")))
		}
	}
	if v != viewZtunnel {
		if v := s.GetRemoteIpBlocks(); len(v) > 0 {
			m = m.And(When("remoteIpBlocks=" + strings.Join(v, ",")))
		}
		if v := s.GetNotRemoteIpBlocks(); len(v) > 0 {
			m = m.And(When("notRemoteIpBlocks=" + strings.Join(v, ",")))
		}
	}
	return m
}

// hasZtunnelSource reports whether istiod gives ztunnel anything to match
// for a source.
func hasZtunnelSource(s *securityv1beta1.Source) bool {
	return len(s.GetPrincipals())+len(s.GetNotPrincipals())+len(s.GetNamespaces())+len(s.GetNotNamespaces())+
		len(s.GetServiceAccounts())+len(s.GetNotServiceAccounts())+len(s.GetIpBlocks())+len(s.GetNotIpBlocks()) > 0
}

// matchServiceAccount matches serviceAccounts entries, `sa` or `ns/sa`; a
// bare name is in the policy's namespace (generator.go serviceAccountRegex,
// ambient/authorization.go stringToServiceAccountMatch).
func (r *request) matchServiceAccount(patterns []string, ns, sa string) bool {
	if sa == "" {
		return false
	}
	for _, p := range patterns {
		pns, psa, ok := strings.Cut(p, "/")
		if !ok {
			pns, psa = r.policyNS, p
		}
		if pns == ns && psa == sa {
			return true
		}
	}
	return false
}

// ipMatch matches source ipBlocks. Istio matches them against the
// connection's direct remote address (generator.go srcIPGenerator:
// principalDirectRemoteIP), which for a pod is its own address: a pod
// matches a block that holds its IP. Pod addresses are not in the
// manifests, so for a pod the match is a condition (source.ip=...), never
// a silent no or yes, except for a block that holds every address. (The
// NetworkPolicy layer keeps ipBlocks to addresses outside the cluster, as
// Kubernetes documents and netpol-analyzer's corpus expects.) An external
// range matches a block that contains it. The outside space is cut at
// every policy's blocks, so a range lies in a block or outside it; a range
// that straddles one (cut elsewhere) matches only some of its addresses.
func (r *request) ipMatch(blocks []string) Match {
	if r.src.Workload != nil {
		var valid []string
		for _, b := range blocks {
			prefix, ok := parseBlock(b)
			if !ok {
				continue
			}
			if prefix.Bits() == 0 && prefix.Addr().Is4() {
				return Always // 0.0.0.0/0: whatever the pod's (IPv4) address
			}
			valid = append(valid, b)
		}
		if len(valid) == 0 {
			return Never
		}
		return When("source.ip=" + strings.Join(valid, ","))
	}
	partial := false
	for _, b := range blocks {
		prefix, ok := parseBlock(b)
		if !ok || prefix.Addr().Is4() != r.src.From.Is4() {
			continue
		}
		first, last := prefixBounds(prefix)
		switch {
		case first.Compare(r.src.From) <= 0 && r.src.To.Compare(last) <= 0:
			return Always
		case first.Compare(r.src.To) <= 0 && r.src.From.Compare(last) <= 0:
			partial = true
		}
	}
	if partial {
		return When("source.ip=" + strings.Join(blocks, ","))
	}
	return Never
}

// parseBlock reads an address or CIDR as Istio does (ValidateIPs).
func parseBlock(b string) (netip.Prefix, bool) {
	if strings.Contains(b, "/") {
		p, err := netip.ParsePrefix(b)
		return p.Masked(), err == nil
	}
	a, err := netip.ParseAddr(b)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// prefixBounds returns the first and last address of a prefix.
func prefixBounds(p netip.Prefix) (netip.Addr, netip.Addr) {
	first := p.Masked().Addr()
	b := first.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	last, _ := netip.AddrFromSlice(b)
	return first, last
}

func (r *request) operation(op *securityv1beta1.Operation, v view) Match {
	if op == nil {
		return Always
	}
	if v == viewZtunnel && len(op.GetPorts())+len(op.GetNotPorts()) == 0 {
		return Never // only HTTP fields: an empty match, which ztunnel skips
	}
	m := Always
	if len(op.GetPorts()) > 0 {
		m = m.And(truth(portIn(op.GetPorts(), r.port)))
	}
	if len(op.GetNotPorts()) > 0 {
		m = m.And(truth(!portIn(op.GetNotPorts(), r.port)))
	}
	if v != viewHTTP {
		return m
	}
	for _, f := range []struct {
		name   string
		values []string
	}{
		{"hosts", op.GetHosts()}, {"notHosts", op.GetNotHosts()},
		{"methods", op.GetMethods()}, {"notMethods", op.GetNotMethods()},
		{"paths", op.GetPaths()}, {"notPaths", op.GetNotPaths()},
	} {
		if len(f.values) > 0 {
			m = m.And(When(f.name + "=" + strings.Join(f.values, ",")))
		}
	}
	return m
}

func portIn(ports []string, port int32) bool {
	for _, p := range ports {
		if n, err := strconv.ParseUint(p, 10, 32); err == nil && int64(n) == int64(port) {
			return true
		}
	}
	return false
}

func (r *request) condition(c *securityv1beta1.Condition, v view) Match {
	key := c.GetKey()
	if key == "" {
		// istiod refuses a condition without a key (MSH003 says so): the
		// rule can never match.
		return Never
	}
	switch {
	case v == viewZtunnel && !ztunnelWhenKeys[key]:
		// A clause of one empty match: never true at ztunnel.
		return Never
	case v == viewTCP && strings.HasPrefix(key, "request."):
		return Always // dropped from a DENY rule (an ALLOW rule is gone already)
	}
	var value string
	switch key {
	case "source.namespace":
		if r.principal() != "" {
			value = r.src.Workload.Namespace
		}
	case "source.principal":
		value = r.principal()
	case "source.serviceAccount":
		if r.principal() != "" {
			m := Always
			if len(c.GetValues()) > 0 {
				m = m.And(truth(r.matchServiceAccount(c.GetValues(), r.src.Workload.Namespace, r.src.Workload.ServiceAccount)))
			}
			if len(c.GetNotValues()) > 0 {
				m = m.And(truth(!r.matchServiceAccount(c.GetNotValues(), r.src.Workload.Namespace, r.src.Workload.ServiceAccount)))
			}
			return m
		}
	case "source.trustDomain":
		if r.principal() != "" {
			value = r.e.m.Settings.TrustDomain
		}
	case "destination.port":
		value = strconv.Itoa(int(r.port))
	case "source.ip":
		m := Always
		if len(c.GetValues()) > 0 {
			m = m.And(r.ipMatch(c.GetValues()))
		}
		if len(c.GetNotValues()) > 0 {
			m = m.And(r.ipMatch(c.GetNotValues()).Not())
		}
		return m
	default:
		// What a request carries (headers, JWT claims, SNI, ...): a
		// condition, printed KEY=V1,V2 and not(KEY=V) for notValues.
		m := Always
		if len(c.GetValues()) > 0 {
			m = m.And(When(key + "=" + strings.Join(c.GetValues(), ",")))
		}
		if len(c.GetNotValues()) > 0 {
			m = m.And(When(key + "=" + strings.Join(c.GetNotValues(), ",")).Not())
		}
		return m
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
