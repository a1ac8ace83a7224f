package rules

import (
	"fmt"
	"strconv"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// AuthzPortNotServed reports operation ports no governed workload serves.
var AuthzPortNotServed = &analyzer.Rule{
	ID:       "MSH204",
	Name:     "authz-port-not-served",
	Severity: analyzer.Warning,
	Summary:  "to.operation.ports lists a port that no selected workload's container serves.",
	Description: `Authorization sees the port the request arrives on at the workload: the
container port, never the Service port. A rule listing the Service port (80)
when the container listens on 8080 never matches; an ALLOW rule then admits
nothing and a DENY rule blocks nothing. When the port is a Service port of the
workload, the message names the target port to use.`,
	Bad: `# Service backend: port 80 -> targetPort 8080
to:
- operation:
    ports: ["80"]
`,
	Good: `to:
- operation:
    ports: ["8080"]
`,
	Fix:  "List the container port (the Service's targetPort).",
	Tags: []string{"correctness", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			targets := authzTargets(m, ap)
			declared := false
			for _, w := range targets {
				declared = declared || len(w.Ports) > 0
			}
			if !declared {
				continue // no workload says what it serves: nothing to check against
			}
			for i, r := range ap.Spec.GetRules() {
				for j, to := range r.GetTo() {
					base := manifest.JoinIndex(manifest.JoinIndex("spec.rules", i)+".to", j) + ".operation"
					for _, field := range []struct {
						name  string
						ports []string
					}{{"ports", to.GetOperation().GetPorts()}, {"notPorts", to.GetOperation().GetNotPorts()}} {
						for k, p := range field.ports {
							n, err := strconv.Atoi(p)
							if err != nil || served(targets, int32(n)) {
								continue
							}
							pass.Report(ap.Object, manifest.JoinIndex(base+"."+field.name, k), "%s", portMessage(m, targets, field.name, int32(n)))
						}
					}
				}
			}
		}
	},
}

func served(ws []*model.Workload, port int32) bool {
	for _, w := range ws {
		for _, cp := range w.Ports {
			if cp.Port == port {
				return true
			}
		}
	}
	return false
}

func portMessage(m *model.Model, targets []*model.Workload, field string, port int32) string {
	for _, w := range targets {
		for _, svc := range m.ServicesIn(w.Namespace) {
			if len(svc.Selector) == 0 || !svc.Selector.AsSelector().Matches(w.Labels) {
				continue
			}
			for _, sp := range svc.Ports {
				if sp.Port != port {
					continue
				}
				if tp := mesh.TargetPort(w, sp); tp != 0 && tp != port {
					return fmt.Sprintf("%s lists %d, a port of Service %s; authorization sees the container port: use %d (its targetPort)", field, port, svc.Object.Name, tp)
				}
			}
		}
	}
	return fmt.Sprintf("%s lists %d, which no container of %s serves", field, port, workloadList(targets))
}
