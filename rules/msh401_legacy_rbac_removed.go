package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// LegacyRBACRemoved reports Istio RBAC kinds that Istio 1.6 removed.
var LegacyRBACRemoved = &analyzer.Rule{
	ID:       "MSH401",
	Name:     "legacy-rbac-removed",
	Severity: analyzer.Error,
	Summary:  "ServiceRole, ServiceRoleBinding, RbacConfig and ClusterRbacConfig were removed in Istio 1.6 and are ignored.",
	Description: `Istio's first authorization API (` + "`rbac.istio.io/v1alpha1`" + `) was deprecated in 1.4 and
removed in 1.6. Its objects are no longer read by istiod: whatever access they
describe is not enforced, and the workloads they meant to protect accept every
request the network lets through. Guides written before 2020 still teach it.

meshlint reads these objects as the author's intent, checks the network layer
against it, and ` + "`meshlint migrate`" + ` prints the AuthorizationPolicy they meant.`,
	Bad: `apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata:
  name: backend-reader
spec:
  rules:
  - services: ["backend.default.svc.cluster.local"]
    methods: ["GET"]
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: backend-reader
spec:
  selector:
    matchLabels:
      app: backend
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/frontend/sa/default"]
    to:
    - operation:
        methods: ["GET"]
`,
	Fix:  "Replace the legacy objects with AuthorizationPolicy; `meshlint migrate PATH` prints them.",
	Tags: []string{"security", "istio", "legacy"},
	Run: func(pass *analyzer.Pass) {
		for _, o := range pass.Model.Objects {
			if !model.IsLegacyRBAC(o.Kind) || model.Foreign(o) {
				continue
			}
			pass.Report(o, "kind", "%s was removed in Istio 1.6 and is ignored: nothing it describes is enforced; run `meshlint migrate` to get the AuthorizationPolicy it meant", o.Kind)
		}
	},
}
