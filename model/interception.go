package model

import (
	"net/netip"
	"strconv"
	"strings"
)

// Annotations that shape which traffic a sidecar intercepts (the injector
// turns them into istio-init / istio-cni arguments:
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml).
const (
	AnnotationExcludeInboundPorts   = "traffic.sidecar.istio.io/excludeInboundPorts"
	AnnotationIncludeInboundPorts   = "traffic.sidecar.istio.io/includeInboundPorts"
	AnnotationExcludeOutboundPorts  = "traffic.sidecar.istio.io/excludeOutboundPorts"
	AnnotationExcludeOutboundRanges = "traffic.sidecar.istio.io/excludeOutboundIPRanges"
	AnnotationIncludeOutboundRanges = "traffic.sidecar.istio.io/includeOutboundIPRanges"
)

// Interception is which of a sidecar workload's traffic its proxy sees.
// Traffic it does not see skips mTLS, authorization and the Sidecar egress
// scope.
type Interception struct {
	// ExcludedInbound are inbound ports that go straight to the app.
	ExcludedInbound []int32
	// IncludedInbound, when not nil, are the only inbound ports redirected
	// (includeInboundPorts other than "*"); empty means none.
	IncludedInbound []int32
	// ExcludedOutbound are outbound ports that skip the sidecar.
	ExcludedOutbound []int32
	// ExcludedRanges skip the sidecar; IncludedRanges, when not nil, are the
	// only outbound ranges it takes (includeOutboundIPRanges other than "*").
	ExcludedRanges []netip.Prefix
	IncludedRanges []netip.Prefix
}

// InboundIntercepted reports whether the sidecar sees inbound traffic to port.
//
// The injector also excludes the proxy's own ports (15020, 15021, 15090:
// injection-template.yaml); there Envoy or pilot-agent answers, not the
// application, so they are left to the annotations a dumped pod carries.
func (i *Interception) InboundIntercepted(port int32) bool {
	if i == nil {
		return true
	}
	for _, p := range i.ExcludedInbound {
		if p == port {
			return false
		}
	}
	if i.IncludedInbound == nil {
		return true
	}
	for _, p := range i.IncludedInbound {
		if p == port {
			return true
		}
	}
	return false
}

// OutboundPortIntercepted reports whether the sidecar sees outbound traffic
// to port.
func (i *Interception) OutboundPortIntercepted(port int32) bool {
	if i == nil {
		return true
	}
	for _, p := range i.ExcludedOutbound {
		if p == port {
			return false
		}
	}
	return true
}

// OutboundAddressIntercepted says whether the sidecar sees outbound traffic
// to every address of [first, last]: yes, no, or (known false) depends on
// the address. Pod addresses are unknown: for them first and last are the
// zero Addr, and only a rule that covers every address decides.
func (i *Interception) OutboundAddressIntercepted(first, last netip.Addr) (intercepted, known bool) {
	if i == nil {
		return true, true
	}
	covers := func(list []netip.Prefix) (all, some bool) {
		for _, p := range list {
			if p.Bits() == 0 {
				return true, true
			}
			if first.IsValid() && p.Contains(first) && p.Contains(last) {
				return true, true
			}
			if first.IsValid() && (p.Contains(first) || p.Contains(last)) {
				some = true
			}
		}
		return false, some
	}
	if all, some := covers(i.ExcludedRanges); all {
		return false, true
	} else if some {
		return false, false
	}
	if i.IncludedRanges == nil {
		return true, true
	}
	if all, some := covers(i.IncludedRanges); all {
		return true, true
	} else if some || !first.IsValid() {
		return false, false
	}
	return false, true
}

// readInterception parses a pod template's traffic annotations; nil when it
// has none.
func readInterception(annotations map[string]string) *Interception {
	var i Interception
	found := false
	if v, ok := annotations[AnnotationExcludeInboundPorts]; ok {
		i.ExcludedInbound, found = portList(v), true
	}
	if v, ok := annotations[AnnotationIncludeInboundPorts]; ok && strings.TrimSpace(v) != "*" {
		i.IncludedInbound, found = append([]int32{}, portList(v)...), true
	}
	if v, ok := annotations[AnnotationExcludeOutboundPorts]; ok {
		i.ExcludedOutbound, found = portList(v), true
	}
	if v, ok := annotations[AnnotationExcludeOutboundRanges]; ok {
		i.ExcludedRanges, found = prefixList(v), true
	}
	if v, ok := annotations[AnnotationIncludeOutboundRanges]; ok && strings.TrimSpace(v) != "*" {
		i.IncludedRanges, found = append([]netip.Prefix{}, prefixList(v)...), true
	}
	if !found {
		return nil
	}
	return &i
}

func portList(v string) []int32 {
	var out []int32
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 && n < 65536 {
			out = append(out, int32(n))
		}
	}
	return out
}

func prefixList(v string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "*" {
			out = append(out, netip.MustParsePrefix("0.0.0.0/0"))
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}
