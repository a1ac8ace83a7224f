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
	if key == "" {
		// istiod refuses a condition without a key (MSH003 says so): the
		// rule can never match.
		return Never
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
