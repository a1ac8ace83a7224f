# METADATA
# title: No ALLOW rule admits any principal ("*")
# description: |
#   `principals: ["*"]` in an ALLOW rule matches every authenticated workload
#   of the mesh (and of every mesh that shares the trust domain): it only
#   proves that the caller has a sidecar. The house rule: an ALLOW rule names
#   the service accounts that may call, one principal each.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
# custom:
#   id: HOUSE002
#   severity: error
#   fix: Replace "*" by the principals of the callers, e.g. "cluster.local/ns/shop/sa/checkout".
package meshlint.rules.authz_wildcard_principal

deny contains result if {
	some policy in input.objects
	policy.kind == "AuthorizationPolicy"
	object.get(policy.spec, "action", "ALLOW") == "ALLOW"
	some i, rule in policy.spec.rules
	some j, from in rule.from
	some k, principal in from.source.principals
	principal == "*"
	result := {
		"msg": sprintf("AuthorizationPolicy %s/%s allows any principal (\"*\") in rule %d: name the service accounts that may call", [policy.metadata.namespace, policy.metadata.name, i]),
		"object": {"kind": policy.kind, "namespace": policy.metadata.namespace, "name": policy.metadata.name},
		"path": sprintf("spec.rules[%d].from[%d].source.principals[%d]", [i, j, k]),
	}
}
