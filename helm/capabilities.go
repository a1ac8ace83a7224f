package helm

import (
	"fmt"
	"sort"
	"sync"

	"helm.sh/helm/v3/pkg/chartutil"
)

// KubeVersion is the Kubernetes version charts are rendered for: the one
// of the k8s.io/api meshlint is built with (v0.37 is Kubernetes 1.37; a
// test keeps the two together).
const KubeVersion = "v1.37.0"

// istioAPIVersions are the API versions of the CRDs Istio installs (Istio's
// manifests/charts/base/files/crd-all.gen.yaml) and of the Gateway API
// meshlint reads, each as group/version and group/version/Kind, the two
// forms `helm install` learns from a cluster's discovery.
var istioAPIVersions = map[string][]string{
	"security.istio.io/v1":               {"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"},
	"security.istio.io/v1beta1":          {"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"},
	"networking.istio.io/v1":             {"DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "VirtualService", "WorkloadEntry", "WorkloadGroup"},
	"networking.istio.io/v1beta1":        {"DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "VirtualService", "WorkloadEntry", "WorkloadGroup", "ProxyConfig"},
	"networking.istio.io/v1alpha3":       {"DestinationRule", "EnvoyFilter", "Gateway", "ServiceEntry", "Sidecar", "VirtualService", "WorkloadEntry", "WorkloadGroup"},
	"telemetry.istio.io/v1":              {"Telemetry"},
	"telemetry.istio.io/v1alpha1":        {"Telemetry"},
	"extensions.istio.io/v1alpha1":       {"WasmPlugin"},
	"gateway.networking.k8s.io/v1":       {"Gateway", "GatewayClass", "GRPCRoute", "HTTPRoute"},
	"gateway.networking.k8s.io/v1beta1":  {"Gateway", "GatewayClass", "HTTPRoute", "ReferenceGrant"},
	"gateway.networking.k8s.io/v1alpha2": {"GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "ReferenceGrant"},
	"policy.networking.k8s.io/v1alpha1":  {"AdminNetworkPolicy", "BaselineAdminNetworkPolicy"},
	"rbac.istio.io/v1alpha1":             {"ServiceRole", "ServiceRoleBinding", "RbacConfig", "ClusterRbacConfig"},
	"install.istio.io/v1alpha1":          {"IstioOperator"},
	"apiextensions.k8s.io/v1":            {"CustomResourceDefinition"},
	"networking.k8s.io/v1":               {"NetworkPolicy", "Ingress", "IngressClass"},
	"admissionregistration.k8s.io/v1":    {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"},
	"autoscaling/v2":                     {"HorizontalPodAutoscaler"},
	"policy/v1":                          {"PodDisruptionBudget"},
	"monitoring.coreos.com/v1":           {"ServiceMonitor", "PodMonitor", "PrometheusRule"},
	"cert-manager.io/v1":                 {"Certificate", "Issuer", "ClusterIssuer"},
}

var (
	capsOnce sync.Once
	caps     *chartutil.Capabilities
)

// Capabilities are the .Capabilities charts see: KubeVersion, the API
// versions of Kubernetes itself (Helm's default set) and those of Istio's
// CRDs and the other kinds meshlint reads.
func Capabilities() *chartutil.Capabilities {
	capsOnce.Do(func() {
		kv, err := chartutil.ParseKubeVersion(KubeVersion)
		if err != nil {
			panic(err) // a constant: a test parses it
		}
		c := chartutil.DefaultCapabilities.Copy()
		c.KubeVersion = *kv
		c.APIVersions = append(chartutil.VersionSet(nil), c.APIVersions...)
		c.APIVersions = append(c.APIVersions, APIVersions()...)
		caps = c
	})
	return caps
}

// APIVersions are the API versions meshlint adds to Helm's default set,
// in both forms (group/version, group/version/Kind), sorted.
func APIVersions() []string {
	var out []string
	for gv, kinds := range istioAPIVersions {
		out = append(out, gv)
		for _, k := range kinds {
			out = append(out, gv+"/"+k)
		}
	}
	sort.Strings(out)
	return out
}

// capabilitiesFor adds the options' API versions and Kubernetes version to
// Capabilities.
func capabilitiesFor(opts Options) (*chartutil.Capabilities, error) {
	c := Capabilities()
	if len(opts.APIVersions) == 0 && opts.KubeVersion == "" {
		return c, nil
	}
	c = c.Copy()
	c.APIVersions = append(append(chartutil.VersionSet(nil), c.APIVersions...), opts.APIVersions...)
	if opts.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("kubeVersion %q: %v", opts.KubeVersion, err)
		}
		c.KubeVersion = *kv
	}
	return c, nil
}
