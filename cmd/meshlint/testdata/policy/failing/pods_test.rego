package main_test

import data.main

test_pods_are_denied if {
	main.deny["pod p: use a Deployment"] with input as {"kind": "Pod", "metadata": {"name": "p"}}
}

# Wrong on purpose: the policy test command must report it and exit 1.
test_services_are_denied if {
	main.deny["service s: use a Deployment"] with input as {"kind": "Service", "metadata": {"name": "s"}}
}
