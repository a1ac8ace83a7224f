package model_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/model"
)

// TestDecodeErrorPositions: a field the decoders refuse is reported at its
// own line and column, in a file of several documents, not at the object.
func TestDecodeErrorPositions(t *testing.T) {
	const before = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n" // lines 1-5
	cases := []struct {
		name, doc string
		want      string // line:col path of each error, | between
	}{
		{"k8s unknown field three levels deep", `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector:
        matchLabelz: {app: a}
`, "14:9 spec.ingress[0].from[0].podSelector.matchLabelz"},
		{"k8s string for int in the second item", `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 80
      endPort: 90
  - ports:
    - port: 81
    - port: 82
      endPort: "90"
`, "18:7 spec.ingress[1].ports[1].endPort"},
		{"k8s list for IntOrString in the second item", `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: prod}
spec:
  podSelector: {}
  ingress:
  - ports:
    - port: 80
    - port: [81]
`, "14:7 spec.ingress[0].ports[1].port"},
		{"istio unknown field three levels deep", `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: prod}
spec:
  rules:
  - from:
    - source:
        principalz: [cluster.local/ns/a/sa/b]
`, "13:9 spec.rules[0].from[0].source.principalz|12:7 spec.rules[0].from[0].source"},
		{"istio string for int", `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: p, namespace: prod}
spec:
  egress:
  - hosts: ["./*"]
  - port:
      number: eighty
    hosts: ["./*"]
`, "13:7 spec.egress[1].port.number"},
		{"istio number for string", `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: prod}
spec:
  rules:
  - when:
    - key: request.headers[x]
      values: [a, 123]
`, "13:19 spec.rules[0].when[0].values[1]"},
		{"istio bad enum value", `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: p, namespace: prod}
spec:
  selector: {matchLabels: {app: a}}
  portLevelMtls:
    "8080":
      mode: STRICTT
`, "13:7 spec.portLevelMtls.8080.mode"},
		{"istio bad duration", `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: p, namespace: prod}
spec:
  ingress:
  - port: {number: 8080, protocol: HTTP}
    defaultEndpoint: 127.0.0.1:8080
    connectionPool:
      tcp:
        connectTimeout: 5x
`, "15:9 spec.ingress[0].connectionPool.tcp.connectTimeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := build(t, before+c.doc, model.Settings{})
			var got []string
			for _, e := range m.SpecErrors {
				p := e.Object.Position(e.Path)
				got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Column, e.Path))
			}
			if strings.Join(got, "|") != c.want {
				t.Errorf("spec errors at\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.ReplaceAll(c.want, "|", "\n  "))
			}
		})
	}
}
