package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// LegacyRoleServiceMissing reports ServiceRole rules whose services match no
// Service of the role's namespace.
var LegacyRoleServiceMissing = &analyzer.Rule{
	ID:       "MSH404",
	Name:     "legacy-role-service-missing",
	Severity: analyzer.Warning,
	Summary:  "A ServiceRole rule's services match no Service of its namespace.",
	Description: `A ServiceRole applies to Services of its own namespace, named short
(` + "`backend`" + `) or fully (` + "`backend.shop.svc.cluster.local`" + `), with ` + "`*`" + ` as a prefix or suffix
wildcard. A name that matches no Service there grants access to nothing,
usually because the role was written for another namespace.`,
	Bad: `# ServiceRole in namespace default; the backend Service is in namespace backend
rules:
- services: ["backend"]
`,
	Good: `metadata:
  namespace: backend
spec:
  rules:
  - services: ["backend.backend.svc.cluster.local"]
`,
	Fix:  "Put the role in the namespace of its Services, or name Services that exist there.",
	Tags: []string{"correctness", "istio", "legacy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, r := range m.ServiceRoles {
			for i, rule := range r.Spec.Rules {
				for j, name := range rule.Services {
					if len(model.ServicesMatching(m, r.Object.Namespace, name)) > 0 {
						continue
					}
					path := manifest.JoinIndex(manifest.JoinIndex("spec.rules", i)+".services", j)
					msg := "services entry %q matches no Service in namespace %s"
					if others := model.ServicesMatching(m, "", name); len(others) > 0 {
						o := others[0].Object
						pass.Report(r.Object, path, msg+"; Service %s is in namespace %s: a ServiceRole only covers Services of its own namespace", name, r.Object.Namespace, o.Name, o.Namespace)
						continue
					}
					pass.Report(r.Object, path, msg, name, r.Object.Namespace)
				}
			}
		}
	},
}
