# METADATA
# title: A rule that forgot its ID
package meshlint.rules.noid

deny contains {"msg": "x", "object": {"kind": "Namespace", "name": "shop"}} if false
