package mesh

import (
	"strconv"
	"strings"

	"github.com/meshlint/meshlint/model"
)

// L7Protocol says whether a destination port carries HTTP (so that methods,
// paths and hosts can match), plain TCP (they cannot), or unknown (Istio
// sniffs the protocol).
type L7Protocol int

const (
	L7Unknown L7Protocol = iota
	L7HTTP
	L7TCP
)

// PortProtocol applies Istio's protocol selection: the Service port's
// appProtocol or name prefix, else the container port's name.
func PortProtocol(m *model.Model, dst *model.Workload, port int32) L7Protocol {
	names := []string{}
	for _, svc := range m.ServicesIn(dst.Namespace) {
		if len(svc.Selector) == 0 || !svc.Selector.AsSelector().Matches(dst.Labels) {
			continue
		}
		for _, sp := range svc.Ports {
			if TargetPort(dst, sp) == port {
				names = append(names, sp.AppProtocol, sp.Name)
			}
		}
	}
	for _, cp := range dst.Ports {
		if cp.Port == port {
			names = append(names, cp.Name)
		}
	}
	for _, n := range names {
		n = strings.ToLower(n)
		prefix, _, _ := strings.Cut(n, "-")
		switch prefix {
		case "http", "http2", "grpc", "grpc-web", "h2c":
			return L7HTTP
		case "tcp", "tls", "https", "mongo", "mysql", "redis", "mqtt":
			return L7TCP
		}
	}
	return L7Unknown
}

// TargetPort resolves a Service port to the container port of dst it
// reaches (0 when it reaches none).
func TargetPort(dst *model.Workload, sp model.ServicePort) int32 {
	if sp.TargetPort == "" {
		return sp.Port
	}
	if n, err := strconv.Atoi(sp.TargetPort); err == nil {
		return int32(n)
	}
	for _, cp := range dst.Ports {
		if cp.Name == sp.TargetPort && cp.Protocol == sp.Protocol {
			return cp.Port
		}
	}
	return 0
}
