package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// ServiceProtocolConflict reports container ports that two Services give
// different protocols.
var ServiceProtocolConflict = &analyzer.Rule{
	ID:       "MSH212",
	Name:     "service-protocol-conflict",
	Severity: analyzer.Warning,
	Summary:  "Two Services give one port of an in-mesh workload different protocols: Istio takes the oldest Service's, which manifests cannot tell.",
	Description: `istiod builds one inbound listener per container port of a workload, from the
first of the Services that select it, ordered by creation time and then hostname
(pilot/pkg/model/context.go SetServiceTargets, pilot/pkg/networking/core/listener_inbound.go).
When two Services give the port different protocols (one names it ` + "`http`" + `, the other
` + "`tcp`" + `) the older wins, and the other's protocol is ignored: HTTP rules may stop
matching, or start to, when a Service is recreated.

Manifests carry no creation time unless dumped from a cluster. meshlint assumes the
Services were created together, so the hostname sorting first wins, and says which
protocol it therefore assumed.`,
	Bad: `kind: Service
metadata: {name: api}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
kind: Service
metadata: {name: api-raw}
spec:
  ports: [{name: tcp, port: 8080}]   # the same container port, as TCP
`,
	Good: `kind: Service
metadata: {name: api-raw}
spec:
  ports: [{name: http-raw, port: 8080}]
`,
	Fix:  "Give the port the same protocol (name prefix or appProtocol) in every Service that exposes it.",
	Tags: []string{"correctness", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		type key struct {
			loser, winner *model.Service
			port          int32
		}
		seen := map[key]bool{}
		for _, w := range m.Workloads {
			if w.Mesh == model.MeshNone || w.Implied {
				continue
			}
			for _, port := range mesh.ServedPorts(m, w) {
				c := mesh.PortProtocolOf(m, w, port)
				for _, other := range c.Conflicts {
					k := key{other.Service, c.Service, port}
					if seen[k] {
						continue
					}
					seen[k] = true
					pass.Report(other.Service.Object, other.Port.Path,
						"Services %s/%s and %s/%s both reach port %d of %s with different protocols (%s, %s): Istio uses the oldest Service's, which manifests do not say; meshlint assumes %s/%s (%s), so it treats port %d as %s",
						c.Service.Object.Namespace, c.Service.Object.Name, other.Service.Object.Namespace, other.Service.Object.Name,
						port, w.ID(), protocolName(c.Istio), protocolName(other.Istio),
						c.Service.Object.Namespace, c.Service.Object.Name, olderWhy(c.Service), port, protocolName(c.Istio)).
						Relate(c.Service.Object, c.Port.Path, "the Service port meshlint takes as deciding")
				}
			}
		}
	},
}

func protocolName(istio string) string {
	if istio == "" {
		return "sniffed"
	}
	return istio
}

// olderWhy says why meshlint takes a Service as the oldest.
func olderWhy(svc *model.Service) string {
	if svc.Object.Lookup("metadata.creationTimestamp") != nil {
		return "the older creationTimestamp"
	}
	return "created together, its hostname sorts first"
}
