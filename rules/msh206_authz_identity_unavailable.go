package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// AuthzIdentityUnavailable reports rules that match on identities that can
// never be there.
var AuthzIdentityUnavailable = &analyzer.Rule{
	ID:       "MSH206",
	Name:     "authz-identity-unavailable",
	Severity: analyzer.Error,
	Summary:  "A rule matches on principals or namespaces, but mTLS is disabled or every source it names is outside the mesh.",
	Description: `Principals and namespaces come from the peer's mTLS certificate. When the
workload's PeerAuthentication sets mTLS to DISABLE, or every source the rule
names has no sidecar, requests arrive in plaintext with no identity: the rule
never matches. An ALLOW rule then admits nobody (the callers it was written for
are refused); a DENY rule on identities denies nobody.

A policy none of whose workloads has a proxy (no sidecar, not ambient) is
enforced by nothing at all: MSH205 reports that, and this rule stays silent.`,
	Bad: `# PeerAuthentication of namespace shop: mtls.mode DISABLE
rules:
- from:
  - source:
      principals: ["cluster.local/ns/shop/sa/web"]
`,
	Good: `# PeerAuthentication of namespace shop: mtls.mode STRICT (or PERMISSIVE)
rules:
- from:
  - source:
      principals: ["cluster.local/ns/shop/sa/web"]
`,
	Fix:  "Turn mTLS on for the workload, bring the named sources into the mesh, or match on something plaintext carries (ipBlocks).",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			// Only a proxy enforces the rule: where no workload it governs
			// has one, nothing matches anything, which MSH205 reports (and
			// MSH201 a policy that governs none).
			var enforced, disabled []*model.Workload
			for _, w := range authzTargets(m, ap) {
				if w.Mesh == model.MeshNone {
					continue
				}
				enforced = append(enforced, w)
				if mode, _ := mesh.MTLS(m, w, 0); mode == mesh.Disable {
					disabled = append(disabled, w)
				}
			}
			if len(enforced) == 0 {
				continue
			}
			for _, field := range []string{"principals", "namespaces"} {
				sourceFields(ap, field, func(path string, _ int, values []string) {
					if len(disabled) == len(enforced) {
						pass.Report(ap.Object, path, "%s needs the peer's mTLS identity, but mTLS is DISABLE for %s: the rule never matches", field, workloadList(disabled))
						return
					}
					named := namedSources(m, field, values)
					if len(named) == 0 {
						return // names nobody: MSH202 and MSH203 say so
					}
					for _, w := range named {
						if w.Mesh != model.MeshNone {
							return
						}
					}
					pass.Report(ap.Object, path, "every source %s names (%s) is outside the mesh and sends no identity: the rule never matches", field, workloadList(named))
				})
			}
		}
	},
}

// namedSources returns the workloads a principals or namespaces list names.
func namedSources(m *model.Model, field string, values []string) []*model.Workload {
	var out []*model.Workload
	seen := map[*model.Workload]bool{}
	for _, v := range values {
		if v == "*" {
			continue
		}
		list := m.WorkloadsMatchingNamespace(v)
		if field == "principals" {
			list = m.WorkloadsMatchingPrincipal(v)
		}
		for _, w := range list {
			if !w.Implied && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
