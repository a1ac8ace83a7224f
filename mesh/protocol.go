package mesh

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meshlint/meshlint/manifest"
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

// PortChoice is what istiod makes of one container port of a workload: the
// protocol of the Service port that reaches it, and which Service that is.
type PortChoice struct {
	Protocol L7Protocol
	// Istio is the protocol's name as Istio spells it (HTTP, HTTP2, GRPC,
	// TCP, TLS, HTTPS, Mongo, MySQL, Redis, ...); "" when the port is sniffed.
	Istio string
	// Service and Port are the Service port that decides; nil when no
	// Service exposes the container port.
	Service *model.Service
	Port    *model.ServicePort
	// Conflicts are other Services that expose the same container port with
	// another protocol. istiod builds one inbound listener per port, from
	// the oldest Service (pilot/pkg/networking/core/listener_inbound.go,
	// reportInboundConflict), so these lose.
	Conflicts []ServicePortRef
}

// ServicePortRef is one Service port and the protocol Istio reads from it.
type ServicePortRef struct {
	Service *model.Service
	Port    *model.ServicePort
	Istio   string
}

// Describe says where the choice comes from, for messages: `Service
// shop/db port 5432 ("tcp-db") is TCP`, or that no Service exposes it.
func (c PortChoice) Describe(port int32) string {
	if c.Service == nil {
		return "no Service exposes port " + strconv.Itoa(int(port)) + ", so Istio sniffs its protocol"
	}
	return describePort(ServicePortRef{c.Service, c.Port, c.Istio})
}

func describePort(r ServicePortRef) string {
	s := "Service " + r.Service.Object.Namespace + "/" + r.Service.Object.Name + " port " + strconv.Itoa(int(r.Port.Port))
	switch {
	case r.Port.AppProtocol != "":
		s += " (appProtocol " + strconv.Quote(r.Port.AppProtocol) + ")"
	case r.Port.Name != "":
		s += " (" + strconv.Quote(r.Port.Name) + ")"
	default:
		s += " (unnamed)"
	}
	if r.Istio == "" {
		return s + " is sniffed"
	}
	return s + " is " + r.Istio
}

// PortProtocol is the L7 protocol istiod gives dst's container port.
func PortProtocol(m *model.Model, dst *model.Workload, port int32) L7Protocol {
	return PortProtocolOf(m, dst, port).Protocol
}

// PortProtocolOf applies Istio's protocol selection to a container port:
// the TCP Service ports of the Services selecting dst that reach it, the
// oldest Service first (pilot/pkg/model/context.go, SetServiceTargets: by
// creation time, then hostname). Container port names never count, and a
// port no Service exposes is sniffed (the inbound passthrough chains,
// listener_inbound.go buildInboundPassthroughChains, use protocol Auto).
func PortProtocolOf(m *model.Model, dst *model.Workload, port int32) PortChoice {
	var refs []ServicePortRef
	for _, svc := range ServicesOf(m, dst) {
		for i := range svc.Ports {
			sp := &svc.Ports[i]
			if sp.Protocol != "TCP" || TargetPort(dst, *sp) != port {
				continue
			}
			refs = append(refs, ServicePortRef{svc, sp, IstioProtocol(*sp)})
		}
	}
	if len(refs) == 0 {
		return PortChoice{Protocol: L7Unknown}
	}
	sort.SliceStable(refs, func(i, j int) bool { return olderService(refs[i].Service, refs[j].Service) })
	first := refs[0]
	c := PortChoice{Protocol: l7Of(first.Istio), Istio: first.Istio, Service: first.Service, Port: first.Port}
	for _, r := range refs[1:] {
		if r.Istio != first.Istio && r.Service != first.Service {
			c.Conflicts = append(c.Conflicts, r)
		}
	}
	return c
}

// ServicesOf returns the Services that select w, in model order, from an
// index built once per model (a selector is compiled once per Service).
func ServicesOf(m *model.Model, w *model.Workload) []*model.Service {
	return m.Derived("mesh/services-by-workload", func() any {
		idx := map[*model.Workload][]*model.Service{}
		for _, svc := range m.Services {
			for _, sw := range m.ServiceWorkloads(svc) {
				idx[sw] = append(idx[sw], svc)
			}
		}
		return idx
	}).(map[*model.Workload][]*model.Service)[w]
}

// olderService orders Services as istiod does: by creation time, then by
// hostname. Manifests not yet applied have no creationTimestamp; applied
// together they are created within a second, so the hostname decides, and
// they are younger than any Service that has one.
func olderService(a, b *model.Service) bool {
	ta, oka := creationTime(a.Object)
	tb, okb := creationTime(b.Object)
	switch {
	case oka && okb && !ta.Equal(tb):
		return ta.Before(tb)
	case oka != okb:
		return oka
	}
	return a.Object.Name+"."+a.Object.Namespace < b.Object.Name+"."+b.Object.Namespace
}

// creationTime is metadata.creationTimestamp (objects dumped from a live
// cluster carry it), truncated to the second as the API server stores it.
func creationTime(o *manifest.Object) (time.Time, bool) {
	s := manifest.ScalarString(o.Lookup("metadata.creationTimestamp"))
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.Truncate(time.Second), true
}

// IstioProtocol is the protocol istiod reads from a Service port
// (pkg/config/kube/conversion.go, ConvertProtocol): appProtocol when set
// (with Kubernetes' kubernetes.io/h2c, ws and wss names), else the name's
// prefix before "-"; "" when the result is unsupported, which Istio sniffs,
// except on the well-known ports 25, 53, 3306 and 27017, which are TCP.
func IstioProtocol(sp model.ServicePort) string {
	if sp.Protocol == "UDP" {
		return "UDP"
	}
	name := sp.Name
	if sp.AppProtocol != "" {
		name = sp.AppProtocol
		switch name {
		case "kubernetes.io/h2c":
			return "HTTP2"
		case "kubernetes.io/ws":
			return "HTTP"
		case "kubernetes.io/wss":
			return "HTTPS"
		}
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "grpc-web") {
		return "GRPC-Web"
	}
	prefix, _, _ := strings.Cut(lower, "-")
	switch prefix {
	case "tcp":
		return "TCP"
	case "udp":
		return "UDP"
	case "grpc":
		return "GRPC"
	case "http":
		return "HTTP"
	case "http_proxy":
		return "HTTP_PROXY"
	case "http2":
		return "HTTP2"
	case "https":
		return "HTTPS"
	case "tls":
		return "TLS"
	case "mongo":
		return "Mongo"
	case "redis":
		return "Redis"
	case "mysql":
		return "MySQL"
	}
	switch sp.Port {
	case 25, 53, 3306, 27017:
		return "TCP"
	}
	return ""
}

// l7Of maps Istio's protocol to what authorization can see
// (pkg/config/protocol/instance.go: IsHTTP, IsTCP).
func l7Of(istio string) L7Protocol {
	switch istio {
	case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-Web":
		return L7HTTP
	case "":
		return L7Unknown
	}
	return L7TCP
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
