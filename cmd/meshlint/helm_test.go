package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const shopChart = "testdata/helm/shop"

// The chart fixture is clean with its own values; with a values file that
// points cart's NetworkPolicy peer at no workload, the finding stands at the
// template line that writes the peer, and the values file that sets the
// label is related.
func TestHelmFixture(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--no-config", "--fail-on", "note", shopChart)
	if code != 0 {
		t.Errorf("defaults: exit %d, want a clean run:\n%s%s", code, out, errOut)
	}
	code, out, errOut = runMeshlint(t, "", "--no-config", "-f", "json", "--helm-values", shopChart+"/values-broken-peer.yaml", shopChart)
	if code != 1 {
		t.Fatalf("broken peer: exit %d:\n%s%s", code, out, errOut)
	}
	var rep struct {
		Findings []struct {
			Rule     string
			Location struct {
				File string
				Line int
			}
			Related []struct {
				Location struct {
					File string
					Line int
				}
				Message string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule != "MSH103" {
			continue
		}
		found = true
		if f.Location.File != shopChart+"/templates/networkpolicy.yaml" || f.Location.Line != 17 {
			t.Errorf("MSH103 at %s:%d, want the peer's podSelector in the template (line 17)", f.Location.File, f.Location.Line)
		}
		related := false
		for _, r := range f.Related {
			related = related || (r.Location.File == shopChart+"/values-broken-peer.yaml" && r.Location.Line == 5 && strings.Contains(r.Message, "networkPolicy.allowFrom.app"))
		}
		if !related {
			t.Errorf("MSH103 does not relate the values file's line 5: %+v", f.Related)
		}
	}
	if !found {
		t.Errorf("no MSH103:\n%s", out)
	}
}

// A tree with a chart, a kustomization and plain manifests: all three are
// linted together, once per values set the config file gives the chart,
// and the summary names each environment.
func TestHelmTree(t *testing.T) {
	wd, _ := os.Getwd()
	_, out, errOut := runMeshlint(t, "", "--config", "testdata/helm/tree/.meshlint.yaml", "--fail-on", "none", "testdata/helm/tree")
	t.Chdir(wd)
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	checkGolden(t, "helm/tree.lint", out)
	for _, want := range []string{
		"(2 environments: testdata/helm/tree/chart[values-dev.yaml], testdata/helm/tree/chart[values-prod.yaml])",
		// The plain AuthorizationPolicy lets the kustomization's web call
		// the chart's api, which prod's NetworkPolicy blocks.
		"testdata/helm/tree/policies/shop.yaml:19:7: error: AuthorizationPolicy shop/api spec.rules[0] allows shop/web[Deployment]",
		"testdata/helm/tree/chart/templates/api.yaml:34:3: isolates the ingress of shop/api[Deployment]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A chart named on the command line that does not render fails the run;
// found while walking, it is a finding and the rest is linted.
func TestHelmChartFails(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--no-config", "--helm-set", "cart.port=http", shopChart)
	if code != 2 || !strings.Contains(errOut, "at '/cart/port': got string, want integer") || !strings.Contains(errOut, "--helm-set cart.port=http") {
		t.Errorf("named chart failing its schema: exit %d\n%s%s", code, out, errOut)
	}
}

// Hooks are left out and counted, unless --helm-hooks.
func TestHelmHooks(t *testing.T) {
	_, out, _ := runMeshlint(t, "", "--no-config", shopChart)
	if !strings.Contains(out, "9 objects in 6 files, left out 1 Helm hook (--helm-hooks lints it):") {
		t.Errorf("summary without hooks:\n%s", out)
	}
	_, out, _ = runMeshlint(t, "", "--no-config", "--fail-on", "none", "--helm-hooks", shopChart)
	if !strings.Contains(out, "10 objects in 7 files:") || !strings.Contains(out, "templates/hooks/migrate.yaml") {
		t.Errorf("summary with hooks:\n%s", out)
	}
}

// A meshlint:ignore comment in a template silences the finding there: Helm
// keeps the comment in what it renders.
func TestHelmSuppressionInTemplate(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, shopChart), dir)
	np := filepath.Join(dir, "templates", "networkpolicy.yaml")
	data, err := os.ReadFile(np)
	if err != nil {
		t.Fatal(err)
	}
	commented := strings.Replace(string(data), "        - podSelector:", "        # meshlint:ignore MSH103 the front end is renamed next release\n        - podSelector:", 1)
	if err := os.WriteFile(np, []byte(commented), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, _ := runMeshlint(t, "", "--no-config", "--fail-on", "none", "--helm-values", filepath.Join(dir, "values-broken-peer.yaml"), dir)
	if strings.Contains(out, "MSH103") || !strings.Contains(out, "(1 suppressed)") {
		t.Errorf("the comment does not silence MSH103:\n%s", out)
	}
}

// --environment picks one values set of a chart.
func TestHelmEnvironmentFlag(t *testing.T) {
	code, out, errOut := runMeshlint(t, "", "--config", "testdata/helm/tree/.meshlint.yaml", "--fail-on", "error",
		"--environment", "testdata/helm/tree/chart[values-dev.yaml]", "testdata/helm/tree")
	if code != 0 || strings.Contains(out, "MSH301") || strings.Contains(out, "environments") {
		t.Errorf("dev alone: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runMeshlint(t, "", "--config", "testdata/helm/tree/.meshlint.yaml", "--fail-on", "error",
		"--environment", "testdata/helm/tree/chart[values-prod.yaml]", "testdata/helm/tree")
	if code != 1 || !strings.Contains(out, "MSH301") {
		t.Errorf("prod alone: exit %d\n%s", code, out)
	}
}
