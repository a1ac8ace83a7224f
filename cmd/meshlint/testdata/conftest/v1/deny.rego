package main

import data.kubernetes

deny contains msg if {
	kubernetes.is_deployment
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("Containers must not run as root in Deployment %s", [kubernetes.name])
}

deny contains msg if {
	kubernetes.is_deployment
	not input.spec.selector.matchLabels.app
	msg := sprintf("Deployment %s must provide an app label for its pod selector", [kubernetes.name])
}

deny_latest contains msg if {
	some c in kubernetes.containers
	endswith(c.image, ":latest")
	msg := sprintf("Deployment %s: container %s uses the latest tag", [kubernetes.name, c.name])
}
