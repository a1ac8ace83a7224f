package explain

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// Endpoint is one end of the connection asked about: a workload node, or an
// address outside the cluster and the graph's range that holds it.
type Endpoint struct {
	Node *connectivity.Node
	// Workload is the pod template explained: the node's first (a node of
	// several templates says so in the answer's notes).
	Workload *model.Workload
	// Addr is the address asked about, for an external end; invalid when
	// the whole range was asked for.
	Addr netip.Addr
}

// Name is how answers name the end: its node ID, or the address and range.
func (e *Endpoint) Name() string {
	if e.Workload != nil {
		return e.Node.ID
	}
	if e.Node != nil && e.Addr.IsValid() && e.Node.Range.First != e.Node.Range.Last {
		return e.Addr.String() + " (in " + e.Node.ID + ")"
	}
	if e.Node != nil {
		return e.Node.ID
	}
	return e.Addr.String() + "[External]"
}

// External is the name that stands for any address outside the cluster.
const External = "external"

// ErrUnknown is the error of a name that matches nothing; the message says
// which names come closest.
var ErrUnknown = errors.New("no such workload")

// Resolve finds what a user means by name as the source (source true) or
// destination of a connection: ns/name[Kind], ns/name, a bare name that one
// namespace alone holds, an IPv4 address, "external" (the widest range
// outside the cluster no ipBlock sets apart from the rest), or, as a
// destination, a ServiceEntry host the graph holds (HOST[ServiceEntry] or
// HOST).
func Resolve(g *connectivity.Graph, name string, source bool) (*Endpoint, error) {
	if n := hostNode(g, name); n != nil {
		if source {
			return nil, fmt.Errorf("%q is a ServiceEntry host: a destination outside the cluster, never a source", name)
		}
		return &Endpoint{Node: n}, nil
	}
	if name == External {
		n := widestRange(g, source)
		if n == nil {
			return nil, fmt.Errorf("%q: the graph has no address range outside the cluster", name)
		}
		return &Endpoint{Node: n}, nil
	}
	if n, err := rangeNode(g, name, source); n != nil || err != nil {
		return &Endpoint{Node: n}, err
	}
	if addr, err := netip.ParseAddr(name); err == nil {
		if !addr.Is4() {
			return nil, fmt.Errorf("%q: only IPv4 addresses are modelled outside the cluster, as NetworkPolicy ipBlocks are here", name)
		}
		n := g.RangeNode(addr, source)
		if n == nil {
			return nil, fmt.Errorf("%q: no range of the graph holds it", name)
		}
		return &Endpoint{Node: n, Addr: addr}, nil
	}
	nodes := g.FindNodes(name)
	switch len(nodes) {
	case 0:
		return nil, fmt.Errorf("%w %q%s (give ns/name[Kind], ns/name or name, an IPv4 address or %q%s)", ErrUnknown, name, didYouMean(g, name, source), External, hostHint(g, source))
	case 1:
		return &Endpoint{Node: nodes[0], Workload: nodes[0].Workloads[0]}, nil
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return nil, fmt.Errorf("%q is ambiguous: %s (give ns/name[Kind])", name, strings.Join(ids, ", "))
}

// rangeNode is the address range a name the graph prints stands for
// ("198.51.100.0-198.51.100.255[External]"); nil for a name of another
// form.
func rangeNode(g *connectivity.Graph, name string, source bool) (*connectivity.Node, error) {
	text, ok := strings.CutSuffix(name, "[External]")
	first, _, ok2 := strings.Cut(text, "-")
	addr, err := netip.ParseAddr(first)
	if !ok || !ok2 || err != nil || !addr.Is4() {
		return nil, nil
	}
	n := g.RangeNode(addr, source)
	if n == nil || n.ID != name {
		held := ""
		if n != nil {
			held = ": " + first + " is in " + n.ID
		}
		return nil, fmt.Errorf("%q is no address range of the graph%s (give a range as meshlint graph prints it, an IPv4 address or %q)", name, held, External)
	}
	return n, nil
}

// Suggest is the " (did you mean ...?)" of a workload name that matches
// none: the closest names, or "".
func Suggest(g *connectivity.Graph, name string) string { return didYouMean(g, name, true) }

// didYouMean names the (up to three) workloads whose names are closest to
// name, by edit distance over the forms a user may type.
func didYouMean(g *connectivity.Graph, name string, source bool) string {
	type cand struct {
		id   string
		dist int
	}
	var cands []cand
	for _, n := range g.Nodes() {
		if n.Host != "" && !source {
			cands = append(cands, cand{n.ID, min(levenshtein.ComputeDistance(name, n.ID), levenshtein.ComputeDistance(name, n.Host))})
			continue
		}
		if n.External {
			continue
		}
		d := levenshtein.ComputeDistance(name, n.ID)
		for _, form := range []string{n.Namespace + "/" + n.Name, n.Name} {
			d = min(d, levenshtein.ComputeDistance(name, form))
		}
		cands = append(cands, cand{n.ID, d})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].id < cands[j].id
	})
	var out []string
	for _, c := range cands {
		// A distance above a third of the name is another name, not a typo.
		if len(out) == 3 || c.dist > max(2, len(name)/3) {
			break
		}
		out = append(out, c.id)
	}
	if len(out) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(out, ", ") + "?)"
}

func widestRange(g *connectivity.Graph, source bool) *connectivity.Node {
	var best *connectivity.Node
	for _, n := range g.Nodes() {
		if !n.External || (source && !g.SourceEndpoint(n)) || (!source && !g.DestinationEndpoint(n)) {
			continue
		}
		if best == nil || n.Range.Last-n.Range.First > best.Range.Last-best.Range.First {
			best = n
		}
	}
	return best
}

// hostNode finds the node of a ServiceEntry host: HOST[ServiceEntry] or the
// host name.
func hostNode(g *connectivity.Graph, name string) *connectivity.Node {
	for _, n := range g.Nodes() {
		if n.Host != "" && (n.ID == name || n.Host == name) {
			return n
		}
	}
	return nil
}

// hostHint mentions ServiceEntry hosts where the graph has some and a
// destination is asked for.
func hostHint(g *connectivity.Graph, source bool) string {
	if source {
		return ""
	}
	for _, n := range g.Nodes() {
		if n.Host != "" {
			return ", or a ServiceEntry host"
		}
	}
	return ""
}
