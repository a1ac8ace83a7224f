package model_test

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/model"
)

// AuthorizationPolicy validation as istiod's webhook does it. Case names
// are those of Istio's pkg/config/validation/validation_test.go
// (TestValidateAuthorizationPolicy) where it has one; the others follow
// validation.go and pkg/config/security/security.go as cited.
func TestValidateAuthorizationPolicy(t *testing.T) {
	tests := []struct {
		name string
		meta string // extra metadata lines
		spec string // the spec block, indented by two
		path string // "" when valid: the field path of the first error
		msg  string // a part of its message
	}{
		{"allow-rules-nil", "", "  action: ALLOW\n", "", ""},
		{"audit without rules is valid", "", "  action: AUDIT\n", "", ""},
		{"deny-rules-nil", "", "  action: DENY\n", "spec.action", "DENY action without rules"},
		{"deny with rules: [] decodes as nil", "", "  action: DENY\n  rules: []\n", "spec.action", "DENY action without rules"},
		{"custom-nil-provider", "", "  action: CUSTOM\n  rules: [{}]\n", "spec.action", "needs spec.provider"},
		{"custom-empty-provider", "", "  action: CUSTOM\n  provider: {name: ''}\n  rules: [{}]\n", "spec.provider", "provider.name"},
		{"provider-wrong-action", "", "  action: DENY\n  provider: {name: ext}\n  rules: [{}]\n", "spec.provider", "only allowed with action CUSTOM"},
		{"custom-invalid-rule", "", "  action: CUSTOM\n  provider: {name: ext}\n  rules:\n  - from: [{source: {namespaces: [a]}}]\n", "spec.rules[0].from[0].source.namespaces", "not supported with CUSTOM"},
		{"dry-run-valid-allow", "  annotations: {istio.io/dry-run: 'true'}\n", "  action: ALLOW\n", "", ""},
		{"dry-run-invalid-value", "  annotations: {istio.io/dry-run: foo}\n", "  action: ALLOW\n", "metadata.annotations[\"istio.io/dry-run\"]", "invalid value"},
		{"dry-run-invalid-action-audit", "  annotations: {istio.io/dry-run: 'true'}\n", "  action: AUDIT\n", "metadata.annotations[\"istio.io/dry-run\"]", "only supports action ALLOW or DENY"},
		{"selector-wildcard-value", "", "  selector: {matchLabels: {app: 'web*'}}\n", "spec.selector.matchLabels.app", "wildcard"},
		{"target-ref-non-empty-namespace", "", "  targetRefs: [{kind: Service, group: '', name: a, namespace: b}]\n", "spec.targetRefs[0].namespace", "cross namespace"},
		{"target-ref-empty-name", "", "  targetRefs: [{kind: Service, group: ''}]\n", "spec.targetRefs[0]", "name must be set"},
		{"target-ref-wrong-kind", "", "  targetRefs: [{kind: Deployment, group: apps, name: a}]\n", "spec.targetRefs[0].kind", "targetRef must be to"},
		{"target-refs-and-selector-cannot-both-be-set", "", "  selector: {matchLabels: {app: a}}\n  targetRefs: [{kind: Service, group: '', name: a}]\n", "spec.targetRefs", "only one of"},
		{"from: [] decodes as no from (valid, matches any source)", "", "  rules:\n  - from: []\n", "", ""},
		{"source-nil", "", "  rules:\n  - from: [{source: null}]\n", "spec.rules[0].from[0]", "must not be nil"},
		{"source-empty", "", "  rules:\n  - from: [{source: {}}]\n", "spec.rules[0].from[0].source", "must not be empty"},
		{"source with only empty lists is empty", "", "  rules:\n  - from: [{source: {namespaces: [], principals: null}}]\n", "spec.rules[0].from[0].source", "must not be empty"},
		{"operation-nil", "", "  rules:\n  - to: [{operation: null}]\n", "spec.rules[0].to[0]", "must not be nil"},
		{"operation-empty", "", "  rules:\n  - to: [{operation: {ports: []}}]\n", "spec.rules[0].to[0].operation", "must not be empty"},
		{"Principals-empty", "", "  rules:\n  - from: [{source: {principals: ['']}}]\n", "spec.rules[0].from[0].source.principals", "empty value"},
		{"Ports-empty", "", "  rules:\n  - to: [{operation: {ports: ['']}}]\n", "spec.rules[0].to[0].operation.ports", "bad port"},
		{"non-numeric port (security.go ValidatePorts)", "", "  rules:\n  - to: [{operation: {ports: [http]}}]\n", "spec.rules[0].to[0].operation.ports", "bad port"},
		{"port 0 is a number (ValidatePorts)", "", "  rules:\n  - to: [{operation: {notPorts: ['0']}}]\n", "", ""},
		{"port above 65535", "", "  rules:\n  - to: [{operation: {ports: ['65536']}}]\n", "spec.rules[0].to[0].operation.ports", "bad port"},
		{"invalid ip and port in ipBlocks", "", "  rules:\n  - from: [{source: {ipBlocks: ['1.2.3.4:80']}}]\n", "spec.rules[0].from[0].source.ipBlocks", "bad IP"},
		{"serviceAccounts and namespaces", "", "  rules:\n  - from: [{source: {serviceAccounts: [a], namespaces: [b]}}]\n", "spec.rules[0].from[0].source.serviceAccounts", "cannot set serviceAccounts"},
		{"serviceAccounts wildcard (CheckServiceAccount)", "", "  rules:\n  - from: [{source: {serviceAccounts: ['ns/*']}}]\n", "spec.rules[0].from[0].source.serviceAccounts", "wildcard"},
		{"trust domain with / (CheckTrustDomainValues)", "", "  rules:\n  - from: [{source: {trustDomains: [a/b]}}]\n", "spec.rules[0].from[0].source.trustDomains", "must not contain"},
		{"path template (CheckValidPathTemplate)", "", "  rules:\n  - to: [{operation: {paths: ['/a/{**}/b/{*}']}}]\n", "spec.rules[0].to[0].operation.paths", "{**} is not the last"},
		{"condition-key-empty", "", "  rules:\n  - when: [{key: '', values: [a]}]\n", "spec.rules[0].when[0]", "needs a key"},
		{"condition-value-missing", "", "  rules:\n  - when: [{key: source.ip}]\n", "spec.rules[0].when[0]", "at least one of values or notValues"},
		{"condition with empty values list", "", "  rules:\n  - when: [{key: source.ip, values: []}]\n", "spec.rules[0].when[0]", "at least one of values or notValues"},
		{"condition-value-invalid", "", "  rules:\n  - when: [{key: source.ip, values: [x]}]\n", "spec.rules[0].when[0].values", "bad IP"},
		{"condition-notValue-invalid", "", "  rules:\n  - when: [{key: destination.port, notValues: [x]}]\n", "spec.rules[0].when[0].notValues", "bad port"},
		{"condition-unknown", "", "  rules:\n  - when: [{key: key1, values: [v1]}]\n", "spec.rules[0].when[0].key", "unknown attribute"},
		{"header key without brackets (validateMapKey)", "", "  rules:\n  - when: [{key: request.headers, values: [v1]}]\n", "spec.rules[0].when[0].key", "should have format a[b]"},
		{"destination.labels is replaced by the selector", "", "  rules:\n  - when: [{key: 'destination.labels[app]', values: [v1]}]\n", "spec.rules[0].when[0].key", "replaced by the workload selector"},
		{"known keys", "", "  rules:\n  - when:\n    - {key: 'request.headers[x-a]', values: [v]}\n    - {key: 'request.auth.claims[iss]', values: [v]}\n    - {key: remote.ip, values: [10.0.0.0/8]}\n    - {key: connection.sni, values: [a.b]}\n    - {key: 'experimental.envoy.filters.a.b[c]', values: [v]}\n    - {key: source.serviceAccount, values: [ns/sa]}\n", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p\n  namespace: shop\n" + tc.meta + "spec:\n" + tc.spec
			m := build(t, doc, model.Settings{})
			if tc.path == "" {
				if len(m.SpecErrors) > 0 {
					t.Fatalf("valid per Istio, got %s: %s", m.SpecErrors[0].Path, m.SpecErrors[0].Message)
				}
				if len(m.AuthorizationPolicies) != 1 {
					t.Fatalf("a valid policy must be in the model")
				}
				return
			}
			if len(m.SpecErrors) == 0 {
				t.Fatalf("invalid per Istio (%s), got no error", tc.msg)
			}
			if e := m.SpecErrors[0]; e.Path != tc.path || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("got %s: %s, want %s: ...%s...", e.Path, e.Message, tc.path, tc.msg)
			}
			if len(m.AuthorizationPolicies) != 0 {
				t.Errorf("the webhook rejects the policy: it must not be in the model")
			}
		})
	}
}

// PeerAuthentication validation (validation.go ValidatePeerAuthentication)
// and the dry-run annotation on kinds that do not support it.
func TestValidatePeerAuthentication(t *testing.T) {
	tests := []struct {
		name, doc, path, msg string
	}{
		{"port-level mTLS needs a selector", "spec:\n  portLevelMtls: {'8080': {mode: DISABLE}}\n", "spec.portLevelMtls", "cannot have port level mTLS"},
		{"port 0", "spec:\n  selector: {matchLabels: {app: a}}\n  portLevelMtls: {'0': {mode: DISABLE}}\n", "spec.portLevelMtls[\"0\"]", "1..65535"},
		{"dry-run is for AuthorizationPolicy only", "metadata:\n  annotations: {istio.io/dry-run: 'true'}\nspec: {}\n", "metadata.annotations[\"istio.io/dry-run\"]", "unsupported annotation"},
	}
	for _, tc := range tests {
		doc := "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: shop}\n" + tc.doc
		if strings.HasPrefix(tc.doc, "metadata:") {
			doc = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\n  namespace: shop\n" + strings.TrimPrefix(tc.doc, "metadata:\n")
		}
		m := build(t, doc, model.Settings{})
		if len(m.SpecErrors) == 0 {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if e := m.SpecErrors[0]; e.Path != tc.path || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: got %s: %s, want %s: ...%s...", tc.name, e.Path, e.Message, tc.path, tc.msg)
		}
	}
}
