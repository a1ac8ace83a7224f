package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every scenario under testdata/manifests has its lint report, its effective
// connectivity and its mesh layer (what Istio alone lets through) pinned, so
// a change in what meshlint concludes about a realistic setup shows up in
// review.
func TestScenarioGoldens(t *testing.T) {
	dirs, err := filepath.Glob("../../testdata/manifests/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	wd, _ := os.Getwd()
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			continue // the scenarios' config file
		}
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			path := "testdata/manifests/" + name
			_, lintOut, errOut := runMeshlint(t, "", "--fail-on", "none", path)
			_, graphOut, _ := runMeshlint(t, "", "graph", "--layer", "effective", path)
			_, meshOut, _ := runMeshlint(t, "", "graph", "--layer", "mesh", path)
			t.Chdir(wd)
			if errOut != "" {
				t.Errorf("lint stderr: %s", errOut)
			}
			if lintOut == "" || graphOut == "" {
				t.Fatalf("no output: every scenario has a summary and some connectivity")
			}
			checkGolden(t, filepath.Join("scenarios", name+".lint"), lintOut)
			checkGolden(t, filepath.Join("scenarios", name+".effective"), graphOut)
			checkGolden(t, filepath.Join("scenarios", name+".mesh"), meshOut)
		})
	}
}

// What each scenario is about: the rule it exists to show fires, and the
// fixed article is clean at warning and above.
func TestScenarioIntent(t *testing.T) {
	tests := []struct {
		scenario string
		rules    []string // rules that must fire
		clean    bool     // nothing at warning or above
	}{
		{"seed", []string{"MSH002", "MSH003", "MSH101", "MSH104", "MSH301", "MSH302", "MSH401"}, false},
		{"seed-fixed", nil, true},
		{"blocked-allow", []string{"MSH301"}, false},
		{"netpol-broader", []string{"MSH302"}, false},
		{"istiod-egress", []string{"MSH303"}, false},
		{"strict-mtls-unmeshed", []string{"MSH304"}, false},
		{"ambient-hbone", []string{"MSH303"}, false},
		{"ambient-netpol", []string{"MSH301", "MSH303"}, false},
		{"sidecar-bypass", []string{"MSH305"}, false},
		{"bookinfo", nil, true},
		{"overlays", []string{"MSH103", "MSH301"}, false},
		{"partial-build", []string{"MSH010", "MSH301"}, false},
		{"duplicate", []string{"MSH008", "MSH102"}, false},
		{"authz-tcp", []string{"MSH208"}, false},
		{"sniffed-port-blocked", []string{"MSH301"}, false},
		{"bookinfo-live", nil, true},
		{"ingress-gateway", nil, true},
		{"ambient-waypoint", nil, true},
		{"ambient-waypoint-netpol", []string{"MSH301"}, false},
		{"egress-modes", []string{"MSH306", "MSH307"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			code, out, errOut := runMeshlint(t, "", "--fail-on", "warning", "testdata/manifests/"+tc.scenario)
			if tc.clean && code != 0 {
				t.Errorf("exit %d, want a clean run:\n%s%s", code, out, errOut)
			}
			for _, id := range tc.rules {
				if !strings.Contains(out, "["+id+" ") {
					t.Errorf("%s does not fire:\n%s", id, out)
				}
			}
		})
	}
}
