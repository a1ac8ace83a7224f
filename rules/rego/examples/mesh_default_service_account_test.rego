package meshlint.rules.mesh_default_service_account_test

import data.meshlint.rules.mesh_default_service_account as rule

workload(kind, mesh, sa) := {
	"id": sprintf("shop/web[%s]", [kind]), "kind": kind, "namespace": "shop", "name": "web",
	"serviceAccount": sa, "mesh": mesh, "implied": false,
	"identity": sprintf("cluster.local/ns/shop/sa/%s", [sa]),
	"object": {"apiVersion": "apps/v1", "kind": kind, "namespace": "shop", "name": "web"},
}

test_default_account_in_mesh_warns if {
	results := rule.warn with input as {"workloads": [workload("Deployment", "sidecar", "default")]}
	results == {{
		"msg": "shop/web[Deployment] is in the mesh as service account \"default\": it shares the identity cluster.local/ns/shop/sa/default with every pod that names no service account",
		"object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
		"path": "spec.template.spec.serviceAccountName",
	}}
}

test_ambient_counts_as_mesh if {
	count(rule.warn) == 1 with input as {"workloads": [workload("Deployment", "ambient", "default")]}
}

test_own_account_is_fine if {
	count(rule.warn) == 0 with input as {"workloads": [workload("Deployment", "sidecar", "web")]}
}

test_outside_the_mesh_is_fine if {
	count(rule.warn) == 0 with input as {"workloads": [workload("Deployment", "none", "default")]}
}

test_path_follows_the_pod_template if {
	some r in rule.warn with input as {"workloads": [workload("Pod", "sidecar", "default")]}
	r.path == "spec.serviceAccountName"
	some c in rule.warn with input as {"workloads": [workload("CronJob", "sidecar", "default")]}
	c.path == "spec.jobTemplate.spec.template.spec.serviceAccountName"
}

test_implied_workloads_are_skipped if {
	w := json.patch(workload("Deployment", "sidecar", "default"), [{"op": "replace", "path": "/implied", "value": true}])
	count(rule.warn) == 0 with input as {"workloads": [w]}
}
