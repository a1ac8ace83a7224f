package rules

import (
	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
)

// AuthzAllowAll reports ALLOW rules that match every request.
var AuthzAllowAll = &analyzer.Rule{
	ID:       "MSH207",
	Name:     "authz-allow-all",
	Severity: analyzer.Warning,
	Summary:  "An ALLOW rule with no from, to or when allows every request.",
	Description: `An empty rule (` + "`rules: [{}]`" + `) matches every request, so the policy allows
everything, including callers outside the mesh when mTLS is PERMISSIVE. It is
sometimes written on purpose, but more often a list was emptied by mistake, or
meant as "deny all", which is an ALLOW policy with no rules at all.`,
	Bad: `spec:
  action: ALLOW
  rules:
  - {}
`,
	Good: `spec:
  action: ALLOW
  rules:
  - from:
    - source:
        namespaces: ["shop"]
`,
	Fix:  "Say who may call (from), on what (to), or drop the rules list to allow nothing.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		for _, ap := range pass.Model.AuthorizationPolicies {
			if ap.Spec.GetAction() != securityv1beta1.AuthorizationPolicy_ALLOW {
				continue
			}
			for i, r := range ap.Spec.GetRules() {
				if len(r.GetFrom()) == 0 && len(r.GetTo()) == 0 && len(r.GetWhen()) == 0 {
					pass.Report(ap.Object, manifest.JoinIndex("spec.rules", i), "this ALLOW rule has no from, to or when: it allows every request to the workloads the policy selects")
				}
			}
		}
	},
}
