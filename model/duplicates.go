package model

import (
	"reflect"

	"github.com/meshlint/meshlint/manifest"
)

// objectID is what makes two manifests one object in a cluster: API group,
// kind, namespace and name (not the version: v1 and v1beta1 of a kind are
// one object). Its strings are the object's own: making one allocates
// nothing.
type objectID struct{ group, kind, namespace, name string }

func identity(o *manifest.Object) objectID {
	return objectID{o.Group(), o.Kind, o.Namespace, o.Name}
}

// dedupe keeps, of each object defined more than once, the copy applied
// last, and records the others. Without duplicates the slice is returned as
// it is: nothing is copied.
func dedupe(objects []*manifest.Object) ([]*manifest.Object, []Duplicate) {
	last := make(map[objectID]int, len(objects))
	dup := false
	for i, o := range objects {
		if o.Name == "" {
			continue // install-time kinds (IstioOperator) need no name
		}
		id := identity(o)
		if _, ok := last[id]; ok {
			dup = true
		}
		last[id] = i
	}
	if !dup {
		return objects, nil
	}
	var out []*manifest.Object
	var dups []Duplicate
	for i, o := range objects {
		if o.Name == "" {
			out = append(out, o)
			continue
		}
		if w := last[identity(o)]; w != i {
			winner := objects[w]
			dups = append(dups, Duplicate{Replaced: o, Winner: winner, Identical: reflect.DeepEqual(o.Content(), winner.Content())})
			continue
		}
		out = append(out, o)
	}
	return out, dups
}

// checkReplaced finds the spec errors of the copies other copies replace:
// whether a manifest is valid does not depend on what else is applied, and
// copies are often alternatives linted together (test cases, variants). The
// copies take no part in the model.
func (m *Model) checkReplaced() {
	if len(m.Duplicates) == 0 {
		return
	}
	tmp := &Model{
		Settings: m.Settings, byKind: map[string][]*manifest.Object{},
		nsByName: m.nsByName, workloadsByNS: m.workloadsByNS, bySA: m.bySA, servicesByNS: m.servicesByNS,
	}
	for _, d := range m.Duplicates {
		if !d.Identical && !Foreign(d.Replaced) {
			tmp.byKind[d.Replaced.Kind] = append(tmp.byKind[d.Replaced.Kind], d.Replaced)
		}
	}
	tmp.buildNetworkPolicies()
	tmp.buildIstio()
	tmp.buildLegacy()
	m.SpecErrors = append(m.SpecErrors, tmp.SpecErrors...)
}
