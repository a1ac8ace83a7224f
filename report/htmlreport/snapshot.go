package htmlreport

import (
	"sort"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// Snapshot is one model's connectivity as the page embeds it: the nodes,
// each layer's connections as runs over destinations, and the tables the
// page assembles a pair's explanation from. Two snapshots (before and
// after) make a diff.
type Snapshot struct {
	Label string `json:"label,omitempty"`
	// Nodes are [id, namespace, identity, flags]: flags bit 0 outside the
	// cluster, bit 1 a workload in the mesh, bit 2 a ServiceEntry host (a
	// destination only), bit 3 a range no connection starts at, bit 4 one
	// no connection goes to (ipBlocks cut the outside apart per
	// direction), bit 5 a workload that sends and takes HBONE (ambient, or
	// a waypoint), bit 6 a gateway that takes no HBONE (its own pods carry
	// no tunnel label).
	Nodes [][4]any `json:"nodes"`
	// HostRanges are, per ServiceEntry host node, the nodes of the ranges
	// it may resolve to: its network explanation is theirs.
	HostRanges map[int][]int `json:"hostRanges,omitempty"`
	// Sidecars are, per workload node whose sidecar a Sidecar resource
	// scopes, [its ns/name, the location of its egress hosts, that of its
	// outboundTrafficPolicy]: explanations of the source's egress name
	// them by slots (explain.SlotSrcSC).
	Sidecars map[int][3]string `json:"sidecars,omitempty"`
	// NamespaceLabels are each namespace's labels, for explanations.
	NamespaceLabels map[string]string `json:"nsLabels"`
	// Conns are the connections' texts and states (0 denied, 1 only for
	// some requests, 2 allowed), shared by every layer.
	Conns [][2]any `json:"conns"`
	// Layers hold, per layer, a row per source node: runs of destinations
	// [gap from the previous run's end, length, conn], nil for a source
	// that reaches nothing.
	Layers map[connectivity.Layer][][]int32 `json:"layers"`
	// Lines and Blocks are the interned explanations: a line is [depth,
	// location, text with slots], a block the lines of one explanation.
	Lines  [][3]any `json:"lines"`
	Blocks [][]int  `json:"blocks"`
	// Egress, Ingress and Mesh are per node the explanation of its side
	// against every other node (see sideTable).
	Egress  []*sideTable `json:"egress"`
	Ingress []*sideTable `json:"ingress"`
	Mesh    []*sideTable `json:"mesh"`

	nodes   []*connectivity.Node
	index   map[*connectivity.Node]int
	conns   map[string]int
	lineIDs map[[3]any]int
	blocks  map[string]int
}

// sideTable says which explanation block holds for each other node: the
// block of the first variant whose index ranges hold it, else Default (in
// the mesh table: Meshed for a source in the mesh, else Default).
type sideTable struct {
	Default int  `json:"d"`
	Meshed  *int `json:"m,omitempty"`
	// Variants are [block, first, last, first, last, ...].
	Variants [][]int `json:"v,omitempty"`
}

const (
	flagExternal = 1
	flagMeshed   = 2
	flagHost     = 4
	flagNoSource = 8
	flagNoDest   = 16
	flagHBONE    = 32
	flagNoTunnel = 64
)

const (
	stateDenied      = 0
	stateConditional = 1
	stateAllowed     = 2
)

// Options choose what a snapshot holds.
type Options struct {
	// ShowImplied keeps the cluster services meshlint assumes (kube-dns,
	// istiod).
	ShowImplied bool
	// NoExplanations leaves the explanation tables out.
	NoExplanations bool
}

// BuildSnapshot computes the snapshot of m.
func BuildSnapshot(m *model.Model, opts Options) *Snapshot {
	g := connectivity.Network(m)
	ml := connectivity.Mesh(m)
	s := &Snapshot{
		NamespaceLabels: map[string]string{},
		Layers:          map[connectivity.Layer][][]int32{},
		Conns:           [][2]any{},
		Lines:           [][3]any{},
		Blocks:          [][]int{},
		index:           map[*connectivity.Node]int{},
		conns:           map[string]int{},
		lineIDs:         map[[3]any]int{},
		blocks:          map[string]int{},
	}
	for _, n := range g.Nodes() {
		if n.Implied && !opts.ShowImplied {
			continue
		}
		s.index[n] = len(s.nodes)
		s.nodes = append(s.nodes, n)
		flags, identity := 0, ""
		if n.External {
			flags |= flagExternal
			if n.Host != "" {
				flags |= flagHost | flagNoSource
			} else {
				if !g.SourceEndpoint(n) {
					flags |= flagNoSource
				}
				if !g.DestinationEndpoint(n) {
					flags |= flagNoDest
				}
			}
		} else if w := n.Workloads[0]; w.Mesh != model.MeshNone {
			flags |= flagMeshed
			identity = w.Identity
			// As connectivity's tunnelPair decides who talks HBONE.
			switch {
			case w.Mesh == model.MeshAmbient || w.Gateway == model.GatewayWaypoint:
				flags |= flagHBONE
			case w.Gateway != model.NotGateway:
				flags |= flagNoTunnel
			}
		}
		s.Nodes = append(s.Nodes, [4]any{n.ID, n.Namespace, identity, flags})
	}
	for i, n := range s.nodes {
		if !n.External {
			if sc := m.SidecarFor(n.Workloads[0]); sc != nil {
				if s.Sidecars == nil {
					s.Sidecars = map[int][3]string{}
				}
				egress := "spec"
				if len(sc.Spec.GetEgress()) > 0 {
					egress = "spec.egress"
				}
				out := ""
				if sc.OutboundPath != "" {
					out = sc.Object.Position(sc.OutboundPath).String()
				}
				s.Sidecars[i] = [3]string{sc.Object.Namespace + "/" + sc.Object.Name, sc.Object.Position(egress).String(), out}
			}
		}
		if n.Host == "" {
			continue
		}
		if s.HostRanges == nil {
			s.HostRanges = map[int][]int{}
		}
		ranges, _ := g.HostRanges(n)
		s.HostRanges[i] = []int{}
		for _, r := range ranges {
			if k, ok := s.index[r]; ok {
				s.HostRanges[i] = append(s.HostRanges[i], k)
			}
		}
	}
	for _, ns := range m.Namespaces {
		s.NamespaceLabels[ns.Name] = "{" + ns.Labels.String() + "}"
	}
	lopts := connectivity.Options{ShowImplied: opts.ShowImplied}
	s.addLayer(connectivity.LayerNetwork, func(emit func(connectivity.Connection)) {
		for _, c := range g.Listing(lopts).Connections {
			emit(c)
		}
	})
	s.addLayer(connectivity.LayerMesh, func(emit func(connectivity.Connection)) { ml.Each(lopts, emit) })
	s.addLayer(connectivity.LayerEffective, func(emit func(connectivity.Connection)) {
		for _, c := range ml.Effective(lopts).Connections {
			emit(c)
		}
	})
	if !opts.NoExplanations {
		s.addExplanations(m, g, ml)
	}
	return s
}

// addLayer encodes a layer's connections, which come sorted by source and
// destination, as runs of destinations sharing a conn.
func (s *Snapshot) addLayer(layer connectivity.Layer, each func(emit func(connectivity.Connection))) {
	rows := make([][]int32, len(s.nodes))
	lastEnd := make([]int32, len(s.nodes))
	each(func(c connectivity.Connection) {
		src, ok1 := s.index[c.Src]
		dst, ok2 := s.index[c.Dst]
		if !ok1 || !ok2 {
			return
		}
		conn := int32(s.conn(layer, c))
		row := rows[src]
		if n := len(row); n > 0 && row[n-1] == conn && lastEnd[src] == int32(dst) {
			row[n-2]++
			lastEnd[src]++
			return
		}
		rows[src] = append(row, int32(dst)-lastEnd[src], 1, conn)
		lastEnd[src] = int32(dst) + 1
	})
	s.Layers[layer] = rows
}

func (s *Snapshot) conn(layer connectivity.Layer, c connectivity.Connection) int {
	text := c.Conn()
	state := stateOf(layer, c)
	key := text + "\x00" + string(rune('0'+state))
	if id, ok := s.conns[key]; ok {
		return id
	}
	s.conns[key] = len(s.Conns)
	s.Conns = append(s.Conns, [2]any{text, state})
	return len(s.Conns) - 1
}

// stateOf says how a cell reads: allowed when some port always passes,
// conditional when ports pass only for some requests. The mesh lets UDP
// and SCTP through everywhere, so there TCP alone counts.
func stateOf(layer connectivity.Layer, c connectivity.Connection) int {
	has := func(p connectivity.PortSet) bool {
		if layer == connectivity.LayerMesh {
			return len(p.Ranges(connectivity.TCP)) > 0
		}
		return !p.IsEmpty()
	}
	if has(c.Ports) {
		return stateAllowed
	}
	for _, l7 := range c.L7 {
		if has(l7.Ports) {
			return stateConditional
		}
	}
	return stateDenied
}

// block interns an explanation.
func (s *Snapshot) block(lines [][3]any) int {
	ids := make([]int, len(lines))
	key := make([]byte, 0, 4*len(lines))
	for i, l := range lines {
		id, ok := s.lineIDs[l]
		if !ok {
			id = len(s.Lines)
			s.lineIDs[l] = id
			s.Lines = append(s.Lines, l)
		}
		ids[i] = id
		key = append(key, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	}
	if id, ok := s.blocks[string(key)]; ok {
		return id
	}
	s.blocks[string(key)] = len(s.Blocks)
	s.Blocks = append(s.Blocks, ids)
	return len(s.Blocks) - 1
}

// table turns the block of every other node into a side table: the most
// common block is the default, the rest variants over index ranges.
func table(blocks []int) *sideTable {
	count := map[int]int{}
	for _, b := range blocks {
		if b >= 0 {
			count[b]++
		}
	}
	t := &sideTable{Default: -1}
	for b, n := range count {
		if t.Default < 0 || n > count[t.Default] || (n == count[t.Default] && b < t.Default) {
			t.Default = b
		}
	}
	byBlock := map[int][]int{}
	for i := 0; i < len(blocks); {
		b := blocks[i]
		j := i
		for j+1 < len(blocks) && blocks[j+1] == b {
			j++
		}
		if b >= 0 && b != t.Default {
			byBlock[b] = append(byBlock[b], i, j)
		}
		i = j + 1
	}
	keys := make([]int, 0, len(byBlock))
	for b := range byBlock {
		keys = append(keys, b)
	}
	sort.Ints(keys)
	for _, b := range keys {
		t.Variants = append(t.Variants, append([]int{b}, byBlock[b]...))
	}
	return t
}
