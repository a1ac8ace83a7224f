package main

import future.keywords.in

warn[msg] {
	input.kind == "Deployment"
	not input.metadata.namespace
	msg := sprintf("Deployment %s names no namespace", [input.metadata.name])
}

warn_host_network[msg] {
	input.kind in {"Deployment", "DaemonSet"}
	input.spec.template.spec.hostNetwork
	msg := sprintf("%s %s uses the host network", [input.kind, input.metadata.name])
}
