package explain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/connectivity"
)

// Port is one port asked about.
type Port struct {
	Protocol connectivity.Protocol
	// Number is 0 for the ports no policy of either layer names, which are
	// all decided alike: Sample stands for them (1 when 0).
	Number int32
	Sample int32
	// Others marks Number 0 beside named ports: "other TCP ports".
	Others bool
}

// anyPortSample is the port that stands for every port when none is named.
const anyPortSample = 1

func (p Port) String() string {
	switch {
	case p.Number == 0 && p.Others:
		return "other " + p.Protocol.String() + " ports"
	case p.Number == 0:
		return "any " + p.Protocol.String() + " port"
	}
	return p.Protocol.String() + " " + strconv.Itoa(int(p.Number))
}

// sample is the port number evaluated for p.
func (p Port) sample() int32 {
	switch {
	case p.Number != 0:
		return p.Number
	case p.Sample != 0:
		return p.Sample
	}
	return anyPortSample
}

// ParsePort reads PORT[/PROTO]: 8080, 8080/TCP, 53/udp.
func ParsePort(s string) (Port, error) {
	num, proto, hasProto := strings.Cut(s, "/")
	p := Port{Protocol: connectivity.TCP}
	if hasProto {
		pr, ok := connectivity.ParseProtocol(strings.ToUpper(proto))
		if !ok {
			return p, fmt.Errorf("port %q: protocol %q is not TCP, UDP or SCTP", s, proto)
		}
		p.Protocol = pr
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < connectivity.MinPort || n > connectivity.MaxPort {
		return p, fmt.Errorf("port %q: want a number from %d to %d, then /TCP, /UDP or /SCTP", s, connectivity.MinPort, connectivity.MaxPort)
	}
	p.Number = int32(n)
	return p, nil
}

// SplitDestination splits DST[:PORT[/PROTO]]. An IPv6 address is not
// modelled, so every colon before the port belongs to the name only when
// there are several of them.
func SplitDestination(s string) (name string, port *Port, err error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || strings.Count(s, ":") > 1 {
		return s, nil, nil
	}
	p, err := ParsePort(s[i+1:])
	if err != nil {
		return "", nil, err
	}
	return s[:i], &p, nil
}

// portsNamed lists the ports either layer names for the pair: the ports
// the rules of both sides' isolating NetworkPolicies open (a range by its
// first port), the destination's container ports, and the TCP ports where
// its mesh verdict can change. facts are the network's, one per range for
// a ServiceEntry host. With none named, one "any port" stands for all.
func portsNamed(facts []connectivity.NetworkFacts, dst *Endpoint, meshPorts []int32) []Port {
	set := map[Port]bool{}
	for _, nf := range facts {
		for _, side := range []connectivity.SideFacts{nf.Egress, nf.Ingress} {
			for _, r := range side.Rules {
				if !r.Matches {
					continue
				}
				for _, proto := range []connectivity.Protocol{connectivity.SCTP, connectivity.TCP, connectivity.UDP} {
					for _, pr := range r.Ports.Ranges(proto) {
						if pr.First != connectivity.MinPort || pr.Last != connectivity.MaxPort {
							set[Port{Protocol: proto, Number: pr.First}] = true
						}
					}
				}
			}
		}
	}
	if w := dst.Workload; w != nil {
		for _, cp := range w.Ports {
			if proto, ok := connectivity.ParseProtocol(cp.Protocol); ok {
				set[Port{Protocol: proto, Number: cp.Port}] = true
			}
		}
	}
	for _, p := range meshPorts {
		set[Port{Protocol: connectivity.TCP, Number: p}] = true
	}
	if len(set) == 0 {
		return []Port{{Protocol: connectivity.TCP}}
	}
	out := make([]Port, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	// TCP first: what the mesh governs.
	rank := map[connectivity.Protocol]int{connectivity.TCP: 0, connectivity.UDP: 1, connectivity.SCTP: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Protocol != out[j].Protocol {
			return rank[out[i].Protocol] < rank[out[j].Protocol]
		}
		return out[i].Number < out[j].Number
	})
	return out
}
