package corpus

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCopyMatchesShared checks that the in-repository copy equals the shared
// corpora beside the checkout (../shared/conformance), when they are there:
// the copy must never drift from the oracle it was taken from.
func TestCopyMatchesShared(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(root))), "shared", "conformance")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("no shared corpora at %s to compare with", shared)
	}
	files := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			data, err := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ours, theirs := files(root), files(shared)
	for name, data := range theirs {
		got, ok := ours[name]
		switch {
		case !ok:
			t.Errorf("testdata/conformance lacks %s", name)
		case !bytes.Equal(got, data):
			t.Errorf("testdata/conformance/%s differs from %s", name, filepath.Join(shared, name))
		}
	}
	for name := range ours {
		if _, ok := theirs[name]; !ok {
			t.Errorf("testdata/conformance/%s is not in %s", name, shared)
		}
	}
	for _, name := range []string{NetpolAnalyzer, NetpolAnalyzerDiff, NCAIstio} {
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			t.Errorf("corpus %s: %v", name, err)
		}
	}
}
