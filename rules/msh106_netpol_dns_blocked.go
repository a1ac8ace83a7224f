package rules

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// NetpolDNSBlocked reports egress-isolated workloads that cannot reach the
// cluster DNS on port 53, UDP and TCP.
var NetpolDNSBlocked = &analyzer.Rule{
	ID:       "MSH106",
	Name:     "netpol-dns-blocked",
	Severity: analyzer.Warning,
	Summary:  "Egress-isolated workloads cannot reach DNS (kube-dns, port 53, UDP and TCP).",
	Description: `Once a NetworkPolicy isolates a pod's egress, the pod may only send what an
egress rule allows, and that includes its DNS lookups. Without a rule to
kube-dns (` + "`k8s-app: kube-dns`" + ` in ` + "`kube-system`" + `) on port 53, every name lookup
times out and the workload fails in ways that look like anything but a policy.

DNS needs UDP and TCP: a resolver retries over TCP when an answer does not fit
in a UDP datagram, so a rule for UDP alone breaks large answers.

An ipBlock rule (` + "`0.0.0.0/0`" + ` on port 53) does not count: Kubernetes leaves it to the
network plugin whether ipBlocks match pod addresses, and meshlint, like
netpol-analyzer, never matches pods by ipBlock. Select kube-dns by its labels.

The finding is on the policy that isolates the workloads' egress (the first,
when several do; the others are listed beside it).`,
	Bad: `spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: db
`,
	Good: `spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - podSelector:
        matchLabels:
          app: db
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
    ports:
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
`,
	Fix:  "Add an egress rule to kube-dns in kube-system on port 53 for UDP and TCP, in any policy that selects the workloads.",
	Tags: []string{"reliability", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		dns := m.SelectWorkloads("kube-system", labels.SelectorFromSet(labels.Set{"k8s-app": "kube-dns"}))
		if len(dns) == 0 {
			return // the settings say the cluster has no kube-dns: nothing to reach
		}
		g := connectivity.Network(m)
		need := connectivity.Ports(connectivity.UDP, 53, 53).Union(connectivity.Ports(connectivity.TCP, 53, 53))

		type group struct {
			isolating []*model.NetworkPolicy
			missing   connectivity.PortSet
			workloads []*model.Workload
		}
		var groups []*group
		byKey := map[string]*group{}
		for _, w := range reportable(m.Workloads) {
			isolating := g.EgressPolicies(w)
			if len(isolating) == 0 {
				continue
			}
			var reach connectivity.PortSet
			for _, d := range dns {
				reach = reach.Union(g.Allowed(w, d))
			}
			missing := need.Subtract(reach)
			if missing.IsEmpty() {
				continue
			}
			key := isolating[0].Object.Ref().String() + "\x00" + missing.String()
			gr := byKey[key]
			if gr == nil {
				gr = &group{isolating: isolating, missing: missing}
				byKey[key] = gr
				groups = append(groups, gr)
			}
			gr.workloads = append(gr.workloads, w)
		}
		for _, gr := range groups {
			np := gr.isolating[0]
			f := pass.Report(np.Object, egressIsolationPath(np),
				"this policy isolates the egress of %s, which then cannot reach DNS (%s) on %s: %s",
				workloadList(uniqueWorkloads(gr.workloads)), workloadList(uniqueWorkloads(dns)), dnsMissing(gr.missing), dnsConsequence(gr.missing))
			for _, other := range gr.isolating[1:] {
				f.Relate(other.Object, egressIsolationPath(other), "also isolates their egress")
			}
		}
	},
}

func dnsMissing(missing connectivity.PortSet) string {
	udp := missing.Contains(connectivity.UDP, 53)
	tcp := missing.Contains(connectivity.TCP, 53)
	switch {
	case udp && tcp:
		return "UDP 53 or TCP 53"
	case udp:
		return "UDP 53 (TCP 53 is allowed)"
	}
	return "TCP 53 (UDP 53 is allowed)"
}

func dnsConsequence(missing connectivity.PortSet) string {
	if !missing.Contains(connectivity.UDP, 53) {
		return "answers too large for UDP, which resolvers retry over TCP, fail"
	}
	return "name lookups fail"
}

// egressIsolationPath is where a policy turns on egress isolation: its
// Egress policy type, or, with no policyTypes, its egress rules.
func egressIsolationPath(np *model.NetworkPolicy) string {
	for i, t := range np.Spec.PolicyTypes {
		if t == networkingv1.PolicyTypeEgress {
			return manifest.JoinIndex("spec.policyTypes", i)
		}
	}
	return "spec.egress"
}
