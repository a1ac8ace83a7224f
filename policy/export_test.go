package policy

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ReadsConnectivityOf exposes readsConnectivity to the external tests.
func ReadsConnectivityOf(t *testing.T, text string) Layers {
	t.Helper()
	parsed, err := ast.ParseModuleWithOpts("x.rego", text, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	return readsConnectivity([]module{{parsed: parsed}})
}
