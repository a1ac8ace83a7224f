# METADATA
# custom:
#   id: DATA1
package meshlint.rules.data

deny contains {"msg": "x", "object": {"kind": "Namespace", "name": "shop"}} if data.settings.on
