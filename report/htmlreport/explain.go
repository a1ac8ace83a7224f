package htmlreport

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/explain"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// The page explains a pair from three tables, so that no explanation is
// stored per pair: the source's egress against each destination, the
// destination's ingress against each source (both NetworkPolicy), and the
// destination's mesh authorization against each source. Explanations are
// written with slots for the two ends (explain.Slot*), so the pairs one
// explains alike share one block, and a node's table is mostly one default
// block and a few variants over ranges of nodes.

func (s *Snapshot) addExplanations(m *model.Model, g *connectivity.Graph, ml *connectivity.MeshLayer) {
	n := len(s.nodes)
	s.Egress = make([]*sideTable, n)
	s.Ingress = make([]*sideTable, n)
	s.Mesh = make([]*sideTable, n)
	pm := explain.NewPeerMisses(g)
	blocks := make([]int, n)
	for i, self := range s.nodes {
		s.Egress[i] = s.networkTable(g, pm, self, true, blocks)
		s.Ingress[i] = s.networkTable(g, pm, self, false, blocks)
		switch {
		case !self.External:
			s.Mesh[i] = s.meshTable(m, ml, self)
		case ml.OutsideDecided():
			s.Mesh[i] = s.outsideTable(ml, self)
		}
	}
}

// networkTable explains self's egress (or ingress) against every other
// node. Others its rules match alike, and whose peers miss them alike, get
// the same explanation: only the first of them is worked out.
func (s *Snapshot) networkTable(g *connectivity.Graph, pm *explain.PeerMisses, self *connectivity.Node, egress bool, blocks []int) *sideTable {
	view, governed, ok := g.Side(self, egress)
	if !ok {
		return nil
	}
	rules := view.Rules()
	seen := map[string]int{}
	var match []int32
	var key []byte
	for j, other := range s.nodes {
		blocks[j] = -1
		if other == self {
			continue
		}
		var held bool
		match, held = view.Match(other, match[:0])
		if !held || (!governed && other.External) {
			continue // the graph holds no such pair
		}
		key = key[:0]
		if other.External {
			key = append(key, 1)
		}
		if governed {
			for k, r := range rules {
				if match[k] != -1 {
					continue
				}
				for p := range r.Rule.Peers {
					match = append(match, int32(pm.Kind(&r.Rule.Peers[p], r.Policy.Object.Namespace, other)))
				}
			}
			for _, v := range match {
				key = binary.LittleEndian.AppendUint32(key, uint32(v))
			}
		}
		if b, ok := seen[string(key)]; ok {
			blocks[j] = b
			continue
		}
		src, dst := self, other
		if !egress {
			src, dst = other, self
		}
		f, ok := g.ExplainSide(src, dst, egress)
		if !ok {
			continue
		}
		b := s.reasons(explain.NetworkSide(pm, f, egress, other, nil))
		seen[string(key)] = b
		blocks[j] = b
	}
	return table(blocks)
}

// reasons interns an explanation's reasons as one block.
func (s *Snapshot) reasons(rs []explain.Reason) int {
	lines := make([][3]any, len(rs))
	for i, r := range rs {
		loc := ""
		switch {
		case r.LocationSlot != "":
			loc = "\x1f" + r.LocationSlot + "\x1f"
		case r.Location != nil:
			loc = r.Location.String()
		}
		lines[i] = [3]any{r.Depth, loc, r.Message}
	}
	return s.block(lines)
}

// meshTable explains dst's authorization against every source. Sources
// the mesh layer tells apart get their own explanation: those its policies
// single out, those whose TLS toward dst a DestinationRule may change,
// those whose sidecar does not send dst mTLS (outside its egress scope, or
// bypassed), gateways and waypoints (which take other routes). Every other
// source is explained as the first of its kind, in the mesh (Meshed) or
// not (Default): the explanations name the ends by slots, so they fit all.
func (s *Snapshot) meshTable(m *model.Model, ml *connectivity.MeshLayer, dst *connectivity.Node) *sideTable {
	w := dst.Workloads[0]
	e := ml.Evaluator()
	ports := meshPorts(ml.Breakpoints(w))
	seen := map[string]int{}
	distinct := map[*model.Workload]bool{}
	for _, src := range ml.DistinctSources(w) {
		distinct[src] = true
	}
	// What legacy RBAC meant singles out other sources than the current
	// policies do; it is rare enough to explain every source alike then.
	everyone := governedByLegacy(m, w)
	sensitive, _ := mesh.TLSSensitive(m, w)
	type key struct {
		ns, sa string
		meshed bool
	}
	byKey := map[key]int{}
	// Sources set apart by their egress alone are explained alike when
	// their sidecars treat dst alike.
	// The source's Sidecar is named by slots (explain.SlotSrcSC).
	type egressKey struct {
		g                     mesh.Egress
		sidecar, outboundFrom bool
		outbound              string
		// w is set where the reason is at the workload's own annotations
		// (a bypass).
		w *model.Workload
	}
	byEgress := map[egressKey]int{}
	withID, noID, external := -1, -1, -1
	addressed := ml.SourceAddressesMatter(w)
	blocks := make([]int, len(s.nodes))
	for i, src := range s.nodes {
		blocks[i] = -1
		switch {
		case src == dst:
			continue
		case src.External && addressed:
			blocks[i] = s.meshBlock(m, e, explain.RangeSource(src), w, ports, seen)
		case src.External:
			// Any range stands for all: no rule looks at addresses.
			if external < 0 {
				external = s.meshBlock(m, e, explain.RangeSource(src), w, ports, seen)
			}
			blocks[i] = external
		default:
			sw := src.Workloads[0]
			msrc := mesh.Source{Workload: sw}
			g := e.EgressScope(sw, w)
			bypass := mesh.BypassPorts(sw)
			switch {
			case distinct[sw] || everyone || sw.Gateway != model.NotGateway || (sensitive != nil && sensitive(sw)):
				k := key{sw.Namespace, sw.ServiceAccount, sw.Mesh != model.MeshNone}
				if sensitive != nil || sw.Gateway != model.NotGateway {
					k = key{sw.ID(), "", true} // DestinationRules and routes differ per workload
				}
				if g != mesh.EgressKnown || len(bypass) > 0 {
					blocks[i] = s.meshBlock(m, e, msrc, w, ports, seen)
					break
				}
				b, ok := byKey[k]
				if !ok {
					b = s.meshBlock(m, e, msrc, w, ports, seen)
					byKey[k] = b
				}
				blocks[i] = b
			case g != mesh.EgressKnown || len(bypass) > 0:
				mode, from := m.OutboundPolicy(sw)
				k := egressKey{g: g, sidecar: m.SidecarFor(sw) != nil, outboundFrom: from != nil, outbound: mode}
				if g == mesh.EgressBypass || len(bypass) > 0 {
					k.w = sw
				}
				b, ok := byEgress[k]
				if !ok {
					b = s.meshBlock(m, e, msrc, w, ports, seen)
					byEgress[k] = b
				}
				blocks[i] = b
			case sw.Mesh != model.MeshNone:
				if withID < 0 {
					withID = s.meshBlock(m, e, msrc, w, ports, seen)
				}
				blocks[i] = withID
			default:
				if noID < 0 {
					noID = s.meshBlock(m, e, msrc, w, ports, seen)
				}
				blocks[i] = noID
			}
		}
	}
	t := &sideTable{Default: noID}
	if withID >= 0 {
		t.Meshed = &withID
	}
	if t.Default < 0 {
		t.Default = withID
	}
	var run []int // [block, first, last] being extended
	flush := func() {
		if run != nil {
			t.Variants = appendRange(t.Variants, run[0], run[1], run[2])
			run = nil
		}
	}
	for i, src := range s.nodes {
		got := blocks[i]
		want := noID
		if !src.External && src.Workloads[0].Mesh != model.MeshNone && withID >= 0 {
			want = withID
		} else if want < 0 {
			want = t.Default
		}
		if got < 0 || got == want {
			flush()
			continue
		}
		if run != nil && run[0] == got && run[2] == i-1 {
			run[2] = i
			continue
		}
		flush()
		run = []int{got, i, i}
	}
	flush()
	return t
}

func governedByLegacy(m *model.Model, w *model.Workload) bool {
	if t := mesh.Legacy(m); !t.Enforced || len(t.Policies) == 0 {
		return false
	}
	for _, p := range mesh.IntentEvaluator(m).PoliciesFor(w) {
		if p.Legacy {
			return true
		}
	}
	return false
}

// appendRange adds [first, last] to the variant of block b.
func appendRange(vs [][]int, b, first, last int) [][]int {
	for i, v := range vs {
		if v[0] == b {
			vs[i] = append(v, first, last)
			return vs
		}
	}
	return append(vs, []int{b, first, last})
}

// meshPorts are the ports a destination's mesh explanation covers: the TCP
// ports where its verdict can change, then every other TCP port (decided
// alike), then UDP, which no proxy intercepts.
func meshPorts(breaks []int32) []explain.Port {
	var out []explain.Port
	named := map[int32]bool{}
	for _, b := range breaks {
		named[b] = true
		out = append(out, explain.Port{Protocol: connectivity.TCP, Number: b})
	}
	sample := int32(1)
	for named[sample] {
		sample++
	}
	out = append(out, explain.Port{Protocol: connectivity.TCP, Sample: sample, Others: len(breaks) > 0})
	return append(out, explain.Port{Protocol: connectivity.UDP, Sample: 53})
}

// meshBlock explains src to dst on each port, each port's answer under a
// head line with its verdict. Sources whose traces have equal keys are
// explained alike: seen (per destination) keeps the blocks written.
func (s *Snapshot) meshBlock(m *model.Model, e *mesh.Evaluator, src mesh.Source, dst *model.Workload, ports []explain.Port, seen map[string]int) int {
	traces := make([]explain.MeshTraces, len(ports))
	var key strings.Builder
	for i, p := range ports {
		if p.Protocol == connectivity.TCP {
			traces[i] = explain.TraceMesh(m, e, src, dst, p)
			key.WriteString(traces[i].Key(src) + "\x00")
		}
	}
	if b, ok := seen[key.String()]; ok && seen != nil {
		return b
	}
	var rs []explain.Reason
	for i, p := range ports {
		a := explain.MeshAnswerFrom(traces[i], src, dst, p)
		head := p.String() + ": " + string(a.Verdict)
		if a.Verdict == explain.Conditional {
			head = p.String() + ": allowed for requests with " + a.Condition
		}
		rs = append(rs, explain.Reason{Message: head})
		for _, r := range a.Reasons {
			r.Depth++
			rs = append(rs, r)
		}
	}
	b := s.reasons(rs)
	if seen != nil {
		seen[key.String()] = b
	}
	return b
}

// outsideTable explains what the mesh lets every workload send to dst, a
// destination outside the cluster: the egress of its sidecar. Workloads
// whose sidecars treat dst alike share the explanation.
func (s *Snapshot) outsideTable(ml *connectivity.MeshLayer, dst *connectivity.Node) *sideTable {
	e := ml.Evaluator()
	first, last := addr4(dst.Range.First), addr4(dst.Range.Last)
	seen := map[string]int{}
	blocks := make([]int, len(s.nodes))
	for i, src := range s.nodes {
		blocks[i] = -1
		if src.External {
			continue
		}
		w := src.Workloads[0]
		bypass := mesh.BypassPorts(w)
		t := e.TraceOutside(w, dst.Host, first, last, outsidePorts(bypass)[len(bypass)].Sample)
		// The source's Sidecar is named by slots (explain.SlotSrcSC).
		key := fmt.Sprint(t.Decides, t.Egress, t.Entry, t.EntryHost, t.Sidecar != nil, t.Outbound, t.OutboundFrom != nil, t.MeshConfigFrom, t.BypassPort, w.Mesh, w.Gateway, bypass)
		if t.Egress == mesh.EgressBypass || len(bypass) > 0 {
			key += fmt.Sprintf("%p", w) // the reason is at the workload's annotations
		}
		b, ok := seen[key]
		if !ok {
			b = s.outsideBlock(ml, src, dst)
			seen[key] = b
		}
		blocks[i] = b
	}
	return table(blocks)
}

// outsidePorts are the ports an explanation toward a destination outside
// the cluster covers: those that bypass the sidecar, every other TCP port,
// and UDP.
func outsidePorts(bypass []int32) []explain.Port {
	ports := make([]explain.Port, 0, len(bypass)+2)
	for _, p := range bypass {
		ports = append(ports, explain.Port{Protocol: connectivity.TCP, Number: p})
	}
	sample := explain.Port{Protocol: connectivity.TCP, Sample: 1, Others: len(bypass) > 0}
	for slices.Contains(bypass, sample.Sample) {
		sample.Sample++
	}
	return append(ports, sample, explain.Port{Protocol: connectivity.UDP, Sample: 53})
}

// outsideBlock explains what the mesh lets src's first workload send to
// dst, outside the cluster, port by port.
func (s *Snapshot) outsideBlock(ml *connectivity.MeshLayer, src, dst *connectivity.Node) int {
	w := src.Workloads[0]
	from, to := &explain.Endpoint{Node: src, Workload: w}, &explain.Endpoint{Node: dst}
	var rs []explain.Reason
	for _, p := range outsidePorts(mesh.BypassPorts(w)) {
		a := explain.OutsideAnswer(ml, from, to, p)
		rs = append(rs, explain.Reason{Message: p.String() + ": " + string(a.Verdict)})
		for _, r := range a.Reasons {
			r.Depth++
			rs = append(rs, r)
		}
	}
	return s.reasons(rs)
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
