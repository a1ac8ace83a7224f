package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
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
identity of the set.

A namespace the linted manifests do not hold at all (a repository holding one
application of a cluster) is reported as a note that says so: meshlint cannot
tell whether the service account exists there. It is a warning when the
namespace is in the set and the service account is not, or when the name is
one letter off a namespace of the set. Every namespace has the service
account ` + "`default`" + `, and the namespace ` + "`default`" + ` always exists. A value named
several times in one policy is reported once.`,
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
			each := distinctSourceValues(ap, "principals", "notPrincipals")
			for _, v := range each {
				msg, note := principalProblem(m, v.value)
				if msg == "" {
					continue
				}
				f := pass.Report(ap.Object, v.path, "%s %q %s%s", v.field, v.value, msg, v.repeats())
				if note {
					f.Severity = analyzer.Note
				}
			}
		}
	},
}

// principalProblem says why a principal matches no identity, or "". note
// says meshlint cannot tell: the namespace is not in the linted manifests
// (a repository holding one application), so the service account may well
// exist.
func principalProblem(m *model.Model, p string) (msg string, note bool) {
	if p == "*" {
		return "", false
	}
	td, rest, _ := strings.Cut(strings.TrimPrefix(p, "spiffe://"), "/")
	if strings.Contains(p, "*") {
		if len(m.WorkloadsMatchingPrincipal(p)) > 0 {
			return "", false
		}
		// A literal namespace in the pattern: is it one of the set's?
		if ns, _, ok := strings.Cut(strings.TrimPrefix(rest, "ns/"), "/"); strings.HasPrefix(rest, "ns/") && ok && !strings.Contains(ns, "*") && td != "*" {
			if typo, absent := namespaceProblem(m, ns); absent {
				return principalNamespace(ns, typo), typo == ""
			}
		}
		return "matches no service account of any workload in the set", false
	}
	ns, sa, ok := model.ParsePrincipal(p)
	if !ok {
		return "is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>", false
	}
	if td != m.Settings.TrustDomain {
		from := "--trust-domain"
		if m.Settings.MeshConfigFrom != "" {
			from += ", or the meshConfig of " + m.Settings.MeshConfigFrom
		}
		return "is in trust domain " + td + ", but the mesh's is " + m.Settings.TrustDomain + " (" + from + ")", false
	}
	if typo, absent := namespaceProblem(m, ns); absent {
		msg := principalNamespace(ns, typo)
		if typo == "" {
			msg += ": whether service account " + sa + " exists there cannot be told"
		}
		return msg, typo == ""
	}
	if sa == "default" {
		return "", false // every namespace has it
	}
	if !m.HasServiceAccount(ns, sa) {
		return "names service account " + ns + "/" + sa + ", which no ServiceAccount declares and no workload runs as", false
	}
	return "", false
}

func principalNamespace(ns, typo string) string {
	if typo != "" {
		return "names namespace " + ns + ", which is not in the set: did you mean " + typo + "?"
	}
	return "names namespace " + ns + ", which the linted manifests do not hold"
}

// namespaceProblem says whether a namespace a policy names is absent from
// the linted manifests, and the namespace of theirs it is one letter off
// (a typo), if any. Absent alone is a note: the manifests may be one
// application of a cluster. default always exists.
func namespaceProblem(m *model.Model, ns string) (typo string, absent bool) {
	if ns == "default" || m.Namespace(ns) != nil {
		return "", false
	}
	for _, have := range m.Namespaces {
		if oneEditApart(ns, have.Name) {
			return have.Name, true
		}
	}
	return "", true
}
