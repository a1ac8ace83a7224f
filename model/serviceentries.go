package model

import (
	"net/netip"
	"strings"

	networkingv1beta1 "istio.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// ServiceEntry is an Istio ServiceEntry: hosts the mesh knows besides the
// Kubernetes Services.
type ServiceEntry struct {
	Object *manifest.Object
	Spec   *networkingv1beta1.ServiceEntry
	Hosts  []string
	// External is location MESH_EXTERNAL (the default): the hosts are
	// outside the mesh.
	External bool
	// Addresses are the entry's addresses as prefixes (a bare address is
	// a /32 or /128).
	Addresses []netip.Prefix
	// Selector, for an entry with workloadSelector, picks the pods of its
	// namespace that serve its hosts.
	Selector labels.Selector
	exportTo []string
}

// Visible reports whether the entry is exported to namespace ns
// (spec.exportTo: "." its own namespace, "*" every one, "~" none, or
// namespace names; all namespaces when empty, Istio's default
// defaultServiceExportTo).
func (se *ServiceEntry) Visible(ns string) bool {
	return exportedTo(se.exportTo, se.Object.Namespace, ns)
}

// exportedTo applies Istio's exportTo values.
func exportedTo(exportTo []string, own, ns string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		switch e {
		case "*":
			return true
		case ".":
			if ns == own {
				return true
			}
		case "~":
		default:
			if e == ns {
				return true
			}
		}
	}
	return false
}

// ServiceVisible reports whether a Kubernetes Service is exported to
// namespace ns (annotation networking.istio.io/exportTo, comma-separated).
func ServiceVisible(svc *Service, ns string) bool {
	v, ok := svc.Object.Annotations["networking.istio.io/exportTo"]
	if !ok {
		return true
	}
	var list []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			list = append(list, e)
		}
	}
	return exportedTo(list, svc.Object.Namespace, ns)
}

// ServiceHost is the name the mesh knows a Kubernetes Service by.
func ServiceHost(svc *Service) string {
	return svc.Object.Name + "." + svc.Object.Namespace + ".svc.cluster.local"
}

func (m *Model) buildServiceEntries() {
	for _, o := range m.byKind["ServiceEntry"] {
		if Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		spec := &networkingv1beta1.ServiceEntry{}
		usable, clean := m.decodeProto(o, "spec", spec)
		if !usable {
			continue
		}
		se := &ServiceEntry{Object: o, Spec: spec, Hosts: spec.GetHosts(), External: spec.GetLocation() == networkingv1beta1.ServiceEntry_MESH_EXTERNAL, exportTo: spec.GetExportTo()}
		if len(se.Hosts) == 0 {
			m.addSpecError(o, "spec", "a ServiceEntry needs hosts")
		}
		for i, a := range spec.GetAddresses() {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				addr, aerr := netip.ParseAddr(a)
				if aerr != nil {
					m.addSpecError(o, manifest.JoinIndex("spec.addresses", i), "address %q is neither an IP address nor a CIDR", a)
					continue
				}
				p = netip.PrefixFrom(addr, addr.BitLen())
			}
			se.Addresses = append(se.Addresses, p.Masked())
		}
		if sel := spec.GetWorkloadSelector().GetLabels(); len(sel) > 0 {
			if s, err := labels.ValidatedSelectorFromSet(sel); err == nil {
				se.Selector = s
			} else {
				m.addSpecError(o, "spec.workloadSelector.labels", "invalid selector: %v", err)
			}
		}
		if clean {
			m.ServiceEntries = append(m.ServiceEntries, se)
		}
	}
}

// OutsideHosts are the hosts of ServiceEntries that stand for destinations
// outside the cluster (no workloadSelector picks pods of the set for them),
// each once, in load order.
func (m *Model) OutsideHosts() []string {
	var out []string
	seen := map[string]bool{}
	for _, se := range m.ServiceEntries {
		if se.Selector != nil {
			continue
		}
		for _, h := range se.Hosts {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out
}
