package mesh

import (
	"strings"

	networkingv1beta1 "istio.io/api/networking/v1beta1"

	"github.com/meshlint/meshlint/model"
)

// HostWorkloads resolves a DestinationRule host (short, FQDN or wildcard,
// relative to the rule's namespace) to the workloads behind its Services.
func HostWorkloads(m *model.Model, ns, host string) []*model.Workload {
	var out []*model.Workload
	seen := map[*model.Workload]bool{}
	pattern := host
	if !strings.Contains(host, ".") {
		pattern = host + "." + ns + ".svc.cluster.local"
	}
	for _, svc := range m.Services {
		o := svc.Object
		fqdn := o.Name + "." + o.Namespace + ".svc.cluster.local"
		if !model.MatchString(pattern, fqdn) && host != o.Name+"."+o.Namespace {
			continue
		}
		for _, w := range m.ServiceWorkloads(svc) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// clientTLS is what DestinationRules tell in-mesh clients to send to a
// workload: per container port, and for every other port.
type clientTLS struct {
	all    networkingv1beta1.ClientTLSSettings_TLSmode
	byPort map[int32]networkingv1beta1.ClientTLSSettings_TLSmode
	set    bool
}

// destinationTLS indexes the DestinationRules' client TLS modes by
// destination workload, once per model.
func destinationTLS(m *model.Model) map[*model.Workload]*clientTLS {
	return m.Derived("mesh/destination-tls", func() any {
		idx := map[*model.Workload]*clientTLS{}
		get := func(w *model.Workload) *clientTLS {
			if idx[w] == nil {
				idx[w] = &clientTLS{byPort: map[int32]networkingv1beta1.ClientTLSSettings_TLSmode{}}
			}
			return idx[w]
		}
		for _, dr := range m.DestinationRules {
			tp := dr.Spec.GetTrafficPolicy()
			if tp == nil {
				continue
			}
			for _, w := range HostWorkloads(m, dr.Object.Namespace, dr.Spec.GetHost()) {
				if tls := tp.GetTls(); tls != nil {
					c := get(w)
					c.all, c.set = tls.GetMode(), true
				}
				for _, pl := range tp.GetPortLevelSettings() {
					if pl.GetTls() == nil {
						continue
					}
					// DestinationRule ports are Service ports: find the
					// container port each reaches.
					for _, svc := range m.ServicesIn(w.Namespace) {
						if len(svc.Selector) == 0 || !svc.Selector.AsSelector().Matches(w.Labels) {
							continue
						}
						for _, sp := range svc.Ports {
							if uint32(sp.Port) == pl.GetPort().GetNumber() {
								if tp := TargetPort(w, sp); tp != 0 {
									get(w).byPort[tp] = pl.GetTls().GetMode()
								}
							}
						}
					}
				}
			}
		}
		return idx
	}).(map[*model.Workload]*clientTLS)
}

// sendsIstioMTLS reports whether an in-mesh client uses Istio mTLS toward
// dst's port: unless a DestinationRule says DISABLE (plaintext) or SIMPLE or
// MUTUAL (TLS of its own), auto mTLS does.
func sendsIstioMTLS(m *model.Model, dst *model.Workload, port int32) bool {
	c := destinationTLS(m)[dst]
	if c == nil {
		return true
	}
	mode, ok := c.byPort[port]
	if !ok {
		if !c.set {
			return true
		}
		mode = c.all
	}
	switch mode {
	case networkingv1beta1.ClientTLSSettings_DISABLE, networkingv1beta1.ClientTLSSettings_SIMPLE, networkingv1beta1.ClientTLSSettings_MUTUAL:
		return false
	}
	return true
}
