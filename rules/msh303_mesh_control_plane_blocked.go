package rules

import (
	"sort"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/model"
)

// MeshControlPlaneBlocked reports mesh workloads whose NetworkPolicies cut
// them off from the mesh itself.
var MeshControlPlaneBlocked = &analyzer.Rule{
	ID:       "MSH303",
	Name:     "mesh-control-plane-blocked",
	Severity: analyzer.Error,
	Summary:  "An in-mesh workload is egress-isolated without egress to istiod (TCP 15012), or an ambient workload's ingress misses HBONE (TCP 15008).",
	Description: `A sidecar fetches its configuration and its certificate from istiod on TCP
15012. A default-deny egress policy that forgets it leaves the pod without
configuration: it never becomes ready, or serves with a stale one and expired
certificates.

In ambient mode ztunnel carries pod-to-pod traffic over HBONE, TCP 15008 on
the destination pod. An ingress policy that admits only the application port
drops all mesh traffic to the pod.`,
	Bad: `# namespace orders is injected
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
    ports:
    - {protocol: UDP, port: 53}
`,
	Good: `  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
    ports:
    - {protocol: UDP, port: 53}
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: istio-system}
      podSelector:
        matchLabels: {app: istiod}
    ports:
    - port: 15012
`,
	Fix:  "Allow egress to istiod on TCP 15012 (sidecars), or ingress on TCP 15008 (ambient).",
	Tags: []string{"correctness", "istio", "networkpolicy", "cross-layer"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		g := connectivity.Network(m)
		var istiod []*model.Workload
		for _, w := range m.Workloads {
			if w.Namespace == m.Settings.IstiodNamespace && w.Labels["app"] == "istiod" {
				istiod = append(istiod, w)
			}
		}
		type cut struct {
			ws []*model.Workload
		}
		egress := map[*model.NetworkPolicy]*cut{}
		ingress := map[*model.NetworkPolicy]*cut{}
		add := func(into map[*model.NetworkPolicy]*cut, nps []*model.NetworkPolicy, w *model.Workload) {
			for _, np := range nps {
				if into[np] == nil {
					into[np] = &cut{}
				}
				into[np].ws = append(into[np].ws, w)
			}
		}
		for _, w := range m.Workloads {
			if w.Implied {
				continue
			}
			switch w.Mesh {
			case model.MeshSidecar:
				nps := g.EgressPolicies(w)
				if len(nps) == 0 {
					continue
				}
				reaches := false
				for _, d := range istiod {
					if netAllows(g, w, d, 15012) {
						reaches = true
						break
					}
				}
				if !reaches {
					add(egress, nps, w)
				}
			case model.MeshAmbient:
				nps := g.IngressPolicies(w)
				if len(nps) == 0 {
					continue
				}
				reached := false
				for _, src := range m.Workloads {
					if src != w && netAllows(g, src, w, 15008) {
						reached = true
						break
					}
				}
				if !reached {
					add(ingress, nps, w)
				}
			}
		}
		for _, np := range sortedPolicies(egress) {
			ws := uniqueWorkloads(egress[np].ws)
			verb, sidecars := "run Istio sidecars", "the sidecars get"
			if len(ws) == 1 {
				verb, sidecars = "runs an Istio sidecar", "the sidecar gets"
			}
			pass.Report(np.Object, isolationPath(np, "spec.egress"), "isolates the egress of %s, which %s, without allowing TCP 15012 to istiod (%s/app=istiod): %s no configuration or certificates",
				workloadList(ws), verb, m.Settings.IstiodNamespace, sidecars)
		}
		for _, np := range sortedPolicies(ingress) {
			ws := uniqueWorkloads(ingress[np].ws)
			verb, them := "are", "them"
			if len(ws) == 1 {
				verb, them = "is", "it"
			}
			pass.Report(np.Object, isolationPath(np, "spec.ingress"), "isolates the ingress of %s, which %s in ambient mode, without allowing HBONE (TCP 15008): mesh traffic to %s is dropped",
				workloadList(ws), verb, them)
		}
	},
}

// isolationPath is the field that makes a policy isolate a direction: the
// rules of that direction when it has some (none of them admits the port),
// else policyTypes.
func isolationPath(np *model.NetworkPolicy, rules string) string {
	if np.Object.Lookup(rules) != nil {
		return rules
	}
	return "spec.policyTypes"
}

func sortedPolicies[T any](m map[*model.NetworkPolicy]T) []*model.NetworkPolicy {
	out := make([]*model.NetworkPolicy, 0, len(m))
	for np := range m {
		out = append(out, np)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Object, out[j].Object
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return out
}
