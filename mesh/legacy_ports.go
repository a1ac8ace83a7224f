package mesh

import (
	"fmt"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/model"
)

// workloadPorts rewrites the ports of a migrated policy's rules, which the
// ServiceRole wrote as ports of the Services it names, into the ports of
// the workloads behind them: AuthorizationPolicy ports are workload
// (container) ports (SPEC, "The mesh model in brief"). Each Service port
// goes through the Service's targetPort (a name resolved on the selected
// workloads' containers). A port no such Service has, or a targetPort no
// container declares, is left as written and returned as a problem: the
// output is then incomplete, never wider than the role.
func workloadPorts(m *model.Model, p *Policy) []string {
	if p.Role == nil || p.Spec == nil {
		return nil
	}
	services := roleServices(m, p)
	var problems []string
	mapList := func(ports []string) []string {
		var out []string
		for _, port := range ports {
			targets, why := targetPorts(m, services, port)
			if why != "" {
				problems = append(problems, why)
				out = append(out, port)
				continue
			}
			for _, t := range targets {
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
		return out
	}
	for _, r := range p.Spec.GetRules() {
		for _, to := range r.GetTo() {
			op := to.GetOperation()
			if op == nil {
				continue
			}
			op.Ports = mapList(op.Ports)
			op.NotPorts = mapList(op.NotPorts)
		}
	}
	return problems
}

// roleServices are the Services of the policy's namespace that its role
// names and whose pods its selector picks.
func roleServices(m *model.Model, p *Policy) []*model.Service {
	role := m.ServiceRoleNamed(p.Role.Namespace, p.Role.Name)
	if role == nil {
		return nil
	}
	var sel labels.Selector = labels.Everything()
	if ms := p.Spec.GetSelector().GetMatchLabels(); len(ms) > 0 {
		sel = labels.SelectorFromSet(ms)
	}
	var out []*model.Service
	for _, rule := range role.Spec.Rules {
		for _, pattern := range rule.Services {
			for _, svc := range model.ServicesMatching(m, p.Role.Namespace, pattern) {
				if len(svc.Selector) == 0 || slices.Contains(out, svc) {
					continue
				}
				// The policy's selector holds the Service's (and maybe
				// destination.labels): the Service is one it stands for.
				if sel.Matches(svc.Selector) {
					out = append(out, svc)
				}
			}
		}
	}
	return out
}

// targetPorts maps one Service port (as the role wrote it) to the workload
// ports it reaches through services; why says what stops it.
func targetPorts(m *model.Model, services []*model.Service, port string) (targets []string, why string) {
	n, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return nil, fmt.Sprintf("port %q is not a number: kept as written", port)
	}
	if len(services) == 0 {
		return nil, fmt.Sprintf("port %s: the role names no Service with a selector here, so its targetPort cannot be told; kept as written (check it is the workload's port)", port)
	}
	found := false
	for _, svc := range services {
		for _, sp := range svc.Ports {
			if sp.Port != int32(n) {
				continue
			}
			found = true
			t, ok := resolveTarget(m, svc, sp)
			if !ok {
				return nil, fmt.Sprintf("port %s of Service %s/%s has targetPort %q, which no container of its workloads declares: kept as written", port, svc.Object.Namespace, svc.Object.Name, sp.TargetPort)
			}
			if !slices.Contains(targets, t) {
				targets = append(targets, t)
			}
		}
	}
	if !found {
		return nil, fmt.Sprintf("port %s is no port of the Services the role names (%s): its targetPort cannot be told; kept as written", port, serviceNames(services))
	}
	return targets, ""
}

// resolveTarget is a Service port's targetPort as one number for all the
// Service's workloads: TargetPort resolves a name on each, and workloads
// that do not declare it are passed over.
func resolveTarget(m *model.Model, svc *model.Service, sp model.ServicePort) (string, bool) {
	if sp.TargetPort == "" || isNumber(sp.TargetPort) {
		return strconv.Itoa(int(TargetPort(nil, sp))), true // no container is read
	}
	number := int32(0)
	for _, w := range m.ServiceWorkloads(svc) {
		tp := TargetPort(w, sp)
		if tp == 0 {
			continue
		}
		if number != 0 && number != tp {
			return "", false // two numbers: no one rule port says it
		}
		number = tp
	}
	return strconv.Itoa(int(number)), number != 0
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func serviceNames(services []*model.Service) string {
	s := ""
	for i, svc := range services {
		if i > 0 {
			s += ", "
		}
		s += svc.Object.Name
	}
	return s
}
