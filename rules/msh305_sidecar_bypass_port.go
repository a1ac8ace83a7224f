package rules

import (
	"strconv"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// SidecarBypassPort reports ports excluded from the sidecar that the network
// lets traffic reach.
var SidecarBypassPort = &analyzer.Rule{
	ID:       "MSH305",
	Name:     "sidecar-bypass-port",
	Severity: analyzer.Warning,
	Summary:  "A port excluded from the sidecar skips mesh authorization and mTLS, while NetworkPolicy lets traffic reach it.",
	Description: `Inbound ports listed in ` + "`traffic.sidecar.istio.io/excludeInboundPorts`" + ` (or left out of
` + "`includeInboundPorts`" + `) go straight to the application: no mTLS, no
AuthorizationPolicy; meshlint's mesh and effective graphs show them open. That is often done for
metrics or health ports, and it is safe only when the network layer keeps the
port closed to everyone but the callers meant for it. The ports the sidecar
serves itself (15020, or the pod's status port; 15021; 15090) are no
application's: Istio excludes them anyway.`,
	Bad: `# pod template annotations
traffic.sidecar.istio.io/excludeInboundPorts: "9102"
# NetworkPolicy: every namespace may reach 9102
`,
	Good: `# NetworkPolicy: only the monitoring namespace may reach 9102
ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: monitoring
  ports:
  - port: 9102
`,
	Fix:  "Restrict the port with a NetworkPolicy to the callers meant for it, or stop excluding it from the sidecar.",
	Tags: []string{"security", "istio", "networkpolicy", "cross-layer"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		for _, w := range m.Workloads {
			if w.Implied || w.Mesh != model.MeshSidecar || w.Interception == nil {
				continue
			}
			annotations := manifest.JoinKey(w.TemplatePath, "metadata") + ".annotations"
			report := func(port int32, annotation, how string) {
				var reach []*model.Workload
				for _, src := range m.Workloads {
					if src != w && !src.Implied && netAllows(g, src, w, port) {
						reach = append(reach, src)
					}
				}
				if len(reach) == 0 {
					return
				}
				f := pass.Report(w.Object, manifest.JoinKey(annotations, annotation), "port %d %s (no mTLS, no authorization), and NetworkPolicies let %s reach it", port, how, workloadList(reach))
				for _, np := range g.IngressPolicies(w) {
					f.Relate(np.Object, "spec.ingress", "admits traffic to port %d", port)
				}
			}
			for _, port := range w.Interception.ExcludedInbound {
				if !proxyOwnPort(w, port) {
					report(port, model.AnnotationExcludeInboundPorts, "bypasses the sidecar")
				}
			}
			if w.Interception.IncludedInbound != nil {
				// Only the listed ports are redirected: the workload's other
				// ports bypass the sidecar.
				for _, cp := range w.Ports {
					if cp.Protocol == "TCP" && !excludedIn(w.Interception.ExcludedInbound, cp.Port) && mesh.InboundBypassed(w, cp.Port) {
						report(cp.Port, model.AnnotationIncludeInboundPorts, "is not in includeInboundPorts and bypasses the sidecar")
					}
				}
			}
		}
	},
}

func excludedIn(ports []int32, port int32) bool {
	for _, p := range ports {
		if p == port {
			return true
		}
	}
	return false
}

// proxyOwnPort reports the ports the sidecar serves itself, which Istio's
// injection template always excludes from inbound capture (Prometheus
// 15090, health 15021, and the agent's status port, 15020 unless the pod's
// status.sidecar.istio.io/port says otherwise; istio/istio
// manifests/charts/istio-control/istio-discovery/files/injection-template.yaml):
// excluding them again bypasses no application.
func proxyOwnPort(w *model.Workload, port int32) bool {
	status := 15020
	if v, err := strconv.Atoi(w.Annotations["status.sidecar.istio.io/port"]); err == nil {
		status = v
	}
	return port == 15090 || port == 15021 || int(port) == status
}
