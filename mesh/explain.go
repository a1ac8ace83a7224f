package mesh

import (
	"sync"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// This file lays out, for `meshlint why` and the HTML report, the facts
// Decide weighs for one connection. Trace runs Decide itself with a
// recorder: the routes and hops it takes, at each hop the peer the proxy
// sees, its mTLS and identity, and every rule of every policy it enforces
// with what the rule matched. Nothing here decides; the recorder's methods
// are called by Decide's own code (evaluator.go, enforcer.go) and do
// nothing when Decide runs without one.

// IdentityGap says why a peer presents no mesh identity.
type IdentityGap int

const (
	IdentityPresented  IdentityGap = iota
	GapExternal                    // an address outside the cluster
	GapOutsideMesh                 // a workload without sidecar or ztunnel
	GapPlaintext                   // its sidecar sent it without mTLS: passed through, or bypassed (Trace.Egress)
	GapMTLSDisabled                // the destination's port runs mTLS DISABLE
	GapDestinationRule             // a DestinationRule makes the client send plaintext or its own TLS
)

// Trace is what authorization makes of one connection, as Decide made it.
type Trace struct {
	Src  Source
	Dst  *model.Workload
	Port int32
	Mesh model.MeshMode // of the destination; MeshNone: nothing enforces
	// Egress is what the source's sidecar did with the connection:
	// EgressKnown unless it passed it through, bypassed or black-holed it.
	// EgressFacts say why, when Egress is not EgressKnown.
	Egress Egress
	EgressFacts
	// InboundBypassed: the destination's port skips its sidecar.
	InboundBypassed bool
	// Routes are the ways the connection reaches the destination, each a
	// list of hops that must all let it through; empty when it ends before
	// any proxy of the destination sees it.
	Routes  []*RouteTrace
	Verdict Verdict
}

// EgressFacts are what decided a sidecar's egress.
type EgressFacts struct {
	// Sidecar is the Sidecar resource whose egress hosts scope the
	// source's sidecar; nil: none (every host).
	Sidecar *model.Sidecar
	// Outbound is the outboundTrafficPolicy mode the source runs under,
	// OutboundFrom the Sidecar that sets it (nil: the mesh config,
	// Settings.MeshConfigFrom).
	Outbound     string
	OutboundFrom *model.Sidecar
	// MeshConfigFrom names the object the mesh's mode was read from, when
	// no Sidecar sets it (Settings.MeshConfigFrom).
	MeshConfigFrom string
	// BypassPort: the port is excluded from the sidecar
	// (traffic.sidecar.istio.io/excludeOutboundPorts); else a bypass is by
	// address (excludeOutboundIPRanges, includeOutboundIPRanges).
	BypassPort bool
}

// RouteTrace is one way the connection can take.
type RouteTrace struct {
	// Waypoint is the waypoint the route passes; nil: straight to the
	// destination's own proxy.
	Waypoint *model.Gateway
	Hops     []*HopTrace
	// Allowed is what passes every hop of the route.
	Allowed Match
}

// HopTrace is one proxy on a route and what it made of the connection.
type HopTrace struct {
	Enforcer Enforcer
	// Waypoint is the waypoint the hop is at (Enforcer is
	// EnforcerWaypoint) or behind (the peer is the waypoint).
	Waypoint *model.Gateway
	// Peer is the client the proxy sees: the source, or the waypoint.
	Peer    Source
	TLS     TLSMode
	TLSFrom TLSSource
	Gap     IdentityGap
	// ClientTLS is the DestinationRule behind GapDestinationRule.
	ClientTLS *ClientTLSRule
	// StrictRefused is set when STRICT mTLS drops the plaintext connection
	// before any policy is read.
	StrictRefused bool
	Policies      []*PolicyTrace
	// NotEnforced are policies this proxy would enforce but does not: AUDIT
	// ones, dry-run ones, CUSTOM ones at ztunnel.
	NotEnforced []*Policy
	Verdict     Verdict
}

// PolicyTrace is one policy a hop enforces.
type PolicyTrace struct {
	Policy   *Policy
	Enforcer Enforcer
	// Protocol is what the enforcing proxy sees of the port: the port's
	// protocol, or TCP at ztunnel, which never sees HTTP.
	Protocol L7Protocol
	Rules    []RuleTrace
}

// RuleTrace is one rule and what it matched of the connection.
type RuleTrace struct {
	Index int
	Path  string // in the policy's object
	Match Match
	// Unseen are the rule's fields the enforcing proxy cannot see (MSH208):
	// an ALLOW rule with any never matches there; a DENY or CUSTOM rule is
	// evaluated without them.
	Unseen []UnseenField
	// Misses are the fields that keep the rule from matching, when Match
	// is Never.
	Misses []Miss
}

// Miss is one field of a rule that the connection does not satisfy.
type Miss struct {
	// Path is the field's path in the object; "" for legacy RBAC, whose
	// fields are not laid out like an AuthorizationPolicy's.
	Path   string
	Field  string // principals, ports, when source.ip, source, operation, ...
	Values []string
	// Unseen: the field (or every field of the source or operation) is
	// one the proxy cannot see, which leaves a clause that matches nothing.
	Unseen bool
}

// Trace evaluates the connection from src to dst's port with Decide and
// keeps what it weighed. Its Verdict is Decide's.
func (e *Evaluator) Trace(src Source, dst *model.Workload, port int32) *Trace {
	t := &Trace{Src: src, Dst: dst, Port: port, Mesh: dst.Mesh}
	t.Verdict = e.decide(src, dst, port, t)
	return t
}

// sawEgress records what src's sidecar does with the connection.
func (t *Trace) sawEgress(e *Evaluator, src *model.Workload, port int32, g Egress) {
	if t == nil {
		return
	}
	t.Egress = g
	if g != EgressKnown {
		t.EgressFacts = e.egressFacts(src, port)
	}
}

// egressFacts looks up what EgressTo reads for src.
func (e *Evaluator) egressFacts(src *model.Workload, port int32) EgressFacts {
	f := EgressFacts{Sidecar: e.m.SidecarFor(src), BypassPort: !src.Interception.OutboundPortIntercepted(port)}
	f.Outbound, f.OutboundFrom = e.m.OutboundPolicy(src)
	if f.OutboundFrom == nil {
		f.MeshConfigFrom = e.m.Settings.MeshConfigFrom
	}
	return f
}

// addRoute starts recording route r.
func (t *Trace) addRoute(e *Evaluator, dst *model.Workload, r route) *RouteTrace {
	if t == nil {
		return nil
	}
	rt := &RouteTrace{}
	if r[0].enforcer == EnforcerWaypoint {
		rt.Waypoint = r[0].waypoint
	}
	for _, h := range r {
		ht := &HopTrace{Enforcer: h.enforcer, Waypoint: h.waypoint, Peer: h.peer}
		e.eachApplying(dst, func(p *Policy, enforced bool) {
			if enforced {
				return
			}
			if (h.at == nil && p.atProxy(dst)) || (h.at != nil && p.atWaypoint(h.at.route)) {
				ht.NotEnforced = append(ht.NotEnforced, p)
			}
		})
		rt.Hops = append(rt.Hops, ht)
	}
	t.Routes = append(t.Routes, rt)
	return rt
}

func (rt *RouteTrace) hop(i int) *HopTrace {
	if rt == nil {
		return nil
	}
	return rt.Hops[i]
}

// sawIdentity records the mTLS mode at the hop and whether its peer
// presents an identity.
func (h *HopTrace) sawIdentity(e *Evaluator, dst *model.Workload, port int32, mode TLSMode, from TLSSource, gap IdentityGap) {
	if h == nil {
		return
	}
	h.TLS, h.TLSFrom, h.Gap = mode, from, gap
	if gap == GapDestinationRule {
		h.ClientTLS = clientTLSOverride(e.m, h.Peer.Workload, dst, port)
	}
}

// policy starts recording policy p as ctx sees it.
func (h *HopTrace) policy(p *Policy, ctx *request) *PolicyTrace {
	if h == nil {
		return nil
	}
	pt := &PolicyTrace{Policy: p, Enforcer: ctx.enforcer, Protocol: ctx.proto}
	if ctx.view() == viewZtunnel {
		pt.Protocol = L7TCP
	}
	h.Policies = append(h.Policies, pt)
	return pt
}

// rule records rule i of p, which matched mt, and why it missed.
func (pt *PolicyTrace) rule(r *request, p *Policy, i int, rule *securityv1beta1.Rule, mt Match) {
	if pt == nil {
		return
	}
	rt := RuleTrace{Index: i, Match: mt}
	if i < len(p.RulePaths) {
		rt.Path = p.RulePaths[i]
	}
	v := r.view()
	rulePath := rt.Path
	if p.Legacy {
		rulePath = "" // legacy fields are not laid out like an AuthorizationPolicy's
	}
	if v != viewHTTP {
		rt.Unseen = UnseenFields(rule, rulePath, v == viewZtunnel)
	}
	if mt.IsNever() && !(p.Action() == securityv1beta1.AuthorizationPolicy_ALLOW && len(rt.Unseen) > 0) {
		rt.Misses = r.misses(rule, rulePath, v)
	}
	pt.Rules = append(pt.Rules, rt)
}

// misses lists the fields of a rule that never match, each matched alone
// by the functions rule matches with.
func (r *request) misses(rule *securityv1beta1.Rule, rulePath string, v view) []Miss {
	at := func(field string, k int, sub string) string {
		if rulePath == "" {
			return ""
		}
		return manifest.JoinIndex(rulePath+"."+field, k) + sub
	}
	var out []Miss
	if from := rule.GetFrom(); len(from) > 0 {
		matched := Never
		for _, f := range from {
			matched = matched.Or(r.source(f.GetSource(), v))
		}
		if matched.IsNever() {
			for k, f := range from {
				out = append(out, r.sourceMisses(f.GetSource(), at("from", k, ".source"), v)...)
			}
		}
	}
	if to := rule.GetTo(); len(to) > 0 {
		matched := Never
		for _, t := range to {
			matched = matched.Or(r.operation(t.GetOperation(), v))
		}
		if matched.IsNever() {
			for k, t := range to {
				out = append(out, r.operationMisses(t.GetOperation(), at("to", k, ".operation"), v)...)
			}
		}
	}
	for k, c := range rule.GetWhen() {
		if r.condition(c, v).IsNever() {
			values := c.GetValues()
			if len(values) == 0 {
				values = c.GetNotValues()
			}
			unseen := v == viewZtunnel && !ztunnelWhenKeys[c.GetKey()]
			out = append(out, Miss{Path: at("when", k, ""), Field: "when " + c.GetKey(), Values: values, Unseen: unseen})
		}
	}
	return out
}

// sourceMisses evaluates each field of a source alone and keeps those that
// never match. At ztunnel a source of fields it cannot see is a clause of
// its own that matches nothing.
func (r *request) sourceMisses(s *securityv1beta1.Source, path string, v view) []Miss {
	if v == viewZtunnel && s != nil && !hasZtunnelSource(s) {
		return []Miss{{Path: path, Field: "source", Unseen: true}}
	}
	var out []Miss
	for _, f := range r.e.fieldsAlone(s) {
		if f.src != nil && r.source(f.src, v).IsNever() {
			out = append(out, Miss{Path: subPath(path, f.name), Field: f.name, Values: f.values})
		}
	}
	return out
}

func (r *request) operationMisses(op *securityv1beta1.Operation, path string, v view) []Miss {
	if v == viewZtunnel && op != nil && len(op.GetPorts())+len(op.GetNotPorts()) == 0 {
		return []Miss{{Path: path, Field: "operation", Unseen: true}}
	}
	var out []Miss
	for _, f := range r.e.fieldsAlone(op) {
		if f.op != nil && r.operation(f.op, v).IsNever() {
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

// fieldsAlone splits a source or an operation into the fields that can
// miss (those matched against the connection, not against what a request
// carries), once per model: explaining every pair of a cluster asks about
// the same rules often.
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
		if x == nil {
			break
		}
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
		if x == nil {
			break
		}
		type O = securityv1beta1.Operation
		add("ports", x.GetPorts(), nil, &O{Ports: x.GetPorts()})
		add("notPorts", x.GetNotPorts(), nil, &O{NotPorts: x.GetNotPorts()})
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
