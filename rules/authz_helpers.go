package rules

import (
	"fmt"

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

// sourceValue is one value a policy's sources name, at its first place.
type sourceValue struct {
	field, value, path string
	times              int
}

// repeats says how often the policy names the value, when more than once.
func (v sourceValue) repeats() string {
	if v.times < 2 {
		return ""
	}
	return fmt.Sprintf(" (named %d times in this policy)", v.times)
}

// distinctSourceValues lists each value the fields of a policy's sources
// name once, in order, with how often: a finding per value, not per
// repetition.
func distinctSourceValues(ap *model.AuthorizationPolicy, fields ...string) []sourceValue {
	var out []sourceValue
	index := map[string]int{}
	for _, field := range fields {
		sourceFields(ap, field, func(path string, _ int, values []string) {
			for k, v := range values {
				key := field + "\x00" + v
				if i, ok := index[key]; ok {
					out[i].times++
					continue
				}
				index[key] = len(out)
				out = append(out, sourceValue{field: field, value: v, path: manifest.JoinIndex(path, k), times: 1})
			}
		})
	}
	return out
}

// oneEditApart reports strings one insertion, deletion or substitution
// apart (a typo), for names of three letters or more.
func oneEditApart(a, b string) bool {
	if a == b || len(a) < 3 || len(b) < 3 {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
