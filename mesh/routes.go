package mesh

import "github.com/meshlint/meshlint/model"

// RouteWaypoints returns the waypoints through which src's connections to
// dst may pass (routesTo, on some port): none when every connection goes
// straight to dst's proxy.
func (e *Evaluator) RouteWaypoints(src Source, dst *model.Workload) []*model.Gateway {
	split := e.splitPolicies(dst)
	if len(split.waypoints) == 0 || !redirectedToWaypoint(src) {
		return nil
	}
	var out []*model.Gateway
	seen := map[*model.Gateway]bool{}
	for _, wp := range split.waypoints {
		if src.Workload.Gateway == model.GatewayProxy && (wp.route.Service == nil || wp.route.Service.Object.Labels["istio.io/ingress-use-waypoint"] != "true") {
			continue
		}
		if g := wp.route.Waypoint; !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// DecideArrivingVia is DecideArriving along the routes through waypoint
// via alone, or, with via nil, along the direct route to dst's proxy:
// Never when src has no such route on port. The network sees each route
// as other packets (connectivity/hbone.go), so the effective layer judges
// them apart.
func (e *Evaluator) DecideArrivingVia(src Source, dst *model.Workload, port int32, via *model.Gateway) Verdict {
	if dst.Mesh == model.MeshNone || InboundBypassed(dst, port) {
		if via != nil {
			return Verdict{Allowed: Never}
		}
		return e.decideArriving(src, dst, port, nil)
	}
	allowed := Never
	for _, r := range e.routesTo(src, dst, port) {
		if r[0].waypoint != via {
			continue
		}
		through := Always
		for _, h := range r {
			through = through.And(e.decideHop(dst, port, h, nil).Allowed)
		}
		allowed = allowed.Or(through)
	}
	return Verdict{Allowed: allowed}
}

// EnforcingWaypoints returns the waypoints src's connections to dst pass
// that enforce p: a rule of p is judged on those connections there, and
// they reach dst as the waypoint's.
func (e *Evaluator) EnforcingWaypoints(p *Policy, src Source, dst *model.Workload) []*model.Gateway {
	var out []*model.Gateway
	split := e.splitPolicies(dst)
	for _, g := range e.RouteWaypoints(src, dst) {
		for _, wp := range split.waypoints {
			if wp.route.Waypoint == g && p.atWaypoint(wp.route) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
