package rules

import (
	"sort"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// MeshSettingIgnored reports mTLS settings Istio ignores where they stand.
var MeshSettingIgnored = &analyzer.Rule{
	ID:       "MSH211",
	Name:     "mesh-setting-ignored",
	Severity: analyzer.Warning,
	Summary:  "A setting Istio ignores where it stands: PeerAuthentication DISABLE for ambient workloads, a workload-scoped PeerAuthentication in the root namespace, a DestinationRule no client uses or whose TLS rides inside HBONE, injection the injector never performs.",
	Description: `Some mTLS settings are accepted by the API server and then have no effect:

- **PeerAuthentication DISABLE for ambient workloads.** Between ambient workloads
  traffic is HBONE, always mutual TLS; ztunnel enforces STRICT and nothing else
  (pilot/pkg/serviceregistry/ambient/authorization.go). DISABLE acts as PERMISSIVE.
- **A PeerAuthentication with a selector in the root namespace.** Istio reads a
  root-namespace policy as mesh-wide only without a selector, and workload policies
  only outside the root namespace (pilot/pkg/security/authn/policy_applier.go
  ComposePeerAuthentication): this one applies nowhere.
- **A DestinationRule no client uses.** A client takes the rule of its own
  namespace first, then what the Service's namespace exports to it, then what the
  root namespace exports (pilot/pkg/model/push_context.go destinationRule). A rule
  exported only where no client runs, or always preceded by another, changes nothing.
- **DestinationRule TLS toward ambient workloads.** Traffic to them is HBONE, and
  the rule's TLS rides inside it (pilot/pkg/networking/core/cluster_tls.go): it
  takes no mTLS identity away.
- **Injection Istio's injector never performs.** The annotation
  ` + "`sidecar.istio.io/inject: \"true\"`" + ` alone, in a namespace without
  ` + "`istio-injection`" + ` or ` + "`istio.io/rev`" + `: the webhook selects pods by the namespace
  labels or the pod *label* of that name
  (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml),
  so the pod never reaches the injector. And any injection asked for in
  kube-system, kube-public, kube-node-lease or local-path-storage, which the
  injector skips whatever the labels (pkg/kube/inject/initializer.go
  IgnoredNamespaces). meshlint still counts these pods in the mesh, as SPEC.md's
  membership says; the warning is what the cluster will do.`,
	Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: legacy-off
  namespace: istio-system     # the root namespace
spec:
  selector:
    matchLabels:
      app: legacy
  mtls:
    mode: DISABLE
`,
	Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: legacy-off
  namespace: legacy           # the workload's own namespace
spec:
  selector:
    matchLabels:
      app: legacy
  mtls:
    mode: DISABLE
`,
	Fix:  "Move the setting where Istio reads it (a workload policy into the workload's namespace, a DestinationRule into or exported to its clients' namespace, sidecar.istio.io/inject from the pod's annotations to its labels, workloads that need a sidecar out of the system namespaces), or remove it.",
	Tags: []string{"correctness", "istio", "mtls"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		ambientDisable(pass, m)
		for _, pa := range m.PeerAuthentications {
			if pa.Selector != nil && pa.Object.Namespace == m.Settings.RootNamespace {
				pass.Report(pa.Object, "spec.selector", "a PeerAuthentication with a selector in the root namespace %s is ignored: Istio reads root-namespace policies as mesh-wide only without a selector, and workload policies only outside the root namespace", m.Settings.RootNamespace)
			}
		}
		unusedDestinationRules(pass, m)
		ignoredInjection(pass, m)
	},
}

// ambientDisable reports DISABLE modes that decide an ambient workload's port.
func ambientDisable(pass *analyzer.Pass, m *model.Model) {
	type setting struct {
		pa   *model.PeerAuthentication
		path string
	}
	hit := map[setting][]*model.Workload{}
	var order []setting
	for _, w := range m.Workloads {
		if w.Mesh != model.MeshAmbient || w.Implied {
			continue
		}
		ports := []int32{0}
		for _, pa := range mesh.WorkloadPeerAuthentications(m, w) {
			for p := range pa.Spec.GetPortLevelMtls() {
				ports = append(ports, int32(p))
			}
		}
		for _, port := range ports {
			mode, src := mesh.DeclaredMTLS(m, w, port)
			if mode != mesh.Disable || src.Policy == nil {
				continue
			}
			k := setting{src.Policy, src.Path}
			if _, ok := hit[k]; !ok {
				order = append(order, k)
			}
			if ws := hit[k]; len(ws) == 0 || ws[len(ws)-1] != w {
				hit[k] = append(ws, w)
			}
		}
	}
	for _, k := range order {
		pass.Report(k.pa.Object, k.path, "DISABLE has no effect on ambient workloads (%s): between mesh workloads traffic is HBONE, always mTLS, and ztunnel enforces only STRICT, so they accept plaintext as under PERMISSIVE", workloadList(hit[k]))
	}
}

// unusedDestinationRules reports rules for in-cluster Services that no
// client resolves, and TLS settings toward ambient workloads only.
func unusedDestinationRules(pass *analyzer.Pass, m *model.Model) {
	var clients []*model.Workload
	for _, w := range m.Workloads {
		if w.Mesh == model.MeshSidecar && !w.Implied {
			clients = append(clients, w)
		}
	}
	for _, dr := range m.DestinationRules {
		services := mesh.HostServices(m, dr.Object.Namespace, dr.Spec.GetHost())
		if len(services) == 0 {
			continue // a host outside the cluster: not ours to resolve
		}
		if tlsPath := drTLSPath(dr); tlsPath != "" {
			var backends []*model.Workload
			allAmbient := true
			for _, svc := range services {
				for _, w := range m.ServiceWorkloads(svc) {
					backends = append(backends, w)
					allAmbient = allAmbient && w.Mesh == model.MeshAmbient
				}
			}
			if len(backends) > 0 && allAmbient {
				pass.Report(dr.Object, tlsPath, "the TLS settings have no effect toward ambient workloads (%s): traffic to them is HBONE, always mTLS, and this TLS rides inside it", workloadList(backends))
			}
		}
		if len(clients) == 0 {
			continue
		}
		used := false
		var winner *model.DestinationRule
		var shadowed string
		for _, c := range clients {
			for _, svc := range services {
				got, _ := mesh.DestinationRuleFor(m, c, svc)
				if got == dr {
					used = true
					break
				}
				if got != nil && winner == nil && visibleTo(dr, c.Namespace, m.Settings.RootNamespace) {
					winner, shadowed = got, c.Namespace
				}
			}
			if used {
				break
			}
		}
		if used {
			continue
		}
		path := "spec.host"
		if len(dr.Spec.GetExportTo()) > 0 {
			path = "spec.exportTo"
		}
		switch {
		case dr.Spec.GetWorkloadSelector() != nil && winner == nil:
			pass.Report(dr.Object, "spec.workloadSelector", "no client uses this DestinationRule for %s: its workloadSelector selects no workload with a sidecar in %s (a rule with a workloadSelector applies to clients of its own namespace only)", dr.Spec.GetHost(), dr.Object.Namespace)
			continue
		case winner != nil:
			pass.Report(dr.Object, path, "no client uses this DestinationRule for %s: clients in %s use DestinationRule %s/%s first (Istio takes the client's namespace, then the Service's, then the root namespace's rules)",
				dr.Spec.GetHost(), shadowed, winner.Object.Namespace, winner.Object.Name).
				Relate(winner.Object, "spec.host", "the rule those clients use")
			continue
		}
		pass.Report(dr.Object, path, "no client uses this DestinationRule for %s: it is exported to %s, where no workload with a sidecar runs", dr.Spec.GetHost(), exportText(dr))
	}
}

// visibleTo reports whether dr can be chosen by a client of ns at all.
func visibleTo(dr *model.DestinationRule, ns, root string) bool {
	export := dr.Spec.GetExportTo()
	if dr.Spec.GetWorkloadSelector() != nil {
		return dr.Object.Namespace == ns
	}
	if len(export) == 0 {
		return true
	}
	for _, e := range export {
		if e == "*" || e == ns || (e == "." && dr.Object.Namespace == ns) {
			return true
		}
	}
	return false
}

func exportText(dr *model.DestinationRule) string {
	export := dr.Spec.GetExportTo()
	if dr.Spec.GetWorkloadSelector() != nil {
		return "its own namespace " + dr.Object.Namespace + " (a workloadSelector rule is never exported)"
	}
	var names []string
	for _, e := range export {
		if e == "." {
			e = dr.Object.Namespace
		}
		names = append(names, e)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// drTLSPath is the first TLS setting of a rule that takes Istio mTLS away
// (DISABLE, SIMPLE or MUTUAL), or "".
func drTLSPath(dr *model.DestinationRule) string {
	tp := dr.Spec.GetTrafficPolicy()
	takesAway := func(mode string) bool { return mode == "DISABLE" || mode == "SIMPLE" || mode == "MUTUAL" }
	if tls := tp.GetTls(); tls != nil && takesAway(tls.GetMode().String()) {
		return "spec.trafficPolicy.tls.mode"
	}
	for i, pl := range tp.GetPortLevelSettings() {
		if tls := pl.GetTls(); tls != nil && takesAway(tls.GetMode().String()) {
			return manifest.JoinIndex("spec.trafficPolicy.portLevelSettings", i) + ".tls.mode"
		}
	}
	return ""
}
