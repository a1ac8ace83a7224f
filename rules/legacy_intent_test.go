package rules_test

import (
	"strings"
	"testing"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/rules"
)

// SPEC.md: cross-layer rules read legacy RBAC as the author's intent and
// say so ("intended by ServiceRoleBinding X, which current Istio ignores").
// The seed article's only authorization is a ServiceRoleBinding.
func TestCrossLayerNamesLegacyIntent(t *testing.T) {
	const want = "(intended by ServiceRoleBinding backend/frontend-access, which current Istio ignores)"
	for _, r := range []*analyzer.Rule{rules.MeshAllowBlockedByNetpol, rules.NetpolBroaderThanMesh} {
		fs := findings(t, "../testdata/manifests/seed", r)
		if len(fs) == 0 {
			t.Errorf("%s does not fire on the seed article", r.ID)
		}
		for _, f := range fs {
			if !strings.Contains(f.Message, want) {
				t.Errorf("%s: %q does not say %s", r.ID, f.Message, want)
			}
		}
	}
}
