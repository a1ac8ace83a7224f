package explain

import (
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/mesh"
)

// policyReasons lists the policies a hop enforces and their rules, from
// depth on; legacy says the policies are legacy RBAC's intent.
func policyReasons(h *mesh.HopTrace, port Port, depth int, legacy bool) []Reason {
	var out []Reason
	n := 0
	for _, pt := range h.Policies {
		p := pt.Policy
		if p.Legacy != legacy {
			continue
		}
		n++
		out = append(out, at(p.Object, actionPath(p), depth, policyHead(pt)))
		for _, rt := range pt.Rules {
			out = append(out, ruleReason(h, pt, rt, port, depth+1)...)
		}
		if len(pt.Rules) == 0 {
			out = append(out, at(p.Object, "spec", depth+1, "it has no rules: it matches no request"))
		}
	}
	switch {
	case n > 0 || legacy:
	case h.Waypoint == nil:
		out = append(out, plain(depth, "no AuthorizationPolicy applies to "+SlotDst+": every request is allowed"))
	default:
		out = append(out, plain(depth, "no AuthorizationPolicy that "+hopProxy(h)+" enforces applies to "+SlotDst+": it lets every request through"))
	}
	return out
}

// notEnforcedReasons list the policies the hop's proxy reads and does not
// enforce.
func notEnforcedReasons(h *mesh.HopTrace, depth int) []Reason {
	var out []Reason
	for _, p := range h.NotEnforced {
		switch {
		case p.Action() == securityv1beta1.AuthorizationPolicy_AUDIT:
			out = append(out, at(p.Object, actionPath(p), depth, p.Name()+": AUDIT, logs only, never decides"))
		case p.Action() == securityv1beta1.AuthorizationPolicy_CUSTOM && h.Enforcer == mesh.EnforcerZtunnel:
			out = append(out, at(p.Object, actionPath(p), depth, p.Name()+": CUSTOM, which ztunnel does not support: not enforced (only a waypoint enforces it)"))
		case p.DryRun:
			out = append(out, at(p.Object, mesh.DryRunPath, depth, p.Name()+": "+p.Action().String()+" in dry-run (istio.io/dry-run): logged, not enforced"))
		}
	}
	return out
}

func actionPath(p *mesh.Policy) string {
	if p.Legacy {
		return ""
	}
	return "spec.action"
}

func policyHead(pt *mesh.PolicyTrace) string {
	p := pt.Policy
	action := p.Action().String()
	if p.Action() == securityv1beta1.AuthorizationPolicy_CUSTOM {
		action += " (provider " + p.Spec.GetProvider().GetName() + ")"
	}
	s := p.Name() + ": " + action + ", enforced by the " + pt.Enforcer.String()
	if p.Legacy && p.Role != nil {
		s = p.Name() + " (with ServiceRole " + p.Role.Namespace + "/" + p.Role.Name + "): " + action
	}
	switch {
	case pt.Enforcer == mesh.EnforcerZtunnel:
		s += ", which sees only L4 attributes (no HTTP) on every port"
	case pt.Protocol == mesh.L7TCP:
		s += ", which sees plain TCP on this port"
	}
	return s
}

// unseenWhy says why the enforcer of pt cannot see some fields, and
// unseenField what that makes of one.
func unseenWhy(pt *mesh.PolicyTrace) string {
	if pt.Enforcer == mesh.EnforcerZtunnel {
		return "ztunnel sees only L4 attributes"
	}
	return "the " + pt.Enforcer.String() + " sees plain TCP on this port"
}

func unseenField(pt *mesh.PolicyTrace) string {
	if pt.Enforcer == mesh.EnforcerZtunnel {
		return "not seen by ztunnel"
	}
	return "not seen on plain TCP"
}

func ruleReason(h *mesh.HopTrace, pt *mesh.PolicyTrace, rt mesh.RuleTrace, port Port, depth int) []Reason {
	p := pt.Policy
	label := rt.Path
	action := p.Action()
	name, _ := peer(h)
	var out []Reason
	// Fields the proxy cannot see: an ALLOW rule with any is dropped
	// whole; elsewhere they are left out of the rule.
	unseen := func(msg string) {
		for _, u := range rt.Unseen {
			if u.Path != "" {
				out = append(out, at(p.Object, u.Path, depth+1, strings.TrimPrefix(u.Path, rt.Path+".")+": "+msg))
			} else {
				out = append(out, at(p.Object, rt.Path, depth+1, u.Name+": "+msg))
			}
		}
	}
	switch {
	case action == securityv1beta1.AuthorizationPolicy_ALLOW && rt.Match.IsNever() && len(rt.Unseen) > 0:
		drop := "Istio drops an ALLOW rule with an HTTP-only field whole (MSH208)"
		if pt.Enforcer == mesh.EnforcerZtunnel {
			drop = "istiod drops an ALLOW rule with a field outside them whole (MSH208)"
		}
		out = append(out, at(p.Object, rt.Path, depth, label+" never matches here: "+unseenWhy(pt)+", and "+drop))
		unseen(unseenField(pt))
		return out
	case rt.Match.IsAlways() && action == securityv1beta1.AuthorizationPolicy_DENY:
		out = append(out, at(p.Object, rt.Path, depth, label+" matches every request of "+name+": it denies them"))
	case rt.Match.IsAlways():
		out = append(out, at(p.Object, rt.Path, depth, label+" matches every request of "+name))
	case !rt.Match.IsNever():
		out = append(out, at(p.Object, rt.Path, depth, label+" matches the requests of "+name+" with "+rt.Match.String()))
	default:
		out = append(out, at(p.Object, rt.Path, depth, label+" does not match "+name))
		for _, ms := range rt.Misses {
			path := ms.Path
			if path == "" {
				path = rt.Path
			}
			field := strings.TrimPrefix(ms.Path, rt.Path+".")
			if ms.Path == "" {
				field = ms.Field
			}
			text := field
			if len(ms.Values) > 0 {
				text += " " + listText(ms.Values)
			}
			out = append(out, at(p.Object, path, depth+1, text+" "+missWhy(h, pt, ms, port)))
		}
		return out
	}
	if len(rt.Unseen) > 0 {
		unseen(unseenField(pt) + ": left out, so the rule matches without it")
	}
	return out
}

func missWhy(h *mesh.HopTrace, pt *mesh.PolicyTrace, ms mesh.Miss, port Port) string {
	name, id := peer(h)
	if ms.Unseen {
		switch ms.Field {
		case "source":
			return "has no field ztunnel sees: a source it cannot match, so it matches nothing"
		case "operation":
			return "names no port: ztunnel sees no HTTP, so it matches nothing"
		}
		return "is a key ztunnel does not see: the condition never holds there"
	}
	noID := h.Gap != mesh.IdentityPresented
	switch ms.Field {
	case "principals", "namespaces", "serviceAccounts", "trustDomains":
		if noID {
			return "needs a mesh identity, and " + name + " presents none"
		}
		switch ms.Field {
		case "principals":
			return "does not hold " + id
		case "namespaces":
			if peerIsWaypoint(h) && h.Peer.Workload != nil {
				return "does not hold " + h.Peer.Workload.Namespace
			}
			return "does not hold " + SlotSrcNS
		case "serviceAccounts":
			return "does not hold the service account of " + name
		}
		return "does not hold the mesh's trust domain"
	case "notPrincipals", "notNamespaces", "notServiceAccounts", "notTrustDomains":
		return "excludes " + name
	case "ipBlocks":
		if h.Peer.Workload != nil {
			return "names no valid address block"
		}
		return "does not hold " + name
	case "notIpBlocks":
		return "excludes " + name
	case "ports":
		return "does not hold port " + strconv.Itoa(int(port.sample()))
	case "notPorts":
		return "excludes port " + strconv.Itoa(int(port.sample()))
	}
	return "does not hold for " + name
}

func listText(vs []string) string { return "[" + strings.Join(vs, ", ") + "]" }

// decision says which rules decided at a hop: Decide's decisive rules, or
// why none had to.
func decision(h *mesh.HopTrace, port Port, depth int) []Reason {
	v := h.Verdict
	verdict, _ := verdictOf(v.Allowed)
	word := verdictWord(v.Allowed)
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
			out = append(out, at(ref.Policy.Object, path, depth, by+ref.Policy.Name()+" "+path))
		}
		return out
	}
	allows := 0
	for _, pt := range h.Policies {
		if pt.Policy.Action() == securityv1beta1.AuthorizationPolicy_ALLOW {
			allows++
		}
	}
	name, _ := peer(h)
	switch {
	case verdict == Denied:
		return []Reason{plain(depth, "denied: no ALLOW rule matches "+name+" on "+port.String())}
	case allows == 0:
		return []Reason{plain(depth, word+": no ALLOW policy applies to "+SlotDst+", and no DENY rule matches")}
	}
	return []Reason{plain(depth, word)}
}

// legacyReasons tells what legacy RBAC meant for the connection, when a
// ServiceRoleBinding governs the destination: Istio ignores it, but its
// author meant something, and that is often the question. Legacy policies
// bind by selector, so the destination's own proxy reads them: the last
// hop of each route.
func legacyReasons(t *mesh.Trace, port Port) []Reason {
	if t == nil || len(t.Routes) == 0 {
		return nil
	}
	var h *mesh.HopTrace
	for _, r := range t.Routes {
		last := r.Hops[len(r.Hops)-1]
		if r.Waypoint == nil || h == nil {
			h = last
		}
	}
	rs := policyReasons(h, port, 1, true)
	if len(rs) == 0 {
		return nil
	}
	out := []Reason{plain(0, "legacy RBAC governs "+SlotDst+" but Istio ignores it since 1.6; as its author meant it, "+SlotSrc+" would be "+verdictWord(t.Verdict.Allowed)+":")}
	return append(out, rs...)
}
