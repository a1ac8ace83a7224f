package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// LegacyBindingSubjectMissing reports binding subjects that name service
// accounts or namespaces the set does not have.
var LegacyBindingSubjectMissing = &analyzer.Rule{
	ID:       "MSH403",
	Name:     "legacy-binding-subject-missing",
	Severity: analyzer.Warning,
	Summary:  "A ServiceRoleBinding subject names a service account or namespace not in the set.",
	Description: `A subject that names a service account no workload runs as, or a namespace
that does not exist, matches no caller: the access it records was meant for
someone, and a migration would carry the same mistake into an
AuthorizationPolicy.`,
	Bad: `subjects:
- user: "cluster.local/ns/frontend/sa/fronted"   # misspelt service account
`,
	Good: `subjects:
- user: "cluster.local/ns/frontend/sa/frontend"
`,
	Fix:  "Name a service account that a workload of the set runs as, or a namespace of the set.",
	Tags: []string{"correctness", "istio", "legacy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, b := range m.ServiceRoleBindings {
			for i, s := range b.Spec.Subjects {
				base := manifest.JoinIndex("spec.subjects", i)
				if s.User != "" {
					checkPrincipal(pass, b.Object, base+".user", s.User)
				}
				for j, n := range s.Names {
					checkPrincipal(pass, b.Object, manifest.JoinIndex(base+".names", j), n)
				}
				for j, ns := range s.Namespaces {
					checkNamespace(pass, b.Object, manifest.JoinIndex(base+".namespaces", j), ns)
				}
				if p, ok := s.Properties["source.principal"]; ok {
					checkPrincipal(pass, b.Object, manifest.JoinKey(base+".properties", "source.principal"), p)
				}
				if ns, ok := s.Properties["source.namespace"]; ok {
					checkNamespace(pass, b.Object, manifest.JoinKey(base+".properties", "source.namespace"), ns)
				}
			}
			for _, ref := range b.SubjectRefs {
				if ref.Kind != "ServiceAccount" || ref.Name == "" {
					continue
				}
				ns := ref.Namespace
				if ns == "" {
					ns = b.Object.Namespace
				}
				if !m.HasServiceAccount(ns, ref.Name) {
					pass.Report(b.Object, ref.Path, "subject names service account %s/%s, which no ServiceAccount declares and no workload runs as", ns, ref.Name)
				}
			}
		}
	},
}

// checkPrincipal checks a principal such as cluster.local/ns/x/sa/y.
// Wildcards ("*", "prefix*", "*suffix") are left alone: they name no one in
// particular.
func checkPrincipal(pass *analyzer.Pass, o *manifest.Object, path, principal string) {
	if strings.Contains(principal, "*") {
		return
	}
	ns, sa, ok := model.ParsePrincipal(principal)
	if !ok {
		return // a user name, not a workload identity
	}
	m := pass.Model
	if m.Namespace(ns) == nil {
		pass.Report(o, path, "subject %q names namespace %s, which is not in the set", principal, ns)
		return
	}
	if !m.HasServiceAccount(ns, sa) {
		pass.Report(o, path, "subject %q names service account %s/%s, which no ServiceAccount declares and no workload runs as", principal, ns, sa)
	}
}

func checkNamespace(pass *analyzer.Pass, o *manifest.Object, path, ns string) {
	if strings.Contains(ns, "*") || pass.Model.Namespace(ns) != nil {
		return
	}
	pass.Report(o, path, "subject names namespace %s, which is not in the set", ns)
}
