package model

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/manifest"
)

// ServedState says whether an apiVersion serves a kind.
type ServedState int

const (
	// ServedUnknown: meshlint does not know the kind, or it is another
	// vendor's kind of the same name (Calico's projectcalico.org
	// NetworkPolicy, Knative's Service): not ours to judge.
	ServedUnknown ServedState = iota
	// ServedYes: a current API (or, for legacy Istio RBAC, the group it lived in) serves it.
	ServedYes
	// ServedNo: a known kind under an apiVersion that does not serve it.
	ServedNo
)

// servedVersions lists, for the kinds meshlint knows, the apiVersions that
// serve them. Legacy Istio RBAC keeps the one group it was served from, so that
// MSH401 alone fires on it there and MSH002 as well elsewhere.
var servedVersions = map[string][]string{
	"Namespace":             {"v1"},
	"Pod":                   {"v1"},
	"Service":               {"v1"},
	"ServiceAccount":        {"v1"},
	"ReplicationController": {"v1"},
	"ConfigMap":             {"v1"},
	"Secret":                {"v1"},
	"Endpoints":             {"v1"},
	"Deployment":            {"apps/v1"},
	"ReplicaSet":            {"apps/v1"},
	"StatefulSet":           {"apps/v1"},
	"DaemonSet":             {"apps/v1"},
	"Job":                   {"batch/v1"},
	"CronJob":               {"batch/v1"},
	"NetworkPolicy":         {"networking.k8s.io/v1"},
	"Ingress":               {"networking.k8s.io/v1"},

	"AuthorizationPolicy":   {"security.istio.io/v1", "security.istio.io/v1beta1"},
	"PeerAuthentication":    {"security.istio.io/v1", "security.istio.io/v1beta1"},
	"RequestAuthentication": {"security.istio.io/v1", "security.istio.io/v1beta1"},
	"DestinationRule":       {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"},
	"VirtualService":        {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"},
	"Gateway":               {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3", "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"},
	"ServiceEntry":          {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"},
	"Sidecar":               {"networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"},

	"IstioOperator": {"install.istio.io/v1alpha1"},

	"ServiceRole":        {"rbac.istio.io/v1alpha1"},
	"ServiceRoleBinding": {"rbac.istio.io/v1alpha1"},
	"RbacConfig":         {"rbac.istio.io/v1alpha1"},
	"ClusterRbacConfig":  {"rbac.istio.io/v1alpha1"},
}

// ourGroups are the API groups whose kinds meshlint knows: Kubernetes' own
// (core, apps, batch, networking, and extensions, which once served
// NetworkPolicy and Deployment), Gateway API's, and Istio's. A known kind
// name under any other group is another vendor's kind.
var ourGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "extensions": true, "policy": true,
	"networking.k8s.io": true, "gateway.networking.k8s.io": true,
}

// OurGroup reports whether meshlint judges the kinds of an API group: the
// Kubernetes groups it knows, and every Istio group (*.istio.io).
func OurGroup(group string) bool {
	return ourGroups[group] || group == "istio.io" || strings.HasSuffix(group, ".istio.io")
}

// Foreign reports an object of another vendor's group that bears the name
// of a kind meshlint knows (a Calico NetworkPolicy): it is counted, never
// reported on, and takes no part in the model.
func Foreign(o *manifest.Object) bool {
	_, known := servedVersions[o.Kind]
	return known && !OurGroup(o.Group())
}

// Served says whether apiVersion serves kind. Kinds are keyed by API group
// and kind: a known kind under another vendor's group is ServedUnknown.
func Served(kind, apiVersion string) ServedState {
	versions, ok := servedVersions[kind]
	if !ok {
		return ServedUnknown
	}
	group := ""
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		group = apiVersion[:i]
	}
	if !OurGroup(group) {
		return ServedUnknown
	}
	for _, v := range versions {
		if v == apiVersion {
			return ServedYes
		}
	}
	return ServedNo
}

// ServedVersions returns the apiVersions that serve kind, sorted.
func ServedVersions(kind string) []string {
	v := append([]string(nil), servedVersions[kind]...)
	sort.Strings(v)
	return v
}

// IsLegacyRBAC reports the Istio RBAC kinds removed in Istio 1.6.
func IsLegacyRBAC(kind string) bool {
	switch kind {
	case "ServiceRole", "ServiceRoleBinding", "RbacConfig", "ClusterRbacConfig":
		return true
	}
	return false
}
