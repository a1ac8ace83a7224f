package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// UnservedAPIVersion reports known kinds under an apiVersion that never
// served them (or no longer does).
var UnservedAPIVersion = &analyzer.Rule{
	ID:       "MSH002",
	Name:     "unserved-api-version",
	Severity: analyzer.Error,
	Summary:  "A known kind is written under an apiVersion that does not serve it.",
	Description: `The API server refuses an object whose apiVersion does not serve its kind
("no matches for kind"), so the object never exists in the cluster. Old guides
keep such manifests alive: ` + "`NetworkPolicy`" + ` under ` + "`extensions/v1beta1`" + ` (removed in
Kubernetes 1.16), or Istio's legacy ` + "`ServiceRole`" + ` under ` + "`security.istio.io/v1beta1`" + `, a
group that never served it (it lived in ` + "`rbac.istio.io/v1alpha1`" + ` until Istio 1.6).

Kinds are known by API group and kind: another vendor's kind that bears a
known name (Calico's ` + "`projectcalico.org`" + ` NetworkPolicy, Knative's ` + "`Service`" + `,
Gloo's ` + "`VirtualService`" + `) is not meshlint's to judge, and is counted, never
reported.`,
	Bad: `apiVersion: security.istio.io/v1beta1
kind: ServiceRole
metadata:
  name: frontend-service
spec:
  rules:
  - services: ["backend"]
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: backend
  namespace: backend
spec:
  selector:
    matchLabels:
      app: backend
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/frontend/sa/default"]
`,
	Fix:  "Use an apiVersion that serves the kind; for legacy Istio RBAC, migrate to AuthorizationPolicy (`meshlint migrate`).",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		objects := pass.Model.Objects
		for _, d := range pass.Model.Duplicates {
			if !d.Identical {
				objects = append(objects[:len(objects):len(objects)], d.Replaced) // valid or not whatever replaces it
			}
		}
		for _, o := range objects {
			if model.Served(o.Kind, o.APIVersion) != model.ServedNo {
				continue
			}
			served := model.ServedVersions(o.Kind)
			if model.IsLegacyRBAC(o.Kind) {
				pass.Report(o, "apiVersion", "%s does not serve %s, and no Istio release ever did: it lived in %s until Istio 1.6 removed it",
					o.APIVersion, o.Kind, strings.Join(served, ", "))
				continue
			}
			pass.Report(o, "apiVersion", "%s does not serve %s: the API server refuses it; use %s", o.APIVersion, o.Kind, strings.Join(served, " or "))
		}
	},
}
