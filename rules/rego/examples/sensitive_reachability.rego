# METADATA
# title: Sensitive workloads are reachable only from their allow-list
# description: |
#   Some workloads (payments, secrets stores) may be called by a few named
#   clients only. `data.sensitive_reachability` (sensitive_reachability.yaml
#   beside this policy) maps each sensitive workload, named as the graph names
#   it (`namespace/name[Kind]`), to the workloads allowed to reach it. Every
#   other source that the computed connectivity lets through is reported: the
#   effective layer (NetworkPolicy and mesh authorization together) when it is
#   there, else the network layer.
# custom:
#   id: HOUSE003
#   severity: error
#   fix: Narrow the NetworkPolicy or AuthorizationPolicy that admits the source, or add the source to the allow-list.
package meshlint.rules.sensitive_reachability

connections := input.connectivity.effective

connections := input.connectivity.network if not input.connectivity.effective

deny contains result if {
	some c in connections
	allowed := data.sensitive_reachability[c.dst]
	c.src != c.dst
	not c.src in allowed
	some w in input.workloads
	w.id == c.dst
	w.object != null
	result := {
		"msg": sprintf("%s is sensitive, but %s reaches it (%s) without being on its allow-list", [c.dst, c.src, c.conn]),
		"object": w.object,
		"path": "metadata.name",
	}
}
