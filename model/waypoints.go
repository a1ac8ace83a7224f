package model

import "fmt"

const (
	labelUseWaypoint   = "istio.io/use-waypoint"
	labelUseWaypointNS = "istio.io/use-waypoint-namespace"
)

// WaypointRoute is a way traffic to an ambient workload passes a waypoint:
// addressed to Service (which the waypoint serves), or, with Service nil,
// addressed to the workload itself (a waypoint for workload traffic).
type WaypointRoute struct {
	Waypoint *Gateway
	Service  *Service
}

// WaypointRoutes returns the waypoints traffic to w passes.
func (m *Model) WaypointRoutes(w *Workload) []WaypointRoute { return m.waypointRoutes[w] }

// ServiceWaypoint returns the waypoint that serves a Service, or nil and,
// when the Service or its namespace asks for one that does not serve it,
// why.
func (m *Model) ServiceWaypoint(svc *Service) (*Gateway, string) {
	if r, ok := m.serviceWaypoints[svc]; ok {
		return r.waypoint, r.problem
	}
	return nil, ""
}

type waypointResolution struct {
	waypoint *Gateway
	problem  string
}

// useWaypoint reads istio.io/use-waypoint on an object, then on its
// namespace (pilot/pkg/serviceregistry/ambient/waypoints.go,
// fetchWaypointForTarget and GetUseWaypoint): "none" opts out, and
// istio.io/use-waypoint-namespace says where the waypoint lives.
func (m *Model) useWaypoint(ns *Namespace, objLabels map[string]string) (wpNS, wpName string, asked bool) {
	for _, ls := range []map[string]string{objLabels, ns.Labels} {
		v, ok := ls[labelUseWaypoint]
		if !ok {
			continue
		}
		if v == "none" {
			return "", "", false
		}
		wpNS = ns.Name
		if o, ok := ls[labelUseWaypointNS]; ok {
			wpNS = o
		}
		return wpNS, v, true
	}
	return "", "", false
}

// resolveWaypoint finds the waypoint an object of namespace ns asks for and
// checks that it takes the traffic (its istio.io/waypoint-for and its
// listeners' allowedRoutes).
func (m *Model) resolveWaypoint(ns *Namespace, objLabels map[string]string, service bool) waypointResolution {
	wpNS, wpName, asked := m.useWaypoint(ns, objLabels)
	if !asked {
		return waypointResolution{}
	}
	g := m.GatewayNamed(wpNS, wpName)
	switch {
	case g == nil || !g.Waypoint:
		return waypointResolution{problem: fmt.Sprintf("istio.io/use-waypoint names waypoint %s/%s, which is not a Gateway of class istio-waypoint in the set", wpNS, wpName)}
	case !g.allows(ns):
		return waypointResolution{problem: fmt.Sprintf("waypoint %s does not allow namespace %s to use it (its listeners' allowedRoutes)", g.Name(), ns.Name)}
	case service && !g.servesService():
		return waypointResolution{problem: fmt.Sprintf("waypoint %s serves %s traffic, not Service traffic (istio.io/waypoint-for)", g.Name(), g.TrafficType)}
	case !service && !g.servesWorkload():
		return waypointResolution{} // a Service waypoint: pods use it only through their Services
	}
	return waypointResolution{waypoint: g}
}

// buildWaypoints resolves which Services and workloads use which waypoint.
// A waypoint's own Service never does.
func (m *Model) buildWaypoints() {
	if len(m.gateways) == 0 {
		return
	}
	m.serviceWaypoints = map[*Service]waypointResolution{}
	m.waypointRoutes = map[*Workload][]WaypointRoute{}
	for _, svc := range m.Services {
		o := svc.Object
		if o.Labels[labelGatewayManaged] == managedByMeshCtrl {
			continue
		}
		r := m.resolveWaypoint(m.impliedNamespace(o.Namespace), o.Labels, true)
		if r.waypoint == nil && r.problem == "" {
			continue
		}
		m.serviceWaypoints[svc] = r
		if r.waypoint == nil {
			continue
		}
		for _, w := range m.ServiceWorkloads(svc) {
			if w.Mesh == MeshAmbient && w.Gateway == NotGateway {
				m.waypointRoutes[w] = append(m.waypointRoutes[w], WaypointRoute{Waypoint: r.waypoint, Service: svc})
			}
		}
	}
	for _, w := range m.Workloads {
		if w.Mesh != MeshAmbient || w.Gateway != NotGateway {
			continue
		}
		if r := m.resolveWaypoint(m.impliedNamespace(w.Namespace), w.Labels, false); r.waypoint != nil {
			m.waypointRoutes[w] = append(m.waypointRoutes[w], WaypointRoute{Waypoint: r.waypoint})
		}
	}
}
