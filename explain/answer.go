// Package explain answers `meshlint why`: for one connection, each layer's
// verdict and the objects that decide it, each at the field the user wrote.
//
// It reads what the evaluators keep (the network graph's isolating policies
// and rules, mesh authorization's trace) and never decides anything itself:
// every verdict here is the graph's or Decide's, so an explanation cannot
// disagree with `meshlint graph`.
//
// Reasons are written with placeholders for the two ends (see Slot), so that
// the HTML report can share one explanation between every pair it fits;
// Answer fills them in.
package explain

import (
	"strings"

	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Verdict is what a layer does with a connection.
type Verdict string

const (
	Allowed     Verdict = "allowed"
	Conditional Verdict = "conditional" // allowed only for some requests
	Denied      Verdict = "denied"
)

// Reason is one step of an explanation: a fact and the field it comes from.
type Reason struct {
	Message  string             `json:"message"`
	Object   *manifest.Ref      `json:"object,omitempty"`
	Location *manifest.Position `json:"-"`
	// Depth nests a reason under the one before it of lower depth.
	Depth int `json:"depth,omitempty"`
	// LocationSlot, when set, names the slot that stands for Location
	// where an explanation is shared between sources (the HTML report): a
	// field of the source's own Sidecar resource.
	LocationSlot string `json:"-"`
}

// LayerAnswer is one layer's verdict on one port, and why.
type LayerAnswer struct {
	Layer     connectivity.Layer `json:"layer"`
	Verdict   Verdict            `json:"verdict"`
	Condition string             `json:"condition,omitempty"`
	Reasons   []Reason           `json:"reasons"`
}

// PortAnswer is every layer's answer for one port.
type PortAnswer struct {
	Port   Port          `json:"-"`
	Layers []LayerAnswer `json:"layers"`
}

// Answer is the whole explanation of connections from Src to Dst.
type Answer struct {
	// Environment names the environment answered, when the run has
	// several.
	Environment string
	Src, Dst    *Endpoint
	// Notes say what the answer stands on (a node of several pod
	// templates, an address range).
	Notes []Reason
	Ports []PortAnswer
}

// Slots are the placeholders reasons use for the ends of the connection,
// filled in by Names.Fill: the HTML report fills them per pair.
const (
	SlotSrc     = "\x1fsrc\x1f"    // the source's name
	SlotDst     = "\x1fdst\x1f"    // the destination's name
	SlotSrcNS   = "\x1fsrcns\x1f"  // the source's namespace
	SlotDstNS   = "\x1fdstns\x1f"  // the destination's namespace
	SlotSrcID   = "\x1fsrcid\x1f"  // the source's mesh identity
	SlotSrcNSL  = "\x1fsrcnsl\x1f" // the labels of the source's namespace
	SlotDstNSL  = "\x1fdstnsl\x1f" // ... of the destination's
	SlotSrcSC   = "\x1fsrcsc\x1f"  // the Sidecar resource that scopes the source's sidecar
	slotMarker  = "\x1f"
	slotMissing = "?"
)

// Location slots (Reason.LocationSlot): fields of the source's Sidecar.
const (
	SlotSrcSCEgress   = "srcsceg"  // its egress hosts
	SlotSrcSCOutbound = "srcscout" // its outboundTrafficPolicy mode
)

// Names are what the slots stand for.
type Names map[string]string

// NamesOf names the two ends of a connection.
func NamesOf(m *model.Model, src, dst *Endpoint) Names {
	n := Names{}
	for _, side := range []struct {
		e            *Endpoint
		name, ns, nl string
	}{{src, "src", "srcns", "srcnsl"}, {dst, "dst", "dstns", "dstnsl"}} {
		n[side.name] = side.e.Name()
		if w := side.e.Workload; w != nil {
			n[side.ns] = w.Namespace
			if ns := m.Namespace(w.Namespace); ns != nil {
				n[side.nl] = labelText(ns.Labels)
			}
		}
	}
	if w := src.Workload; w != nil {
		n["srcid"] = w.Identity
		if sc := m.SidecarFor(w); sc != nil {
			n["srcsc"] = sc.Object.Namespace + "/" + sc.Object.Name
		}
	}
	return n
}

// Fill replaces the slots of s.
func (n Names) Fill(s string) string {
	if !strings.Contains(s, slotMarker) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, slotMarker)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i+1:], slotMarker)
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		if v, ok := n[s[i+1:i+1+j]]; ok && v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(slotMissing)
		}
		s = s[i+j+2:]
	}
}

func (n Names) fillAll(rs []Reason) {
	for i := range rs {
		rs[i].Message = n.Fill(rs[i].Message)
	}
}

// at builds a reason at a field of an object.
func at(o *manifest.Object, path string, depth int, msg string) Reason {
	ref := o.Ref()
	pos := o.Position(path)
	return Reason{Message: msg, Object: &ref, Location: &pos, Depth: depth}
}

func plain(depth int, msg string) Reason { return Reason{Message: msg, Depth: depth} }

// atSourceSidecar builds a reason at a field of the source's Sidecar, its
// location standing for slot in shared explanations.
func atSourceSidecar(sc *model.Sidecar, path, slot string, depth int, msg string) Reason {
	r := at(sc.Object, path, depth, msg)
	r.LocationSlot = slot
	return r
}
