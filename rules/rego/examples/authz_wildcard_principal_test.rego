package meshlint.rules.authz_wildcard_principal_test

import data.meshlint.rules.authz_wildcard_principal as rule

policy(action, principals) := {
	"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
	"metadata": {"name": "payments", "namespace": "shop"},
	"spec": object.union(action, {"rules": [
		{"to": [{"operation": {"methods": ["GET"]}}]},
		{"from": [
			{"source": {"namespaces": ["shop"]}},
			{"source": {"principals": principals}},
		]},
	]}),
}

test_wildcard_principal_is_reported_at_its_field if {
	results := rule.deny with input as {"objects": [policy({}, ["cluster.local/ns/shop/sa/checkout", "*"])]}
	results == {{
		"msg": "AuthorizationPolicy shop/payments allows any principal (\"*\") in rule 1: name the service accounts that may call",
		"object": {"kind": "AuthorizationPolicy", "namespace": "shop", "name": "payments"},
		"path": "spec.rules[1].from[1].source.principals[1]",
	}}
}

test_explicit_allow_is_reported if {
	count(rule.deny) == 1 with input as {"objects": [policy({"action": "ALLOW"}, ["*"])]}
}

test_named_principals_are_fine if {
	count(rule.deny) == 0 with input as {"objects": [policy({}, ["cluster.local/ns/shop/sa/checkout"])]}
}

test_prefix_patterns_are_not_the_wildcard if {
	count(rule.deny) == 0 with input as {"objects": [policy({}, ["cluster.local/ns/shop/*"])]}
}

test_deny_policies_may_use_the_wildcard if {
	count(rule.deny) == 0 with input as {"objects": [policy({"action": "DENY"}, ["*"])]}
}

test_other_kinds_are_ignored if {
	p := json.patch(policy({}, ["*"]), [{"op": "replace", "path": "/kind", "value": "PeerAuthentication"}])
	count(rule.deny) == 0 with input as {"objects": [p]}
}
