package rules

import "github.com/meshlint/meshlint/analyzer"

// InvalidSpec reports spec fields that strict decoding or the API's own
// validation rejects.
var InvalidSpec = &analyzer.Rule{
	ID:       "MSH003",
	Name:     "invalid-spec",
	Severity: analyzer.Error,
	Summary:  "A spec field is unknown, misspelt, of the wrong type, or fails the API's validation.",
	Description: `Istio's generated decoders silently drop fields they do not know, so a
misspelt ` + "`selector`" + ` turns a narrow policy into a namespace-wide one. Kubernetes
refuses unknown fields only with server-side field validation. meshlint decodes
NetworkPolicy with the Kubernetes API types and Istio kinds with their protobuf
schemas, strictly, and applies the validations the API servers apply:
` + "`endPort`" + ` below ` + "`port`" + `, invalid CIDRs, ` + "`except`" + ` outside its ` + "`cidr`" + `, unknown protocols,
a named port with ` + "`endPort`" + `, DENY or CUSTOM policies without rules, CUSTOM without
a provider, ` + "`selector`" + ` and ` + "`targetRefs`" + ` together.

The part of the object that fails is left out of the analysis; the rest is
still checked.`,
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments
spec:
  selectr:            # misspelt: Istio would apply this to the whole namespace
    matchLabels:
      app: payments
  action: DENY
`,
	Good: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments
spec:
  selector:
    matchLabels:
      app: payments
  action: DENY
  rules:
  - from:
    - source:
        notNamespaces: ["checkout"]
`,
	Fix:  "Correct the field named in the message.",
	Tags: []string{"correctness"},
	Run: func(pass *analyzer.Pass) {
		for _, e := range pass.Model.SpecErrors {
			pass.Report(e.Object, e.Path, "%s", e.Message)
		}
	},
}
