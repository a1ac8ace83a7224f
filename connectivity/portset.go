package connectivity

import (
	"slices"
	"strconv"
	"strings"
)

// Protocol is an L4 protocol a NetworkPolicy can name. The order is the
// order in which a port set prints them (alphabetical, as netpol-analyzer).
type Protocol uint8

const (
	SCTP Protocol = iota
	TCP
	UDP
	numProtocols
)

func (p Protocol) String() string {
	switch p {
	case SCTP:
		return "SCTP"
	case TCP:
		return "TCP"
	case UDP:
		return "UDP"
	}
	return "?"
}

// ParseProtocol reads "TCP", "UDP" or "SCTP".
func ParseProtocol(s string) (Protocol, bool) {
	switch s {
	case "TCP":
		return TCP, true
	case "UDP":
		return UDP, true
	case "SCTP":
		return SCTP, true
	}
	return 0, false
}

// MinPort and MaxPort bound the ports a policy can name.
const (
	MinPort = 1
	MaxPort = 65535
)

// PortRange is the closed interval [First, Last].
type PortRange struct{ First, Last int32 }

// PortSet is a set of (protocol, port) pairs: per protocol, sorted disjoint
// ranges, with touching ranges merged. The zero value is empty. A PortSet is
// a value: operations return new sets and never change their operands, so
// sets can be shared freely.
type PortSet struct {
	ranges [numProtocols][]PortRange
}

var fullRange = []PortRange{{MinPort, MaxPort}}

// NoPorts is the empty set.
func NoPorts() PortSet { return PortSet{} }

// AllPorts is every port of every protocol.
func AllPorts() PortSet {
	var s PortSet
	for p := range s.ranges {
		s.ranges[p] = fullRange
	}
	return s
}

// ProtocolPorts is every port of one protocol.
func ProtocolPorts(p Protocol) PortSet {
	var s PortSet
	s.ranges[p] = fullRange
	return s
}

// Ports is the range [first, last] of one protocol, clipped to the valid
// ports.
func Ports(p Protocol, first, last int32) PortSet {
	first, last = max(first, MinPort), min(last, MaxPort)
	var s PortSet
	if first <= last {
		s.ranges[p] = []PortRange{{first, last}}
	}
	return s
}

// IsEmpty reports whether the set holds no port.
func (s PortSet) IsEmpty() bool {
	for _, r := range s.ranges {
		if len(r) > 0 {
			return false
		}
	}
	return true
}

// IsAll reports whether the set holds every port of every protocol.
func (s PortSet) IsAll() bool {
	for _, r := range s.ranges {
		if len(r) != 1 || r[0] != fullRange[0] {
			return false
		}
	}
	return true
}

// Ranges returns the ranges of one protocol; callers must not change them.
func (s PortSet) Ranges(p Protocol) []PortRange { return s.ranges[p] }

// Contains reports whether the set holds port of protocol p.
func (s PortSet) Contains(p Protocol, port int32) bool {
	rs := s.ranges[p]
	i, _ := slices.BinarySearchFunc(rs, port, func(r PortRange, port int32) int {
		switch {
		case r.Last < port:
			return -1
		case r.First > port:
			return 1
		}
		return 0
	})
	return i < len(rs) && rs[i].First <= port && port <= rs[i].Last
}

// Equal reports whether two sets hold the same ports.
func (s PortSet) Equal(o PortSet) bool {
	for p := range s.ranges {
		if !slices.Equal(s.ranges[p], o.ranges[p]) {
			return false
		}
	}
	return true
}

// Union returns the ports in s or o.
func (s PortSet) Union(o PortSet) PortSet {
	var out PortSet
	for p := range s.ranges {
		out.ranges[p] = unionRanges(s.ranges[p], o.ranges[p])
	}
	return out
}

// Intersect returns the ports in both s and o.
func (s PortSet) Intersect(o PortSet) PortSet {
	var out PortSet
	for p := range s.ranges {
		out.ranges[p] = intersectRanges(s.ranges[p], o.ranges[p])
	}
	return out
}

// Subtract returns the ports in s and not in o.
func (s PortSet) Subtract(o PortSet) PortSet {
	var out PortSet
	for p := range s.ranges {
		out.ranges[p] = intersectRanges(s.ranges[p], complementRanges(o.ranges[p]))
	}
	return out
}

// String prints the set as netpol-analyzer does: "All Connections", "No
// Connections", or per protocol its ranges, e.g. "SCTP 7070,TCP 8080-8081,UDP 9090".
func (s PortSet) String() string {
	if s.IsAll() {
		return "All Connections"
	}
	if s.IsEmpty() {
		return "No Connections"
	}
	var b strings.Builder
	for p, rs := range s.ranges {
		if len(rs) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(Protocol(p).String())
		b.WriteByte(' ')
		for i, r := range rs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(r.First)))
			if r.Last != r.First {
				b.WriteByte('-')
				b.WriteString(strconv.Itoa(int(r.Last)))
			}
		}
	}
	return b.String()
}

// unionRanges merges two sorted disjoint lists; ranges that touch merge.
// It returns an operand itself when the other adds nothing, so that the
// common cases (one side empty or full) do not allocate.
func unionRanges(a, b []PortRange) []PortRange {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	case isFull(a):
		return a
	case isFull(b):
		return b
	}
	out := make([]PortRange, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var r PortRange
		if j >= len(b) || (i < len(a) && a[i].First <= b[j].First) {
			r = a[i]
			i++
		} else {
			r = b[j]
			j++
		}
		if n := len(out); n > 0 && r.First <= out[n-1].Last+1 {
			out[n-1].Last = max(out[n-1].Last, r.Last)
			continue
		}
		out = append(out, r)
	}
	return out
}

func intersectRanges(a, b []PortRange) []PortRange {
	switch {
	case len(a) == 0 || len(b) == 0:
		return nil
	case isFull(a):
		return b
	case isFull(b):
		return a
	}
	var out []PortRange
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		first, last := max(a[i].First, b[j].First), min(a[i].Last, b[j].Last)
		if first <= last {
			out = append(out, PortRange{first, last})
		}
		if a[i].Last < b[j].Last {
			i++
		} else {
			j++
		}
	}
	return out
}

func complementRanges(a []PortRange) []PortRange {
	if len(a) == 0 {
		return fullRange
	}
	var out []PortRange
	next := int32(MinPort)
	for _, r := range a {
		if r.First > next {
			out = append(out, PortRange{next, r.First - 1})
		}
		next = r.Last + 1
	}
	if next <= MaxPort {
		out = append(out, PortRange{next, MaxPort})
	}
	return out
}

func isFull(a []PortRange) bool { return len(a) == 1 && a[0] == fullRange[0] }
