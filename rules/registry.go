// Package rules holds meshlint's built-in rules, one per file. Each rule is
// an analyzer.Rule value with its documentation beside its code; fixtures
// live in testdata/<ID>/.
package rules

import (
	"strings"

	"github.com/meshlint/meshlint/analyzer"
)

// All returns every built-in rule, ordered by ID.
func All() []*analyzer.Rule {
	return []*analyzer.Rule{
		InvalidManifest,
		UnservedAPIVersion,
		InvalidSpec,
		SuppressionWithoutReason,
		IneffectiveSuppression,
		DuplicateObject,
		BuildFailed,
		OutsideBuild,
		NetpolPeerSplit,
		NetpolSelectsNothing,
		NetpolPeerSelectsNothing,
		NetpolPodSelectorWrongNamespace,
		NetpolNamedPortUnresolved,
		NetpolDNSBlocked,
		WorkloadNotIsolated,
		AuthzSelectsNothing,
		AuthzUnknownPrincipal,
		AuthzUnknownNamespace,
		AuthzPortNotServed,
		AuthzWorkloadNotInMesh,
		AuthzIdentityUnavailable,
		AuthzAllowAll,
		AuthzHTTPFieldOnTCP,
		AuthzNotEnforced,
		AuthzDryRun,
		MeshSettingIgnored,
		ServiceProtocolConflict,
		MeshAllowBlockedByNetpol,
		NetpolBroaderThanMesh,
		MeshControlPlaneBlocked,
		StrictMTLSUnmeshedClient,
		SidecarBypassPort,
		SidecarEgressNotABoundary,
		SidecarScopeDropsIdentity,
		LegacyRBACRemoved,
		LegacyBindingRoleMissing,
		LegacyBindingSubjectMissing,
		LegacyRoleServiceMissing,
		PeerAuthSelectsNothing,
		DestinationRuleTLSConflict,
		PeerAuthConflict,
	}
}

// Lookup finds a built-in rule by ID or name (case-insensitive).
func Lookup(idOrName string) *analyzer.Rule {
	for _, r := range All() {
		if strings.EqualFold(r.ID, idOrName) || strings.EqualFold(r.Name, idOrName) {
			return r
		}
	}
	return nil
}
