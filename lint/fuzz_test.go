package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLint feeds any bytes through the whole pipeline: loading, the model,
// both layers and every rule must report, never panic. The seeds run with
// plain go test; `go test -fuzz FuzzLint ./lint/` searches for more.
func FuzzLint(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yaml", "../testdata/manifests/*/*.yaml", "../rules/testdata/*/fires/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte("kind: [unclosed\n---\napiVersion: v1\nkind: List\nitems: [1, {kind: x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Run(Options{Paths: []string{"-"}, Stdin: bytes.NewReader(data), AllowEmpty: true})
		if err != nil {
			t.Fatalf("reading stdin failed: %v", err)
		}
		for _, fd := range res.Findings {
			if fd.Pos.File == "" {
				t.Fatalf("finding without a file: %+v", fd)
			}
		}
	})
}
