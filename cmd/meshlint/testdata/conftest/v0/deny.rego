package main

deny[msg] {
	input.kind == "Deployment"
	container := input.spec.template.spec.containers[_]
	not container.resources.limits.memory
	msg := sprintf("Deployment %s: container %s has no memory limit", [input.metadata.name, container.name])
}

deny_privileged[msg] {
	input.kind == "Deployment"
	container := input.spec.template.spec.containers[_]
	container.securityContext.privileged
	msg := sprintf("Deployment %s: container %s is privileged", [input.metadata.name, container.name])
}

violation[{"msg": msg, "details": {"port": port}}] {
	input.kind == "Service"
	port := input.spec.ports[_].port
	port < 1024
	msg := sprintf("Service %s exposes privileged port %d", [input.metadata.name, port])
}
