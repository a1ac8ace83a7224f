package model

import (
	networkingv1beta1 "istio.io/api/networking/v1beta1"
	securityv1beta1 "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// AuthorizationPolicy is an Istio AuthorizationPolicy (security.istio.io v1
// and v1beta1 share the schema).
type AuthorizationPolicy struct {
	Object *manifest.Object
	Spec   *securityv1beta1.AuthorizationPolicy
	// Selector is nil when the policy has no selector (every workload of its
	// namespace, or of the mesh in the root namespace).
	Selector labels.Selector
	// MeshWide is true for a policy in the root namespace.
	MeshWide bool
	// TargetRefs is true when the policy attaches by targetRef(s) (waypoints
	// and gateways) rather than by selector.
	TargetRefs bool
	// DryRun is set by the annotation istio.io/dry-run: logged, not enforced.
	DryRun  bool
	targets policyTargets
	// targeted are the workloads a targetRefs policy governs: those behind
	// a targeted Service that a waypoint serves, and the targeted gateways'
	// and waypoints' own pods.
	targeted map[*Workload]bool
}

// policyTargets are what a policy's targetRefs name.
type policyTargets struct {
	services      []*Service
	gateways      []string // Gateway API Gateways of the policy's namespace
	waypointClass bool     // GatewayClass istio-waypoint, from the root namespace
}

// Applies reports whether the policy governs workload w: its own proxy
// (sidecar, ztunnel, gateway or waypoint) or a waypoint in front of it
// enforces it.
func (ap *AuthorizationPolicy) Applies(w *Workload) bool {
	if ap.TargetRefs {
		return ap.targeted[w]
	}
	return ap.AtProxy(w)
}

// AtProxy reports whether w's own proxy enforces the policy. Istio attaches
// a policy with targetRefs only to the gateways and waypoints it names (a
// sidecar ignores it), and never attaches selector or namespace-wide
// policies to waypoints (pilot/pkg/model/policyattachment.go,
// ShouldAttachPolicy; Gateway API gateways of class istio still take them,
// since ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY defaults to true).
func (ap *AuthorizationPolicy) AtProxy(w *Workload) bool {
	if ap.TargetRefs {
		switch {
		case w.Gateway == GatewayWaypoint && ap.targets.waypointClass:
			return true
		case w.Gateway == NotGateway || w.Namespace != ap.Object.Namespace:
			return false
		}
		gw := w.Labels[labelGatewayName]
		for _, name := range ap.targets.gateways {
			if gw != "" && name == gw {
				return true
			}
		}
		return false
	}
	if w.Gateway == GatewayWaypoint {
		return false
	}
	if !ap.MeshWide && w.Namespace != ap.Object.Namespace {
		return false
	}
	return ap.Selector == nil || ap.Selector.Matches(w.Labels)
}

// AtWaypoint reports whether waypoint wp enforces the policy for traffic to
// svc (nil: traffic addressed to a workload): the policy names svc, or wp
// itself, or, from the root namespace, the istio-waypoint GatewayClass.
func (ap *AuthorizationPolicy) AtWaypoint(wp *Gateway, svc *Service) bool {
	if !ap.TargetRefs {
		return false
	}
	if ap.targets.waypointClass {
		return true
	}
	for _, s := range ap.targets.services {
		if s == svc {
			return true
		}
	}
	if wp.Object.Namespace != ap.Object.Namespace {
		return false
	}
	for _, name := range ap.targets.gateways {
		if name == wp.Object.Name {
			return true
		}
	}
	return false
}

// TargetServices returns the Services the policy's targetRefs name.
func (ap *AuthorizationPolicy) TargetServices() []*Service { return ap.targets.services }

// TargetGateways returns the names of the Gateway API Gateways the policy's
// targetRefs name.
func (ap *AuthorizationPolicy) TargetGateways() []string { return ap.targets.gateways }

// PeerAuthentication is an Istio PeerAuthentication.
type PeerAuthentication struct {
	Object   *manifest.Object
	Spec     *securityv1beta1.PeerAuthentication
	Selector labels.Selector // nil: namespace (or mesh) scope
	MeshWide bool
}

// DestinationRule is an Istio DestinationRule.
type DestinationRule struct {
	Object *manifest.Object
	Spec   *networkingv1beta1.DestinationRule
}

func (m *Model) buildIstio() {
	for _, o := range m.byKind["AuthorizationPolicy"] {
		if Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		spec := &securityv1beta1.AuthorizationPolicy{}
		usable, clean := m.decodeProto(o, "spec", spec)
		if !usable {
			continue
		}
		ap := &AuthorizationPolicy{Object: o, Spec: spec, MeshWide: o.Namespace == m.Settings.RootNamespace}
		valid := m.validateAuthz(ap)
		ap.Selector = m.workloadSelector(o, "spec.selector", spec.GetSelector())
		ap.TargetRefs = spec.GetTargetRef() != nil || len(spec.GetTargetRefs()) > 0
		ap.targets = m.resolveTargets(o.Namespace, spec)
		ap.targeted = m.targetedWorkloads(ap)
		ap.DryRun = dryRun(o)
		// The API server refuses unknown fields, and istiod's validating
		// webhook what its validation rejects: the object never exists.
		if clean && valid {
			m.AuthorizationPolicies = append(m.AuthorizationPolicies, ap)
		}
	}
	for _, o := range m.byKind["PeerAuthentication"] {
		if Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		spec := &securityv1beta1.PeerAuthentication{}
		usable, clean := m.decodeProto(o, "spec", spec)
		if !usable {
			continue
		}
		pa := &PeerAuthentication{Object: o, Spec: spec, MeshWide: o.Namespace == m.Settings.RootNamespace}
		pa.Selector = m.workloadSelector(o, "spec.selector", spec.GetSelector())
		m.validatePeerAuthentication(pa)
		if clean {
			m.PeerAuthentications = append(m.PeerAuthentications, pa)
		}
	}
	for _, o := range m.byKind["DestinationRule"] {
		if Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		spec := &networkingv1beta1.DestinationRule{}
		usable, clean := m.decodeProto(o, "spec", spec)
		if !usable {
			continue
		}
		if spec.GetHost() == "" {
			m.addSpecError(o, "spec", "DestinationRule needs spec.host")
		}
		m.checkDryRun(o, "")
		if clean {
			m.DestinationRules = append(m.DestinationRules, &DestinationRule{Object: o, Spec: spec})
		}
	}
}

func (m *Model) workloadSelector(o *manifest.Object, path string, sel *typev1beta1.WorkloadSelector) labels.Selector {
	if sel == nil || len(sel.GetMatchLabels()) == 0 {
		return nil
	}
	s, err := labels.ValidatedSelectorFromSet(sel.GetMatchLabels())
	if err != nil {
		m.addSpecError(o, path+".matchLabels", "invalid selector: %v", err)
		return labels.Nothing()
	}
	return s
}

// resolveTargets reads what targetRefs name: Services of the policy's
// namespace, its Gateway API Gateways, and the istio-waypoint GatewayClass
// (attached from the root namespace only).
func (m *Model) resolveTargets(ns string, spec *securityv1beta1.AuthorizationPolicy) policyTargets {
	refs := spec.GetTargetRefs()
	if r := spec.GetTargetRef(); r != nil {
		refs = append(refs, r)
	}
	var t policyTargets
	for _, r := range refs {
		if r.GetNamespace() != "" && r.GetNamespace() != ns {
			continue // Istio supports no cross-namespace reference: it attaches to nothing
		}
		group := r.GetGroup()
		switch {
		case r.GetKind() == "Service" && (group == "" || group == "core"):
			for _, svc := range m.servicesByNS[ns] {
				if svc.Object.Name == r.GetName() {
					t.services = append(t.services, svc)
				}
			}
		case r.GetKind() == "Gateway" && group == "gateway.networking.k8s.io":
			t.gateways = append(t.gateways, r.GetName())
		case r.GetKind() == "GatewayClass" && group == "gateway.networking.k8s.io" && r.GetName() == waypointClass && ns == m.Settings.RootNamespace:
			t.waypointClass = true
		}
	}
	return t
}

// targetedWorkloads are the workloads a targetRefs policy governs: the
// gateways and waypoints it attaches to, and the workloads behind the
// waypoints that enforce it.
func (m *Model) targetedWorkloads(ap *AuthorizationPolicy) map[*Workload]bool {
	if !ap.TargetRefs {
		return nil
	}
	var out map[*Workload]bool
	add := func(w *Workload) {
		if out == nil {
			out = map[*Workload]bool{}
		}
		out[w] = true
	}
	for _, g := range m.gateways {
		for _, w := range g.Workloads {
			if ap.AtProxy(w) {
				add(w)
			}
		}
	}
	for w, routes := range m.waypointRoutes {
		for _, r := range routes {
			if ap.AtWaypoint(r.Waypoint, r.Service) {
				add(w)
				break
			}
		}
	}
	return out
}
