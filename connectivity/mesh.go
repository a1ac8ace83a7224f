package connectivity

import (
	"sort"
	"sync"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// Conditional is traffic allowed only for requests that meet a condition
// (an HTTP method, a path, a JWT, ...), which manifests cannot decide.
type Conditional struct {
	Ports PortSet
	When  mesh.Match
}

// Verdict is what one layer lets from a source to a destination: Ports
// always, and each Conditional's ports for some requests.
type Verdict struct {
	Ports PortSet
	L7    []Conditional
}

// IsEmpty reports whether nothing gets through.
func (v Verdict) IsEmpty() bool { return v.Ports.IsEmpty() && len(v.L7) == 0 }

// Intersect keeps what both v and the ports p let through.
func (v Verdict) Intersect(p PortSet) Verdict {
	out := Verdict{Ports: v.Ports.Intersect(p)}
	for _, c := range v.L7 {
		if q := c.Ports.Intersect(p); !q.IsEmpty() {
			out.L7 = append(out.L7, Conditional{Ports: q, When: c.When})
		}
	}
	return out
}

// Union joins two verdicts (the traffic some workload of a node gets).
func (v Verdict) Union(o Verdict) Verdict {
	out := Verdict{Ports: v.Ports.Union(o.Ports)}
	byCond := map[string]int{}
	for _, c := range append(append([]Conditional(nil), v.L7...), o.L7...) {
		key := c.When.String()
		if i, ok := byCond[key]; ok {
			out.L7[i].Ports = out.L7[i].Ports.Union(c.Ports)
			continue
		}
		byCond[key] = len(out.L7)
		out.L7 = append(out.L7, c)
	}
	// What some workload always gets is not also conditional.
	for i := range out.L7 {
		out.L7[i].Ports = out.L7[i].Ports.Subtract(out.Ports)
	}
	return out.compact()
}

func (v Verdict) compact() Verdict {
	l7 := v.L7[:0]
	for _, c := range v.L7 {
		if !c.Ports.IsEmpty() {
			l7 = append(l7, c)
		}
	}
	v.L7 = l7
	sort.SliceStable(v.L7, func(i, j int) bool { return v.L7[i].When.String() < v.L7[j].When.String() })
	return v
}

// MeshLayer is what Istio authorization and mTLS let through, the network
// being open. It is computed per destination on demand: for a destination,
// only the sources its policies name behave differently from the rest, so a
// verdict is worked out for those and for one stand-in of each other kind of
// source, never for every pair.
type MeshLayer struct {
	g      *Graph
	m      *model.Model
	e      *mesh.Evaluator
	perDst sync.Map // *model.Workload -> *dstVerdicts
	// outsideDecided: the mesh decides traffic leaving the cluster
	// (outside.go).
	outsideDecided bool
	gatewaysOnce   sync.Once
	gateways       []*model.Workload // gateways and waypoints
}

// Mesh returns the mesh layer of m (what Istio enforces today), computed
// once per model.
func Mesh(m *model.Model) *MeshLayer {
	return m.Derived("connectivity/mesh", func() any {
		return &MeshLayer{g: Network(m), m: m, e: mesh.CurrentEvaluator(m), outsideDecided: decidesOutside(m)}
	}).(*MeshLayer)
}

type dstVerdicts struct {
	once  sync.Once
	named map[sourceKey]Verdict // sources the policies single out
	ext   sync.Map              // IPRange -> Verdict
	// anonymous stand for every other source with a mesh identity
	// (withID) and without one (noID).
	withID, noID Verdict
	distinct     map[*model.Workload]bool
	// tlsSensitive says which other sources may send other TLS (nil: no
	// DestinationRule reaches the destination); byLabels which namespaces'
	// clients DestinationRules tell apart by label.
	tlsSensitive func(*model.Workload) bool
	byLabels     func(ns string) bool
	breaks       []int32
	// matchesIPs is set when some rule governing the destination looks at
	// source addresses; otherwise every external range is the unmeshed
	// stand-in.
	matchesIPs bool
}

// sourceKey is what authorization and mTLS can tell of a source workload:
// its identity, how it joins the mesh (a gateway or waypoint takes other
// routes to a destination behind a waypoint), and, where DestinationRules
// select clients by label, the workload itself.
type sourceKey struct {
	ns, sa  string
	w       *model.Workload
	meshed  bool
	ambient bool
	gateway model.GatewayKind
}

func keyOf(w *model.Workload) sourceKey {
	return sourceKey{ns: w.Namespace, sa: w.ServiceAccount, meshed: w.Mesh != model.MeshNone, ambient: w.Mesh == model.MeshAmbient, gateway: w.Gateway}
}

// key is the sourceKey of a distinct source of dv: its workload too where
// DestinationRules toward the destination select clients by label.
func (dv *dstVerdicts) key(w *model.Workload) sourceKey {
	k := keyOf(w)
	if dv.tlsSensitive != nil && dv.byLabels(w.Namespace) {
		k.w = w
	}
	return k
}

// tlsKey is the key of a source no policy names whose TLS toward the
// destination may differ from the stand-in's: its namespace and mode.
func (dv *dstVerdicts) tlsKey(w *model.Workload) sourceKey {
	k := sourceKey{ns: w.Namespace, sa: "\x00", meshed: true, ambient: w.Mesh == model.MeshAmbient}
	if dv.byLabels(w.Namespace) {
		k.w = w
	}
	return k
}

func (dv *dstVerdicts) has(k sourceKey) bool {
	_, ok := dv.named[k]
	return ok
}

// Between returns what the mesh lets from src to dst: what src's sidecar
// does with the connection (egress.go), then what dst's side allows of what
// arrives.
func (ml *MeshLayer) Between(src mesh.Source, dst *model.Workload) Verdict {
	if src.Workload == nil || src.Plaintext {
		return ml.arriving(src, dst)
	}
	plain := mesh.Source{Workload: src.Workload, Plaintext: true}
	var v Verdict
	g := ml.e.EgressScope(src.Workload, dst)
	switch g {
	case mesh.EgressBlackhole:
		v = Verdict{Ports: unintercepted()}
	case mesh.EgressPassthrough, mesh.EgressBypass:
		v = ml.arriving(plain, dst)
	default:
		v = ml.arriving(src, dst)
	}
	if bypass := mesh.BypassPorts(src.Workload); len(bypass) > 0 && g != mesh.EgressBypass {
		// Ports excluded from the sidecar reach dst in plaintext, whatever
		// its scope says.
		var ports PortSet
		for _, p := range bypass {
			ports = ports.Union(Ports(TCP, p, p))
		}
		v = v.Intersect(AllPorts().Subtract(ports)).Union(ml.arriving(plain, dst).Intersect(ports))
	}
	return v
}

// unintercepted is what the mesh never stops: sidecars do not intercept
// UDP and SCTP.
func unintercepted() PortSet { return ProtocolPorts(UDP).Union(ProtocolPorts(SCTP)) }

// arriving is what dst's side of the mesh lets through of a connection as
// it arrives from src.
func (ml *MeshLayer) arriving(src mesh.Source, dst *model.Workload) Verdict {
	if dst.Mesh == model.MeshNone {
		return Verdict{Ports: AllPorts()}
	}
	v, ok := ml.perDst.Load(dst)
	if !ok {
		// Allocate only on a miss: Between runs once per pair.
		v, _ = ml.perDst.LoadOrStore(dst, &dstVerdicts{})
	}
	dv := v.(*dstVerdicts)
	dv.once.Do(func() { ml.prepare(dst, dv) })
	if src.Workload == nil {
		if !dv.matchesIPs {
			return dv.noID
		}
		r := IPRange{First: uint4(src.From), Last: uint4(src.To)}
		if cached, ok := dv.ext.Load(r); ok {
			return cached.(Verdict)
		}
		out := ml.verdict(src, dst, dv.breaks)
		dv.ext.Store(r, out)
		return out
	}
	if src.Plaintext {
		return dv.noID
	}
	if dv.distinct[src.Workload] {
		return dv.named[dv.key(src.Workload)]
	}
	if dv.tlsSensitive != nil && dv.tlsSensitive(src.Workload) {
		return dv.named[dv.tlsKey(src.Workload)]
	}
	if src.Workload.Mesh != model.MeshNone {
		return dv.withID
	}
	return dv.noID
}

// prepare works out dst's verdicts for the sources its policies name and
// for the anonymous rest.
func (ml *MeshLayer) prepare(dst *model.Workload, dv *dstVerdicts) {
	dv.breaks = ml.breakpoints(dst)
	dv.matchesIPs = ml.matchesIPs(dst)
	dv.distinct = map[*model.Workload]bool{}
	dv.named = map[sourceKey]Verdict{}
	// Clients whose DestinationRules toward dst may differ from a client
	// no rule singles out send other TLS, so other identities.
	dv.tlsSensitive, dv.byLabels = mesh.TLSSensitive(ml.m, dst)
	named := ml.namedSources(dst)
	if ml.e.BehindWaypoint(dst) {
		// Gateways and waypoints do not take the waypoint's route the
		// stand-ins take (mesh.routesTo): each kind gets its own verdict.
		ml.gatewaysOnce.Do(func() {
			for _, w := range ml.m.Workloads {
				if w.Gateway != model.NotGateway {
					ml.gateways = append(ml.gateways, w)
				}
			}
		})
		named = append(named, ml.gateways...)
	}
	for _, w := range named {
		dv.distinct[w] = true
		if k := dv.key(w); !dv.has(k) {
			dv.named[k] = ml.verdict(mesh.Source{Workload: w}, dst, dv.breaks)
		}
	}
	if dv.tlsSensitive != nil {
		// The rest of them differ from the stand-in by their TLS alone:
		// one verdict per namespace (and mode, and labels where rules
		// select by label), with a stand-in of that namespace.
		for _, w := range ml.m.Workloads {
			if dv.distinct[w] || !dv.tlsSensitive(w) {
				continue
			}
			if k := dv.tlsKey(w); !dv.has(k) {
				standIn := &model.Workload{Namespace: w.Namespace, ServiceAccount: "\x00", Identity: "\x00", Mesh: w.Mesh, Labels: w.Labels}
				dv.named[k] = ml.verdict(mesh.Source{Workload: standIn}, dst, dv.breaks)
			}
		}
	}
	// Stand-ins: a meshed and an unmeshed source no policy names.
	dv.withID = ml.verdict(mesh.Source{Workload: &model.Workload{Namespace: "\x00", ServiceAccount: "\x00", Mesh: model.MeshSidecar, Identity: "\x00"}}, dst, dv.breaks)
	dv.noID = ml.verdict(mesh.Source{Workload: &model.Workload{Namespace: "\x00", ServiceAccount: "\x00", Mesh: model.MeshNone}}, dst, dv.breaks)
}

func (ml *MeshLayer) matchesIPs(dst *model.Workload) bool {
	for _, p := range ml.e.PoliciesFor(dst) {
		for _, r := range p.Spec.GetRules() {
			for _, f := range r.GetFrom() {
				if s := f.GetSource(); len(s.GetIpBlocks())+len(s.GetNotIpBlocks()) > 0 {
					return true
				}
			}
			for _, c := range r.GetWhen() {
				if c.GetKey() == "source.ip" {
					return true
				}
			}
		}
	}
	return false
}

// namedSources are the workloads some rule governing dst singles out by
// principal, namespace or service account.
func (ml *MeshLayer) namedSources(dst *model.Workload) []*model.Workload {
	m := ml.m
	var out []*model.Workload
	add := func(ws []*model.Workload) { out = append(out, ws...) }
	for _, p := range ml.e.PoliciesFor(dst) {
		for _, r := range p.Spec.GetRules() {
			for _, f := range r.GetFrom() {
				s := f.GetSource()
				for _, list := range [][]string{s.GetPrincipals(), s.GetNotPrincipals()} {
					for _, v := range list {
						add(m.WorkloadsMatchingPrincipal(v))
					}
				}
				for _, list := range [][]string{s.GetNamespaces(), s.GetNotNamespaces()} {
					for _, v := range list {
						add(m.WorkloadsMatchingNamespace(v))
					}
				}
				for _, list := range [][]string{s.GetServiceAccounts(), s.GetNotServiceAccounts()} {
					for _, v := range list {
						add(m.WorkloadsMatchingPrincipal(serviceAccountPrincipal(m, p.Object.Namespace, v)))
					}
				}
			}
			for _, c := range r.GetWhen() {
				switch c.GetKey() {
				case "source.serviceAccount":
					for _, v := range append(c.GetValues(), c.GetNotValues()...) {
						add(m.WorkloadsMatchingPrincipal(serviceAccountPrincipal(m, p.Object.Namespace, v)))
					}
				case "source.principal":
					for _, v := range append(c.GetValues(), c.GetNotValues()...) {
						add(m.WorkloadsMatchingPrincipal(v))
					}
				case "source.namespace":
					for _, v := range append(c.GetValues(), c.GetNotValues()...) {
						add(m.WorkloadsMatchingNamespace(v))
					}
				}
			}
		}
	}
	return out
}

// serviceAccountPrincipal is the principal a serviceAccounts entry names:
// `sa` is in the policy's namespace (generator.go serviceAccountRegex).
func serviceAccountPrincipal(m *model.Model, policyNS, v string) string {
	ns, sa := policyNS, v
	for i := 0; i < len(v); i++ {
		if v[i] == '/' {
			ns, sa = v[:i], v[i+1:]
			break
		}
	}
	return m.Settings.TrustDomain + "/ns/" + ns + "/sa/" + sa
}

// breakpoints are the TCP ports where dst's verdict can change: ports its
// policies name, ports with their own mTLS mode, and its container ports
// (whose protocol decides whether HTTP conditions can match).
func (ml *MeshLayer) breakpoints(dst *model.Workload) []int32 {
	set := map[int32]bool{}
	addPort := func(s string) {
		n := 0
		for _, ch := range s {
			if ch < '0' || ch > '9' {
				return
			}
			n = n*10 + int(ch-'0')
		}
		if n >= MinPort && n <= MaxPort {
			set[int32(n)] = true
		}
	}
	for _, p := range ml.e.PoliciesFor(dst) {
		for _, r := range p.Spec.GetRules() {
			for _, t := range r.GetTo() {
				for _, s := range append(t.GetOperation().GetPorts(), t.GetOperation().GetNotPorts()...) {
					addPort(s)
				}
			}
			for _, c := range r.GetWhen() {
				if c.GetKey() == "destination.port" {
					for _, s := range append(c.GetValues(), c.GetNotValues()...) {
						addPort(s)
					}
				}
			}
		}
	}
	for _, pa := range mesh.WorkloadPeerAuthentications(ml.m, dst) {
		for port := range pa.Spec.GetPortLevelMtls() {
			if port >= MinPort && port <= MaxPort {
				set[int32(port)] = true
			}
		}
	}
	for _, cp := range dst.Ports {
		if cp.Protocol == "TCP" {
			set[cp.Port] = true
		}
	}
	for _, p := range ml.e.RoutePorts(dst) {
		set[p] = true
	}
	out := make([]int32, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// verdict evaluates src to dst on every TCP segment between breakpoints.
// UDP and SCTP are not intercepted by sidecars: the mesh lets them through.
func (ml *MeshLayer) verdict(src mesh.Source, dst *model.Workload, breaks []int32) Verdict {
	return verdictBy(breaks, func(port int32) mesh.Match { return ml.e.DecideArriving(src, dst, port).Allowed })
}

// verdictBy is verdict with decide the mesh's answer on each TCP port.
func verdictBy(breaks []int32, decide func(port int32) mesh.Match) Verdict {
	out := Verdict{Ports: unintercepted()}
	byCond := map[string]int{}
	add := func(first, last int32) {
		if first > last {
			return
		}
		allowed := decide(first)
		ports := Ports(TCP, first, last)
		switch {
		case allowed.IsAlways():
			out.Ports = out.Ports.Union(ports)
		case allowed.IsNever():
		default:
			key := allowed.String()
			if i, ok := byCond[key]; ok {
				out.L7[i].Ports = out.L7[i].Ports.Union(ports)
				return
			}
			byCond[key] = len(out.L7)
			out.L7 = append(out.L7, Conditional{Ports: ports, When: allowed})
		}
	}
	next := int32(MinPort)
	for _, b := range breaks {
		add(next, b-1)
		add(b, b)
		next = b + 1
	}
	add(next, MaxPort)
	return out.compact()
}

// Restricted reports whether some ALLOW or DENY policy governs w, so that
// the mesh layer says something about it at all.
func (ml *MeshLayer) Restricted(w *model.Workload) bool {
	for _, p := range ml.e.PoliciesFor(w) {
		if a := p.Action(); a == securityv1beta1.AuthorizationPolicy_ALLOW || a == securityv1beta1.AuthorizationPolicy_DENY {
			return true
		}
	}
	return false
}
