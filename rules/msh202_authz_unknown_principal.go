package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// AuthzUnknownPrincipal reports principals that name no identity of the set.
var AuthzUnknownPrincipal = &analyzer.Rule{
	ID:       "MSH202",
	Name:     "authz-unknown-principal",
	Severity: analyzer.Warning,
	Summary:  "source.principals or notPrincipals names a service account or namespace not in the set.",
	Description: `A principal is ` + "`<trust-domain>/ns/<namespace>/sa/<service-account>`" + `. One that names a
service account no workload runs as, a namespace that does not exist, or
another trust domain never matches: an ALLOW rule written for it admits
nobody, and the caller it was meant for is refused; in ` + "`notPrincipals`" + ` it
excludes nobody. ` + "`*`" + `, prefix and suffix wildcards are matched against every
identity of the set.`,
	Bad: `rules:
- from:
  - source:
      principals: ["cluster.local/ns/shop/sa/checkout-sa"]   # the Deployment runs as "checkout"
`,
	Good: `rules:
- from:
  - source:
      principals: ["cluster.local/ns/shop/sa/checkout"]
`,
	Fix:  "Name the service account the calling workload runs as (spec.serviceAccountName), in the mesh's trust domain.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			for _, field := range []string{"principals", "notPrincipals"} {
				sourceFields(ap, field, func(path string, _ int, values []string) {
					for k, p := range values {
						if msg := principalProblem(m, p); msg != "" {
							pass.Report(ap.Object, manifest.JoinIndex(path, k), "%s %q %s", field, p, msg)
						}
					}
				})
			}
		}
	},
}

// principalProblem says why a principal matches no identity, or "".
func principalProblem(m *model.Model, p string) string {
	if p == "*" {
		return ""
	}
	if strings.Contains(p, "*") {
		if len(m.WorkloadsMatchingPrincipal(p)) > 0 {
			return ""
		}
		return "matches no service account of any workload in the set"
	}
	td, _, _ := strings.Cut(strings.TrimPrefix(p, "spiffe://"), "/")
	ns, sa, ok := model.ParsePrincipal(p)
	if !ok {
		return "is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>"
	}
	if td != m.Settings.TrustDomain {
		from := "--trust-domain"
		if m.Settings.MeshConfigFrom != "" {
			from += ", or the meshConfig of " + m.Settings.MeshConfigFrom
		}
		return "is in trust domain " + td + ", but the mesh's is " + m.Settings.TrustDomain + " (" + from + ")"
	}
	if m.Namespace(ns) == nil {
		return "names namespace " + ns + ", which is not in the set"
	}
	if !m.HasServiceAccount(ns, sa) {
		return "names service account " + ns + "/" + sa + ", which no ServiceAccount declares and no workload runs as"
	}
	return ""
}
