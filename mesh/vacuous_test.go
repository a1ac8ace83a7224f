package mesh

import "testing"

// Conditions no request meets are no edge. What "meets" means follows how
// Istio matches HTTP attributes (pilot/pkg/security/authz/model/generator.go:
// methodGenerator on the :method header, pathGenerator, hostGenerator with
// ignore-case; matcher/string.go: exact, prefix*, *suffix, * for presence).
func TestVacuousConditions(t *testing.T) {
	get, notGet := When("methods=GET"), When("notMethods=GET")
	tests := []struct {
		name string
		got  Match
		want string
	}{
		{"method and its negation", get.And(notGet), "never"},
		{"ALLOW GET less DENY GET", get.And(get.Not()), "never"},
		{"another method remains", When("methods=GET,POST").And(notGet), "methods=GET,POST notMethods=GET"},
		{"two methods at once", get.And(When("methods=POST")), "never"},
		{"every method excluded", When("notMethods=*"), "never"},
		{"path prefix excluded", When("paths=/api/*").And(When("notPaths=/api/*")), "never"},
		{"path prefix under a wider exclusion", When("paths=/api/v1/*").And(When("notPaths=/api/*")), "never"},
		{"exact path under an excluded prefix", When("paths=/api/v1").And(When("notPaths=/api/*")), "never"},
		{"disjoint prefixes", When("paths=/a/*").And(When("paths=/b/*")), "never"},
		{"a path remains", When("paths=/a/*").And(When("notPaths=/a/b")), "notPaths=/a/b paths=/a/*"},
		{"prefix and suffix overlap", When("paths=/a/*").And(When("paths=*.json")), "paths=*.json paths=/a/*"},
		{"hosts ignore case", When("hosts=Shop.example.com").And(When("notHosts=shop.EXAMPLE.com")), "never"},
		{"a template is not disproved", When("paths=/a/{*}").And(When("notPaths=/a/b")), "notPaths=/a/b paths=/a/{*}"},
		{"negated conjunction met", get.And(When("paths=/x")).And(get.And(When("paths=/x")).Not()), "never"},
		{"negated conjunction not met", get.And(get.And(When("paths=/x")).Not()), "methods=GET not(methods=GET paths=/x)"},
		{"other terms survive", get.And(notGet).Or(When("methods=POST")), "methods=POST"},
		{"a raw atom and its negation", When("request.headers[x]=a").And(When("request.headers[x]=a").Not()), "never"},
		{"distinct raw atoms", When("request.headers[x]=a").And(When("request.headers[x]=b").Not()), "not(request.headers[x]=b) request.headers[x]=a"},
	}
	for _, tc := range tests {
		if s := tc.got.String(); s != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, s, tc.want)
		}
	}
}

// End to end: an ALLOW of GET and a DENY of GET on the same HTTP port let
// nothing through (builder.go: DENY filters run before ALLOW ones).
func TestAllowLessDenyIsNever(t *testing.T) {
	m := loadWith(t, `apiVersion: v1
kind: Service
metadata: {name: tcp-echo-http, namespace: foo}
spec:
  selector: {app: tcp-echo}
  ports: [{name: http, port: 9002}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-get, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  rules:
  - to: [{operation: {methods: [GET]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-get, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: DENY
  rules:
  - to: [{operation: {methods: [GET], ports: ["9002"]}}]
`, "testdata/authz-tcp.yaml")
	e := NewEvaluator(m, Current(m))
	v := e.Decide(Source{Workload: workload(t, m, "foo/curl[Deployment]")}, workload(t, m, "foo/tcp-echo[Deployment]"), 9002)
	if !v.Allowed.IsNever() {
		t.Errorf("allowed %q, want never", v.Allowed)
	}
}
