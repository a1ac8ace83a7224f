package model_test

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/loader"
	"github.com/meshlint/meshlint/model"
)

// Of an object defined twice, the model keeps the copy applied last; API
// versions of one group are one object, other groups are not.
func TestDuplicates(t *testing.T) {
	m := build(t, `apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: a, namespace: x}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: g, namespace: x}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: g, namespace: x}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: x}
`, model.Settings{})
	if len(m.Duplicates) != 1 || m.Duplicates[0].Replaced.APIVersion != "security.istio.io/v1beta1" || m.Duplicates[0].Winner.APIVersion != "security.istio.io/v1" {
		t.Fatalf("duplicates %+v, want the v1beta1 policy replaced by the v1 one", m.Duplicates)
	}
	var kept []string
	for _, o := range m.Objects {
		kept = append(kept, o.APIVersion+" "+o.Kind)
	}
	if got := strings.Join(kept, ", "); got != "networking.istio.io/v1 Gateway, gateway.networking.k8s.io/v1 Gateway, security.istio.io/v1 AuthorizationPolicy" {
		t.Errorf("objects: %s", got)
	}
}

// Without duplicates the model holds the loaded objects themselves.
func TestNoDuplicatesNoCopy(t *testing.T) {
	res, err := loader.Load([]string{"-"}, loader.Options{Stdin: strings.NewReader("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")})
	if err != nil {
		t.Fatal(err)
	}
	m := model.Build(res, model.Settings{})
	if len(m.Objects) != 1 || &m.Objects[0] != &res.Objects[0] || m.Duplicates != nil {
		t.Error("the model copied the object list, or found duplicates")
	}
}

// A replaced copy takes no part in the model, but its spec errors are still
// found: a manifest is valid or not whatever else is applied.
func TestReplacedCopyIsStillChecked(t *testing.T) {
	m := build(t, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: x}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: "A"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: x}
spec:
  podSelector: {}
`, model.Settings{})
	if len(m.NetworkPolicies) != 1 || m.NetworkPolicies[0].Object.Node.Line != 10 {
		t.Fatalf("the model holds %d policies, want the winner alone", len(m.NetworkPolicies))
	}
	if len(m.SpecErrors) != 1 || m.SpecErrors[0].Object != m.Duplicates[0].Replaced {
		t.Errorf("spec errors %+v, want the replaced copy's bad CIDR", m.SpecErrors)
	}
}
