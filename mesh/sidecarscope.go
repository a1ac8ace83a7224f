package mesh

import (
	"sync"
	"sync/atomic"

	"github.com/meshlint/meshlint/model"
)

// A sidecar knows the destinations its Sidecar resource's egress hosts
// import (every visible one without a Sidecar): Services by their
// `name.namespace.svc.cluster.local` host, ServiceEntries by theirs, each
// only where exported (pilot/pkg/model/sidecar.go, selectServices and
// hostClassification.Matches; exportTo on Services and ServiceEntries).

// importsHost reports whether egress hosts hs, seen from a workload of
// namespace ns, import host of namespace hostNS. "~" entries exclude.
func importsHost(hs []model.EgressHost, ns, hostNS, host string) bool {
	nsMatches := func(h model.EgressHost) bool {
		switch h.Namespace {
		case "*":
			return true
		case ".":
			return hostNS == ns
		}
		return h.Namespace == hostNS
	}
	for _, h := range hs {
		if h.Excluded && nsMatches(h) && model.MatchHost(h.Host, host) {
			return false
		}
	}
	for _, h := range hs {
		if !h.Excluded && nsMatches(h) && model.MatchHost(h.Host, host) {
			return true
		}
	}
	return false
}

// defaultEgress is the scope of a sidecar without Sidecar resource.
var defaultEgress = []model.EgressHost{{Namespace: "*", Host: "*"}}

func egressHosts(sc *model.Sidecar) []model.EgressHost {
	if sc == nil {
		return defaultEgress
	}
	return sc.Egress
}

// knowsWorkload reports whether a sidecar with egress hosts hs, in
// namespace ns, knows workload dst: some Service (or ServiceEntry whose
// workloadSelector picks dst) visible in ns that hs import. A workload no
// Service fronts is known only to a scope that imports every host of its
// namespace (ns/* or */*): the set may simply lack its Service.
func knowsWorkload(m *model.Model, hs []model.EgressHost, ns string, dst *model.Workload) bool {
	svcs := m.ServicesOf(dst)
	named := len(svcs) > 0
	for _, svc := range svcs {
		if model.ServiceVisible(svc, ns) && importsHost(hs, ns, svc.Object.Namespace, model.ServiceHost(svc)) {
			return true
		}
	}
	for _, se := range m.ServiceEntries {
		if se.Selector == nil || se.Object.Namespace != dst.Namespace || !se.Selector.Matches(dst.Labels) {
			continue
		}
		named = true
		if !se.Visible(ns) {
			continue
		}
		for _, h := range se.Hosts {
			if importsHost(hs, ns, se.Object.Namespace, h) {
				return true
			}
		}
	}
	return !named && importsHost(hs, ns, dst.Namespace, "*")
}

// scopeTables caches, per Sidecar scope and client namespace, whether each
// workload of the model is known: a byte per workload, not a map per pair.
type scopeTables struct {
	m      *model.Model
	tables sync.Map // scopeKey -> []atomic.Uint32 (0 not computed, 1 known, 2 unknown)
	// open is set when nothing narrows any sidecar's view: no Sidecar
	// resource, no Service or ServiceEntry exported to a few namespaces.
	open bool
}

type scopeKey struct {
	sc *model.Sidecar
	ns string
}

func newScopeTables(m *model.Model) *scopeTables {
	t := &scopeTables{m: m, open: len(m.Sidecars) == 0}
	if t.open {
		for _, svc := range m.Services {
			if _, ok := svc.Object.Annotations["networking.istio.io/exportTo"]; ok {
				t.open = false
				break
			}
		}
		for _, se := range m.ServiceEntries {
			if se.Selector != nil && len(se.Spec.GetExportTo()) > 0 {
				t.open = false
			}
		}
	}
	return t
}

// knows reports whether the sidecar of src knows dst.
func (t *scopeTables) knows(src, dst *model.Workload) bool {
	if t.open {
		return true
	}
	sc := t.m.SidecarFor(src)
	i := dst.Index()
	if i >= len(t.m.Workloads) || t.m.Workloads[i] != dst {
		return knowsWorkload(t.m, egressHosts(sc), src.Namespace, dst)
	}
	key := scopeKey{sc, src.Namespace}
	v, ok := t.tables.Load(key)
	if !ok {
		v, _ = t.tables.LoadOrStore(key, make([]atomic.Uint32, len(t.m.Workloads)))
	}
	table := v.([]atomic.Uint32)
	switch table[i].Load() {
	case 1:
		return true
	case 2:
		return false
	}
	known := knowsWorkload(t.m, egressHosts(sc), src.Namespace, dst)
	if known {
		table[i].Store(1)
	} else {
		table[i].Store(2)
	}
	return known
}
