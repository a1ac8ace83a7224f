// Package corpus locates the conformance corpora kept in the repository
// (testdata/conformance), so that tests in any package, and every fork's CI,
// run them from the same copy.
package corpus

import (
	"errors"
	"os"
	"path/filepath"
)

// Names of the corpora under testdata/conformance.
const (
	NetpolAnalyzer     = "netpol-analyzer"
	NetpolAnalyzerDiff = "netpol-analyzer-diff"
	NCAIstio           = "nca-istio"
)

// Root returns the repository's testdata/conformance directory, found by
// walking up from the working directory to the directory holding go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "conformance"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Dir returns the directory of one corpus.
func Dir(name string) (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, name), nil
}
