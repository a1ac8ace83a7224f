package main

deny contains msg if {
	input.kind == "Pod"
	msg := sprintf("pod %s: use a Deployment", [input.metadata.name])
}
