package connectivity

import (
	"sort"

	"github.com/meshlint/meshlint/model"
)

// ChangeType says how a pair's connection changed from one version to the
// next, in netpol-analyzer's words.
type ChangeType string

const (
	Added   ChangeType = "added"   // no connection before, some after
	Removed ChangeType = "removed" // some before, none after
	Changed ChangeType = "changed" // some on both sides, and they differ
)

// PairChange is one (source, destination) pair whose connection differs
// between two versions of a cluster.
type PairChange struct {
	Type     ChangeType
	Src, Dst DiffEnd
	// Old and New are the connection of each side; nil where there is none.
	Old, New *Verdict
}

// DiffEnd is one end of a changed pair as both versions know it.
type DiffEnd struct {
	// ID prints the end: ns/name[Kind], or A.B.C.D-E.F.G.H[External] for
	// the addresses over which the pair changed alike (which may span
	// several ranges of either version).
	ID       string
	External bool    // an outside range, or a host
	Range    IPRange // for a range
	Host     string  // for a ServiceEntry host
	// Old and New are the end's node in each version: for a workload, the
	// node of that ID (nil where the version has none); for a range, the
	// version's range that holds its first address.
	Old, New *Node
}

// Conn prints a side's connection as the diff lines do: "No Connections"
// for none.
func ConnText(v *Verdict) string {
	if v == nil {
		return "No Connections"
	}
	return Connection{Ports: v.Ports, L7: v.L7}.Conn()
}

// Diff compares two versions at one layer: every pair whose connection
// differs, sorted by source and destination ID. The outside address space
// is cut at the ranges of both versions, and a changed range is printed as
// the widest run of addresses over which the pair changed alike, as
// netpol-analyzer's diff does.
//
// The network and effective layers compare the two listings, which are
// worked out per class of workloads; the mesh layer, which lets most of
// every pair of workloads through, compares per destination only the
// sources its policies tell apart (diff_mesh.go).
func Diff(old, new *model.Model, layer Layer, opts Options) []PairChange {
	opts.Focus = nil
	d := &differ{old: Network(old), new: Network(new)}
	switch layer {
	case LayerNetwork:
		d.listings(d.old.Listing(opts), d.new.Listing(opts))
	case LayerMesh:
		d.mesh(Mesh(old), Mesh(new), opts)
	default:
		d.listings(Mesh(old).Effective(opts), Mesh(new).Effective(opts))
	}
	sort.Slice(d.out, func(i, j int) bool {
		a, b := d.out[i], d.out[j]
		if a.Src.ID != b.Src.ID {
			return a.Src.ID < b.Src.ID
		}
		return a.Dst.ID < b.Dst.ID
	})
	return d.out
}

type differ struct {
	old, new *Graph
	out      []PairChange
}

// rangeKey groups the connections between one workload and the outside,
// in one direction.
type rangeKey struct {
	workload string
	outbound bool // the workload is the source
}

// rangeConn is one range's connection on one side.
type rangeConn struct {
	r    IPRange
	v    Verdict
	conn string
}

type rangeSides struct{ old, new []rangeConn }

// listings compares two listings of one layer.
func (d *differ) listings(old, new *Listing) {
	type pair struct{ src, dst string }
	oldPairs := map[pair]*Connection{}
	ranges := map[rangeKey]*rangeSides{}
	var keys []rangeKey
	addRange := func(c *Connection, isNew bool) {
		k := rangeKey{c.Src.ID, true}
		r := c.Dst.Range
		if c.Src.isRange() {
			k, r = rangeKey{c.Dst.ID, false}, c.Src.Range
		}
		s := ranges[k]
		if s == nil {
			s = &rangeSides{}
			ranges[k] = s
			keys = append(keys, k)
		}
		rc := rangeConn{r: r, v: Verdict{Ports: c.Ports, L7: c.L7}, conn: c.Conn()}
		if isNew {
			s.new = append(s.new, rc)
		} else {
			s.old = append(s.old, rc)
		}
	}
	for i := range old.Connections {
		c := &old.Connections[i]
		if c.Src.isRange() || c.Dst.isRange() {
			addRange(c, false)
			continue
		}
		oldPairs[pair{c.Src.ID, c.Dst.ID}] = c
	}
	for i := range new.Connections {
		c := &new.Connections[i]
		if c.Src.isRange() || c.Dst.isRange() {
			addRange(c, true)
			continue
		}
		k := pair{c.Src.ID, c.Dst.ID}
		o := oldPairs[k]
		delete(oldPairs, k)
		if o != nil && o.Conn() == c.Conn() {
			continue
		}
		d.pair(o, c)
	}
	for _, o := range oldPairs {
		d.pair(o, nil)
	}
	for _, k := range keys {
		s := ranges[k]
		d.ranges(k, s.old, s.new)
	}
}

// pair records the change of a pair of workloads (o or n nil: no
// connection on that side).
func (d *differ) pair(o, n *Connection) {
	c := PairChange{Type: Changed}
	one := n
	if o == nil {
		c.Type = Added
	} else {
		one = o
		c.Old = &Verdict{Ports: o.Ports, L7: o.L7}
	}
	if n == nil {
		c.Type = Removed
	} else {
		c.New = &Verdict{Ports: n.Ports, L7: n.L7}
	}
	c.Src = d.end(one.Src.ID)
	c.Dst = d.end(one.Dst.ID)
	d.out = append(d.out, c)
}

// end is a workload's or a host's end of a pair.
func (d *differ) end(id string) DiffEnd {
	e := DiffEnd{ID: id, Old: d.old.nodeByID(id), New: d.new.nodeByID(id)}
	for _, n := range []*Node{e.Old, e.New} {
		if n != nil && n.Host != "" {
			e.External, e.Host = true, n.Host
		}
	}
	return e
}

// isRange tells an outside range from a workload or a host.
func (n *Node) isRange() bool { return n.External && n.Host == "" }

// ranges records the changes between one workload and the outside: the
// maximal runs of addresses over which the pair (old connection, new
// connection) is constant and not the same on both sides.
func (d *differ) ranges(k rangeKey, old, new []rangeConn) {
	for _, run := range mergeRuns(old, new) {
		ext := DiffEnd{ID: run.r.String() + "[External]", External: true, Range: run.r,
			Old: d.old.rangeNodeAt(run.r.First, !k.outbound), New: d.new.rangeNodeAt(run.r.First, !k.outbound)}
		w := d.end(k.workload)
		c := PairChange{Src: w, Dst: ext}
		if !k.outbound {
			c.Src, c.Dst = ext, w
		}
		switch {
		case run.old == nil:
			c.Type = Added
		case run.new == nil:
			c.Type = Removed
		default:
			c.Type = Changed
		}
		if run.old != nil {
			v := run.old.v
			c.Old = &v
		}
		if run.new != nil {
			v := run.new.v
			c.New = &v
		}
		d.out = append(d.out, c)
	}
}

// rangeRun is a run of addresses with one connection on each side (nil:
// none).
type rangeRun struct {
	r        IPRange
	old, new *rangeConn
}

// mergeRuns cuts the outside space at the ranges of both sides and joins
// touching pieces whose (old, new) connections agree, leaving out addresses
// with a connection on neither side; runs whose two sides are equal are
// dropped. This is netpol-analyzer's mergeIPblocks, read as runs.
func mergeRuns(old, new []rangeConn) []rangeRun {
	byFirst := func(s []rangeConn) {
		sort.Slice(s, func(i, j int) bool { return s[i].r.First < s[j].r.First })
	}
	byFirst(old)
	byFirst(new)
	var cuts []uint64
	for _, s := range [][]rangeConn{old, new} {
		for _, rc := range s {
			cuts = append(cuts, uint64(rc.r.First), uint64(rc.r.Last)+1)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	var runs []rangeRun
	io, in := 0, 0
	at := func(s []rangeConn, i *int, v uint32) *rangeConn {
		for *i < len(s) && s[*i].r.Last < v {
			*i++
		}
		if *i < len(s) && s[*i].r.First <= v {
			return &s[*i]
		}
		return nil
	}
	same := func(a, b *rangeConn) bool {
		if a == nil || b == nil {
			return a == b
		}
		return a.conn == b.conn
	}
	for i := 0; i+1 < len(cuts); i++ {
		if cuts[i] == cuts[i+1] {
			continue
		}
		piece := IPRange{uint32(cuts[i]), uint32(cuts[i+1] - 1)}
		o, n := at(old, &io, piece.First), at(new, &in, piece.First)
		if o == nil && n == nil {
			continue
		}
		if k := len(runs) - 1; k >= 0 && uint64(runs[k].r.Last)+1 == uint64(piece.First) && same(runs[k].old, o) && same(runs[k].new, n) {
			runs[k].r.Last = piece.Last
			continue
		}
		runs = append(runs, rangeRun{r: piece, old: o, new: n})
	}
	out := runs[:0]
	for _, r := range runs {
		if !same(r.old, r.new) {
			out = append(out, r)
		}
	}
	return out
}

// NodeByID returns the workload node of that ID, or nil.
func (g *Graph) NodeByID(id string) *Node {
	if n := g.nodeByID(id); n != nil && !n.External {
		return n
	}
	return nil
}

// nodeByID returns the node of that ID (a workload, range or host), or nil.
func (g *Graph) nodeByID(id string) *Node {
	i := sort.Search(len(g.nodes), func(i int) bool { return g.nodes[i].ID >= id })
	if i < len(g.nodes) && g.nodes[i].ID == id {
		return g.nodes[i]
	}
	return nil
}

// rangeNodeAt returns the range node holding address v among the sources'
// ranges (source) or the destinations'.
func (g *Graph) rangeNodeAt(v uint32, source bool) *Node {
	ranges, nodes := g.dstRanges, g.rangeNodes[len(g.srcRanges):]
	if source {
		ranges, nodes = g.srcRanges, g.rangeNodes[:len(g.srcRanges)]
	}
	i := sort.Search(len(ranges), func(i int) bool { return ranges[i].Last >= v })
	if i < len(ranges) && ranges[i].First <= v {
		return nodes[i]
	}
	return nil
}

// Narrower reports whether the connection n lets through no more than o:
// no port always allowed that o did not always allow, and no conditional
// port o did not allow always or under the same condition.
func Narrower(n, o Verdict) bool {
	if !n.Ports.Subtract(o.Ports).IsEmpty() {
		return false
	}
	for _, c := range n.L7 {
		rest := c.Ports.Subtract(o.Ports)
		for _, oc := range o.L7 {
			if oc.When.String() == c.When.String() {
				rest = rest.Subtract(oc.Ports)
			}
		}
		if !rest.IsEmpty() {
			return false
		}
	}
	return true
}

// WorkloadNodes returns the graph's workload nodes (implied ones too),
// sorted by ID.
func (g *Graph) WorkloadNodes() []*Node {
	var out []*Node
	for _, n := range g.nodes {
		if !n.External {
			out = append(out, n)
		}
	}
	return out
}
