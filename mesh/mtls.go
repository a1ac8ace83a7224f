package mesh

import (
	"strconv"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// TLSMode is the mTLS mode a workload's port accepts.
type TLSMode string

const (
	Permissive TLSMode = "PERMISSIVE"
	Strict     TLSMode = "STRICT"
	Disable    TLSMode = "DISABLE"
)

// TLSSource says which PeerAuthentication field decided a mode; Policy is
// nil when Istio's default (PERMISSIVE) applies.
type TLSSource struct {
	Policy *model.PeerAuthentication
	Path   string
}

// MTLS returns the mode workload w accepts on port, as Istio enforces it,
// and where it comes from: port-level settings of a workload policy, then
// the workload policy, the namespace policy and the mesh policy, each UNSET
// inheriting from the next (pilot/pkg/security/authn/policy_applier.go,
// ComposePeerAuthentication).
//
// For an ambient workload only STRICT has an effect: HBONE between mesh
// workloads is always mTLS, and ztunnel enforces STRICT alone (istiod
// converts PeerAuthentication to a deny of identity-less connections,
// ambient/authorization.go convertedSelectorPeerAuthentications), so
// DISABLE acts as PERMISSIVE there. The source still names the policy.
func MTLS(m *model.Model, w *model.Workload, port int32) (TLSMode, TLSSource) {
	mode, src := declaredMTLS(m, w, port)
	if w.Mesh == model.MeshAmbient && mode == Disable {
		mode = Permissive
	}
	return mode, src
}

// DeclaredMTLS is the mode the PeerAuthentications give w on port before
// Istio's ambient data plane overrides it (MSH211 compares the two).
func DeclaredMTLS(m *model.Model, w *model.Workload, port int32) (TLSMode, TLSSource) {
	return declaredMTLS(m, w, port)
}

func declaredMTLS(m *model.Model, w *model.Workload, port int32) (TLSMode, TLSSource) {
	for _, pa := range scopedPeerAuthentications(m, w) {
		spec := pa.Spec
		if pa.Selector != nil {
			if pl, ok := spec.GetPortLevelMtls()[uint32(port)]; ok && pl.GetMode() != securityv1beta1.PeerAuthentication_MutualTLS_UNSET {
				return TLSMode(pl.GetMode().String()), TLSSource{pa, "spec.portLevelMtls[" + strconv.Quote(strconv.Itoa(int(port))) + "].mode"}
			}
		}
		if mode := spec.GetMtls().GetMode(); mode != securityv1beta1.PeerAuthentication_MutualTLS_UNSET {
			return TLSMode(mode.String()), TLSSource{pa, "spec.mtls.mode"}
		}
	}
	return Permissive, TLSSource{}
}

// scopedPeerAuthentications lists the policies that apply to w, most specific
// first: workload-scoped ones, the namespace one, then the mesh one; of
// several at one scope the oldest wins (creation time, then name:
// pilot/pkg/model/config.go configCompareByCreationTime). A policy with a
// selector in the root namespace is no workload policy and no mesh policy:
// Istio ignores it (ComposePeerAuthentication).
func scopedPeerAuthentications(m *model.Model, w *model.Workload) []*model.PeerAuthentication {
	var workload, namespace, mesh []*model.PeerAuthentication
	idx := peerAuthIndex(m)
	root := m.Settings.RootNamespace
	candidates := idx[w.Namespace]
	if w.Namespace != root {
		candidates = append(candidates[:len(candidates):len(candidates)], idx[root]...)
	}
	for _, pa := range candidates {
		ns := pa.Object.Namespace
		switch {
		case pa.Selector != nil && ns != root && ns == w.Namespace && pa.Selector.Matches(w.Labels):
			workload = append(workload, pa)
		case pa.Selector == nil && ns == w.Namespace && !pa.MeshWide:
			namespace = append(namespace, pa)
		case pa.Selector == nil && pa.MeshWide:
			mesh = append(mesh, pa)
		}
	}
	out := append(oldest(workload), oldest(namespace)...)
	return append(out, oldest(mesh)...)
}

// oldest keeps the policy Istio keeps of several at one scope.
func oldest(s []*model.PeerAuthentication) []*model.PeerAuthentication {
	if len(s) <= 1 {
		return s
	}
	first := s[0]
	for _, pa := range s[1:] {
		if OlderConfig(pa.Object, first.Object) {
			first = pa
		}
	}
	return []*model.PeerAuthentication{first}
}

// OlderConfig orders Istio configs as istiod does (config.go
// configCompareByCreationTime): creation time, then name, then namespace.
// Objects without a creationTimestamp are taken as applied now, after
// those that have one.
func OlderConfig(a, b *manifest.Object) bool {
	ta, oka := creationTime(a)
	tb, okb := creationTime(b)
	switch {
	case oka && okb && !ta.Equal(tb):
		return ta.Before(tb)
	case oka != okb:
		return oka
	case a.Name != b.Name:
		return a.Name < b.Name
	}
	return a.Namespace < b.Namespace
}

// peerAuthIndex groups PeerAuthentications by namespace, once per model.
func peerAuthIndex(m *model.Model) map[string][]*model.PeerAuthentication {
	return m.Derived("mesh/peerauth-by-namespace", func() any {
		idx := map[string][]*model.PeerAuthentication{}
		for _, pa := range m.PeerAuthentications {
			idx[pa.Object.Namespace] = append(idx[pa.Object.Namespace], pa)
		}
		return idx
	}).(map[string][]*model.PeerAuthentication)
}

// WorkloadPeerAuthentications returns the workload-scoped policies that
// select w (more than one is a conflict Istio resolves by age); root
// namespace policies are never workload-scoped.
func WorkloadPeerAuthentications(m *model.Model, w *model.Workload) []*model.PeerAuthentication {
	var out []*model.PeerAuthentication
	for _, pa := range peerAuthIndex(m)[w.Namespace] {
		if pa.Selector != nil && pa.Object.Namespace != m.Settings.RootNamespace && pa.Selector.Matches(w.Labels) {
			out = append(out, pa)
		}
	}
	return out
}
