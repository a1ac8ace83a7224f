package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The HTML report from the command line: lint's format and --report, and
// graph's, which shows connectivity alone.
func TestHTMLFromTheCommandLine(t *testing.T) {
	page := func(t *testing.T, out string, findings bool) {
		t.Helper()
		if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, `id="meshlint-data"`) || !strings.Contains(out, `id="connectivity"`) {
			t.Fatalf("not a report page:\n%.300s", out)
		}
		if got := strings.Contains(out, `id="findings"`); got != findings {
			t.Errorf("findings section: %v, want %v", got, findings)
		}
	}
	t.Run("lint --format html", func(t *testing.T) {
		code, out, errOut := runMeshlint(t, "", "--format", "html", "testdata/manifests/blocked-allow")
		if code != 1 {
			t.Errorf("exit %d (%s), want 1: the scenario has an error", code, errOut)
		}
		page(t, out, true)
	})
	t.Run("--report html=PATH", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "report.html")
		code, out, errOut := runMeshlint(t, "", "--fail-on", "none", "--report", "html="+path, "testdata/manifests/seed")
		if code != 0 || !strings.Contains(out, "12 objects in 2 files") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		page(t, string(data), true)
	})
	t.Run("graph --format html", func(t *testing.T) {
		code, out, errOut := runMeshlint(t, "", "graph", "--format", "html", "--layer", "network", "testdata/manifests/bookinfo")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		page(t, out, false)
		if !strings.Contains(out, `data-layer="network" aria-selected="true"`) {
			t.Error("--layer network is not the layer shown first")
		}
	})
	t.Run("graph --format html --focus", func(t *testing.T) {
		code, _, errOut := runMeshlint(t, "", "graph", "--format", "html", "--focus", "bookinfo/reviews-v1", "testdata/manifests/bookinfo")
		if code != exitFailure || !strings.Contains(errOut, "--focus: not with --format html") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}

// A run of several environments shows each one's connectivity, to choose
// between.
func TestHTMLEnvironments(t *testing.T) {
	for _, args := range [][]string{
		{"--fail-on", "none", "--format", "html", "testdata/manifests/overlays"},
		{"graph", "--format", "html", "testdata/manifests/overlays"},
	} {
		code, out, errOut := runMeshlint(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		for _, want := range []string{`aria-label="Environment"`, "environment: testdata/manifests/overlays/prod", "environment: testdata/manifests/overlays/staging"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: the page lacks %q", args, want)
			}
		}
	}
}

// diff --format html draws the change as the report's diff view; a diff of
// several environments must say which one to draw.
func TestDiffHTMLFromTheCommandLine(t *testing.T) {
	old, new := "diff/testdata/scenarios/netpol-peer-split/old", "diff/testdata/scenarios/netpol-peer-split/new"
	code, out, errOut := runMeshlint(t, "", "diff", "--format", "html", old, new)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"<!DOCTYPE html>", `id="meshlint-data"`, `id="views" class="diff"`, "before: " + old, "after: " + new} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	code, _, errOut = runMeshlint(t, "", "diff", "--format", "html", "testdata/manifests/overlays", "testdata/manifests/overlays")
	if code != exitFailure || !strings.Contains(errOut, "choose one with --environment") {
		t.Errorf("several environments: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut = runMeshlint(t, "", "diff", "--format", "html", "--environment", "testdata/manifests/overlays/prod", "testdata/manifests/overlays", "testdata/manifests/overlays")
	if code != 0 || !strings.Contains(out, `class="diff"`) {
		t.Errorf("--environment: exit %d, stderr %q", code, errOut)
	}
}
