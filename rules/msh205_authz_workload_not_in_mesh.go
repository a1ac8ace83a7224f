package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/model"
)

// AuthzWorkloadNotInMesh reports policies on workloads nothing enforces them for.
var AuthzWorkloadNotInMesh = &analyzer.Rule{
	ID:       "MSH205",
	Name:     "authz-workload-not-in-mesh",
	Severity: analyzer.Warning,
	Summary:  "The policy selects workloads with no sidecar and not in ambient mode: nothing enforces it.",
	Description: `Authorization is enforced by the workload's sidecar, or by ztunnel and waypoints
in ambient mode. A workload without either receives traffic straight from the
network: the policy reads as protection and gives none. The usual causes are a
namespace without ` + "`istio-injection=enabled`" + ` (or ` + "`istio.io/rev`" + `), or a pod that opts out
with ` + "`sidecar.istio.io/inject: \"false\"`" + `.`,
	Bad: `# namespace legacy has no injection label
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: batch
  namespace: legacy
spec:
  selector:
    matchLabels:
      app: batch
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    istio-injection: enabled
`,
	Fix:  "Bring the workload into the mesh (label its namespace for injection or ambient), or protect it with a NetworkPolicy instead.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			var outside []*model.Workload
			for _, w := range authzTargets(m, ap) {
				if w.Mesh == model.MeshNone {
					outside = append(outside, w)
				}
			}
			if len(outside) == 0 {
				continue
			}
			path := selectorPath(ap.Object)
			if ap.Selector == nil {
				path = "metadata.namespace"
			}
			outside = uniqueWorkloads(outside)
			if len(outside) == 1 {
				pass.Report(ap.Object, path, "the policy governs %s, which has no sidecar and is not in ambient mode: nothing enforces the policy there", outside[0].ID())
				continue
			}
			pass.Report(ap.Object, path, "the policy governs %d workloads that have no sidecar and are not in ambient mode (%s): nothing enforces the policy there", len(outside), workloadList(outside))
		}
	},
}
