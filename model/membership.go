package model

import (
	"strings"

	"github.com/meshlint/meshlint/manifest"
)

// GatewayKind says which kind of Istio proxy deployment a workload is. A
// gateway's proxy is its main container (not a sidecar): it has the mesh
// identity of its service account and enforces the policies attached to it.
type GatewayKind string

const (
	NotGateway GatewayKind = ""
	// GatewayProxy is an ingress or egress gateway: Istio's gateway charts,
	// or the Deployment Istio creates for a Gateway API Gateway of class istio.
	GatewayProxy GatewayKind = "gateway"
	// GatewayWaypoint is an ambient waypoint (Gateway API class istio-waypoint).
	GatewayWaypoint GatewayKind = "waypoint"
)

// Labels and annotations Istio reads to decide membership.
const (
	labelInject           = "sidecar.istio.io/inject"
	labelRevision         = "istio.io/rev"
	labelInjection        = "istio-injection"
	labelDataplaneMode    = "istio.io/dataplane-mode"
	annotationStatus      = "sidecar.istio.io/status"
	annotationTemplates   = "inject.istio.io/templates"
	annotationRedirection = "ambient.istio.io/redirection"
	labelGatewayName      = "gateway.networking.k8s.io/gateway-name"
	labelGatewayClass     = "gateway.networking.k8s.io/gateway-class-name"
	labelGatewayManaged   = "gateway.istio.io/managed"
	managedByMeshCtrl     = "istio.io-mesh-controller"
	waypointClass         = "istio-waypoint"
	proxyContainer        = "istio-proxy"
)

// podProxy is what a pod template shows of an Istio proxy already in it.
type podProxy struct {
	present bool        // an istio-proxy container (or the injector's status annotation)
	gateway GatewayKind // the proxy is the main container
}

// proxyOf reads the proxy a pod template already carries: pods dumped from a
// live cluster have their istio-proxy container and the injector's
// sidecar.istio.io/status annotation; gateway deployments carry the proxy as
// their main container (`proxy router`, or `proxy waypoint`), or ask the
// injector for its gateway template (inject.istio.io/templates: gateway, as
// manifests/charts/gateway does).
func proxyOf(spec *manifest.Node, lbls, annotations map[string]string) podProxy {
	var p podProxy
	if _, ok := annotations[annotationStatus]; ok {
		p.present = true
	}
	for _, list := range []string{"containers", "initContainers"} {
		cs := manifest.MapGet(spec, list)
		if cs == nil {
			continue
		}
		for _, c := range cs.Content() {
			name := manifest.ScalarString(manifest.MapGet(c, "name"))
			image := manifest.ScalarString(manifest.MapGet(c, "image"))
			if name != proxyContainer && !isProxyImage(image) {
				continue
			}
			p.present = true
			switch proxyRole(manifest.MapGet(c, "args")) {
			case "router":
				p.gateway = GatewayProxy
			case "waypoint":
				p.gateway = GatewayWaypoint
			}
		}
	}
	for _, t := range strings.Split(annotations[annotationTemplates], ",") {
		if strings.TrimSpace(t) == "gateway" && p.gateway == NotGateway {
			p.gateway = GatewayProxy
		}
	}
	// The pods Istio deploys for Gateway API Gateways (manifests/charts/
	// istio-control/istio-discovery/files/kube-gateway.yaml, waypoint.yaml).
	if _, ok := lbls[labelGatewayName]; ok && p.present && p.gateway == NotGateway {
		p.gateway = GatewayProxy
		if lbls[labelGatewayClass] == waypointClass || lbls[labelGatewayManaged] == managedByMeshCtrl {
			p.gateway = GatewayWaypoint
		}
	}
	return p
}

// isProxyImage reports Istio's proxy image (docker.io/istio/proxyv2:1.24.0).
func isProxyImage(image string) bool {
	name := image[strings.LastIndexByte(image, '/')+1:]
	name, _, _ = strings.Cut(name, ":")
	name, _, _ = strings.Cut(name, "@")
	return name == "proxyv2"
}

// proxyRole is the pilot-agent role in a proxy container's args: `proxy
// sidecar`, `proxy router` (a gateway) or `proxy waypoint`.
func proxyRole(args *manifest.Node) string {
	if args == nil {
		return ""
	}
	for i, a := range args.Content() {
		if manifest.ScalarString(a) == "proxy" && i+1 < len(args.Content()) {
			return manifest.ScalarString(args.Content()[i+1])
		}
	}
	return ""
}

// meshMode decides how a workload takes part in the mesh.
//
// A proxy already in the pod wins: the pod is in the mesh whatever its
// labels say (a gateway is labelled sidecar.istio.io/inject=false because
// its proxy is the main container). Otherwise the sidecar injector's webhook
// selectors decide (manifests/charts/istio-control/istio-discovery/templates/
// mutatingwebhook.yaml): a namespace labelled istio-injection=enabled, or
// with istio.io/rev and no istio-injection label, injects unless the pod
// opts out; in a namespace with neither label, a pod labelled istio.io/rev
// or sidecar.istio.io/inject=true is injected. Any other istio-injection
// value (disabled) injects nothing. The opt-out is sidecar.istio.io/inject
// "false" as label or annotation (pkg/kube/inject/inject.go, injectRequired);
// hostNetwork pods are never injected. (The injector also skips kube-system,
// kube-public, kube-node-lease and local-path-storage; meshlint does not, as
// the NCA corpus, which treats such pods as meshed, is matched as written.)
//
// Ambient: the CNI's ambient.istio.io/redirection=enabled annotation proves
// capture; else istio.io/dataplane-mode on the pod, then on the namespace.
func meshMode(ns *Namespace, w *Workload, spec *manifest.Node) MeshMode {
	proxy := proxyOf(spec, w.Labels, w.Annotations)
	if proxy.present {
		w.Gateway = proxy.gateway
		w.InjectedBy = InjectedProxyPresent
		return MeshSidecar
	}
	if by := injected(ns, w, spec); by != NotInjected {
		w.InjectedBy = by
		return MeshSidecar
	}
	if w.Annotations[annotationRedirection] == "enabled" {
		return MeshAmbient
	}
	if mode, ok := w.Labels[labelDataplaneMode]; ok {
		if mode == "ambient" {
			return MeshAmbient
		}
		return MeshNone
	}
	if ns.Labels[labelDataplaneMode] == "ambient" {
		return MeshAmbient
	}
	return MeshNone
}

// Injection says what puts a sidecar workload's proxy in its pod.
type Injection string

const (
	NotInjected Injection = ""
	// InjectedProxyPresent: the pod already carries its proxy.
	InjectedProxyPresent Injection = "proxy"
	// InjectedByNamespace: the namespace's istio-injection or istio.io/rev.
	InjectedByNamespace Injection = "namespace"
	// InjectedByPodLabel: the pod's istio.io/rev or sidecar.istio.io/inject
	// label, in a namespace with neither label.
	InjectedByPodLabel Injection = "pod-label"
	// InjectedByPodAnnotation: the annotation sidecar.istio.io/inject
	// "true" alone, which SPEC.md counts and Istio's webhook never sees
	// (MSH211).
	InjectedByPodAnnotation Injection = "pod-annotation"
)

// IgnoredNamespaces are the namespaces Istio's injector never injects
// (pkg/kube/inject/initializer.go IgnoredNamespaces, checked first by
// injectRequired in inject.go).
var IgnoredNamespaces = []string{"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}

// injected applies the injector's webhook selectors and opt-outs, and says
// which one injects.
func injected(ns *Namespace, w *Workload, spec *manifest.Node) Injection {
	if manifest.ScalarString(manifest.MapGet(spec, "hostNetwork")) == "true" {
		return NotInjected
	}
	// The label is the newer API and wins over the annotation.
	inject, labelled := w.Labels[labelInject]
	if !labelled {
		inject = w.Annotations[labelInject]
	}
	if strings.EqualFold(inject, "false") {
		return NotInjected
	}
	nsInjection, nsLabelled := ns.Labels[labelInjection]
	_, nsRev := ns.Labels[labelRevision]
	switch {
	case nsLabelled && nsInjection == "enabled", !nsLabelled && nsRev:
		return InjectedByNamespace
	case nsLabelled:
		return NotInjected
	}
	if _, podRev := w.Labels[labelRevision]; podRev {
		return InjectedByPodLabel
	}
	if !strings.EqualFold(inject, "true") {
		return NotInjected
	}
	if labelled {
		return InjectedByPodLabel
	}
	// SPEC.md lets the annotation opt in too (the webhook's object selector
	// reads only the label: MSH211 warns).
	return InjectedByPodAnnotation
}
