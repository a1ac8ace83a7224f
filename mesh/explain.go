package mesh

import (
	"strconv"
	"sync"

	networkingv1beta1 "istio.io/api/networking/v1beta1"
	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// This file lays out, for `meshlint why` and the HTML report, the facts
// Decide weighs for one connection: the destination's mTLS mode and where
// it comes from, whether the source presents an identity and why not, and
// every rule of every policy that governs the destination with what it
// matched. The verdict itself is Decide's.

// IdentityGap says why a source presents no mesh identity.
type IdentityGap int

const (
	IdentityPresented  IdentityGap = iota
	GapExternal                    // an address outside the cluster
	GapOutsideMesh                 // a workload without sidecar or ztunnel
	GapMTLSDisabled                // the destination's port runs mTLS DISABLE
	GapDestinationRule             // a DestinationRule makes clients send plaintext or their own TLS
)

// Trace is what authorization makes of one connection.
type Trace struct {
	Mesh    model.MeshMode // of the destination; MeshNone: nothing enforces
	TLS     TLSMode
	TLSFrom TLSSource
	Gap     IdentityGap
	// ClientTLS is the DestinationRule behind GapDestinationRule.
	ClientTLS *ClientTLSRule
	// Protocol is the destination port's protocol as istiod selects it.
	Protocol L7Protocol
	// StrictRefused is set when STRICT mTLS drops the plaintext connection
	// before any policy is read.
	StrictRefused bool
	Policies      []PolicyTrace
	Verdict       Verdict
}

// ClientTLSRule is the DestinationRule field that sets the TLS clients use.
type ClientTLSRule struct {
	Rule *model.DestinationRule
	Path string
	Mode networkingv1beta1.ClientTLSSettings_TLSmode
}

// PolicyTrace is one policy that governs the destination.
type PolicyTrace struct {
	Policy   *Policy
	Enforcer Enforcer
	// Protocol is what the enforcing proxy sees of the port: ztunnel sees
	// TCP only.
	Protocol L7Protocol
	Rules    []RuleTrace
}

// RuleTrace is one rule and what it matched of the connection.
type RuleTrace struct {
	Index int
	Path  string // in the policy's object
	Match Match
	// Misses are the fields that keep the rule from matching, when Match
	// is Never.
	Misses []Miss
}

// Miss is one field of a rule that the connection does not satisfy.
type Miss struct {
	// Path is the field's path in the object; "" for legacy RBAC, whose
	// fields are not laid out like an AuthorizationPolicy's.
	Path   string
	Field  string // principals, ports, methods, when source.ip, ...
	Values []string
}

// Trace evaluates the connection from src to dst's port as Decide does and
// keeps what it saw.
func (e *Evaluator) Trace(src Source, dst *model.Workload, port int32) *Trace {
	t := &Trace{Mesh: dst.Mesh, Verdict: e.Decide(src, dst, port)}
	if dst.Mesh == model.MeshNone {
		return t
	}
	t.TLS, t.TLSFrom = e.mtls(dst, port)
	switch {
	case src.Workload == nil:
		t.Gap = GapExternal
	case src.Workload.Mesh == model.MeshNone:
		t.Gap = GapOutsideMesh
	case t.TLS == Disable:
		t.Gap = GapMTLSDisabled
	case !sendsIstioMTLS(e.m, dst, port):
		t.Gap = GapDestinationRule
		t.ClientTLS = clientTLSRule(e.m, dst, port)
	}
	t.Protocol = e.portProtocol(dst, port)
	if t.TLS == Strict && t.Gap != IdentityPresented {
		t.StrictRefused = true
		return t
	}
	ctx := &request{e: e, src: src, dst: dst, port: port, identity: t.Gap == IdentityPresented}
	for _, p := range e.PoliciesFor(dst) {
		pt := PolicyTrace{Policy: p, Enforcer: enforcerOf(p, dst), Protocol: t.Protocol}
		if pt.Enforcer == EnforcerZtunnel {
			pt.Protocol = L7TCP
		}
		ctx.enforcer, ctx.proto = pt.Enforcer, pt.Protocol
		if p.Action() != securityv1beta1.AuthorizationPolicy_AUDIT {
			deny := p.Action() == securityv1beta1.AuthorizationPolicy_DENY
			for i, r := range p.Spec.GetRules() {
				pt.Rules = append(pt.Rules, ctx.traceRule(p, i, r, deny))
			}
		}
		t.Policies = append(t.Policies, pt)
	}
	return t
}

func (r *request) traceRule(p *Policy, i int, rule *securityv1beta1.Rule, deny bool) RuleTrace {
	rt := RuleTrace{Index: i, Match: r.rule(rule, deny)}
	if i < len(p.RulePaths) {
		rt.Path = p.RulePaths[i]
	}
	if !rt.Match.IsNever() {
		return rt
	}
	at := func(field string, k int, sub string) string {
		if p.Legacy || rt.Path == "" {
			return ""
		}
		return manifest.JoinIndex(rt.Path+"."+field, k) + sub
	}
	if from := rule.GetFrom(); len(from) > 0 {
		matched := Never
		for _, f := range from {
			matched = matched.Or(r.source(f.GetSource()))
		}
		if matched.IsNever() {
			for k, f := range from {
				rt.Misses = append(rt.Misses, r.sourceMisses(f.GetSource(), at("from", k, ".source"))...)
			}
		}
	}
	if to := rule.GetTo(); len(to) > 0 {
		matched := Never
		for _, t := range to {
			matched = matched.Or(r.operation(t.GetOperation(), deny))
		}
		if matched.IsNever() {
			for k, t := range to {
				rt.Misses = append(rt.Misses, r.operationMisses(t.GetOperation(), deny, at("to", k, ".operation"))...)
			}
		}
	}
	for k, c := range rule.GetWhen() {
		if r.condition(c).IsNever() {
			values := c.GetValues()
			if len(values) == 0 {
				values = c.GetNotValues()
			}
			rt.Misses = append(rt.Misses, Miss{Path: at("when", k, ""), Field: "when " + c.GetKey(), Values: values})
		}
	}
	return rt
}

// sourceMisses evaluates each field of a source alone and keeps those that
// never match.
func (r *request) sourceMisses(s *securityv1beta1.Source, path string) []Miss {
	var out []Miss
	for _, f := range r.e.fieldsAlone(s) {
		if r.source(f.src).IsNever() {
			out = append(out, Miss{Path: subPath(path, f.name), Field: f.name, Values: f.values})
		}
	}
	return out
}

func (r *request) operationMisses(op *securityv1beta1.Operation, deny bool, path string) []Miss {
	var out []Miss
	for _, f := range r.e.fieldsAlone(op) {
		if r.operation(f.op, deny).IsNever() {
			out = append(out, Miss{Path: subPath(path, f.name), Field: f.name, Values: f.values})
		}
	}
	return out
}

// fieldAlone is one field of a rule's source or operation, as a source or
// operation of its own, so that it can be matched alone.
type fieldAlone struct {
	name   string
	values []string
	src    *securityv1beta1.Source
	op     *securityv1beta1.Operation
}

// fieldsAlone splits a source or an operation into its fields, once per
// model: explaining every pair of a cluster asks about the same rules often.
func (e *Evaluator) fieldsAlone(of any) []fieldAlone {
	cache := e.m.Derived("mesh/explain-fields", func() any { return &sync.Map{} }).(*sync.Map)
	if v, ok := cache.Load(of); ok {
		return v.([]fieldAlone)
	}
	var out []fieldAlone
	add := func(name string, values []string, src *securityv1beta1.Source, op *securityv1beta1.Operation) {
		if len(values) > 0 {
			out = append(out, fieldAlone{name, values, src, op})
		}
	}
	switch x := of.(type) {
	case *securityv1beta1.Source:
		type S = securityv1beta1.Source
		add("principals", x.GetPrincipals(), &S{Principals: x.GetPrincipals()}, nil)
		add("notPrincipals", x.GetNotPrincipals(), &S{NotPrincipals: x.GetNotPrincipals()}, nil)
		add("namespaces", x.GetNamespaces(), &S{Namespaces: x.GetNamespaces()}, nil)
		add("notNamespaces", x.GetNotNamespaces(), &S{NotNamespaces: x.GetNotNamespaces()}, nil)
		add("serviceAccounts", x.GetServiceAccounts(), &S{ServiceAccounts: x.GetServiceAccounts()}, nil)
		add("notServiceAccounts", x.GetNotServiceAccounts(), &S{NotServiceAccounts: x.GetNotServiceAccounts()}, nil)
		add("trustDomains", x.GetTrustDomains(), &S{TrustDomains: x.GetTrustDomains()}, nil)
		add("notTrustDomains", x.GetNotTrustDomains(), &S{NotTrustDomains: x.GetNotTrustDomains()}, nil)
		add("ipBlocks", x.GetIpBlocks(), &S{IpBlocks: x.GetIpBlocks()}, nil)
		add("notIpBlocks", x.GetNotIpBlocks(), &S{NotIpBlocks: x.GetNotIpBlocks()}, nil)
	case *securityv1beta1.Operation:
		type O = securityv1beta1.Operation
		add("ports", x.GetPorts(), nil, &O{Ports: x.GetPorts()})
		add("notPorts", x.GetNotPorts(), nil, &O{NotPorts: x.GetNotPorts()})
		add("hosts", x.GetHosts(), nil, &O{Hosts: x.GetHosts()})
		add("notHosts", x.GetNotHosts(), nil, &O{NotHosts: x.GetNotHosts()})
		add("methods", x.GetMethods(), nil, &O{Methods: x.GetMethods()})
		add("notMethods", x.GetNotMethods(), nil, &O{NotMethods: x.GetNotMethods()})
		add("paths", x.GetPaths(), nil, &O{Paths: x.GetPaths()})
		add("notPaths", x.GetNotPaths(), nil, &O{NotPaths: x.GetNotPaths()})
	}
	v, _ := cache.LoadOrStore(of, out)
	return v.([]fieldAlone)
}

func subPath(path, field string) string {
	if path == "" {
		return ""
	}
	return path + "." + field
}

// clientTLSRule finds the DestinationRule field behind the TLS mode that
// destinationTLS indexes for dst's port: a port-level setting, else the
// rule's traffic policy; a later rule overrides an earlier one there too.
func clientTLSRule(m *model.Model, dst *model.Workload, port int32) *ClientTLSRule {
	var byPort, all *ClientTLSRule
	for _, dr := range m.DestinationRules {
		tp := dr.Spec.GetTrafficPolicy()
		if tp == nil || !containsWorkload(HostWorkloads(m, dr.Object.Namespace, dr.Spec.GetHost()), dst) {
			continue
		}
		if tls := tp.GetTls(); tls != nil {
			all = &ClientTLSRule{Rule: dr, Path: "spec.trafficPolicy.tls.mode", Mode: tls.GetMode()}
		}
		for k, pl := range tp.GetPortLevelSettings() {
			if pl.GetTls() == nil {
				continue
			}
			for _, svc := range m.ServicesIn(dst.Namespace) {
				if len(svc.Selector) == 0 || !svc.Selector.AsSelector().Matches(dst.Labels) {
					continue
				}
				for _, sp := range svc.Ports {
					if uint32(sp.Port) == pl.GetPort().GetNumber() && TargetPort(dst, sp) == port {
						byPort = &ClientTLSRule{Rule: dr, Path: "spec.trafficPolicy.portLevelSettings[" + strconv.Itoa(k) + "].tls.mode", Mode: pl.GetTls().GetMode()}
					}
				}
			}
		}
	}
	if byPort != nil {
		return byPort
	}
	return all
}

func containsWorkload(ws []*model.Workload, w *model.Workload) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}
