package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrateSeed(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "migrate", "testdata/manifests/seed")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wd, _ := os.Getwd()
	t.Chdir(filepath.Join(wd, "cmd", "meshlint"))
	checkGolden(t, "migrate-seed.yaml", out)

	// What migrate prints must itself lint clean of errors beside the
	// cluster it is for.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "authz.yaml"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	cluster, err := os.ReadFile("../../testdata/manifests/seed/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cluster.yaml"), cluster, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(wd)
	code, lintOut, _ := runMeshlint(t, "", "--fail-on", "error", dir)
	if code != 0 || strings.Contains(lintOut, ": error: ") {
		t.Errorf("migrated policy does not lint clean (exit %d):\n%s", code, lintOut)
	}
}

func TestMigrateUntranslatable(t *testing.T) {
	in := `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: db-admin, namespace: shop}
spec:
  rules:
  - services: ["db"]
    constraints:
    - key: destination.user
      values: ["db"]
  - services: ["db"]
    methods: ["GET"]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: admins, namespace: shop}
spec:
  subjects:
  - user: cluster.local/ns/ops/sa/admin
  roleRef: {kind: ServiceRole, name: db-admin}
`
	code, out, errOut := runMeshlint(t, in, "migrate", "-")
	if code != 1 {
		t.Errorf("exit %d, want 1 when a field cannot be migrated", code)
	}
	if !strings.Contains(errOut, "<stdin>:15:7: error: cannot migrate: constraint \"destination.user\"") {
		t.Errorf("stderr does not name the field:\n%s", errOut)
	}
	if !strings.Contains(out, "cluster.local/ns/ops/sa/admin") || !strings.Contains(out, "GET") {
		t.Errorf("the translatable part is not printed:\n%s", out)
	}
	// The untranslatable permission yields no rule: one rule, for GET.
	if n := strings.Count(out, "- from:"); n != 1 {
		t.Errorf("%d rules, want only the GET one (a rule without the destination.user constraint would be wider):\n%s", n, out)
	}
}

// TestMigratePortsAreWorkloadPorts: a ServiceRole's ports (and
// destination.port) are ports of the Services it names; the
// AuthorizationPolicy gets the workload ports behind them (targetPort, by
// number or by the container port's name), and a port it cannot resolve is
// reported (exit 1) and kept, never widened.
func TestMigratePortsAreWorkloadPorts(t *testing.T) {
	const base = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
  - {name: http, port: 80, targetPort: TARGET}
  - {name: admin, port: 9000}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: x
        ports: [{containerPort: 8080, name: web}, {containerPort: 9000}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: reader, namespace: shop}
spec:
  rules:
  - services: ["api.shop.svc.cluster.local"]
    RULE
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: reader, namespace: shop}
spec:
  roleRef: {kind: ServiceRole, name: reader}
  subjects:
  - user: "cluster.local/ns/shop/sa/web"
`
	for _, tc := range []struct {
		name, target, rule string
		code               int
		want, not, stderr  string
	}{
		{"numeric targetPort", "8080", "ports: [80]", 0, `- "8080"`, `- "80"`, ""},
		{"named targetPort", "web", "ports: [80]", 0, `- "8080"`, `- "80"`, ""},
		{"no targetPort", "8080", "ports: [9000]", 0, `- "9000"`, "", ""},
		{"destination.port", "8080", `constraints: [{key: destination.port, values: ["80"]}]`, 0, `- "8080"`, `- "80"`, ""},
		{"notPorts", "8080", "notPorts: [80]", 0, `- "8080"`, `- "80"`, ""},
		{"no such Service port", "8080", "ports: [81]", 1, `- "81"`, "", "port 81 is no port of the Services the role names (api)"},
		{"named targetPort no container has", "grpc", "ports: [80]", 1, `- "80"`, "", `targetPort "grpc", which no container`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			doc := strings.NewReplacer("TARGET", tc.target, "RULE", tc.rule).Replace(base)
			writeTree(t, dir, map[string]string{"m.yaml": doc})
			code, out, errOut := runIn(t, dir, "migrate", "m.yaml")
			if code != tc.code || !strings.Contains(out, tc.want) || (tc.not != "" && strings.Contains(out, tc.not)) || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d (want %d), stdout holds %q and not %q, stderr holds %q:\n%s\n%s", code, tc.code, tc.want, tc.not, tc.stderr, out, errOut)
			}
		})
	}
}
