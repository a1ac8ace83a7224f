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
	DryRun bool
	// targeted are the workloads behind the Services the targetRefs name:
	// their waypoint enforces the policy for them. Gateways and ServiceEntries
	// are not workloads of the set.
	targeted map[*Workload]bool
}

// Applies reports whether the policy governs workload w's sidecar (or ztunnel).
func (ap *AuthorizationPolicy) Applies(w *Workload) bool {
	if ap.TargetRefs {
		return ap.targeted[w]
	}
	if !ap.MeshWide && w.Namespace != ap.Object.Namespace {
		return false
	}
	return ap.Selector == nil || ap.Selector.Matches(w.Labels)
}

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
		ap.targeted = m.serviceTargets(o.Namespace, spec)
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

// serviceTargets resolves targetRefs of kind Service to the workloads the
// Services select.
func (m *Model) serviceTargets(ns string, spec *securityv1beta1.AuthorizationPolicy) map[*Workload]bool {
	refs := spec.GetTargetRefs()
	if r := spec.GetTargetRef(); r != nil {
		refs = append(refs, r)
	}
	var out map[*Workload]bool
	for _, r := range refs {
		if r.GetKind() != "Service" || (r.GetGroup() != "" && r.GetGroup() != "core") {
			continue
		}
		for _, svc := range m.servicesByNS[ns] {
			if svc.Object.Name != r.GetName() {
				continue
			}
			for _, w := range m.ServiceWorkloads(svc) {
				if out == nil {
					out = map[*Workload]bool{}
				}
				out[w] = true
			}
		}
	}
	return out
}
