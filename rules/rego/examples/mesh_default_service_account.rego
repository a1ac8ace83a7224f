# METADATA
# title: Workloads in the mesh run as their own service account
# description: |
#   A workload's mesh identity is its service account. Every pod that names
#   none runs as `default`, so all of them share one identity and no
#   AuthorizationPolicy can tell them apart: allowing one allows all.
# related_resources:
#   - ref: https://istio.io/latest/docs/ops/best-practices/security/#use-service-accounts
# custom:
#   id: HOUSE004
#   fix: Create a ServiceAccount for the workload and set `serviceAccountName` in its pod template.
package meshlint.rules.mesh_default_service_account

warn contains result if {
	some w in input.workloads
	not w.implied
	w.mesh != "none"
	w.serviceAccount == "default"
	result := {
		"msg": sprintf("%s is in the mesh as service account \"default\": it shares the identity %s with every pod that names no service account", [w.id, w.identity]),
		"object": w.object,
		"path": concat(".", [pod_spec(w.object.kind), "serviceAccountName"]),
	}
}

default pod_spec(_) := "spec.template.spec"

pod_spec("Pod") := "spec"

pod_spec("CronJob") := "spec.jobTemplate.spec.template.spec"
