package explain

import (
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// MeshTraces are what a mesh answer is written from: what Istio enforces,
// and what legacy RBAC meant (nil when no ServiceRoleBinding governs the
// destination, or when RBAC was turned off).
type MeshTraces struct {
	Current, Legacy *mesh.Trace
}

// TraceMesh evaluates src to dst's TCP port with what Istio enforces and
// with what legacy RBAC meant.
func TraceMesh(m *model.Model, e *mesh.Evaluator, src mesh.Source, dst *model.Workload, port Port) MeshTraces {
	t := MeshTraces{Current: e.Trace(src, dst, port.sample())}
	if l := mesh.Legacy(m); l.Enforced && len(l.Policies) > 0 && t.Current.Mesh != model.MeshNone && !t.Current.StrictRefused {
		t.Legacy = mesh.IntentEvaluator(m).Trace(src, dst, port.sample())
	}
	return t
}

// Key is what of the traces the answer's text depends on besides the
// destination and the port (which explain the same to every source): two
// sources with equal keys are explained alike, their names aside.
func (t MeshTraces) Key(src mesh.Source) string {
	var b strings.Builder
	kind := "w"
	switch {
	case src.Workload == nil:
		kind = "x"
	case src.Workload.Mesh == model.MeshNone:
		kind = "n"
	}
	b.WriteString(kind)
	for _, tr := range []*mesh.Trace{t.Current, t.Legacy} {
		if tr == nil {
			b.WriteString("|-")
			continue
		}
		b.WriteString("|" + strconv.Itoa(int(tr.Gap)) + strconv.FormatBool(tr.StrictRefused) + tr.Verdict.Allowed.String())
		for _, ref := range tr.Verdict.Decisive {
			b.WriteString(";" + ref.Policy.Object.File + ref.Policy.Object.Name + "#" + strconv.Itoa(ref.Rule))
		}
		for _, pt := range tr.Policies {
			for _, rt := range pt.Rules {
				b.WriteString("," + rt.Match.String())
				for _, ms := range rt.Misses {
					b.WriteString(":" + ms.Path + ms.Field)
				}
			}
		}
	}
	return b.String()
}

// MeshAnswer explains mesh authorization and mTLS for one port: the
// destination's membership and mTLS mode, the source's identity, every
// policy that governs the destination with what each rule matched, the
// decision, and what legacy RBAC meant when some governs the destination.
func MeshAnswer(m *model.Model, e *mesh.Evaluator, src mesh.Source, dst *model.Workload, port Port) LayerAnswer {
	if dst == nil || port.Protocol != connectivity.TCP {
		return MeshAnswerFrom(MeshTraces{}, src, dst, port)
	}
	return MeshAnswerFrom(TraceMesh(m, e, src, dst, port), src, dst, port)
}

// MeshAnswerFrom writes the answer of traces TraceMesh made.
func MeshAnswerFrom(traces MeshTraces, src mesh.Source, dst *model.Workload, port Port) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerMesh, Verdict: Allowed}
	switch {
	case dst == nil:
		// ServiceEntry hosts and REGISTRY_ONLY would be read here once the
		// mesh models egress to named hosts.
		out.Reasons = []Reason{plain(0, SlotDst+" is outside the cluster: mesh authorization does not govern it")}
		return out
	case port.Protocol != connectivity.TCP:
		out.Reasons = []Reason{plain(0, "sidecars and ztunnel do not intercept "+port.Protocol.String()+": the mesh lets it through")}
		return out
	}
	t := traces.Current
	out.Verdict, out.Condition = verdictOf(t.Verdict.Allowed)
	if t.Mesh == model.MeshNone {
		out.Reasons = []Reason{plain(0, SlotDst+" is not in the mesh: no proxy enforces authorization, every request passes")}
		return out
	}
	var rs []Reason
	how := "sidecar"
	if t.Mesh == model.MeshAmbient {
		how = "ambient: ztunnel, and a waypoint for policies attached by targetRefs"
	}
	rs = append(rs, plain(0, SlotDst+" is in the mesh ("+how+")"))
	rs = append(rs, tlsReason(t, port))
	rs = append(rs, identityReason(t, port))
	if t.StrictRefused {
		rs = append(rs, plain(0, "denied: STRICT mTLS refuses the plaintext connection before any policy is read"))
		out.Reasons = rs
		return out
	}
	rs = append(rs, policyReasons(t, src, port, 0, false)...)
	if hasCurrent(t) {
		rs = append(rs, decision(t, port)...)
	}
	rs = append(rs, legacyReasons(traces.Legacy, src, port)...)
	out.Reasons = rs
	return out
}

func verdictOf(mt mesh.Match) (Verdict, string) {
	switch {
	case mt.IsAlways():
		return Allowed, ""
	case mt.IsNever():
		return Denied, ""
	}
	return Conditional, mt.String()
}

func tlsReason(t *mesh.Trace, port Port) Reason {
	on := "mTLS on " + port.String() + ": " + string(t.TLS)
	pa := t.TLSFrom.Policy
	if pa == nil {
		return plain(0, on+", Istio's default (no PeerAuthentication sets a mode for "+SlotDst+")")
	}
	scope := "namespace-wide"
	switch {
	case pa.Selector != nil:
		scope = "workload"
	case pa.MeshWide:
		scope = "mesh-wide"
	}
	return at(pa.Object, t.TLSFrom.Path, 0, on+", set by the "+scope+" PeerAuthentication "+pa.Object.Namespace+"/"+pa.Object.Name)
}

func identityReason(t *mesh.Trace, port Port) Reason {
	switch t.Gap {
	case mesh.GapExternal:
		return plain(0, SlotSrc+" is outside the cluster: it presents no mesh identity")
	case mesh.GapOutsideMesh:
		return plain(0, SlotSrc+" is not in the mesh: it sends plaintext, with no mesh identity")
	case mesh.GapMTLSDisabled:
		return plain(0, "mTLS is DISABLE on "+port.String()+": "+SlotSrc+" sends plaintext, with no mesh identity")
	case mesh.GapDestinationRule:
		msg := "a DestinationRule makes " + SlotSrc + " send plaintext or its own TLS to " + SlotDst + ": no mesh identity"
		if c := t.ClientTLS; c != nil {
			return at(c.Rule.Object, c.Path, 0, "DestinationRule "+c.Rule.Object.Namespace+"/"+c.Rule.Object.Name+" sets tls mode "+
				c.Mode.String()+" toward "+SlotDst+": "+SlotSrc+" sends no mesh identity")
		}
		return plain(0, msg)
	}
	return plain(0, SlotSrc+" presents its mesh identity "+SlotSrcID)
}

// policyReasons lists the policies and their rules, from depth on; legacy
// says the policies are legacy RBAC's intent.
func policyReasons(t *mesh.Trace, src mesh.Source, port Port, depth int, legacy bool) []Reason {
	var out []Reason
	n := 0
	for _, pt := range t.Policies {
		p := pt.Policy
		if p.Legacy != legacy {
			continue
		}
		n++
		out = append(out, at(p.Object, actionPath(p), depth, policyHead(pt)))
		if p.Action() == securityv1beta1.AuthorizationPolicy_AUDIT {
			continue
		}
		for _, rt := range pt.Rules {
			out = append(out, ruleReason(pt, rt, src, port, depth+1)...)
		}
		if len(pt.Rules) == 0 {
			out = append(out, at(p.Object, "spec", depth+1, "it has no rules: it matches no request"))
		}
	}
	if n == 0 && !legacy {
		out = append(out, plain(depth, "no AuthorizationPolicy applies to "+SlotDst+": every request is allowed"))
	}
	return out
}

func hasCurrent(t *mesh.Trace) bool {
	for _, pt := range t.Policies {
		if !pt.Policy.Legacy {
			return true
		}
	}
	return false
}

func actionPath(p *mesh.Policy) string {
	if p.Legacy {
		return ""
	}
	return "spec.action"
}

func policyHead(pt mesh.PolicyTrace) string {
	p := pt.Policy
	action := p.Action().String()
	switch p.Action() {
	case securityv1beta1.AuthorizationPolicy_CUSTOM:
		action += " (provider " + p.Spec.GetProvider().GetName() + ")"
	case securityv1beta1.AuthorizationPolicy_AUDIT:
		action += " (logs only, never decides)"
	}
	s := p.Name() + ": " + action + ", enforced by the " + pt.Enforcer.String()
	if p.Legacy && p.Role != nil {
		s = p.Name() + " (with ServiceRole " + p.Role.Namespace + "/" + p.Role.Name + "): " + action
	}
	if pt.Protocol == mesh.L7TCP {
		s += ", which sees plain TCP on " + portWord(pt)
	}
	return s
}

func portWord(pt mesh.PolicyTrace) string {
	if pt.Enforcer == mesh.EnforcerZtunnel {
		return "every port"
	}
	return "this port"
}

func ruleReason(pt mesh.PolicyTrace, rt mesh.RuleTrace, src mesh.Source, port Port, depth int) []Reason {
	p := pt.Policy
	label := rt.Path
	deny := p.Action() == securityv1beta1.AuthorizationPolicy_DENY
	switch {
	case rt.Match.IsAlways() && deny:
		return []Reason{at(p.Object, rt.Path, depth, label+" matches every request of "+SlotSrc+": it denies them")}
	case rt.Match.IsAlways():
		return []Reason{at(p.Object, rt.Path, depth, label+" matches every request of "+SlotSrc)}
	case !rt.Match.IsNever():
		return []Reason{at(p.Object, rt.Path, depth, label+" matches the requests of "+SlotSrc+" with "+rt.Match.String())}
	}
	out := []Reason{at(p.Object, rt.Path, depth, label+" does not match "+SlotSrc)}
	for _, ms := range rt.Misses {
		path := ms.Path
		if path == "" {
			path = rt.Path
		}
		field := strings.TrimPrefix(ms.Path, rt.Path+".")
		if ms.Path == "" {
			field = ms.Field
		}
		out = append(out, at(p.Object, path, depth+1, field+" "+listText(ms.Values)+" "+missWhy(pt, ms, src, port)))
	}
	return out
}

func missWhy(pt mesh.PolicyTrace, ms mesh.Miss, src mesh.Source, port Port) string {
	noID := src.Workload == nil || src.Workload.Mesh == model.MeshNone
	switch ms.Field {
	case "principals", "namespaces", "serviceAccounts", "trustDomains":
		if noID {
			return "needs a mesh identity, and " + SlotSrc + " presents none"
		}
		switch ms.Field {
		case "principals":
			return "does not hold " + SlotSrcID
		case "namespaces":
			return "does not hold " + SlotSrcNS
		case "serviceAccounts":
			return "does not hold the service account of " + SlotSrc
		}
		return "does not hold the mesh's trust domain"
	case "notPrincipals", "notNamespaces", "notServiceAccounts", "notTrustDomains":
		return "excludes " + SlotSrc
	case "ipBlocks":
		if src.Workload != nil {
			return "never matches a pod: pod addresses are not in the manifests"
		}
		return "does not hold " + SlotSrc
	case "notIpBlocks":
		return "excludes " + SlotSrc
	case "ports":
		return "does not hold port " + strconv.Itoa(int(port.sample()))
	case "notPorts":
		return "excludes port " + strconv.Itoa(int(port.sample()))
	case "hosts", "notHosts", "methods", "notMethods", "paths", "notPaths":
		return "needs HTTP, and the " + pt.Enforcer.String() + " sees plain TCP on " + port.String() + ": an ALLOW rule never matches"
	}
	return "does not hold for " + SlotSrc
}

func listText(vs []string) string { return "[" + strings.Join(vs, ", ") + "]" }

// decision says which rules decided: Decide's decisive rules, or why none
// had to.
func decision(t *mesh.Trace, port Port) []Reason {
	v := t.Verdict
	verdict, cond := verdictOf(v.Allowed)
	word := map[Verdict]string{Allowed: "allowed", Denied: "denied", Conditional: "allowed for requests with " + cond}[verdict]
	if len(v.Decisive) > 0 {
		by := "allowed by "
		if verdict == Denied {
			by = "denied by "
		} else if verdict == Conditional {
			by = word + ", by "
		}
		var out []Reason
		for _, ref := range v.Decisive {
			path := ""
			if ref.Rule >= 0 && ref.Rule < len(ref.Policy.RulePaths) {
				path = ref.Policy.RulePaths[ref.Rule]
			}
			out = append(out, at(ref.Policy.Object, path, 0, by+ref.Policy.Name()+" "+path))
		}
		return out
	}
	allows := 0
	for _, pt := range t.Policies {
		if pt.Policy.Action() == securityv1beta1.AuthorizationPolicy_ALLOW {
			allows++
		}
	}
	switch {
	case verdict == Denied:
		return []Reason{plain(0, "denied: no ALLOW rule matches "+SlotSrc+" on "+port.String())}
	case allows == 0:
		return []Reason{plain(0, word+": no ALLOW policy applies to "+SlotDst+", and no DENY rule matches")}
	}
	return []Reason{plain(0, word)}
}

// legacyReasons tells what legacy RBAC meant for the connection, when a
// ServiceRoleBinding governs the destination: Istio ignores it, but its
// author meant something, and that is often the question.
func legacyReasons(t *mesh.Trace, src mesh.Source, port Port) []Reason {
	if t == nil {
		return nil
	}
	rs := policyReasons(t, src, port, 1, true)
	if len(rs) == 0 {
		return nil
	}
	meant, cond := verdictOf(t.Verdict.Allowed)
	word := map[Verdict]string{Allowed: "allowed", Denied: "denied", Conditional: "allowed for requests with " + cond}[meant]
	out := []Reason{plain(0, "legacy RBAC governs "+SlotDst+" but Istio ignores it since 1.6; as its author meant it, "+SlotSrc+" would be "+word+":")}
	return append(out, rs...)
}
