package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/lint"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/report"
	"github.com/meshlint/meshlint/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const helpBase = "https://github.com/meshlint/meshlint/blob/main/docs/rules/"

// repoRoot is the module root: reports give paths relative to it.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// scenarios lists every directory under testdata/manifests, so that
// scenarios added later are covered without touching these tests.
func scenarios(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(repoRoot(t), "testdata", "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.ToSlash(filepath.Join("testdata", "manifests", e.Name())))
		}
	}
	if len(dirs) == 0 {
		t.Fatal("no scenario directories under testdata/manifests")
	}
	return dirs
}

// lintRun lints paths (relative to workDir) as `meshlint` run in workDir
// would, and returns what the report writers receive.
func lintRun(t *testing.T, workDir string, opts lint.Options) *report.Run {
	t.Helper()
	given := opts.Paths
	opts.WorkDir = workDir
	opts.Paths = nil
	for _, p := range given {
		if p != "-" && !filepath.IsAbs(p) {
			p = filepath.Join(workDir, filepath.FromSlash(p))
		}
		opts.Paths = append(opts.Paths, p)
	}
	res, err := lint.Run(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &report.Run{
		ToolVersion: "v1.2.3",
		Findings:    res.Findings,
		Rules:       res.Rules,
		Objects:     len(res.Model.Objects),
		Files:       res.Model.Files,
		Skipped:     res.Model.Skipped,
		HelpBase:    helpBase,
		Paths:       given,
		WorkDir:     workDir,
	}
}

// ciStdin holds two identical problems (same rule, file and message: the
// same fingerprint), which the reports must still tell apart.
const ciStdin = `kind: Service
metadata:
  name: a
---
kind: Service
metadata:
  name: b
`

// ciRun is the fixture of the golden tests: real findings from
// report/testdata/ci and stdin, a finding on a file as a whole with text
// that needs escaping, and suppressed findings of both kinds. The rules are
// pinned so that rules added later do not change the golden files.
func ciRun(t *testing.T) *report.Run {
	t.Helper()
	root := repoRoot(t)
	run := lintRun(t, root, lint.Options{
		Paths:  []string{"report/testdata/ci", "-"},
		Stdin:  strings.NewReader(ciStdin),
		Enable: []string{"MSH001", "MSH101", "MSH401", "MSH404"},
	})
	// A problem with a file as a whole has no line (as when it cannot be
	// read); it is made by a real Pass so that it has a real fingerprint.
	wholeFile := *rules.InvalidManifest
	wholeFile.Run = func(p *analyzer.Pass) {
		p.ReportFile(manifest.Position{File: "report/testdata/ci/policies.yaml"},
			"cannot read file: 50%% done, then: an error\non a second line")
	}
	// A user's policy rule: custom, a note, with no page and no description.
	custom := &analyzer.Rule{
		ID: "ACME001", Name: "team-label-required", Severity: analyzer.Note, Custom: true,
		Summary: "Every object names its team",
		Run: func(p *analyzer.Pass) {
			p.ReportFile(manifest.Position{File: "report/testdata/ci/policies.yaml", Line: 10, Column: 1},
				"NetworkPolicy backend/frontend-backend has no team label")
		},
	}
	run.Rules = append(run.Rules, custom)
	run.Findings = append(run.Findings, analyzer.Run(nil, []*analyzer.Rule{&wholeFile, custom})...)
	analyzer.Sort(run.Findings)
	// The golden files pin the report formats, not the rules' documentation,
	// which the rules' authors change at will: the rules get stand-in texts.
	stand := map[*analyzer.Rule]*analyzer.Rule{}
	standIn := func(r *analyzer.Rule) *analyzer.Rule {
		if c, ok := stand[r]; ok {
			return c
		}
		c := *r
		c.Summary = "What " + r.ID + " catches"
		c.Description = "Why " + r.ID + " matters, with `code`."
		c.Bad, c.Good = "kind: Bad\n", "kind: Good\n"
		c.Fix = "How to fix " + r.ID + "."
		c.Tags = []string{"fixture"}
		stand[r] = &c
		return &c
	}
	for i, r := range run.Rules {
		if !r.Custom {
			run.Rules[i] = standIn(r)
		}
	}
	for i := range run.Findings {
		if !run.Findings[i].Rule.Custom {
			run.Findings[i].Rule = standIn(run.Findings[i].Rule)
		}
	}
	suppressed := 0
	for i := range run.Findings {
		switch f := &run.Findings[i]; f.Rule.ID {
		case "MSH404":
			f.Suppressed = &analyzer.Suppression{Kind: "inSource", Reason: "reviews is deployed by the reviews team"}
			suppressed++
		case "MSH401":
			f.Suppressed = &analyzer.Suppression{Kind: "external", Reason: "accepted in the baseline until the migration"}
			suppressed++
		}
	}
	if suppressed != 2 {
		t.Fatalf("the fixture should give one MSH404 and one MSH401 finding, got %d", suppressed)
	}
	return run
}

func write(t *testing.T, format string, run *report.Run) []byte {
	t.Helper()
	w, err := report.Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w(&buf, run); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (if the change is meant, run go test ./report -update and review the diff):\n--- got\n%s", path, got)
	}
}
