package rules

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// NetpolNamedPortUnresolved reports named ports that no destination of
// their rule declares.
var NetpolNamedPortUnresolved = &analyzer.Rule{
	ID:       "MSH105",
	Name:     "netpol-named-port-unresolved",
	Severity: analyzer.Warning,
	Summary:  "A named port in a NetworkPolicy rule is declared, by name and protocol, by none of the pods it applies to.",
	Description: `A named port in a rule stands for the destination pod's container port of that
name and protocol: for an ingress rule, the pods the policy selects; for an
egress rule, the pods its peers match. When none of them declares the name
with the rule's protocol (TCP unless given), the entry matches no port at all
and the traffic it was meant to allow is dropped. A named port never matches
an address outside the cluster, so one in an egress rule with only ipBlock
peers is dead too.`,
	Bad: `# the pods declare: ports: [{name: http-web, containerPort: 8080}]
ingress:
- ports:
  - port: http              # no container port is named http
`,
	Good: `ingress:
- ports:
  - port: http-web
`,
	Fix:  "Use the container port's name (and its protocol), or the port number.",
	Tags: []string{"correctness", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		for _, np := range m.NetworkPolicies {
			selected := g.Selected(np)
			for i := range np.Ingress {
				checkNamedPorts(pass, np, &np.Ingress[i], selected, "the pods the policy selects")
			}
			for i := range np.Egress {
				r := &np.Egress[i]
				dsts, what := m.Workloads, "any pod"
				if !r.AllPeers {
					dsts, what = nil, "the pods the rule's peers match"
					onlyBlocks := len(r.Peers) > 0
					for j := range r.Peers {
						dsts = append(dsts, g.PeerWorkloads(&r.Peers[j])...)
						onlyBlocks = onlyBlocks && r.Peers[j].IPBlock != nil
					}
					if onlyBlocks {
						for _, p := range r.Ports {
							if p.Name != "" {
								pass.Report(np.Object, p.Path+".port",
									"named port %q cannot match: the rule's peers are all ipBlocks, and a named port resolves only against pods", p.Name)
							}
						}
						continue
					}
				}
				checkNamedPorts(pass, np, r, dsts, what)
			}
		}
	},
}

// checkNamedPorts reports the named ports of r that none of dsts declares.
// With no destination at all, MSH102 or MSH103 says why; this rule keeps
// quiet.
func checkNamedPorts(pass *analyzer.Pass, np *model.NetworkPolicy, r *model.NetpolRule, dsts []*model.Workload, what string) {
	if len(dsts) == 0 {
		return
	}
	for _, p := range r.Ports {
		if p.Name == "" {
			continue
		}
		resolved := false
		var otherProto []string
		others := map[*model.Workload]bool{}
		for _, w := range dsts {
			for _, cp := range w.Ports {
				if cp.Name != p.Name {
					continue
				}
				if cp.Protocol == p.Protocol {
					resolved = true
				} else {
					otherProto = append(otherProto, cp.Protocol)
					others[w] = true
				}
			}
		}
		if resolved {
			continue
		}
		named := uniqueWorkloads(reportable(dsts))
		if len(named) == 0 {
			named = uniqueWorkloads(dsts) // only assumed cluster services: name them all the same
		}
		sort.Strings(otherProto)
		protos := strings.Join(compactStrings(otherProto), " and ")
		switch {
		case len(otherProto) > 0 && len(named) == 1:
			pass.Report(np.Object, p.Path+".port",
				"named port %q (%s) is declared by none of %s: %s declares it on %s only, so this entry matches no port (set the rule's protocol to match)",
				p.Name, p.Protocol, what, named[0].ID(), protos)
		case len(otherProto) > 0:
			pass.Report(np.Object, p.Path+".port",
				"named port %q (%s) is declared by none of %s (%s), so this entry matches no port (%d of them declare it on %s: set the rule's protocol to match)",
				p.Name, p.Protocol, what, workloadList(named), len(others), protos)
		default:
			pass.Report(np.Object, p.Path+".port",
				"named port %q (%s) is declared by none of %s (%s), so this entry matches no port",
				p.Name, p.Protocol, what, workloadList(named))
		}
	}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// uniqueWorkloads keeps one workload per ID: the pods of one owner are
// named once.
func uniqueWorkloads(ws []*model.Workload) []*model.Workload {
	seen := map[string]bool{}
	out := ws[:0:0]
	for _, w := range ws {
		if !seen[w.ID()] {
			seen[w.ID()] = true
			out = append(out, w)
		}
	}
	return out
}
