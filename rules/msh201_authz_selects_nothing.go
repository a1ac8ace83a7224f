package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
)

// AuthzSelectsNothing reports AuthorizationPolicies that govern no workload.
var AuthzSelectsNothing = &analyzer.Rule{
	ID:       "MSH201",
	Name:     "authz-selects-nothing",
	Severity: analyzer.Warning,
	Summary:  "An AuthorizationPolicy's selector or targetRefs matches no workload.",
	Description: `A policy whose selector matches no workload of its namespace (or, in the root
namespace, of any namespace) protects nothing. Usually a label was misspelt, or
the policy was applied to the wrong namespace, and the workload it was written
for accepts what the policy meant to refuse. A policy attached by ` + "`targetRefs`" + `
whose Gateway, Service or ServiceEntry is not in the set is reported too.`,
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments
  namespace: shop
spec:
  selector:
    matchLabels:
      app: payment      # the pods are labelled app=payments
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/shop/sa/checkout"]
`,
	Good: `spec:
  selector:
    matchLabels:
      app: payments
`,
	Fix:  "Make the selector match the workload's pod labels, or move the policy to the workload's namespace.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			if ap.TargetRefs {
				checkTargetRefs(pass, ap.Object)
				continue
			}
			if ap.Selector == nil || len(authzTargets(m, ap)) > 0 {
				continue
			}
			where := "namespace " + ap.Object.Namespace
			if ap.MeshWide {
				where = "any namespace (root-namespace policy)"
			}
			pass.Report(ap.Object, "spec.selector", "selector %s matches no workload in %s: the policy protects nothing", selectorText(ap.Selector), where)
		}
	},
}

func checkTargetRefs(pass *analyzer.Pass, o *manifest.Object) {
	refs := o.Lookup("spec.targetRefs")
	single := false
	if refs == nil {
		refs, single = o.Lookup("spec.targetRef"), true
	}
	if refs == nil {
		return
	}
	items := refs.Content()
	if single {
		items = []*manifest.Node{refs}
	}
	for i, ref := range items {
		kind := manifest.ScalarString(manifest.MapGet(ref, "kind"))
		name := manifest.ScalarString(manifest.MapGet(ref, "name"))
		found := false
		for _, obj := range pass.Model.ByKind(kind) {
			if obj.Name == name && obj.Namespace == o.Namespace {
				found = true
				break
			}
		}
		if !found && kind != "GatewayClass" {
			path := "spec.targetRef"
			if !single {
				path = manifest.JoinIndex("spec.targetRefs", i)
			}
			pass.Report(o, path, "targetRef names %s %s/%s, which is not in the set: the policy attaches to nothing", kind, o.Namespace, name)
		}
	}
}
