package model

import (
	"sort"
	"strings"

	networkingv1beta1 "istio.io/api/networking/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// Sidecar is an Istio Sidecar resource: which destinations the sidecars it
// selects know (egress), and what they do with the rest.
type Sidecar struct {
	Object *manifest.Object
	Spec   *networkingv1beta1.Sidecar
	// Selector is nil for a Sidecar without workloadSelector (its namespace,
	// or, in the root namespace, the mesh).
	Selector labels.Selector
	// Egress are the hosts of every egress listener; a Sidecar without
	// egress imports */* (pilot/pkg/model/sidecar.go,
	// initSidecarScopeInternalIndexes).
	Egress []EgressHost
	// Outbound is the Sidecar's own outboundTrafficPolicy mode, or "" when
	// it has none (the mesh's applies). A policy without mode is
	// REGISTRY_ONLY, the proto's zero value.
	Outbound string
	// OutboundPath is the field that sets Outbound.
	OutboundPath string
}

// EgressHost is one `namespace/dnsName` entry of a Sidecar's egress hosts.
type EgressHost struct {
	// Namespace is a namespace, "*" for any, or "." already resolved to the
	// workload's namespace when matched (kept as "." here).
	Namespace string
	Host      string // "*", "*.suffix" or an exact name
	// Excluded marks a "~ns/host" entry: matching hosts are left out.
	Excluded bool
	Path     string
}

// SidecarFor returns the Sidecar resource that governs w's sidecar, or nil:
// the first (by name) of w's namespace whose workloadSelector matches w,
// else its namespace's Sidecar without selector, else the root namespace's
// (pilot/pkg/model/push_context.go, doGetSidecarScope and
// initSidecarScopes; Istio orders by creation time, which manifests do not
// say). Gateways and waypoints never use one.
func (m *Model) SidecarFor(w *Workload) *Sidecar { return w.sidecar }

func (m *Model) sidecarFor(w *Workload) *Sidecar {
	if w.Mesh != MeshSidecar || w.Gateway != NotGateway || len(m.Sidecars) == 0 {
		return nil
	}
	var nsWide *Sidecar
	for _, sc := range m.sidecarsByNS[w.Namespace] {
		if sc.Selector == nil {
			if nsWide == nil {
				nsWide = sc
			}
			continue
		}
		if sc.Selector.Matches(w.Labels) {
			return sc
		}
	}
	if nsWide != nil {
		return nsWide
	}
	for _, sc := range m.sidecarsByNS[m.Settings.RootNamespace] {
		if sc.Selector == nil {
			return sc
		}
	}
	return nil
}

// OutboundPolicy returns the outbound traffic policy of w's sidecar and the
// Sidecar that sets it (nil: the mesh's).
func (m *Model) OutboundPolicy(w *Workload) (string, *Sidecar) {
	if sc := m.SidecarFor(w); sc != nil && sc.Outbound != "" {
		return sc.Outbound, sc
	}
	return m.Settings.OutboundTrafficPolicy, nil
}

func (m *Model) buildSidecars() {
	for _, o := range m.byKind["Sidecar"] {
		if Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		spec := &networkingv1beta1.Sidecar{}
		usable, clean := m.decodeProto(o, "spec", spec)
		if !usable {
			continue
		}
		sc := &Sidecar{Object: o, Spec: spec}
		if sel := spec.GetWorkloadSelector().GetLabels(); len(sel) > 0 {
			s, err := labels.ValidatedSelectorFromSet(sel)
			if err != nil {
				m.addSpecError(o, "spec.workloadSelector.labels", "invalid selector: %v", err)
				continue
			}
			sc.Selector = s
		}
		for i, l := range spec.GetEgress() {
			path := manifest.JoinIndex("spec.egress", i) + ".hosts"
			if len(l.GetHosts()) == 0 {
				m.addSpecError(o, manifest.JoinIndex("spec.egress", i), "an egress listener needs hosts")
			}
			for j, h := range l.GetHosts() {
				eh, ok := parseEgressHost(h)
				if !ok {
					m.addSpecError(o, manifest.JoinIndex(path, j), "egress host %q must be namespace/dnsName (./*, */*, istio-system/*, */*.example.com)", h)
					continue
				}
				eh.Path = manifest.JoinIndex(path, j)
				sc.Egress = append(sc.Egress, eh)
			}
		}
		if len(spec.GetEgress()) == 0 {
			sc.Egress = []EgressHost{{Namespace: "*", Host: "*", Path: "spec"}}
		}
		if p := spec.GetOutboundTrafficPolicy(); p != nil {
			sc.Outbound = RegistryOnly
			if p.GetMode() == networkingv1beta1.OutboundTrafficPolicy_ALLOW_ANY {
				sc.Outbound = AllowAny
			}
			sc.OutboundPath = "spec.outboundTrafficPolicy"
			if o.Lookup("spec.outboundTrafficPolicy.mode") != nil {
				sc.OutboundPath += ".mode"
			}
		}
		if !clean {
			continue
		}
		if m.sidecarsByNS == nil {
			m.sidecarsByNS = map[string][]*Sidecar{}
		}
		m.Sidecars = append(m.Sidecars, sc)
		m.sidecarsByNS[o.Namespace] = append(m.sidecarsByNS[o.Namespace], sc)
	}
	for _, list := range m.sidecarsByNS {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Object.Name < list[j].Object.Name })
	}
	for _, w := range m.Workloads {
		w.sidecar = m.sidecarFor(w)
	}
}

// parseEgressHost splits `ns/dnsName`; "~ns/host" excludes, and a bare "~"
// namespace stands for any (pilot/pkg/model/sidecar.go,
// convertIstioListenerToWrapper).
func parseEgressHost(h string) (EgressHost, bool) {
	if strings.Count(h, "/") != 1 {
		return EgressHost{}, false
	}
	ns, name, _ := strings.Cut(h, "/")
	if ns == "" || name == "" {
		return EgressHost{}, false
	}
	eh := EgressHost{Namespace: ns, Host: name}
	if strings.HasPrefix(ns, "~") {
		eh.Excluded = true
		eh.Namespace = strings.TrimPrefix(ns, "~")
		if eh.Namespace == "" {
			eh.Namespace = "*"
		}
	}
	return eh, true
}

// MatchHost applies Istio's host matching (pkg/config/host/name.go,
// SubsetOf): is every name host stands for also matched by pattern? "*"
// matches everything, "*.example.com" any name ending in ".example.com"
// (and a narrower wildcard such as "*.api.example.com").
func MatchHost(pattern, host string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasPrefix(pattern, "*"):
		suffix := pattern[1:]
		if strings.HasPrefix(host, "*") {
			return strings.HasSuffix(host[1:], suffix)
		}
		return strings.HasSuffix(host, suffix)
	case strings.HasPrefix(host, "*"):
		return false
	}
	return strings.EqualFold(pattern, host)
}
