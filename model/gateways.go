package model

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
)

// Gateway is a Gateway API Gateway Istio deploys a proxy for: class istio
// (an ingress gateway) or istio-waypoint (an ambient waypoint).
type Gateway struct {
	Object   *manifest.Object
	Class    string
	Waypoint bool
	// Workloads are the gateway's pods: those of the set that carry its
	// gateway.networking.k8s.io/gateway-name label (a live-cluster dump),
	// else the Deployment Istio creates for it.
	Workloads []*Workload
	// TrafficType is what a waypoint serves (label istio.io/waypoint-for):
	// service (the default), workload, all or none.
	TrafficType string

	// allowAll, allowSelector: which namespaces may use the waypoint
	// (the listeners' allowedRoutes.namespaces; Same by default).
	allowAll      bool
	allowSelector labels.Selector
}

// Name is the Gateway's namespace/name.
func (g *Gateway) Name() string { return g.Object.Namespace + "/" + g.Object.Name }

// servesService and servesWorkload say which traffic a waypoint takes
// (pilot/pkg/serviceregistry/ambient/waypoints.go).
func (g *Gateway) servesService() bool { return g.TrafficType == "service" || g.TrafficType == "all" }
func (g *Gateway) servesWorkload() bool {
	return g.TrafficType == "workload" || g.TrafficType == "all"
}

// allows reports whether workloads and Services of namespace ns may use the
// waypoint.
func (g *Gateway) allows(ns *Namespace) bool {
	switch {
	case g.allowAll:
		return true
	case g.allowSelector != nil:
		return g.allowSelector.Matches(ns.Labels)
	}
	return ns.Name == g.Object.Namespace
}

// Gateways returns the Gateway API Gateways of classes Istio deploys.
func (m *Model) Gateways() []*Gateway { return m.gateways }

// GatewayNamed returns the Gateway ns/name Istio deploys, or nil.
func (m *Model) GatewayNamed(ns, name string) *Gateway {
	for _, g := range m.gateways {
		if g.Object.Namespace == ns && g.Object.Name == name {
			return g
		}
	}
	return nil
}

// buildGateways finds the Gateway API Gateways of classes istio and
// istio-waypoint and the workloads that run them. When the set lacks their
// pods, it adds the Deployment Istio creates, with the names Istio gives it
// and its service account (pilot/pkg/config/kube/gatewaycommon/
// deploymentcontroller.go, gateway_utils.go GetDefaultName: "<name>-istio"
// for class istio, "<name>" for waypoints, whose class disables the suffix;
// annotations gateway.istio.io/name-override and gateway.istio.io/
// service-account override both).
func (m *Model) buildGateways() {
	for _, o := range m.byKind["Gateway"] {
		if !strings.HasPrefix(o.APIVersion, "gateway.networking.k8s.io/") || Served(o.Kind, o.APIVersion) != ServedYes {
			continue
		}
		class := manifest.ScalarString(o.Lookup("spec.gatewayClassName"))
		if class != "istio" && class != waypointClass {
			continue // another controller's gateway: not ours to model
		}
		g := &Gateway{Object: o, Class: class, Waypoint: class == waypointClass, TrafficType: "service"}
		if v, ok := o.Labels["istio.io/waypoint-for"]; ok {
			g.TrafficType = v
		}
		g.readAllowedRoutes(o)
		for _, w := range m.workloadsByNS[o.Namespace] {
			if w.Labels[labelGatewayName] == o.Name {
				g.Workloads = append(g.Workloads, w)
				if w.Gateway == NotGateway {
					w.Gateway = g.kind()
				}
				if w.Mesh == MeshNone {
					w.Mesh, w.InjectedBy = MeshSidecar, InjectedProxyPresent // the proxy is the pod's main container
				}
			}
		}
		if len(g.Workloads) == 0 {
			w := m.gatewayDeployment(g)
			m.addWorkload(w)
			g.Workloads = []*Workload{w}
		}
		m.gateways = append(m.gateways, g)
	}
}

func (g *Gateway) kind() GatewayKind {
	if g.Waypoint {
		return GatewayWaypoint
	}
	return GatewayProxy
}

func (g *Gateway) readAllowedRoutes(o *manifest.Object) {
	listeners := o.Lookup("spec.listeners")
	if listeners == nil {
		return
	}
	for _, l := range listeners.Content() {
		ns := manifest.MapGet(manifest.MapGet(l, "allowedRoutes"), "namespaces")
		switch manifest.ScalarString(manifest.MapGet(ns, "from")) {
		case "All":
			g.allowAll = true
		case "Selector":
			sel := manifest.StringMap(manifest.MapGet(manifest.MapGet(ns, "selector"), "matchLabels"))
			if s, err := labels.ValidatedSelectorFromSet(sel); err == nil && len(sel) > 0 {
				g.allowSelector = s
			}
		}
	}
}

// gatewayDeployment is the Deployment Istio creates for g, as its templates
// (files/kube-gateway.yaml, files/waypoint.yaml) label it.
func (m *Model) gatewayDeployment(g *Gateway) *Workload {
	o := g.Object
	name := o.Name
	if !g.Waypoint {
		name += "-" + g.Class
	}
	if v := o.Annotations["gateway.istio.io/name-override"]; v != "" {
		name = v
	}
	sa := name
	if v := o.Annotations["gateway.istio.io/service-account"]; v != "" {
		sa = v
	}
	ls := labels.Set{}
	for k, v := range manifest.StringMap(o.Lookup("spec.infrastructure.labels")) {
		ls[k] = v
	}
	ls[labelInject] = "false"
	ls["service.istio.io/canonical-name"] = name
	ls["service.istio.io/canonical-revision"] = "latest"
	ls[labelGatewayName] = o.Name
	ls[labelGatewayClass] = g.Class
	ls[labelGatewayManaged] = "istio.io-gateway-controller"
	ports := []ContainerPort{{Name: "metrics", Port: 15020, Protocol: "TCP"}, {Name: "status-port", Port: 15021, Protocol: "TCP"}, {Name: "http-envoy-prom", Port: 15090, Protocol: "TCP"}}
	if g.Waypoint {
		ls[labelDataplaneMode] = "none"
		ls[labelGatewayManaged] = managedByMeshCtrl
	}
	// The proxy listens on each listener's port (a waypoint on HBONE 15008).
	if listeners := o.Lookup("spec.listeners"); listeners != nil {
		for _, l := range listeners.Content() {
			if p := atoi(manifest.ScalarString(manifest.MapGet(l, "port"))); p > 0 && p < 65536 {
				ports = append(ports, ContainerPort{Port: int32(p), Protocol: "TCP"})
			}
		}
	}
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].Port < ports[j].Port })
	return &Workload{
		Kind: "Deployment", Namespace: o.Namespace, Name: name, Object: o,
		TemplatePath: "spec.infrastructure", Labels: ls, Annotations: map[string]string{},
		ServiceAccount: sa, Ports: ports, Mesh: MeshSidecar, InjectedBy: InjectedProxyPresent, Gateway: g.kind(),
	}
}
