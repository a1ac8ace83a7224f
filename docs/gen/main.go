// Command gen writes docs/rules from the rule values: one page per rule
// (ruledoc.Page, the same text `meshlint explain` prints and SARIF carries as
// help) and the catalogue README.md. Generated docs never drift from the
// code; a test fails when the files on disk are stale.
//
// Run it with `go generate ./docs/...` from the repository root.
package main

//go:generate go run . -dir ../rules

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/ruledoc"
	"github.com/meshlint/meshlint/rules"
)

// regenerate is the command that fixes stale docs, for error messages.
const regenerate = "go generate ./docs/..."

func main() {
	dir := flag.String("dir", filepath.Join("docs", "rules"), "directory to write the rule pages to")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// files are the files docs/rules holds, by name: a page per rule of
// rules.All() and the catalogue linking them.
func files() map[string]string {
	all := rules.All()
	out := make(map[string]string, len(all)+1)
	for _, r := range all {
		out[r.ID+".md"] = ruledoc.Page(r)
	}
	out["README.md"] = ruledoc.Catalogue(all, func(r *analyzer.Rule) string { return r.ID + ".md" })
	return out
}

// write makes dir hold exactly files(): pages are rewritten only when they
// change, and Markdown files that no rule generates are removed.
func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	want := files()
	for name, text := range want {
		path := filepath.Join(dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, []byte(text)) {
			continue
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	extra, err := extraFiles(dir, want)
	if err != nil {
		return err
	}
	for _, name := range extra {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// stale lists how dir differs from what write would leave there.
func stale(dir string) ([]string, error) {
	want := files()
	var out []string
	for name, text := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case os.IsNotExist(err):
			out = append(out, name+" is missing")
		case err != nil:
			return nil, err
		case !bytes.Equal(got, []byte(text)):
			out = append(out, name+" differs from the rule's definition")
		}
	}
	extra, err := extraFiles(dir, want)
	if err != nil {
		return nil, err
	}
	for _, name := range extra {
		out = append(out, name+" documents no rule")
	}
	slices.Sort(out)
	return out, nil
}

// extraFiles are the Markdown files of dir that files() does not hold.
func extraFiles(dir string, want map[string]string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			if _, ok := want[e.Name()]; !ok {
				out = append(out, e.Name())
			}
		}
	}
	return out, nil
}
