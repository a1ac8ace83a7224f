# METADATA
# title: Every namespace that runs workloads has a default-deny NetworkPolicy
# description: |
#   Pods that no NetworkPolicy isolates accept traffic from anywhere in the
#   cluster, whatever the mesh says. The house rule: each namespace that runs
#   workloads holds a NetworkPolicy that selects every pod (`podSelector: {}`),
#   lists Ingress in its policyTypes and allows nothing in. Other policies then
#   open what each workload needs.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic
# custom:
#   id: HOUSE001
#   severity: warning
#   fix: >-
#     Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]`
#     and no `ingress` rules to the namespace.
package meshlint.rules.namespace_default_deny

# The cluster's own namespaces are managed elsewhere.
exempt := {"kube-system", "kube-public", "kube-node-lease", "istio-system"}

deny contains result if {
	some ns in input.namespaces
	not ns.name in exempt
	ns.name in running
	not ns.name in isolated
	result := object.union(
		{"msg": sprintf("namespace %s has no default-deny NetworkPolicy: its pods accept traffic from anywhere in the cluster", [ns.name])},
		anchor(ns),
	)
}

# Sets computed once per evaluation: a namespace is then checked in constant
# time instead of by a walk over every object.
running contains w.namespace if {
	some w in input.workloads
	not w.implied
}

isolated contains p.metadata.namespace if {
	some p in input.objects
	p.kind == "NetworkPolicy"
	selects_every_pod(object.get(p.spec, "podSelector", {}))
	isolates_ingress(p.spec)
	count(object.get(p.spec, "ingress", [])) == 0
}

selects_every_pod(sel) if {
	count(object.get(sel, "matchLabels", {})) == 0
	count(object.get(sel, "matchExpressions", [])) == 0
}

# Without policyTypes, a NetworkPolicy always isolates ingress.
isolates_ingress(spec) if not spec.policyTypes

isolates_ingress(spec) if "Ingress" in spec.policyTypes

# The finding goes on the Namespace manifest; a namespace no manifest
# declares is reported on its first workload instead.
anchor(ns) := {"object": {"kind": "Namespace", "name": ns.name}, "path": "metadata.name"} if {
	not ns.implied
} else := {"object": w.object, "path": "metadata.namespace"} if {
	first := min({w.id | some w in input.workloads; w.namespace == ns.name; not w.implied})
	some w in input.workloads
	w.id == first
}
