package meshlint.rules.namespace_default_deny_test

import data.meshlint.rules.namespace_default_deny as rule

shop_ns := {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}, "implied": false}

shop_app := {
	"id": "shop/web[Deployment]", "kind": "Deployment", "namespace": "shop", "name": "web",
	"implied": false,
	"object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"},
}

deny_all := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": "default-deny", "namespace": "shop"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
}

test_namespace_without_policy_is_reported if {
	results := rule.deny with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": []}
	results == {{
		"msg": "namespace shop has no default-deny NetworkPolicy: its pods accept traffic from anywhere in the cluster",
		"object": {"kind": "Namespace", "name": "shop"},
		"path": "metadata.name",
	}}
}

test_default_deny_satisfies if {
	count(rule.deny) == 0 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [deny_all]}
}

test_policy_types_may_be_omitted if {
	p := json.patch(deny_all, [{"op": "remove", "path": "/spec/policyTypes"}])
	count(rule.deny) == 0 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [p]}
}

test_policy_that_selects_some_pods_does_not_count if {
	p := json.patch(deny_all, [{"op": "add", "path": "/spec/podSelector", "value": {"matchLabels": {"app": "web"}}}])
	count(rule.deny) == 1 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [p]}
}

test_policy_that_allows_ingress_does_not_count if {
	p := json.patch(deny_all, [{"op": "add", "path": "/spec/ingress", "value": [{}]}])
	count(rule.deny) == 1 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [p]}
}

test_egress_only_policy_does_not_count if {
	p := json.patch(deny_all, [{"op": "replace", "path": "/spec/policyTypes", "value": ["Egress"]}])
	count(rule.deny) == 1 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [p]}
}

test_policy_of_another_namespace_does_not_count if {
	p := json.patch(deny_all, [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 1 with input as {"namespaces": [shop_ns], "workloads": [shop_app], "objects": [p]}
}

test_namespace_without_workloads_is_silent if {
	count(rule.deny) == 0 with input as {"namespaces": [shop_ns], "workloads": [], "objects": []}
}

test_system_namespaces_are_exempt if {
	ns := {"name": "kube-system", "labels": {}, "implied": false}
	w := json.patch(shop_app, [{"op": "replace", "path": "/namespace", "value": "kube-system"}])
	count(rule.deny) == 0 with input as {"namespaces": [ns], "workloads": [w], "objects": []}
}

test_implied_namespace_is_reported_on_its_first_workload if {
	ns := json.patch(shop_ns, [{"op": "replace", "path": "/implied", "value": true}])
	second := json.patch(shop_app, [
		{"op": "replace", "path": "/id", "value": "shop/zeta[Deployment]"},
		{"op": "replace", "path": "/object/name", "value": "zeta"},
	])
	results := rule.deny with input as {"namespaces": [ns], "workloads": [second, shop_app], "objects": []}
	some r in results
	r.object == shop_app.object
	r.path == "metadata.namespace"
	count(results) == 1
}
