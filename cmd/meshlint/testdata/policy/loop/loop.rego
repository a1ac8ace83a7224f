# METADATA
# title: A rule that takes forever
# custom:
#   id: LOOP1
package meshlint.rules.loop

# 10^10 pairs: a walk no timeout lets finish.
deny contains {"msg": "never", "object": {"kind": "Namespace", "name": "shop"}} if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i * j < 0
}
