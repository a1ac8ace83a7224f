package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/rules"
)

// TestDocsUpToDate fails when docs/rules differs from what the generator
// writes: a rule was added or its documentation changed without the docs.
func TestDocsUpToDate(t *testing.T) {
	problems, err := stale(filepath.Join("..", "rules"))
	if err != nil {
		t.Fatalf("%v (run %s)", err, regenerate)
	}
	if len(problems) > 0 {
		t.Errorf("docs/rules is stale; run `%s` and commit the result:\n  %s", regenerate, strings.Join(problems, "\n  "))
	}
}

// TestWriteAndStale: what write leaves is not stale; a hand edit, a missing
// page and a page of no rule are each caught, and write repairs them.
func TestWriteAndStale(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	if problems, err := stale(dir); err != nil || len(problems) > 0 {
		t.Fatalf("fresh docs are stale: %v %v", problems, err)
	}
	all := rules.All()
	if len(all) < 2 {
		t.Skip("needs two rules")
	}
	edit := filepath.Join(dir, all[0].ID+".md")
	if err := os.WriteFile(edit, []byte("hand-edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, all[1].ID+".md")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "MSH999.md"), []byte("gone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := stale(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{all[0].ID + ".md differs", all[1].ID + ".md is missing", "MSH999.md documents no rule"}
	got := strings.Join(problems, "\n")
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("stale() misses %q:\n%s", w, got)
		}
	}
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	if problems, err := stale(dir); err != nil || len(problems) > 0 {
		t.Errorf("write did not repair the docs: %v %v", problems, err)
	}
}

// TestPagesAreComplete: every page says what the rule catches, why it
// matters, shows a bad and a fixed example, and how to suppress it.
func TestPagesAreComplete(t *testing.T) {
	for name, text := range files() {
		if name == "README.md" {
			continue
		}
		for _, section := range []string{"## What it catches", "## Why it matters", "## Bad\n\n```yaml", "## Fixed\n\n```yaml", "## How to suppress"} {
			if !strings.Contains(text, section) {
				t.Errorf("%s lacks %q", name, section)
			}
		}
	}
	readme := files()["README.md"]
	for _, r := range rules.All() {
		if !strings.Contains(readme, "]("+r.ID+".md)") {
			t.Errorf("README.md does not link %s.md", r.ID)
		}
	}
}

// TestCLIMatchesDocs: `meshlint explain ID` prints the generated page, and
// `meshlint rules --format markdown` the catalogue (with absolute links, as
// it is read outside the repository).
func TestCLIMatchesDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds meshlint")
	}
	bin := filepath.Join(t.TempDir(), "meshlint")
	build := exec.Command("go", "build", "-o", bin, "github.com/meshlint/meshlint/cmd/meshlint")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) string {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("meshlint %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	want := files()
	for _, r := range rules.All() {
		if got := run("explain", r.ID); got != want[r.ID+".md"] {
			t.Errorf("meshlint explain %s differs from docs/rules/%s.md", r.ID, r.ID)
		}
	}
	const helpBase = "https://github.com/meshlint/meshlint/blob/main/docs/rules/"
	if got := strings.ReplaceAll(run("rules", "--format", "markdown"), "]("+helpBase, "]("); got != want["README.md"] {
		t.Errorf("meshlint rules --format markdown differs from docs/rules/README.md:\n--- got\n%s--- want\n%s", got, want["README.md"])
	}
}
