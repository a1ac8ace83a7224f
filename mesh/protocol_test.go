package mesh

import (
	"testing"

	"github.com/meshlint/meshlint/model"
)

// The cases of Istio's own pkg/config/kube/conversion_test.go
// (TestConvertProtocol), and the Kubernetes appProtocol names it maps.
func TestIstioProtocol(t *testing.T) {
	tests := []struct {
		name string
		port model.ServicePort
		want string // "" is Unsupported: sniffed
	}{
		{"resolves empty", model.ServicePort{Protocol: "TCP"}, ""},
		{"resolves from protocol directly", model.ServicePort{Protocol: "UDP"}, "UDP"},
		{"resolves from port name", model.ServicePort{Name: "http-something", Protocol: "TCP"}, "HTTP"},
		{"prefers appProto over portName", model.ServicePort{Name: "http-something", AppProtocol: "https", Protocol: "TCP"}, "HTTPS"},
		{"resolves from appProto", model.ServicePort{Name: "something-httpx", AppProtocol: "https", Protocol: "TCP"}, "HTTPS"},
		{"resolves grpc-web", model.ServicePort{Name: "grpc-web-x", Protocol: "TCP"}, "GRPC-Web"},
		{"grpc-web is not resolved incorrectly", model.ServicePort{Name: "grpcweb-x", Protocol: "TCP"}, ""},
		{"resolves based on known ports", model.ServicePort{Port: 3306, Name: "random-name", Protocol: "TCP"}, "TCP"},
		{"standard app protocol", model.ServicePort{Port: 3306, Name: "random-name", AppProtocol: "kubernetes.io/h2c", Protocol: "TCP"}, "HTTP2"},
		{"kubernetes.io/ws", model.ServicePort{AppProtocol: "kubernetes.io/ws", Protocol: "TCP"}, "HTTP"},
		{"kubernetes.io/wss", model.ServicePort{AppProtocol: "kubernetes.io/wss", Protocol: "TCP"}, "HTTPS"},
		{"case is ignored", model.ServicePort{Name: "HTTP2-api", Protocol: "TCP"}, "HTTP2"},
		{"an unknown appProtocol hides the name", model.ServicePort{Name: "http", AppProtocol: "custom", Protocol: "TCP"}, ""},
		{"h2c is no port name prefix", model.ServicePort{Name: "h2c-api", Protocol: "TCP"}, ""},
		{"SMTP port", model.ServicePort{Port: 25, Protocol: "TCP"}, "TCP"},
		{"MongoDB port", model.ServicePort{Port: 27017, Name: "db", Protocol: "TCP"}, "TCP"},
		{"mongo name", model.ServicePort{Name: "mongo", Protocol: "TCP"}, "Mongo"},
	}
	for _, tc := range tests {
		if got := IstioProtocol(tc.port); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Which Service port decides a container port: only Services count, the
// oldest first (context.go SetServiceTargets sorts by creation time, then
// hostname; listener_inbound.go keeps the first chain per port).
func TestPortProtocolOf(t *testing.T) {
	m := loadModel(t, "testdata/protocol.yaml")
	app := workload(t, m, "p/app[Deployment]")
	tests := []struct {
		port      int32
		want      L7Protocol
		istio     string
		service   string
		conflicts int
	}{
		{7000, L7TCP, "TCP", "plain", 0},    // container port name http does not count
		{7001, L7Unknown, "", "", 0},        // tcp-x on the container only: no Service, sniffed
		{7002, L7Unknown, "", "", 0},        // unnamed, unexposed
		{7003, L7Unknown, "", "plain", 0},   // Service port "web": unrecognised prefix, sniffed
		{7004, L7TCP, "TCP", "plain", 0},    // Service port 3306, a well-known port
		{7005, L7Unknown, "", "", 0},        // a UDP Service port does not make the TCP port anything
		{7006, L7HTTP, "HTTP2", "plain", 0}, // kubernetes.io/h2c
		{7007, L7TCP, "HTTPS", "plain", 0},  // appProtocol over name
		{7008, L7Unknown, "", "plain", 0},   // appProtocol custom: unsupported, sniffed
		{7010, L7TCP, "TCP", "a-first", 1},  // same age: the hostname decides
		{7011, L7HTTP, "GRPC", "zz-old", 1}, // the older Service wins
	}
	for _, tc := range tests {
		c := PortProtocolOf(m, app, tc.port)
		svc := ""
		if c.Service != nil {
			svc = c.Service.Object.Name
		}
		if c.Protocol != tc.want || c.Istio != tc.istio || svc != tc.service || len(c.Conflicts) != tc.conflicts {
			t.Errorf("port %d: %v %q from %q with %d conflicts, want %v %q from %q with %d", tc.port, c.Protocol, c.Istio, svc, len(c.Conflicts), tc.want, tc.istio, tc.service, tc.conflicts)
		}
	}
}
