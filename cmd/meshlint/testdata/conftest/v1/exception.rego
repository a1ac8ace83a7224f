package main

# The legacy API may keep its latest tag (conftest exceptions name the rule
# without its deny_ prefix).
exception contains rules if {
	input.kind == "Deployment"
	input.metadata.name == "legacy-api"
	rules := ["latest"]
}
