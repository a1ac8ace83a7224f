package rules

import (
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/selection"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// NetpolPeerSelectsNothing reports from/to peers that match no workload or
// no namespace.
var NetpolPeerSelectsNothing = &analyzer.Rule{
	ID:       "MSH103",
	Name:     "netpol-peer-selects-nothing",
	Severity: analyzer.Warning,
	Summary:  "A NetworkPolicy peer matches no workload, or its namespaceSelector no namespace.",
	Description: `Each peer of a ` + "`from`" + ` or ` + "`to`" + ` list admits the pods its selectors match. A
peer that matches nothing admits nothing: the traffic it was written for is
dropped, usually because of a label that the pods or namespaces do not carry
(` + "`name: frontend`" + ` where only ` + "`kubernetes.io/metadata.name: frontend`" + ` exists).

Cluster services meshlint assumes count as matches: a standard DNS rule to
` + "`k8s-app: kube-dns`" + ` in ` + "`kube-system`" + ` is fine without kube-dns in the set. A
podSelector-only peer that matches pods of another namespace is MSH104's
finding, not this one.

A namespaceSelector that names namespaces by ` + "`kubernetes.io/metadata.name`" + ` the set
does not hold may be right for the cluster: the message names them, so that
you can lint their manifests together with these (or suppress the finding).

When the set holds no workloads at all (a directory of policies alone), there
is nothing to match against and the rule stays silent.`,
	Bad: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        name: frontend       # namespaces carry kubernetes.io/metadata.name
`,
	Good: `ingress:
- from:
  - namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: frontend
`,
	Fix:  "Make the selector match labels the namespaces and pod templates carry, or remove the peer.",
	Tags: []string{"correctness", "networkpolicy"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		if len(reportable(m.Workloads)) == 0 {
			return // policies alone: nothing to match against
		}
		g := connectivity.Network(m)
		for _, np := range m.NetworkPolicies {
			for _, rules := range [][]model.NetpolRule{np.Ingress, np.Egress} {
				for i := range rules {
					for j := range rules[i].Peers {
						checkPeerMatches(pass, g, np, &rules[i].Peers[j])
					}
				}
			}
		}
	},
}

func checkPeerMatches(pass *analyzer.Pass, g *connectivity.Graph, np *model.NetworkPolicy, p *model.NetpolPeer) {
	if p.IPBlock != nil || g.PeerSelectsWorkloads(p) {
		return
	}
	nss, hasNS := g.PeerNamespaces(p)
	switch {
	case !hasNS:
		if len(reportable(pass.Model.SelectWorkloads("", p.Pods))) > 0 {
			return // it matches elsewhere: MSH104
		}
		pass.Report(np.Object, p.Path+".podSelector",
			"podSelector %s matches no workload in namespace %s (nor in any other): the peer admits nothing",
			selectorText(p.Pods), np.Object.Namespace)
	case len(nss) == 0:
		if absent := absentNote(pass.Model, p); absent != "" {
			pass.Report(np.Object, p.Path+".namespaceSelector",
				"namespaceSelector %s matches no namespace of the linted set: %s; the peer admits nothing here",
				selectorText(p.Namespaces), absent)
			return
		}
		pass.Report(np.Object, p.Path+".namespaceSelector",
			"namespaceSelector %s matches no namespace: the peer admits nothing",
			selectorText(p.Namespaces))
	case p.Pods == nil:
		pass.Report(np.Object, p.Path+".namespaceSelector",
			"namespaceSelector %s matches namespace %s, where no workload runs%s: the peer admits nothing",
			selectorText(p.Namespaces), namespaceNames(nss), alsoAbsent(pass.Model, p))
	default:
		pass.Report(np.Object, p.Path+".podSelector",
			"podSelector %s matches no workload in namespace %s (those namespaceSelector %s matches)%s: the peer admits nothing",
			selectorText(p.Pods), namespaceNames(nss), selectorText(p.Namespaces), alsoAbsent(pass.Model, p))
	}
}

func alsoAbsent(m *model.Model, p *model.NetpolPeer) string {
	if a := absentNote(m, p); a != "" {
		return "; " + a
	}
	return ""
}

// absentNote names the namespaces a peer's namespaceSelector names by
// kubernetes.io/metadata.name that the linted set lacks: they may well
// exist in the cluster, but meshlint sees only the manifests it is given.
func absentNote(m *model.Model, p *model.NetpolPeer) string {
	var absent []string
	for _, name := range namedNamespaces(p) {
		if m.Namespace(name) == nil {
			absent = append(absent, name)
		}
	}
	switch len(absent) {
	case 0:
		return ""
	case 1:
		return "namespace " + absent[0] + " is not in the linted set (it may exist in the cluster, but meshlint sees only the manifests given: lint them together)"
	}
	return "namespaces " + strings.Join(absent, ", ") + " are not in the linted set (they may exist in the cluster, but meshlint sees only the manifests given: lint them together)"
}

// namedNamespaces are the names a peer's namespaceSelector asks for by
// kubernetes.io/metadata.name (matchLabels, or matchExpressions In).
func namedNamespaces(p *model.NetpolPeer) []string {
	if p.Namespaces == nil {
		return nil
	}
	reqs, _ := p.Namespaces.Requirements()
	var out []string
	for _, r := range reqs {
		if r.Key() != "kubernetes.io/metadata.name" {
			continue
		}
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
			out = append(out, r.Values().List()...)
		}
	}
	sort.Strings(out)
	return out
}

// namespaceNames names up to three namespaces and how many more there are.
func namespaceNames(nss []*model.Namespace) string {
	names := make([]string, 0, len(nss))
	for _, ns := range nss {
		names = append(names, ns.Name)
	}
	sort.Strings(names)
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + " and " + strconv.Itoa(len(names)-3) + " more"
	}
	return strings.Join(names, ", ")
}
