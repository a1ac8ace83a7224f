# A conftest policy: package main, evaluated once per object with the object
# as input. It runs unchanged under `conftest test` and `meshlint --policy`.
# Results are objects with "msg" (what conftest prints); meshlint also reads
# "path" to point at the container, conftest keeps it as metadata.
package main

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

deny contains {"msg": msg, "path": sprintf("spec.template.spec.containers[%d]", [i])} if {
	input.kind in workload_kinds
	some i, container in input.spec.template.spec.containers
	some resource in ["cpu", "memory"]
	not container.resources.limits[resource]
	msg := sprintf("%s %s: container %s sets no %s limit", [input.kind, input.metadata.name, container.name, resource])
}

warn contains {"msg": msg, "path": sprintf("spec.template.spec.containers[%d].image", [i])} if {
	input.kind in workload_kinds
	some i, container in input.spec.template.spec.containers
	untagged_or_latest(container.image)
	msg := sprintf("%s %s: container %s runs image %s, which is not pinned to a version", [input.kind, input.metadata.name, container.name, container.image])
}

untagged_or_latest(image) if endswith(image, ":latest")

untagged_or_latest(image) if {
	not contains(image, "@")
	last := regex.split("/", image)
	not contains(last[count(last) - 1], ":")
}
