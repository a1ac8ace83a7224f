package mesh

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/model"
)

// Enforcer is the proxy that evaluates a policy for a connection. What it
// can see differs: a sidecar, waypoint or gateway terminates HTTP (on ports
// whose protocol is HTTP), ztunnel sees only L4 attributes.
type Enforcer int

const (
	EnforcerSidecar Enforcer = iota
	EnforcerZtunnel
	EnforcerWaypoint
	EnforcerGateway
)

func (e Enforcer) String() string {
	switch e {
	case EnforcerZtunnel:
		return "ztunnel"
	case EnforcerWaypoint:
		return "waypoint"
	case EnforcerGateway:
		return "gateway"
	}
	return "sidecar"
}

// proxyEnforcer is the proxy in (or, for ambient, beside) dst that
// enforces the policies bound to dst itself.
func proxyEnforcer(dst *model.Workload) Enforcer {
	switch {
	case dst.Gateway == model.GatewayWaypoint:
		return EnforcerWaypoint
	case dst.Gateway == model.GatewayProxy:
		return EnforcerGateway
	case dst.Mesh == model.MeshAmbient:
		return EnforcerZtunnel
	}
	return EnforcerSidecar
}

// hop is one proxy on a connection's way that enforces authorization.
type hop struct {
	enforcer Enforcer
	// peer is the client this proxy sees: the source, or the waypoint the
	// connection came through.
	peer     Source
	policies []*Policy
	// waypoint names the waypoint a hop is at or behind, for messages.
	waypoint *model.Gateway
}

// route is one way a connection can reach its destination; each of its hops
// must let it through.
type route []hop

// dstPolicies splits the policies that govern a destination by the proxy
// that enforces them: dst's own proxy, or each waypoint in front of it.
type dstPolicies struct {
	proxy     []*Policy
	waypoints []waypointPolicies
}

type waypointPolicies struct {
	route    model.WaypointRoute
	policies []*Policy
	ports    map[int32]bool // the container ports the Service reaches; nil: every port
}

// atProxy reports whether dst's own proxy enforces p. Legacy policies are
// bound by selector.
func (p *Policy) atProxy(dst *model.Workload) bool {
	if p.ap == nil {
		return p.Applies(dst)
	}
	return p.ap.AtProxy(dst)
}

func (e *Evaluator) splitPolicies(dst *model.Workload) *dstPolicies {
	if cached, ok := e.split.Load(dst); ok {
		return cached.(*dstPolicies)
	}
	all := e.PoliciesFor(dst)
	out := &dstPolicies{}
	for _, p := range all {
		if p.atProxy(dst) {
			out.proxy = append(out.proxy, p)
		}
	}
	for _, r := range e.m.WaypointRoutes(dst) {
		wp := waypointPolicies{route: r}
		for _, p := range all {
			if p.ap != nil && p.ap.AtWaypoint(r.Waypoint, r.Service) {
				wp.policies = append(wp.policies, p)
			}
		}
		if r.Service != nil {
			wp.ports = map[int32]bool{}
			for _, sp := range r.Service.Ports {
				if sp.Protocol == "TCP" {
					if port := TargetPort(dst, sp); port != 0 {
						wp.ports[port] = true
					}
				}
			}
		}
		out.waypoints = append(out.waypoints, wp)
	}
	e.split.Store(dst, out)
	return out
}

// routesTo lists the ways a connection from src reaches dst on port.
//
// Without a waypoint there is one: dst's proxy. Traffic a meshed client
// addresses to a Service that a waypoint serves goes through the waypoint,
// which enforces the policies attached to the Service (or to itself) with
// full HTTP; the destination's ztunnel then enforces the selector-bound
// policies and sees the waypoint's identity, not the client's. The client
// may still address the pod directly, skipping the waypoint: ztunnel
// accepts that unless its own policies refuse it (ambientmesh.io,
// "Restricting workloads to only accept traffic from waypoints"). Clients
// without a proxy never reach the waypoint, nor do gateways unless the
// Service asks for it (istio.io/ingress-use-waypoint).
func (e *Evaluator) routesTo(src Source, dst *model.Workload, port int32) []route {
	split := e.splitPolicies(dst)
	direct := route{{enforcer: proxyEnforcer(dst), peer: src, policies: split.proxy}}
	if len(split.waypoints) == 0 || !redirectedToWaypoint(src) {
		return []route{direct}
	}
	routes := []route{}
	for _, wp := range split.waypoints {
		if wp.ports != nil && !wp.ports[port] {
			continue
		}
		if src.Workload.Gateway == model.GatewayProxy && (wp.route.Service == nil || wp.route.Service.Object.Labels["istio.io/ingress-use-waypoint"] != "true") {
			continue
		}
		via := wp.route.Waypoint
		routes = append(routes, route{
			{enforcer: EnforcerWaypoint, peer: src, policies: wp.policies, waypoint: via},
			{enforcer: proxyEnforcer(dst), peer: waypointSource(via), policies: split.proxy, waypoint: via},
		})
	}
	return append(routes, direct)
}

// redirectedToWaypoint reports whether src's proxy sends traffic for a
// Service to its waypoint: ztunnel and sidecars do; a source without a
// proxy (or one the waypoint itself) does not.
func redirectedToWaypoint(src Source) bool {
	w := src.Workload
	return w != nil && !src.Plaintext && w.Mesh != model.MeshNone && w.Identity != "" && w.Gateway != model.GatewayWaypoint
}

// waypointSource is the waypoint as the destination's ztunnel sees it.
func waypointSource(g *model.Gateway) Source {
	if len(g.Workloads) == 0 {
		return Source{}
	}
	return Source{Workload: g.Workloads[0]}
}

// decideRoutes evaluates every route and joins them: a connection gets
// through where some route lets it.
func (e *Evaluator) decideRoutes(src Source, dst *model.Workload, port int32) Verdict {
	if InboundBypassed(dst, port) {
		return Verdict{Allowed: Always, why: func() string {
			return "port " + strconv.Itoa(int(port)) + " of " + dst.ID() + " is excluded from its sidecar (traffic.sidecar.istio.io/excludeInboundPorts, includeInboundPorts, or a port of the proxy itself): no mTLS, no authorization"
		}}
	}
	split := e.splitPolicies(dst)
	if len(split.waypoints) == 0 || !redirectedToWaypoint(src) {
		// The common case, without building routes: dst's proxy alone.
		return e.decideHop(dst, port, hop{enforcer: proxyEnforcer(dst), peer: src, policies: split.proxy})
	}
	routes := e.routesTo(src, dst, port)
	if len(routes) == 1 && len(routes[0]) == 1 {
		return e.decideHop(dst, port, routes[0][0])
	}
	hops := make([][]Verdict, len(routes))
	allowed := Never
	through := make([]Match, len(routes))
	for i, r := range routes {
		through[i] = Always
		for _, h := range r {
			hv := e.decideHop(dst, port, h)
			hops[i] = append(hops[i], hv)
			through[i] = through[i].And(hv.Allowed)
		}
		allowed = allowed.Or(through[i])
	}
	out := Verdict{Allowed: allowed}
	for i := range routes {
		if allowed.IsNever() || !through[i].IsNever() {
			for _, hv := range hops[i] {
				out.Decisive = append(out.Decisive, hv.Decisive...)
			}
		}
	}
	out.why = func() string {
		var parts []string
		for i, r := range routes {
			if !allowed.IsNever() && through[i].IsNever() {
				continue
			}
			label := "directly"
			if r[0].waypoint != nil {
				label = "through waypoint " + r[0].waypoint.Name()
			}
			var reasons []string
			for j, h := range r {
				reasons = append(reasons, hopName(h)+": "+hops[i][j].Reason())
			}
			parts = append(parts, label+" ("+strings.Join(reasons, "; ")+")")
		}
		return strings.Join(parts, "; ")
	}
	return out
}

func hopName(h hop) string {
	if h.enforcer == EnforcerWaypoint && h.waypoint != nil {
		return "waypoint " + h.waypoint.Name()
	}
	return h.enforcer.String()
}

// RoutePorts are the container ports of dst where the waypoints in front of
// it take traffic: the verdict can change there.
func (e *Evaluator) RoutePorts(dst *model.Workload) []int32 {
	var out []int32
	for _, wp := range e.splitPolicies(dst).waypoints {
		for p := range wp.ports {
			out = append(out, p)
		}
	}
	return out
}

// InboundBypassed reports whether inbound traffic to port of dst skips its
// sidecar (the injector's excludeInboundPorts and includeInboundPorts,
// plus the proxy's own ports: manifests/charts/istio-control/
// istio-discovery/files/injection-template.yaml).
func InboundBypassed(dst *model.Workload, port int32) bool {
	return dst.Mesh == model.MeshSidecar && dst.Gateway == model.NotGateway && !dst.Implied && !dst.Interception.InboundIntercepted(port)
}

// enforcerOf is the proxy that enforces p for connections to w: w's own
// proxy, or, for a targetRefs policy not bound to w itself, the waypoint in
// front of w.
func enforcerOf(p *Policy, w *model.Workload) Enforcer {
	if p.ap != nil && p.ap.TargetRefs && !p.ap.AtProxy(w) {
		return EnforcerWaypoint
	}
	return proxyEnforcer(w)
}
