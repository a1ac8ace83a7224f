package mesh

import "github.com/meshlint/meshlint/model"

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

// enforcerOf says which proxy enforces p for connections to dst. In ambient
// mode a policy bound by selector is enforced by the destination's ztunnel;
// one attached by targetRefs by a waypoint.
func enforcerOf(p *Policy, dst *model.Workload) Enforcer {
	switch {
	case p.Waypoint:
		return EnforcerWaypoint
	case dst.Mesh == model.MeshAmbient:
		return EnforcerZtunnel
	}
	return EnforcerSidecar
}
