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
