package main

import data.kubernetes

# A complete rule holding an array, as conftest's own examples write it.
violation := [{"msg": msg, "details": {"replicas": input.spec.replicas}}] if {
	kubernetes.is_deployment
	input.spec.replicas > 5
	msg := sprintf("Deployment %s asks for %d replicas; more than 5 need a capacity review", [kubernetes.name, input.spec.replicas])
}
