package main

import data.kubernetes

warn contains msg if {
	kubernetes.is_service
	input.spec.type == "LoadBalancer"
	msg := sprintf("Service %s is exposed through a cloud load balancer", [kubernetes.name])
}

warn_labels contains {"msg": msg, "details": {"missing": "app.kubernetes.io/name"}} if {
	kubernetes.is_deployment
	not input.metadata.labels["app.kubernetes.io/name"]
	msg := sprintf("Deployment %s lacks the app.kubernetes.io/name label", [kubernetes.name])
}
