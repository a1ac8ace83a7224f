package connectivity

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/model"
)

// set builds a port set from "TCP 80-90" style terms.
func set(terms ...string) PortSet {
	var s PortSet
	for _, t := range terms {
		proto, ports, _ := strings.Cut(t, " ")
		p, ok := ParseProtocol(proto)
		if !ok {
			panic("bad protocol " + proto)
		}
		if ports == "" {
			s = s.Union(ProtocolPorts(p))
			continue
		}
		a, b, found := strings.Cut(ports, "-")
		if !found {
			b = a
		}
		s = s.Union(Ports(p, atoi32(a), atoi32(b)))
	}
	return s
}

func atoi32(s string) int32 {
	var n int32
	for _, c := range s {
		n = n*10 + int32(c-'0')
	}
	return n
}

func TestPortSetOperations(t *testing.T) {
	tests := []struct {
		name                 string
		a, b                 PortSet
		union, inter, subtr  string
		aContains80, bIsFull bool
	}{
		{
			name: "empty and empty", a: NoPorts(), b: NoPorts(),
			union: "No Connections", inter: "No Connections", subtr: "No Connections",
		},
		{
			name: "touching ranges merge", a: set("TCP 80-89"), b: set("TCP 90-99"),
			union: "TCP 80-99", inter: "No Connections", subtr: "TCP 80-89", aContains80: true,
		},
		{
			name: "overlap", a: set("TCP 80-100", "UDP 53"), b: set("TCP 90-110", "SCTP 7070"),
			union: "SCTP 7070,TCP 80-110,UDP 53", inter: "TCP 90-100", subtr: "TCP 80-89,UDP 53", aContains80: true,
		},
		{
			name: "holes", a: set("TCP"), b: set("TCP 80", "TCP 443"),
			union: "TCP 1-65535", inter: "TCP 80,443", subtr: "TCP 1-79,81-442,444-65535", aContains80: true,
		},
		{
			name: "all protocols full is All Connections", a: set("TCP", "UDP"), b: set("SCTP"),
			union: "All Connections", inter: "No Connections", subtr: "TCP 1-65535,UDP 1-65535", aContains80: true,
		},
		{
			name: "all against a port", a: AllPorts(), b: set("UDP 53"),
			union: "All Connections", inter: "UDP 53", subtr: "SCTP 1-65535,TCP 1-65535,UDP 1-52,54-65535", aContains80: true,
		},
		{
			name: "edges of the port space", a: set("TCP 1", "TCP 65535"), b: set("TCP 2-65534"),
			union: "TCP 1-65535", inter: "No Connections", subtr: "TCP 1,65535",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(op string, got PortSet, want string) {
				t.Helper()
				if got.String() != want {
					t.Errorf("%s = %s, want %s", op, got, want)
				}
			}
			check("a∪b", tc.a.Union(tc.b), tc.union)
			check("b∪a", tc.b.Union(tc.a), tc.union)
			check("a∩b", tc.a.Intersect(tc.b), tc.inter)
			check("b∩a", tc.b.Intersect(tc.a), tc.inter)
			check("a−b", tc.a.Subtract(tc.b), tc.subtr)
			if got := tc.a.Contains(TCP, 80); got != tc.aContains80 {
				t.Errorf("a contains TCP 80 = %v", got)
			}
			// Operations never change their operands.
			before := tc.a.String()
			_ = tc.a.Union(tc.b).Union(set("TCP 1-65535"))
			if tc.a.String() != before {
				t.Errorf("a changed from %s to %s", before, tc.a)
			}
			if !tc.a.Union(tc.b).Equal(tc.b.Union(tc.a)) {
				t.Error("Equal denies a∪b = b∪a")
			}
		})
	}
	if !Ports(TCP, 0, 70000).Equal(ProtocolPorts(TCP)) {
		t.Error("Ports does not clip to 1-65535")
	}
	if !Ports(TCP, 90, 80).IsEmpty() {
		t.Error("a reversed range is not empty")
	}
}

func TestPartition(t *testing.T) {
	block := func(cidr string, except ...string) []IPRange {
		b := &model.IPBlock{CIDR: netip.MustParsePrefix(cidr)}
		for _, e := range except {
			b.Except = append(b.Except, netip.MustParsePrefix(e))
		}
		return blockRanges(b)
	}
	tests := []struct {
		name   string
		blocks [][]IPRange
		want   string
	}{
		{"no blocks: the whole space", nil, "0.0.0.0-255.255.255.255"},
		{"one cidr", [][]IPRange{block("10.0.0.0/8")}, "0.0.0.0-9.255.255.255 10.0.0.0-10.255.255.255 11.0.0.0-255.255.255.255"},
		{
			"adjacent exceptions leave one range",
			[][]IPRange{block("0.0.0.0/0", "10.0.0.0/9", "10.128.0.0/9")},
			"0.0.0.0-9.255.255.255 10.0.0.0-10.255.255.255 11.0.0.0-255.255.255.255",
		},
		{
			"an exception at the cidr's edge does not cut there",
			[][]IPRange{block("10.0.0.0/8", "10.0.0.0/16")},
			"0.0.0.0-10.0.255.255 10.1.0.0-10.255.255.255 11.0.0.0-255.255.255.255",
		},
		{
			"overlapping blocks",
			[][]IPRange{block("10.0.0.0/8"), block("10.1.2.0/24")},
			"0.0.0.0-9.255.255.255 10.0.0.0-10.1.1.255 10.1.2.0-10.1.2.255 10.1.3.0-10.255.255.255 11.0.0.0-255.255.255.255",
		},
		{"the last address", [][]IPRange{block("255.255.255.255/32")}, "0.0.0.0-255.255.255.254 255.255.255.255-255.255.255.255"},
		{"IPv6 is not in the space", [][]IPRange{block("::/0")}, "0.0.0.0-255.255.255.255"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range partition(tc.blocks) {
				got = append(got, r.String())
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, " "), tc.want)
			}
		})
	}
}
