package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// AuthzDryRun reports policies in dry-run mode.
var AuthzDryRun = &analyzer.Rule{
	ID:       "MSH210",
	Name:     "authz-dry-run",
	Severity: analyzer.Note,
	Summary:  `A policy annotated istio.io/dry-run: "true" is logged, never enforced.`,
	Description: `With ` + "`istio.io/dry-run: \"true\"`" + ` Istio evaluates the policy in shadow mode: the sidecar
records what it would have decided (the ` + "`istio_dry_run_allow_` / `istio_dry_run_deny_`" + `
stats and access log metadata) and lets every request through as if the policy did
not exist (pilot/pkg/security/authz/builder/builder.go). An ALLOW policy in dry-run
does not make its workloads deny by default either. ztunnel skips dry-run policies
too, and istiod sends them to it only when dry-run support for ambient is turned on
(pilot/pkg/serviceregistry/ambient/authorization.go).

This is right while rolling a policy out; left in place it reads as protection the
mesh does not give. meshlint's mesh and effective graphs leave the policy out.`,
	Bad: `metadata:
  name: deny-debug
  annotations:
    istio.io/dry-run: "true"
spec:
  action: DENY
`,
	Good: `metadata:
  name: deny-debug
spec:
  action: DENY
`,
	Fix:  "Remove the annotation (or set it to \"false\") once the dry-run logs show the policy decides as intended.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			if !ap.DryRun {
				continue
			}
			ambient := false
			for _, w := range authzTargets(m, ap) {
				ambient = ambient || (w.Mesh == model.MeshAmbient && !ap.TargetRefs)
			}
			msg := "the policy is in dry-run mode: Istio logs what it would decide and enforces nothing"
			if ambient {
				msg += "; ztunnel, which enforces it for ambient workloads, skips it as well"
			}
			pass.Report(ap.Object, mesh.DryRunPath, "%s", msg)
		}
	},
}
