package rules

import (
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// authzTargets returns the workloads an AuthorizationPolicy governs, less
// the implied cluster services.
func authzTargets(m *model.Model, ap *model.AuthorizationPolicy) []*model.Workload {
	candidates := m.Workloads
	if !ap.MeshWide {
		candidates = m.WorkloadsIn(ap.Object.Namespace)
	}
	var out []*model.Workload
	for _, w := range candidates {
		if !w.Implied && ap.Applies(w) {
			out = append(out, w)
		}
	}
	return out
}

// selectorPath is where a policy says which workloads it governs.
func selectorPath(o *manifest.Object) string {
	if o.Lookup("spec.selector") != nil {
		return "spec.selector"
	}
	if o.Lookup("spec.targetRefs") != nil {
		return "spec.targetRefs"
	}
	if o.Lookup("spec.targetRef") != nil {
		return "spec.targetRef"
	}
	return "metadata.name"
}

// sourceField visits every source field of every rule of a policy: path is
// the field (spec.rules[0].from[1].source.principals), values its list.
func sourceFields(ap *model.AuthorizationPolicy, field string, visit func(path string, rule int, values []string)) {
	for i, r := range ap.Spec.GetRules() {
		for j, f := range r.GetFrom() {
			s := f.GetSource()
			var values []string
			switch field {
			case "principals":
				values = s.GetPrincipals()
			case "notPrincipals":
				values = s.GetNotPrincipals()
			case "namespaces":
				values = s.GetNamespaces()
			case "notNamespaces":
				values = s.GetNotNamespaces()
			}
			if len(values) > 0 {
				path := manifest.JoinIndex(manifest.JoinIndex("spec.rules", i)+".from", j) + ".source." + field
				visit(path, i, values)
			}
		}
	}
}
