package mesh

import (
	"sort"
	"strconv"

	securityv1beta1 "istio.io/api/security/v1beta1"

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

// MTLS returns the mode workload w accepts on port, and where it comes from:
// port-level settings of a workload policy, then the workload policy, the
// namespace policy and the mesh policy, each UNSET inheriting from the next.
func MTLS(m *model.Model, w *model.Workload, port int32) (TLSMode, TLSSource) {
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
// first: workload-scoped ones (the oldest, here the first by name, wins a
// conflict, as in Istio), the namespace one, then the mesh one.
func scopedPeerAuthentications(m *model.Model, w *model.Workload) []*model.PeerAuthentication {
	var workload, namespace, mesh []*model.PeerAuthentication
	idx := peerAuthIndex(m)
	for _, pa := range append(idx[w.Namespace], idx[m.Settings.RootNamespace]...) {
		ns := pa.Object.Namespace
		switch {
		case pa.Selector != nil && ns == w.Namespace && pa.Selector.Matches(w.Labels):
			workload = append(workload, pa)
		case pa.Selector == nil && ns == w.Namespace && !pa.MeshWide:
			namespace = append(namespace, pa)
		case pa.Selector == nil && pa.MeshWide:
			mesh = append(mesh, pa)
		}
	}
	byName := func(s []*model.PeerAuthentication) []*model.PeerAuthentication {
		sort.SliceStable(s, func(i, j int) bool { return s[i].Object.Name < s[j].Object.Name })
		if len(s) > 1 {
			s = s[:1]
		}
		return s
	}
	out := append(byName(workload), byName(namespace)...)
	return append(out, byName(mesh)...)
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
// select w (more than one is a conflict Istio resolves by age).
func WorkloadPeerAuthentications(m *model.Model, w *model.Workload) []*model.PeerAuthentication {
	var out []*model.PeerAuthentication
	for _, pa := range m.PeerAuthentications {
		if pa.Selector != nil && pa.Object.Namespace == w.Namespace && pa.Selector.Matches(w.Labels) {
			out = append(out, pa)
		}
	}
	return out
}
