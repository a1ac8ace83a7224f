package rules

import "github.com/meshlint/meshlint/analyzer"

// LegacyBindingRoleMissing reports ServiceRoleBindings whose role does not exist.
var LegacyBindingRoleMissing = &analyzer.Rule{
	ID:       "MSH402",
	Name:     "legacy-binding-role-missing",
	Severity: analyzer.Error,
	Summary:  "A ServiceRoleBinding's roleRef names no ServiceRole of its namespace.",
	Description: `A ServiceRoleBinding grants a ServiceRole of its own namespace. When none of
that name exists there (a typo, or the role sits in another namespace), the
binding grants nothing, and the intent it records cannot be migrated.`,
	Bad: `kind: ServiceRoleBinding
metadata:
  name: frontend-access
  namespace: backend
spec:
  roleRef:
    kind: ServiceRole
    name: frontend-servce     # no such ServiceRole in backend
`,
	Good: `kind: ServiceRoleBinding
metadata:
  name: frontend-access
  namespace: backend
spec:
  roleRef:
    kind: ServiceRole
    name: frontend-service
`,
	Fix:  "Name an existing ServiceRole of the same namespace, or move the binding beside its role.",
	Tags: []string{"correctness", "istio", "legacy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, b := range m.ServiceRoleBindings {
			name, path := "", ""
			switch {
			case b.Spec.RoleRef != nil:
				name, path = b.Spec.RoleRef.Name, "spec.roleRef.name"
			case b.Spec.Role != "":
				name, path = trimRolePrefix(b.Spec.Role), "spec.role"
			default:
				pass.Report(b.Object, "spec", "ServiceRoleBinding has no roleRef: it grants nothing")
				continue
			}
			if m.ServiceRoleNamed(b.Object.Namespace, name) != nil {
				continue
			}
			elsewhere := ""
			for _, r := range m.ServiceRoles {
				if r.Object.Name == name {
					elsewhere = r.Object.Namespace
					break
				}
			}
			if elsewhere != "" {
				pass.Report(b.Object, path, "roleRef names ServiceRole %q, which is in namespace %s, not %s: a binding only grants roles of its own namespace", name, elsewhere, b.Object.Namespace)
				continue
			}
			pass.Report(b.Object, path, "roleRef names ServiceRole %q, which does not exist in namespace %s", name, b.Object.Namespace)
		}
	},
}

// trimRolePrefix reads the "role: /name" short form.
func trimRolePrefix(role string) string {
	if len(role) > 0 && role[0] == '/' {
		return role[1:]
	}
	return role
}
