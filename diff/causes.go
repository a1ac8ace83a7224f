package diff

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// causes finds, for a changed pair, the objects whose edit changed it: it
// compares what each version's evaluators say decided the pair (the
// NetworkPolicy rules that admit it and the policies that isolate its ends;
// the AuthorizationPolicy rules that allow or deny it, and the mTLS mode),
// and the ends themselves (labels, service account, mesh membership).
type causes struct {
	old, new *model.Model
}

func (cs *causes) of(layer connectivity.Layer, pc connectivity.PairChange) []Cause {
	var out []Cause
	if layer != connectivity.LayerMesh {
		out = append(out, cs.network(pc)...)
	}
	if layer != connectivity.LayerNetwork {
		out = append(out, cs.mesh(pc)...)
	}
	out = append(out, cs.ends(pc)...)
	seen := map[string]bool{}
	kept := out[:0]
	for _, c := range out {
		key := c.Object.String() + "\x00" + c.Path + "\x00" + c.Effect
		if !seen[key] {
			seen[key] = true
			kept = append(kept, c)
		}
	}
	return kept
}

// at returns the cause of obj's field in the new version when the object is
// still there, else in the old one.
func (cs *causes) at(o *manifest.Object, path string, isNew bool) Cause {
	c := Cause{Object: ref(o), Path: path, Location: o.Position(path), Version: "new"}
	if !isNew {
		if n := findObject(cs.new, o); n != nil {
			c.Location = n.Position(path)
		} else {
			c.Version = "old"
		}
	}
	return c
}

func ref(o *manifest.Object) manifest.Ref {
	return manifest.Ref{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}

// findObject finds the object of o's kind, namespace and name in m.
func findObject(m *model.Model, o *manifest.Object) *manifest.Object {
	for _, x := range m.ByKind(o.Kind) {
		if x.Namespace == o.Namespace && x.Name == o.Name {
			return x
		}
	}
	return nil
}

func (cs *causes) network(pc connectivity.PairChange) []Cause {
	gO, gN := connectivity.Network(cs.old), connectivity.Network(cs.new)
	var rO, rN connectivity.NetworkReasons
	if pc.Src.Old != nil && pc.Dst.Old != nil {
		rO = gO.Reasons(pc.Src.Old, pc.Dst.Old)
	}
	if pc.Src.New != nil && pc.Dst.New != nil {
		rN = gN.Reasons(pc.Src.New, pc.Dst.New)
	}
	var out []Cause
	ruleKey := func(r connectivity.NetpolRuleRef) string {
		return r.Policy.Object.Namespace + "/" + r.Policy.Object.Name + "\x00" + r.Rule.Path
	}
	oldRules := map[string]connectivity.NetpolRuleRef{}
	for _, r := range rO.Admitting {
		oldRules[ruleKey(r)] = r
	}
	newRules := map[string]bool{}
	for _, r := range rN.Admitting {
		newRules[ruleKey(r)] = true
		o, had := oldRules[ruleKey(r)]
		switch {
		case !had:
			c := cs.at(r.Policy.Object, r.Rule.Path, true)
			c.Effect, c.Detail, c.Layer = "now admits", r.Ports.String(), connectivity.LayerNetwork
			out = append(out, c)
		case !o.Ports.Equal(r.Ports):
			c := cs.at(r.Policy.Object, r.Rule.Path, true)
			c.Effect, c.Detail, c.Layer = "admits other ports", r.Ports.String()+" (was "+o.Ports.String()+")", connectivity.LayerNetwork
			out = append(out, c)
		}
	}
	for _, r := range rO.Admitting {
		if !newRules[ruleKey(r)] {
			c := cs.at(r.Policy.Object, r.Rule.Path, false)
			c.Effect, c.Detail, c.Layer = "no longer admits", r.Ports.String(), connectivity.LayerNetwork
			out = append(out, c)
		}
	}
	isolation := func(now, before []*model.NetworkPolicy, isNew bool, what string) {
		had := map[string]bool{}
		for _, p := range before {
			had[p.Object.Namespace+"/"+p.Object.Name] = true
		}
		for _, p := range now {
			if had[p.Object.Namespace+"/"+p.Object.Name] {
				continue
			}
			c := cs.at(p.Object, "spec.podSelector", isNew)
			c.Effect, c.Layer = what, connectivity.LayerNetwork
			out = append(out, c)
		}
	}
	isolation(rN.EgressIsolating, rO.EgressIsolating, true, "now isolates the egress of "+pc.Src.ID)
	isolation(rN.IngressIsolating, rO.IngressIsolating, true, "now isolates the ingress of "+pc.Dst.ID)
	isolation(rO.EgressIsolating, rN.EgressIsolating, false, "no longer isolates the egress of "+pc.Src.ID)
	isolation(rO.IngressIsolating, rN.IngressIsolating, false, "no longer isolates the ingress of "+pc.Dst.ID)
	return out
}

// mesh names the authorization and mTLS objects that changed a pair, read
// from the verdicts of both versions on one TCP port where they differ.
func (cs *causes) mesh(pc connectivity.PairChange) []Cause {
	if pc.Dst.External {
		return nil
	}
	var prefer []int32
	for _, n := range []*connectivity.Node{pc.Dst.New, pc.Dst.Old} {
		if n != nil && len(n.Workloads) > 0 {
			for _, p := range n.Workloads[0].Ports {
				if p.Protocol == "TCP" {
					prefer = append(prefer, p.Port)
				}
			}
		}
	}
	port, ok := differingPort(pc.Old, pc.New, prefer)
	if !ok {
		return nil
	}
	type side struct {
		m       *model.Model
		dst     *model.Workload
		verdict mesh.Verdict
		applies []*mesh.Policy
		mode    mesh.TLSMode
		tls     mesh.TLSSource
	}
	read := func(m *model.Model, src, dst *connectivity.Node) *side {
		if src == nil || dst == nil || len(dst.Workloads) == 0 {
			return nil
		}
		s := &side{m: m, dst: dst.Workloads[0]}
		e := mesh.CurrentEvaluator(m)
		var source mesh.Source
		if src.External {
			source = mesh.Source{From: addr(src.Range.First), To: addr(src.Range.Last)}
		} else {
			source = mesh.Source{Workload: src.Workloads[0]}
		}
		s.verdict = e.Decide(source, s.dst, port)
		s.applies = e.PoliciesFor(s.dst)
		s.mode, s.tls = mesh.MTLS(m, s.dst, port)
		return s
	}
	sO, sN := read(cs.old, pc.Src.Old, pc.Dst.Old), read(cs.new, pc.Src.New, pc.Dst.New)
	if sO == nil {
		sO = &side{m: cs.old}
	}
	if sN == nil {
		sN = &side{m: cs.new}
	}
	if sO.dst != nil && sN.dst != nil && sO.verdict.Allowed.String() == sN.verdict.Allowed.String() && sO.mode == sN.mode {
		return nil // the mesh decides this port alike: the change is the network's
	}
	var out []Cause
	refKey := func(r mesh.RuleRef) string {
		k := r.Policy.Object.Kind + " " + r.Policy.Object.Namespace + "/" + r.Policy.Object.Name
		if r.Rule >= 0 && r.Rule < len(r.Policy.RulePaths) {
			k += "\x00" + r.Policy.RulePaths[r.Rule]
		}
		return k
	}
	rulePath := func(r mesh.RuleRef) string {
		if r.Rule >= 0 && r.Rule < len(r.Policy.RulePaths) {
			return r.Policy.RulePaths[r.Rule]
		}
		return "spec"
	}
	verb := func(p *mesh.Policy) string {
		switch p.Action() {
		case securityv1beta1.AuthorizationPolicy_DENY:
			return "denies"
		case securityv1beta1.AuthorizationPolicy_CUSTOM:
			return "sends to its external authorizer"
		}
		return "allows"
	}
	cited := map[string]bool{}
	decisive := func(now, before []mesh.RuleRef, isNew bool, prefix string) {
		had := map[string]bool{}
		for _, r := range before {
			had[refKey(r)] = true
		}
		for _, r := range now {
			cited[r.Policy.Name()] = true
			if had[refKey(r)] {
				continue
			}
			c := cs.at(r.Policy.Object, rulePath(r), isNew)
			c.Effect, c.Detail, c.Layer = prefix+verb(r.Policy), fmt.Sprintf("TCP %d", port), connectivity.LayerMesh
			out = append(out, c)
		}
	}
	decisive(sN.verdict.Decisive, sO.verdict.Decisive, true, "now ")
	decisive(sO.verdict.Decisive, sN.verdict.Decisive, false, "no longer ")
	applies := func(now, before []*mesh.Policy, isNew bool, effect string) {
		had := map[string]bool{}
		for _, p := range before {
			had[p.Name()] = true
		}
		for _, p := range now {
			if had[p.Name()] || cited[p.Name()] || p.Action() == securityv1beta1.AuthorizationPolicy_AUDIT {
				continue
			}
			c := cs.at(p.Object, "spec.selector", isNew)
			c.Effect, c.Layer = effect+" "+pc.Dst.ID, connectivity.LayerMesh
			out = append(out, c)
		}
	}
	applies(sN.applies, sO.applies, true, "now applies to")
	applies(sO.applies, sN.applies, false, "no longer applies to")
	if sO.mode != sN.mode && sO.dst != nil && sN.dst != nil {
		switch {
		case sN.tls.Policy != nil:
			c := cs.at(sN.tls.Policy.Object, sN.tls.Path, true)
			c.Effect, c.Detail, c.Layer = "sets mTLS "+string(sN.mode), mtlsDetail(sN.tls, port, "was "+string(sO.mode)), connectivity.LayerMesh
			out = append(out, c)
		case sO.tls.Policy != nil:
			c := cs.at(sO.tls.Policy.Object, sO.tls.Path, false)
			c.Effect, c.Detail, c.Layer = "no longer sets mTLS "+string(sO.mode), mtlsDetail(sO.tls, port, "now "+string(sN.mode)), connectivity.LayerMesh
			out = append(out, c)
		}
	}
	return out
}

// mtlsDetail says what the mode was or is now, and the port for a
// port-level setting.
func mtlsDetail(src mesh.TLSSource, port int32, other string) string {
	if strings.Contains(src.Path, "portLevelMtls") {
		return fmt.Sprintf("on TCP %d (%s)", port, other)
	}
	return "(" + other + ")"
}

// differingPort finds a TCP port on which two connections differ: one
// side lets it through and the other not, or under another condition.
func differingPort(o, n *connectivity.Verdict, prefer []int32) (int32, bool) {
	on := func(v *connectivity.Verdict, port int32) string {
		if v == nil {
			return ""
		}
		if v.Ports.Contains(connectivity.TCP, port) {
			return "always"
		}
		for _, c := range v.L7 {
			if c.Ports.Contains(connectivity.TCP, port) {
				return c.When.String()
			}
		}
		return ""
	}
	// The destination's own ports first, as a reader expects them; then the
	// bounds of the verdicts' ranges, where they change.
	for _, p := range prefer {
		if on(o, p) != on(n, p) {
			return p, true
		}
	}
	var candidates []int32
	for _, v := range []*connectivity.Verdict{o, n} {
		if v == nil {
			continue
		}
		sets := []connectivity.PortSet{v.Ports}
		for _, c := range v.L7 {
			sets = append(sets, c.Ports)
		}
		for _, s := range sets {
			for _, r := range s.Ranges(connectivity.TCP) {
				candidates = append(candidates, r.First, r.Last+1, r.First-1, r.Last)
			}
		}
	}
	for _, p := range candidates {
		if p >= connectivity.MinPort && p <= connectivity.MaxPort && on(o, p) != on(n, p) {
			return p, true
		}
	}
	return 0, false
}

// ends names the changes of the pair's workloads themselves: added or
// removed, relabelled, another service account, in or out of the mesh,
// and their namespaces' labels.
func (cs *causes) ends(pc connectivity.PairChange) []Cause {
	var out []Cause
	for _, end := range []connectivity.DiffEnd{pc.Src, pc.Dst} {
		if end.External {
			continue
		}
		switch {
		case end.Old == nil && end.New != nil:
			w := end.New.Workloads[0]
			if w.Object != nil {
				c := cs.at(w.Object, "", true)
				c.Effect = "workload added"
				out = append(out, c)
			}
			continue
		case end.New == nil && end.Old != nil:
			w := end.Old.Workloads[0]
			if w.Object != nil {
				c := cs.at(w.Object, "", false)
				c.Effect = "workload removed"
				out = append(out, c)
			}
			continue
		case end.Old == nil || end.New == nil:
			continue
		}
		wO, wN := end.Old.Workloads[0], end.New.Workloads[0]
		if wN.Object == nil {
			continue // implied
		}
		if d := labelChange(wO.Labels, wN.Labels); d != "" {
			c := cs.at(wN.Object, joinPath(wN.TemplatePath, "metadata.labels"), true)
			c.Effect, c.Detail = "labels changed", d
			out = append(out, c)
		}
		if wO.ServiceAccount != wN.ServiceAccount {
			c := cs.at(wN.Object, joinPath(wN.TemplatePath, "spec.serviceAccountName"), true)
			c.Effect, c.Detail = "service account changed", wO.ServiceAccount+" → "+wN.ServiceAccount
			out = append(out, c)
		}
		if wO.Mesh != wN.Mesh {
			c := cs.at(wN.Object, joinPath(wN.TemplatePath, "metadata"), true)
			c.Effect, c.Detail = "mesh membership changed", string(wO.Mesh)+" → "+string(wN.Mesh)
			out = append(out, c)
		}
		if !sameNamedPorts(wO.Ports, wN.Ports) {
			c := cs.at(wN.Object, joinPath(wN.TemplatePath, "spec.containers"), true)
			c.Effect = "container ports changed"
			out = append(out, c)
		}
		nsO, nsN := cs.old.Namespace(wO.Namespace), cs.new.Namespace(wN.Namespace)
		if nsO != nil && nsN != nil && nsN.Object != nil {
			if d := labelChange(nsO.Labels, nsN.Labels); d != "" {
				c := cs.at(nsN.Object, "metadata.labels", true)
				c.Effect, c.Detail = "namespace labels changed", d
				out = append(out, c)
			}
		}
	}
	return out
}

func joinPath(prefix, path string) string {
	if prefix == "" {
		return path
	}
	return prefix + "." + path
}

// labelChange describes how two label sets differ ("" when they do not):
// "app: a → b, -tier, +team: x".
func labelChange(o, n labels.Set) string {
	if labels.Equals(o, n) {
		return ""
	}
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var parts []string
	for _, k := range sorted {
		ov, inO := o[k]
		nv, inN := n[k]
		switch {
		case !inO:
			parts = append(parts, "+"+k+": "+nv)
		case !inN:
			parts = append(parts, "-"+k+": "+ov)
		case ov != nv:
			parts = append(parts, k+": "+ov+" → "+nv)
		}
	}
	return strings.Join(parts, ", ")
}

func sameNamedPorts(a, b []model.ContainerPort) bool {
	key := func(ps []model.ContainerPort) string {
		var s []string
		for _, p := range ps {
			s = append(s, fmt.Sprintf("%s/%s/%d", p.Name, p.Protocol, p.Port))
		}
		sort.Strings(s)
		return strings.Join(s, ",")
	}
	return key(a) == key(b)
}

func addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
