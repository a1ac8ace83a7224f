package explain

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
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
// with what legacy RBAC meant: each trace is Decide's evaluation of it.
func TraceMesh(m *model.Model, e *mesh.Evaluator, src mesh.Source, dst *model.Workload, port Port) MeshTraces {
	t := MeshTraces{Current: e.Trace(src, dst, port.sample())}
	if l := mesh.Legacy(m); l.Enforced && len(l.Policies) > 0 && len(t.Current.Routes) > 0 && !t.Current.InboundBypassed {
		t.Legacy = mesh.IntentEvaluator(m).Trace(src, dst, port.sample())
	}
	return t
}

// MeshAnswer explains mesh authorization and mTLS for one port to a
// workload: what the source's sidecar does with the connection, then per
// route and hop the proxy that enforces, the peer it sees, the mTLS mode
// and identity, every policy it enforces with what each rule matched, and
// its decision; what legacy RBAC meant when some governs the destination.
func MeshAnswer(m *model.Model, e *mesh.Evaluator, src mesh.Source, dst *model.Workload, port Port) LayerAnswer {
	if port.Protocol != connectivity.TCP {
		return MeshAnswerFrom(MeshTraces{}, src, dst, port)
	}
	return MeshAnswerFrom(TraceMesh(m, e, src, dst, port), src, dst, port)
}

// MeshAnswerFrom writes the answer of traces TraceMesh made.
func MeshAnswerFrom(traces MeshTraces, src mesh.Source, dst *model.Workload, port Port) LayerAnswer {
	out := LayerAnswer{Layer: connectivity.LayerMesh, Verdict: Allowed}
	if port.Protocol != connectivity.TCP {
		out.Reasons = []Reason{plain(0, "sidecars and ztunnel do not intercept "+port.Protocol.String()+": the mesh lets it through")}
		return out
	}
	t := traces.Current
	out.Verdict, out.Condition = verdictOf(t.Verdict.Allowed)
	var rs []Reason
	if t.Egress != mesh.EgressKnown {
		rs = append(rs, egressReasons(t, port)...)
		if t.Egress == mesh.EgressBlackhole {
			out.Reasons = append(rs, plain(0, "denied: the connection never leaves "+SlotSrc))
			return out
		}
	}
	if t.Mesh == model.MeshNone {
		out.Reasons = append(rs, plain(0, SlotDst+" is not in the mesh: no proxy enforces authorization, every request passes"))
		return out
	}
	rs = append(rs, plain(0, SlotDst+" is in the mesh ("+membership(t)+")"))
	if t.InboundBypassed {
		out.Reasons = append(rs, inboundBypassReason(t, port))
		return out
	}
	rs = append(rs, tlsReason(t.Routes[0].Hops[0], port))
	if len(t.Routes) == 1 && len(t.Routes[0].Hops) == 1 {
		rs = append(rs, hopReasons(t.Routes[0].Hops[0], t, port, 0)...)
	} else {
		rs = append(rs, routeReasons(t, port)...)
	}
	rs = append(rs, legacyReasons(traces.Legacy, port)...)
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

// verdictWord says a match as a verdict: allowed, denied, or allowed for
// requests with its condition.
func verdictWord(mt mesh.Match) string {
	v, cond := verdictOf(mt)
	switch v {
	case Conditional:
		return "allowed for requests with " + cond
	case Denied:
		return "denied"
	}
	return "allowed"
}

// membership says which proxies enforce authorization for the destination.
func membership(t *mesh.Trace) string {
	var via *model.Gateway
	for _, r := range t.Routes {
		if r.Waypoint != nil {
			via = r.Waypoint
			break
		}
	}
	switch {
	case t.Dst.Gateway == model.GatewayWaypoint:
		return "a waypoint: its proxy enforces the policies attached to it"
	case t.Dst.Gateway == model.GatewayProxy:
		return "an Istio gateway: its proxy enforces the policies that select it"
	case t.Mesh == model.MeshAmbient && via != nil:
		return "ambient: traffic to its Service passes waypoint " + via.Name() + ", then its ztunnel"
	case t.Mesh == model.MeshAmbient:
		return "ambient: its ztunnel enforces the policies bound by selector"
	}
	return "sidecar"
}

func inboundBypassReason(t *mesh.Trace, port Port) Reason {
	msg := "port " + strconv.Itoa(int(t.Port)) + " of " + SlotDst + " skips its sidecar (traffic.sidecar.istio.io/excludeInboundPorts or includeInboundPorts, or a port of the proxy itself): no mTLS, no authorization, every request passes"
	if w := t.Dst; w.Object != nil {
		return at(w.Object, annotationsPath(w), 0, msg)
	}
	return plain(0, msg)
}

// annotationsPath is where a workload's pod template keeps its
// annotations.
func annotationsPath(w *model.Workload) string {
	if w.TemplatePath == "" {
		return "metadata.annotations"
	}
	return w.TemplatePath + ".metadata.annotations"
}

// egressReasons say what the source's sidecar did with a connection it
// did not send as mTLS: passed through, bypassed, or black-holed.
func egressReasons(t *mesh.Trace, port Port) []Reason {
	src := t.Src.Workload
	switch t.Egress {
	case mesh.EgressBypass:
		if t.BypassPort {
			return []Reason{at(src.Object, annotationsPath(src), 0, "port "+strconv.Itoa(int(t.Port))+" is excluded from "+SlotSrc+"'s sidecar (traffic.sidecar.istio.io/excludeOutboundPorts): the connection leaves as plaintext, without "+SlotSrc+"'s identity")}
		}
		return []Reason{at(src.Object, annotationsPath(src), 0, "the addresses of "+SlotDst+" are excluded from "+SlotSrc+"'s sidecar (traffic.sidecar.istio.io/excludeOutboundIPRanges or includeOutboundIPRanges): the connection leaves as plaintext, without "+SlotSrc+"'s identity")}
	}
	out := []Reason{unknownReason(t.EgressFacts, SlotDst)}
	out = append(out, outboundReason(t.EgressFacts, t.Egress))
	return out
}

// unknownReason says why a sidecar does not know a destination: its
// Sidecar's egress hosts import none of the destination's hosts, or no
// Service (or ServiceEntry) of it is exported to the source's namespace.
func unknownReason(f mesh.EgressFacts, what string) Reason {
	if sc := f.Sidecar; sc != nil {
		return atSourceSidecar(sc, egressHostsPath(sc), SlotSrcSCEgress, 0, SlotSrc+"'s sidecar does not know "+what+": the egress hosts of Sidecar "+SlotSrcSC+" import none of its hosts")
	}
	return plain(0, SlotSrc+"'s sidecar does not know "+what+": none of its hosts is exported to namespace "+SlotSrcNS)
}

func egressHostsPath(sc *model.Sidecar) string {
	if len(sc.Spec.GetEgress()) > 0 {
		return "spec.egress"
	}
	return "spec"
}

// outboundReason says what the sidecar does with what it does not know,
// and where the mode comes from.
func outboundReason(f mesh.EgressFacts, g mesh.Egress) Reason {
	what := "it passes the connection through as plaintext (PassthroughCluster), without " + SlotSrc + "'s identity"
	if g == mesh.EgressBlackhole {
		what = "it drops the connection (BlackHoleCluster)"
	}
	mode := "outboundTrafficPolicy " + f.Outbound
	if sc := f.OutboundFrom; sc != nil {
		// OutboundPolicy reads the Sidecar that scopes the source.
		return atSourceSidecar(sc, sc.OutboundPath, SlotSrcSCOutbound, 1, "under "+mode+", set by Sidecar "+SlotSrcSC+", "+what)
	}
	switch {
	case f.MeshConfigFrom != "":
		mode += " (the mesh's, from the meshConfig of " + f.MeshConfigFrom + " unless a flag sets it)"
	case f.Outbound == model.AllowAny:
		mode += " (the mesh's, Istio's default)"
	default:
		mode += " (the mesh's: --outbound-traffic-policy or the config file)"
	}
	return plain(1, "under "+mode+", "+what)
}

func tlsReason(h *mesh.HopTrace, port Port) Reason {
	on := "mTLS on " + port.String() + ": " + string(h.TLS)
	pa := h.TLSFrom.Policy
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
	return at(pa.Object, h.TLSFrom.Path, 0, on+", set by the "+scope+" PeerAuthentication "+pa.Object.Namespace+"/"+pa.Object.Name)
}

// peerIsWaypoint reports whether the hop sees the waypoint the connection
// came through rather than the source.
func peerIsWaypoint(h *mesh.HopTrace) bool {
	return h.Waypoint != nil && h.Enforcer != mesh.EnforcerWaypoint
}

// peer names the client a hop sees, and its identity.
func peer(h *mesh.HopTrace) (name, id string) {
	if !peerIsWaypoint(h) {
		return SlotSrc, SlotSrcID
	}
	if w := h.Peer.Workload; w != nil {
		return "the waypoint " + w.ID(), w.Identity
	}
	return "the waypoint " + h.Waypoint.Name(), ""
}

func identityReason(h *mesh.HopTrace, t *mesh.Trace, port Port, depth int) Reason {
	name, id := peer(h)
	switch h.Gap {
	case mesh.GapExternal:
		if peerIsWaypoint(h) {
			return plain(depth, name+" has no pod in the manifests: no identity is known for it")
		}
		return plain(depth, name+" is outside the cluster: it presents no mesh identity")
	case mesh.GapOutsideMesh:
		return plain(depth, name+" is not in the mesh: it sends plaintext, with no mesh identity")
	case mesh.GapPlaintext:
		why := "its sidecar passed the connection through"
		if t.Egress == mesh.EgressBypass {
			why = "the connection bypassed its sidecar"
		}
		return plain(depth, name+" sends plaintext ("+why+"): no mesh identity")
	case mesh.GapMTLSDisabled:
		return plain(depth, "mTLS is DISABLE on "+port.String()+": "+name+" sends plaintext, with no mesh identity")
	case mesh.GapDestinationRule:
		if c := h.ClientTLS; c != nil {
			return at(c.Rule.Object, c.Path, depth, "DestinationRule "+c.Rule.Object.Namespace+"/"+c.Rule.Object.Name+" sets tls mode "+
				c.Mode.String()+" toward "+SlotDst+": "+name+" sends no mesh identity")
		}
		return plain(depth, "a DestinationRule makes "+name+" send plaintext or its own TLS to "+SlotDst+": no mesh identity")
	}
	return plain(depth, name+" presents its mesh identity "+id)
}

// hopReasons explain one proxy's decision, from depth on: the peer's
// identity, the policies it enforces and ignores, and what decides.
func hopReasons(h *mesh.HopTrace, t *mesh.Trace, port Port, depth int) []Reason {
	rs := []Reason{identityReason(h, t, port, depth)}
	if h.StrictRefused {
		name, _ := peer(h)
		return append(rs, plain(depth, "denied: STRICT mTLS refuses the plaintext connection of "+name+" before any policy is read"))
	}
	rs = append(rs, policyReasons(h, port, depth, false)...)
	rs = append(rs, notEnforcedReasons(h, depth)...)
	for _, pt := range h.Policies {
		if !pt.Policy.Legacy {
			// Some policy took part: say which rules decided.
			return append(rs, decision(h, port, depth)...)
		}
	}
	return rs
}

// routeReasons explain each way the connection can take to the
// destination, hop by hop, and how they join.
func routeReasons(t *mesh.Trace, port Port) []Reason {
	var rs []Reason
	for _, r := range t.Routes {
		head := "directly to " + hopProxy(r.Hops[0]) + ", the pod addressed rather than its Service"
		if r.Waypoint != nil {
			head = "through waypoint " + r.Waypoint.Name() + " (the Service addressed), then " + hopProxy(r.Hops[len(r.Hops)-1])
		}
		rs = append(rs, plain(0, head+": "+verdictWord(r.Allowed)))
		for _, h := range r.Hops {
			name, _ := peer(h)
			rs = append(rs, plain(1, hopProxy(h)+" sees "+name))
			rs = append(rs, hopReasons(h, t, port, 2)...)
		}
	}
	word := verdictWord(t.Verdict.Allowed)
	switch {
	case t.Verdict.Allowed.IsNever():
		rs = append(rs, plain(0, "denied: every way refuses it"))
	default:
		rs = append(rs, plain(0, word+": a connection passes where some way lets it through"))
	}
	return rs
}

// hopProxy names the proxy of a hop.
func hopProxy(h *mesh.HopTrace) string {
	switch h.Enforcer {
	case mesh.EnforcerWaypoint:
		if h.Waypoint != nil {
			return "the waypoint " + h.Waypoint.Name()
		}
		return "the waypoint"
	case mesh.EnforcerZtunnel:
		return "the ztunnel of " + SlotDst
	case mesh.EnforcerGateway:
		return "the gateway proxy of " + SlotDst
	}
	return "the sidecar of " + SlotDst
}

// Key is what of the traces the answer's text depends on, the two ends'
// slots aside: two sources toward one destination and port with equal
// keys are explained alike, so the HTML report writes the answer once.
// It covers every field of the traces the answer reads (TestKeyDecidesText
// checks it on every pair of every scenario).
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
		b.WriteString("|" + strconv.Itoa(int(tr.Egress)) + string(tr.Mesh) + strconv.FormatBool(tr.InboundBypassed) + tr.Verdict.Allowed.String())
		if tr.Egress != mesh.EgressKnown {
			// The source's Sidecar is named by slots.
			f := tr.EgressFacts
			b.WriteString(" " + strconv.FormatBool(f.Sidecar != nil) + f.Outbound + strconv.FormatBool(f.OutboundFrom != nil) + f.MeshConfigFrom + strconv.FormatBool(f.BypassPort))
			if tr.Egress == mesh.EgressBypass {
				b.WriteString(" " + objectKey(tr.Src.Workload.Object)) // the reason is at its annotations
			}
		}
		for _, r := range tr.Routes {
			b.WriteString("/r" + r.Allowed.String())
			if r.Waypoint != nil {
				b.WriteString(" " + objectKey(r.Waypoint.Object))
			}
			for _, h := range r.Hops {
				hopKey(&b, h)
			}
		}
	}
	return b.String()
}

// objectKey tells objects apart: by file and line.
func objectKey(o *manifest.Object) string {
	if o == nil {
		return "-"
	}
	return o.File + ":" + strconv.Itoa(int(o.Node.Line)) + ":" + strconv.Itoa(int(o.Node.Column))
}

func hopKey(b *strings.Builder, h *mesh.HopTrace) {
	b.WriteString("/h" + strconv.Itoa(int(h.Enforcer)) + string(h.TLS) + strconv.Itoa(int(h.Gap)) + strconv.FormatBool(h.StrictRefused) + h.Verdict.Allowed.String())
	if h.Waypoint != nil {
		b.WriteString(" " + objectKey(h.Waypoint.Object))
	}
	if pa := h.TLSFrom.Policy; pa != nil {
		b.WriteString(" " + objectKey(pa.Object) + h.TLSFrom.Path)
	}
	switch {
	case peerIsWaypoint(h) && h.Peer.Workload != nil:
		b.WriteString(" " + objectKey(h.Peer.Workload.Object) + h.Peer.Workload.Identity)
	case h.Peer.Workload != nil:
		b.WriteString(" w")
	}
	if c := h.ClientTLS; c != nil {
		b.WriteString(" " + objectKey(c.Rule.Object) + c.Path + c.Mode.String())
	}
	for _, ref := range h.Verdict.Decisive {
		b.WriteString(";" + objectKey(ref.Policy.Object) + "#" + strconv.Itoa(ref.Rule))
	}
	for _, p := range h.NotEnforced {
		b.WriteString("!" + objectKey(p.Object))
	}
	for _, pt := range h.Policies {
		b.WriteString("," + objectKey(pt.Policy.Object) + strconv.Itoa(int(pt.Enforcer)) + strconv.Itoa(int(pt.Protocol)))
		for _, rt := range pt.Rules {
			b.WriteString("," + strconv.Itoa(rt.Index) + rt.Path + " " + rt.Match.String())
			for _, u := range rt.Unseen {
				b.WriteString("~" + u.Name + u.Path)
			}
			for _, ms := range rt.Misses {
				b.WriteString(":" + ms.Path + " " + ms.Field + strings.Join(ms.Values, ",") + strconv.FormatBool(ms.Unseen))
			}
		}
	}
}
