package meshlint.rules.sensitive_reachability_test

import data.meshlint.rules.sensitive_reachability as rule

payments := {
	"id": "payments/payments[Deployment]", "kind": "Deployment", "namespace": "payments", "name": "payments",
	"object": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "payments", "name": "payments"},
}

allowlist := {"payments/payments[Deployment]": ["shop/checkout[Deployment]"]}

conn(src) := {"src": src, "dst": "payments/payments[Deployment]", "conn": "TCP 8080"}

test_source_off_the_list_is_reported if {
	results := rule.deny with input as {
		"workloads": [payments],
		"connectivity": {"network": [conn("shop/checkout[Deployment]"), conn("shop/web[Deployment]")]},
	}
		with data.sensitive_reachability as allowlist
	results == {{
		"msg": "payments/payments[Deployment] is sensitive, but shop/web[Deployment] reaches it (TCP 8080) without being on its allow-list",
		"object": payments.object,
		"path": "metadata.name",
	}}
}

test_allowed_source_is_silent if {
	count(rule.deny) == 0 with input as {
		"workloads": [payments],
		"connectivity": {"network": [conn("shop/checkout[Deployment]")]},
	}
		with data.sensitive_reachability as allowlist
}

test_effective_layer_wins_over_network if {
	# NetworkPolicy lets web through, mesh authorization stops it.
	count(rule.deny) == 0 with input as {
		"workloads": [payments],
		"connectivity": {
			"network": [conn("shop/web[Deployment]")],
			"effective": [conn("shop/checkout[Deployment]")],
		},
	}
		with data.sensitive_reachability as allowlist
}

test_workloads_off_the_list_are_not_sensitive if {
	other := {"src": "shop/web[Deployment]", "dst": "shop/checkout[Deployment]", "conn": "TCP 80"}
	count(rule.deny) == 0 with input as {"workloads": [payments], "connectivity": {"network": [other]}}
		with data.sensitive_reachability as allowlist
}

test_no_connectivity_yet_is_silent if {
	count(rule.deny) == 0 with input as {"workloads": [payments], "connectivity": {}}
		with data.sensitive_reachability as allowlist
}

test_shipped_allowlist_is_read if {
	results := rule.deny with input as {
		"workloads": [payments],
		"connectivity": {"network": [conn("shop/web[Deployment]")]},
	}
	count(results) == 1
}
