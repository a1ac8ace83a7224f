package rules

import (
	"slices"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// ignoredInjection reports, for MSH211, injection requests Istio's
// sidecar injector never acts on. meshlint keeps SPEC.md's membership (the
// pods count as in the mesh, as the NCA corpus expects); the warning says
// what a cluster will really do.
//
//   - The annotation sidecar.istio.io/inject "true" alone: the webhook's
//     object selector reads the pod label of that name
//     (manifests/charts/istio-control/istio-discovery/templates/
//     mutatingwebhook.yaml), so in a namespace without istio-injection or
//     istio.io/rev the pod is never sent to the injector.
//   - Namespaces the injector skips whatever the labels
//     (pkg/kube/inject/initializer.go IgnoredNamespaces, the first check of
//     injectRequired in inject.go).
func ignoredInjection(pass *analyzer.Pass, m *model.Model) {
	nsReported := map[string]bool{}
	for _, w := range m.Workloads {
		if w.Implied || w.Mesh != model.MeshSidecar {
			continue
		}
		meta := manifest.JoinKey(w.TemplatePath, "metadata")
		if slices.Contains(model.IgnoredNamespaces, w.Namespace) {
			switch w.InjectedBy {
			case model.InjectedByNamespace:
				ns := m.Namespace(w.Namespace)
				if ns == nil || ns.Object == nil || nsReported[w.Namespace] {
					continue
				}
				nsReported[w.Namespace] = true
				path, label := "metadata.labels", "istio.io/rev"
				if _, ok := ns.Labels["istio-injection"]; ok {
					label = "istio-injection"
				}
				pass.Report(ns.Object, manifest.JoinKey(path, label), "Istio's injector never injects pods of namespace %s (it skips kube-system, kube-public, kube-node-lease and local-path-storage whatever their labels): its workloads get no sidecar, though meshlint counts them in the mesh", w.Namespace)
			case model.InjectedByPodLabel, model.InjectedByPodAnnotation:
				pass.Report(w.Object, injectionField(w, meta), "Istio's injector never injects pods of namespace %s (it skips kube-system, kube-public, kube-node-lease and local-path-storage whatever their labels): %s gets no sidecar, though meshlint counts it in the mesh", w.Namespace, w.ID())
			}
			continue
		}
		if w.InjectedBy == model.InjectedByPodAnnotation {
			pass.Report(w.Object, injectionField(w, meta), "the annotation sidecar.istio.io/inject alone injects nothing: Istio's webhook selects pods by the namespace's istio-injection or istio.io/rev label or by the pod label sidecar.istio.io/inject, and namespace %s has no label: %s gets no sidecar, though meshlint counts it in the mesh (make it a label)", w.Namespace, w.ID())
		}
	}
}

// injectionField is the pod field that asks for w's injection.
func injectionField(w *model.Workload, meta string) string {
	switch {
	case w.InjectedBy == model.InjectedByPodAnnotation:
		return manifest.JoinKey(meta+".annotations", "sidecar.istio.io/inject")
	case w.Labels["istio.io/rev"] != "":
		return manifest.JoinKey(meta+".labels", "istio.io/rev")
	}
	return manifest.JoinKey(meta+".labels", "sidecar.istio.io/inject")
}
