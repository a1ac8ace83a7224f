package main_test

import data.main

deployment(container) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": {"containers": [
		{"name": "sidecar", "image": "proxy:1.0", "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}},
		container,
	]}}},
}

limited := {"name": "app", "image": "registry.example.com/web:1.2", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}

test_limits_set_is_silent if {
	count(main.deny) == 0 with input as deployment(limited)
	count(main.warn) == 0 with input as deployment(limited)
}

test_missing_memory_limit_is_denied_at_the_container if {
	c := json.patch(limited, [{"op": "remove", "path": "/resources/limits/memory"}])
	main.deny == {{"msg": "Deployment web: container app sets no memory limit", "path": "spec.template.spec.containers[1]"}} with input as deployment(c)
}

test_missing_resources_deny_both_limits if {
	c := json.patch(limited, [{"op": "remove", "path": "/resources"}])
	count(main.deny) == 2 with input as deployment(c)
}

test_statefulsets_are_checked if {
	c := json.patch(limited, [{"op": "remove", "path": "/resources"}])
	s := json.patch(deployment(c), [{"op": "replace", "path": "/kind", "value": "StatefulSet"}])
	count(main.deny) == 2 with input as s
}

test_other_kinds_are_ignored if {
	count(main.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "web"}, "spec": {}}
}

test_latest_and_untagged_images_warn if {
	some image in ["web:latest", "registry.example.com:5000/web", "web"]
	c := json.patch(limited, [{"op": "replace", "path": "/image", "value": image}])
	count(main.warn) == 1 with input as deployment(c)
}

test_digests_and_registry_ports_are_pinned if {
	every image in ["web@sha256:0123", "registry.example.com:5000/web:1.2"] {
		c := json.patch(limited, [{"op": "replace", "path": "/image", "value": image}])
		count(main.warn) == 0 with input as deployment(c)
	}
}
