// Command synth writes a synthetic cluster to stdout, for benchmarks and for
// comparing meshlint with other tools on the same file:
//
//	go run ./internal/synth/cmd/synth > /tmp/cluster.yaml
//	go run ./internal/synth/cmd/synth -edit 20 > /tmp/cluster-edited.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/meshlint/meshlint/internal/synth"
)

func main() {
	c := synth.Default()
	flag.IntVar(&c.Namespaces, "namespaces", c.Namespaces, "namespaces")
	flag.IntVar(&c.WorkloadsPerNamespace, "workloads-per-namespace", c.WorkloadsPerNamespace, "workloads in each namespace")
	flag.IntVar(&c.NetworkPoliciesPerNamespace, "netpols-per-namespace", c.NetworkPoliciesPerNamespace, "NetworkPolicies in each namespace (besides default-deny)")
	flag.IntVar(&c.AuthorizationPoliciesPerNamespace, "authz-per-namespace", c.AuthorizationPoliciesPerNamespace, "AuthorizationPolicies in each namespace")
	flag.BoolVar(&c.MeshResources, "mesh-resources", c.MeshResources, "add Sidecars, a ServiceEntry per namespace, and ambient namespaces with waypoints")
	flag.IntVar(&c.EditedPolicies, "edit", 0, "write a second version of the cluster, for diffs: this many policies edited (NetworkPolicies and AuthorizationPolicies in turn)")
	flag.Parse()
	if err := synth.Write(os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wrote %d objects\n", c.Objects())
}
