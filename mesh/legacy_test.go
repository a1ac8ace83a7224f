package mesh

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
)

const legacyCluster = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: tcp, port: 5432}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: b, namespace: shop}
spec:
  roleRef: {kind: ServiceRole, name: r}
`

func legacyRole(rules string) string {
	return "---\napiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: r, namespace: shop}\nspec:\n  rules:\n" + rules
}

// The migration never emits a rule wider than what Istio 1.4 enforced
// (pilot/pkg/security/authz/model/principal.go and permission.go at tag
// 1.4.0: every field of a subject or permission is ANDed); what cannot be
// expressed yields no rule and a problem.
func TestLegacyTranslation(t *testing.T) {
	tests := []struct {
		name     string
		subjects string // spec.subjects of the binding
		rules    string // spec.rules of the role
		want     []string
		problem  string
	}{
		{"request.auth.principal becomes requestPrincipals", "  - properties: {request.auth.principal: 'https://issuer/alice'}\n",
			"  - services: [web]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"from":[{"source":{"requestPrincipals":["https://issuer/alice"]}}]}]}`}, ""},
		{"JWT claims, audiences, presenter and headers become when keys",
			"  - properties: {'request.auth.claims[iss]': issuer, request.auth.audiences: aud, request.auth.presenter: app, 'request.headers[x-id]': 'a'}\n",
			"  - services: [web]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"when":[{"key":"request.auth.audiences","values":["aud"]},{"key":"request.auth.claims[iss]","values":["issuer"]},{"key":"request.auth.presenter","values":["app"]},{"key":"request.headers[x-id]","values":["a"]}]}]}`}, ""},
		{"group is the groups claim (principal.go attrRequestClaimGroups)", "  - group: admins\n",
			"  - services: [web]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"when":[{"key":"request.auth.claims[groups]","values":["admins"]}]}]}`}, ""},
		{"user and names must both hold", "  - user: cluster.local/ns/shop/sa/a\n    names: [cluster.local/ns/shop/sa/a, cluster.local/ns/shop/sa/b]\n",
			"  - services: [web]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"from":[{"source":{"principals":["cluster.local/ns/shop/sa/a"]}}],"when":[{"key":"source.principal","values":["cluster.local/ns/shop/sa/a","cluster.local/ns/shop/sa/b"]}]}]}`}, ""},
		{"allAuthenticatedUsers is any identity (principal.go forKeyValue)", "  - user: allAuthenticatedUsers\n",
			"  - services: [web]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"from":[{"source":{"principals":["*"]}}]}]}`}, ""},
		{"an unknown property drops the subject, not the property", "  - user: cluster.local/ns/shop/sa/a\n    properties: {source.color: blue}\n",
			"  - services: [web]\n", nil, `subject property "source.color"`},
		{"an empty subject matched nobody (principal.go: principalNot(any))", "  - {}\n",
			"  - services: [web]\n", nil, "names no one"},
		{"paths * is dropped on an HTTP Service", "  - user: '*'\n",
			"  - services: [web]\n    paths: ['*']\n    methods: [GET]\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{"to":[{"operation":{"methods":["GET"]}}]}]}`}, ""},
		{"paths * alone is dropped on an HTTP Service", "  - user: '*'\n",
			"  - services: [web]\n    paths: ['*']\n", []string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{}]}`}, ""},
		{"paths * stays on a TCP Service (permission.go ValidateForTCP skipped the rule)", "  - user: '*'\n",
			"  - services: [db]\n    paths: ['*']\n", []string{`{"selector":{"matchLabels":{"app":"db"}},"rules":[{"to":[{"operation":{"paths":["*"]}}]}]}`}, ""},
		{"an unknown constraint drops the permission", "  - user: '*'\n",
			"  - services: [db]\n    constraints: [{key: destination.user, values: [db]}]\n  - services: [db]\n    ports: [5432]\n",
			[]string{`{"selector":{"matchLabels":{"app":"db"}},"rules":[{"to":[{"operation":{"ports":["5432"]}}]}]}`}, `constraint "destination.user"`},
		{"ports and destination.port must both hold", "  - user: '*'\n",
			"  - services: [db]\n    ports: [5432, 5433]\n    constraints: [{key: destination.port, values: ['5433', '6000']}]\n",
			[]string{`{"selector":{"matchLabels":{"app":"db"}},"rules":[{"to":[{"operation":{"ports":["5433"]}}]}]}`},
			"port 5433 is no port of the Services the role names (db)"},
		{"destination.ip becomes a when key", "  - user: '*'\n",
			"  - services: [db]\n    constraints: [{key: destination.ip, values: [10.0.0.1]}]\n",
			[]string{`{"selector":{"matchLabels":{"app":"db"}},"rules":[{"when":[{"key":"destination.ip","values":["10.0.0.1"]}]}]}`}, ""},
		{"destination.name narrows the services", "  - user: '*'\n",
			"  - services: ['*']\n    constraints: [{key: destination.name, values: [we*]}]\n",
			[]string{`{"selector":{"matchLabels":{"app":"web"}},"rules":[{}]}`}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := legacyCluster + "  subjects:\n" + tc.subjects + legacyRole(tc.rules)
			m := loadWith(t, doc)
			tr := Legacy(m)
			var got []string
			for _, p := range tr.Policies {
				b, err := protojson.Marshal(p.Spec)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, compactJSON(string(b)))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("policies\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var problems []string
			for _, p := range tr.Problems {
				problems = append(problems, p.Message)
			}
			switch {
			case tc.problem == "" && len(problems) > 0:
				t.Errorf("unexpected problems: %v", problems)
			case tc.problem != "" && !strings.Contains(strings.Join(problems, "\n"), tc.problem):
				t.Errorf("problems %v, want one saying %q", problems, tc.problem)
			}
		})
	}
}

// ClusterRbacConfig ON made every Service without a ServiceRole deny;
// ON_WITH_INCLUSION only the listed namespaces and Services (Istio 1.4's
// converter: pilot/pkg/security/authz/converter/converter.go
// convertClusterRbacConfig).
func TestLegacyAllowNothing(t *testing.T) {
	config := func(spec string) string {
		return "---\napiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec:\n" + spec
	}
	tests := []struct {
		name, spec string
		want       []string // name/namespace of each allow-nothing policy
	}{
		{"ON", "  mode: 'ON'\n", []string{"allow-nothing/istio-system"}},
		{"ON_WITH_INCLUSION namespaces", "  mode: ON_WITH_INCLUSION\n  inclusion: {namespaces: [shop]}\n", []string{"allow-nothing/shop"}},
		{"ON_WITH_INCLUSION services", "  mode: ON_WITH_INCLUSION\n  inclusion: {services: [db.shop.svc.cluster.local]}\n", []string{"db-allow-nothing/shop"}},
		{"ON_WITH_EXCLUSION", "  mode: ON_WITH_EXCLUSION\n  exclusion: {namespaces: [other]}\n", []string{"allow-nothing/shop"}},
		{"OFF", "  mode: 'OFF'\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadWith(t, legacyCluster+"  subjects: [{user: '*'}]\n"+legacyRole("  - services: [web]\n")+config(tc.spec))
			tr := Legacy(m)
			var got []string
			for i, p := range tr.Policies {
				if len(p.Spec.GetRules()) == 0 {
					got = append(got, tr.Names[i]+"/"+tr.Namespaces[i])
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("allow-nothing policies %v, want %v", got, tc.want)
			}
			if tc.name == "ON" {
				// The intent: db, which no role covers, denies; web allows.
				e := IntentEvaluator(m)
				db, web := workload(t, m, "shop/db[Deployment]"), workload(t, m, "shop/web[Deployment]")
				if v := e.Decide(Source{Workload: web}, db, 5432); !v.Allowed.IsNever() {
					t.Errorf("web -> db under RBAC ON: %q, want never", v.Allowed)
				}
				if v := e.Decide(Source{Workload: db}, web, 8080); !v.Allowed.IsAlways() {
					t.Errorf("db -> web, which a role opens to all: %q", v.Allowed)
				}
			}
		})
	}
}

// compactJSON drops the spaces protojson may put between tokens.
func compactJSON(s string) string {
	var b strings.Builder
	inString := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' && (i == 0 || s[i-1] != '\\') {
			inString = !inString
		}
		if !inString && (c == ' ' || c == '\n') {
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
