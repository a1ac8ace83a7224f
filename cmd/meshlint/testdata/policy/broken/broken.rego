# METADATA
# custom:
#   id: BROKEN1
package meshlint.rules.broken

deny contains {"msg": msg, "object": {"kind": "Namespace", "name": "x"}} if {
	msg := sprintf("%s", [undefined_var])
}
