package rules

import (
	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// NetpolPeerSplit reports from/to lists where a namespaceSelector peer and a
// podSelector peer stand apart: ORed, where one ANDed peer was likely meant.
var NetpolPeerSplit = &analyzer.Rule{
	ID:       "MSH101",
	Name:     "netpol-peer-split",
	Severity: analyzer.Warning,
	Summary:  "A from/to list holds a namespaceSelector-only peer and a podSelector-only peer: they are ORed.",
	Description: `Each item of a ` + "`from`" + ` or ` + "`to`" + ` list is a peer of its own, and peers are ORed.
One dash too many turns "pods labelled app=frontend in namespaces labelled
istio-injection=enabled" into "every pod of every such namespace, or any pod
labelled app=frontend in this namespace": far wider than meant on one side,
and, when the frontend lives in another namespace, not matching it at all on the
other.

A peer that holds both selectors (one item, no second dash) is their AND.
Where the two forms admit the same workloads of the set (the selected
namespaces hold only pods the podSelector matches, say), it makes no
difference which was meant, and the rule stays silent.`,
	Bad: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        istio-injection: enabled
  - podSelector:            # a second peer: ORed with the first
      matchLabels:
        app: frontend
`,
	Good: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: frontend
    podSelector:            # same peer: ANDed
      matchLabels:
        app: frontend
`,
	Fix:  "Merge the two peers into one item (drop the dash before podSelector), or silence the rule if the OR is meant.",
	Tags: []string{"security", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		g := connectivity.Network(pass.Model)
		for _, np := range pass.Model.NetworkPolicies {
			for _, rules := range [][]model.NetpolRule{np.Ingress, np.Egress} {
				for _, r := range rules {
					checkPeerSplit(pass, g, np, r)
				}
			}
		}
	},
}

func checkPeerSplit(pass *analyzer.Pass, g *connectivity.Graph, np *model.NetworkPolicy, r model.NetpolRule) {
	var nsOnly *model.NetpolPeer
	for i := range r.Peers {
		p := &r.Peers[i]
		if p.Namespaces != nil && p.Pods == nil {
			nsOnly = p
			break
		}
	}
	if nsOnly == nil {
		return
	}
	for i := range r.Peers {
		p := &r.Peers[i]
		if p.Pods == nil || p.Namespaces != nil || sameEitherWay(g, p, nsOnly) {
			continue
		}
		pass.Report(np.Object, p.Path,
			"podSelector %s is a separate peer from namespaceSelector %s, so the two are ORed: every pod of the selected namespaces is admitted, and %s matches only in namespace %s; make them one peer to AND them",
			selectorText(p.Pods), selectorText(nsOnly.Namespaces), selectorText(p.Pods), np.Object.Namespace).
			Relate(np.Object, nsOnly.Path, "the namespaceSelector-only peer")
	}
}

// sameEitherWay reports whether the two peers ORed admit the very workloads
// of the set (some) that one peer with both selectors would: then it makes
// no difference which was meant.
func sameEitherWay(g *connectivity.Graph, pods, namespaces *model.NetpolPeer) bool {
	ored := map[*model.Workload]bool{}
	for _, w := range g.PeerWorkloads(pods) {
		ored[w] = true
	}
	for _, w := range g.PeerWorkloads(namespaces) {
		ored[w] = true
	}
	// Every workload of the ANDed form is among the ORed ones; the forms
	// are the same when it holds them all.
	anded := 0
	for _, w := range g.PeerWorkloads(namespaces) {
		if pods.Pods.Matches(w.Labels) {
			anded++
		}
	}
	// With no workload either way, the set tells nothing: still suspect.
	return len(ored) > 0 && anded == len(ored)
}
