package connectivity

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/model"
)

// IPRange is the closed IPv4 interval [First, Last], as a number each.
type IPRange struct{ First, Last uint32 }

// String prints the range as netpol-analyzer does: 10.0.0.0-10.255.255.255.
func (r IPRange) String() string {
	return addr4(r.First).String() + "-" + addr4(r.Last).String()
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func uint4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func prefixRange(p netip.Prefix) IPRange {
	first := uint4(p.Masked().Addr())
	hostBits := 32 - p.Bits()
	var size uint32 = 1<<hostBits - 1
	if hostBits == 32 {
		size = ^uint32(0)
	}
	return IPRange{first, first + size}
}

// blockRanges returns the addresses of an IPv4 ipBlock (cidr less its
// exceptions) as sorted disjoint ranges. An IPv6 block has none: meshlint's
// external space is IPv4, as netpol-analyzer's.
func blockRanges(b *model.IPBlock) []IPRange {
	if b == nil || !b.CIDR.Addr().Is4() {
		return nil
	}
	out := []IPRange{prefixRange(b.CIDR)}
	for _, ex := range b.Except {
		if !ex.Addr().Is4() {
			continue
		}
		cut := prefixRange(ex)
		var next []IPRange
		for _, r := range out {
			if cut.Last < r.First || cut.First > r.Last {
				next = append(next, r)
				continue
			}
			if cut.First > r.First {
				next = append(next, IPRange{r.First, cut.First - 1})
			}
			if cut.Last < r.Last {
				next = append(next, IPRange{cut.Last + 1, r.Last})
			}
		}
		out = next
	}
	return out
}

// partition cuts the IPv4 space into the maximal ranges on which every block
// either holds all addresses or none. These are the external endpoints:
// every ipBlock peer matches a whole number of them.
//
// A cut falls where some block starts or ends, not at every cidr and except:
// two adjacent exceptions of one block (10.0.0.0/9 and 10.128.0.0/9) leave
// one range, 10.0.0.0-10.255.255.255, as netpol-analyzer prints it.
func partition(blocks [][]IPRange) []IPRange {
	cuts := []uint64{0, 1 << 32}
	for _, rs := range blocks {
		for _, r := range rs {
			cuts = append(cuts, uint64(r.First), uint64(r.Last)+1)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	out := make([]IPRange, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		out = append(out, IPRange{uint32(cuts[i]), uint32(cuts[i+1] - 1)})
	}
	return out
}

// rangesCovered returns the indexes of the ranges of parts (a partition) that
// lie inside rs.
func rangesCovered(parts []IPRange, rs []IPRange) []int32 {
	var out []int32
	for _, r := range rs {
		i, _ := slices.BinarySearchFunc(parts, r.First, func(p IPRange, v uint32) int {
			switch {
			case p.First < v:
				return -1
			case p.First > v:
				return 1
			}
			return 0
		})
		for ; i < len(parts) && parts[i].Last <= r.Last; i++ {
			out = append(out, int32(i))
		}
	}
	return out
}

// authzSourceRanges are the IPv4 ranges that authorization matches sources
// by: ipBlocks and notIpBlocks, `when: source.ip`, and the ips of legacy
// bindings. The outside space is cut at them too, so that every external
// range lies wholly inside a block or outside it and the mesh layer can say
// of each whether a rule matches.
func authzSourceRanges(m *model.Model) [][]IPRange {
	var out [][]IPRange
	add := func(values []string) {
		for _, v := range values {
			if r, ok := ipv4Range(v); ok {
				out = append(out, []IPRange{r})
			}
		}
	}
	for _, ap := range m.AuthorizationPolicies {
		for _, r := range ap.Spec.GetRules() {
			for _, f := range r.GetFrom() {
				add(f.GetSource().GetIpBlocks())
				add(f.GetSource().GetNotIpBlocks())
			}
			for _, c := range r.GetWhen() {
				if c.GetKey() == "source.ip" {
					add(c.GetValues())
					add(c.GetNotValues())
				}
			}
		}
	}
	for _, b := range m.ServiceRoleBindings {
		for _, s := range b.Spec.Subjects {
			add(s.IPs)
			add(s.NotIPs)
			if v, ok := s.Properties["source.ip"]; ok {
				add([]string{v})
			}
		}
	}
	return out
}

// ipv4Range reads an address or CIDR as Istio does; IPv6 has no range here.
func ipv4Range(v string) (IPRange, bool) {
	if !strings.Contains(v, "/") {
		a, err := netip.ParseAddr(v)
		if err != nil || !a.Is4() {
			return IPRange{}, false
		}
		return IPRange{uint4(a), uint4(a)}, true
	}
	p, err := netip.ParsePrefix(v)
	if err != nil || !p.Addr().Is4() {
		return IPRange{}, false
	}
	return prefixRange(p), true
}
