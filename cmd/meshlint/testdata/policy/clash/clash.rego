# METADATA
# custom:
#   id: MSH101
package meshlint.rules.clash

deny contains {"msg": "x", "object": {"kind": "Namespace", "name": "shop"}} if false
