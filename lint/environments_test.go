package lint

import (
	"strings"
	"testing"
)

const overlays = "../testdata/manifests/overlays"

// Build makes one model per environment, each of its own objects only.
func TestBuildPerEnvironment(t *testing.T) {
	res, err := Build(Options{Paths: []string{overlays}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Several() || len(res.Environments) != 2 {
		t.Fatalf("%d environments, want 2", len(res.Environments))
	}
	for i, suffix := range []string{"/prod", "/staging"} {
		e := res.Environments[i]
		if !strings.HasSuffix(e.Name, suffix) || len(e.Model.Objects) != 8 || e.Model.Namespace("shop") == nil {
			t.Errorf("environment %d: %q with %d objects", i, e.Name, len(e.Model.Objects))
		}
		if e.Model == res.Environments[1-i].Model {
			t.Error("two environments share a model")
		}
	}
	if res.Model != res.Environments[0].Model || len(res.Loaded.Objects) != 16 {
		t.Errorf("Model is not the first environment's, or Loaded is not everything (%d objects)", len(res.Loaded.Objects))
	}
}

// Run lists a finding that holds in both environments once, naming both.
func TestRunMergesFindings(t *testing.T) {
	res, err := Run(Options{Paths: []string{overlays}})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range res.Findings {
		key := f.Rule.ID + " " + f.Pos.String()
		seen[key]++
		if seen[key] > 1 {
			t.Errorf("%s reported twice", key)
		}
		if len(f.Environments) == 0 {
			t.Errorf("%s names no environment", key)
		}
		total := 0
		for _, e := range res.Environments {
			for _, g := range e.Findings {
				if g.Rule == f.Rule && g.Pos == f.Pos && g.Message == f.Message {
					total++
				}
			}
		}
		if total != len(f.Environments) {
			t.Errorf("%s holds in %d environments but names %v", key, total, f.Environments)
		}
	}
	// Alone, a run has one environment and its findings name none.
	res, err = Run(Options{Paths: []string{overlays}, Environment: res.Environments[0].Name})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if len(f.Environments) > 0 {
			t.Errorf("%s names %v in a run of one environment", f.Rule.ID, f.Environments)
		}
	}
}
