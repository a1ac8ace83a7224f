package rules

import (
	"fmt"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// AuthzNotEnforced reports policies that no proxy enforces: targetRefs that
// no waypoint or gateway serves, and selectors on Gateway API gateways.
var AuthzNotEnforced = &analyzer.Rule{
	ID:       "MSH209",
	Name:     "authz-not-enforced",
	Severity: analyzer.Warning,
	Summary:  "A policy attached by targetRefs to a Service or Gateway that no waypoint or gateway serves: nothing enforces it.",
	Description: `A policy with ` + "`targetRefs`" + ` is enforced by the waypoint that serves the Service
it names (ambient mode, ` + "`istio.io/use-waypoint`" + ` on the Service or its namespace), or
by the Gateway API gateway it names. Sidecars and ztunnel ignore such policies
altogether. A targetRefs policy on a Service whose workloads run sidecars, or
on an ambient Service with no waypoint, therefore protects nothing, however
strict it reads.

The reverse mistake is reported too: a ` + "`selector`" + ` that matches the pods of a
Gateway API gateway. Istio never applies selector-bound policies to waypoints,
and advises ` + "`targetRefs`" + ` for gateways (istioctl analyze IST0166).`,
	Bad: `# namespace shop is ambient, with no waypoint
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart, namespace: shop}
spec:
  targetRefs:
  - {kind: Service, group: "", name: cart}
  rules:
  - to: [{operation: {methods: ["GET"]}}]
`,
	Good: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio.io/dataplane-mode: ambient
    istio.io/use-waypoint: waypoint    # a Gateway of class istio-waypoint
`,
	Fix:  "Give the Service a waypoint (istio.io/use-waypoint), or bind the policy by selector to the workloads' sidecars or ztunnel; on a gateway, attach it with targetRefs (kind Gateway).",
	Tags: []string{"security", "istio", "ambient"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		for _, ap := range m.AuthorizationPolicies {
			if ap.TargetRefs {
				checkTargets(pass, ap)
				continue
			}
			if ap.Selector == nil {
				continue
			}
			for _, g := range m.Gateways() {
				if ap.Object.Namespace != g.Object.Namespace && !ap.MeshWide {
					continue
				}
				var hit []*model.Workload
				for _, w := range g.Workloads {
					if ap.Selector.Matches(w.Labels) && (ap.MeshWide || w.Namespace == ap.Object.Namespace) {
						hit = append(hit, w)
					}
				}
				if len(hit) == 0 {
					continue
				}
				if g.Waypoint {
					pass.Report(ap.Object, "spec.selector", "the selector matches the pods of waypoint %s, and Istio never applies a selector-bound policy to a waypoint: attach it with targetRefs (kind Gateway, name %s) instead", g.Name(), g.Object.Name)
					continue
				}
				pass.Report(ap.Object, "spec.selector", "the selector matches the pods of Gateway %s: Istio calls a selector on a Kubernetes Gateway ineffective and advises targetRefs (kind Gateway, name %s) instead (IST0166); it applies it only while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY stays on", g.Name(), g.Object.Name)
			}
		}
	},
}

// checkTargets reports the targetRefs of ap that nothing enforces.
func checkTargets(pass *analyzer.Pass, ap *model.AuthorizationPolicy) {
	m := pass.Model
	o := ap.Object
	refs := ap.Spec.GetTargetRefs()
	path := func(i int) string { return manifest.JoinIndex("spec.targetRefs", i) }
	if r := ap.Spec.GetTargetRef(); r != nil {
		refs = append(refs, r)
		single := len(refs) - 1
		path = func(i int) string {
			if i == single {
				return "spec.targetRef"
			}
			return manifest.JoinIndex("spec.targetRefs", i)
		}
	}
	for i, r := range refs {
		if r.GetNamespace() != "" && r.GetNamespace() != o.Namespace {
			pass.Report(o, path(i), "targetRef names namespace %s, but a policy attaches only to objects of its own namespace (%s): nothing enforces it", r.GetNamespace(), o.Namespace)
			continue
		}
		group, kind, name := r.GetGroup(), r.GetKind(), r.GetName()
		switch {
		case kind == "Service" && (group == "" || group == "core"):
			if msg := serviceEnforcement(m, o.Namespace, name); msg != "" {
				pass.Report(o, path(i), "%s", msg)
			}
		case kind == "Gateway" && group == "gateway.networking.k8s.io":
			if g := m.GatewayNamed(o.Namespace, name); g == nil {
				for _, obj := range m.ByKind("Gateway") {
					if obj.Namespace == o.Namespace && obj.Name == name && obj.Group() == "gateway.networking.k8s.io" {
						pass.Report(o, path(i), "targetRef names Gateway %s/%s, whose class Istio does not deploy (only istio and istio-waypoint): no Istio proxy enforces the policy", o.Namespace, name)
					}
				}
			}
		case kind == "Gateway":
			pass.Report(o, path(i), "targetRef names a Gateway of group %q: Istio attaches policies only to Gateway API Gateways (group gateway.networking.k8s.io); nothing enforces it", group)
		case kind == "GatewayClass" && group == "gateway.networking.k8s.io":
			if name != "istio-waypoint" || o.Namespace != m.Settings.RootNamespace {
				pass.Report(o, path(i), "a GatewayClass targetRef attaches only istio-waypoint, from the root namespace (%s): this one attaches to nothing", m.Settings.RootNamespace)
			}
		case kind == "ServiceEntry" && group == "networking.istio.io":
			// A waypoint for ServiceEntry traffic: not modelled.
		default:
			pass.Report(o, path(i), "targetRef kind %s (group %q): Istio attaches AuthorizationPolicies only to Services, ServiceEntries, Gateway API Gateways and the istio-waypoint GatewayClass; nothing enforces it", kind, group)
		}
	}
}

// serviceEnforcement says why nothing enforces a policy attached to
// Service ns/name, or "" when a waypoint does (or the Service is missing:
// MSH201 says so).
func serviceEnforcement(m *model.Model, ns, name string) string {
	var svc *model.Service
	for _, s := range m.ServicesIn(ns) {
		if s.Object.Name == name {
			svc = s
		}
	}
	if svc == nil {
		return ""
	}
	if wp, problem := m.ServiceWaypoint(svc); wp != nil {
		return ""
	} else if problem != "" {
		return fmt.Sprintf("targetRef names Service %s/%s, but %s: no waypoint serves it, and sidecars and ztunnel ignore targetRefs policies: nothing enforces the policy", ns, name, problem)
	}
	var sidecars, ambient, outside []*model.Workload
	for _, w := range m.ServiceWorkloads(svc) {
		switch w.Mesh {
		case model.MeshSidecar:
			sidecars = append(sidecars, w)
		case model.MeshAmbient:
			ambient = append(ambient, w)
		default:
			outside = append(outside, w)
		}
	}
	why := "it has no waypoint (istio.io/use-waypoint on the Service or its namespace)"
	switch {
	case len(sidecars) > 0:
		why = "its workloads (" + workloadList(sidecars) + ") run sidecars, which ignore targetRefs policies, and no waypoint serves it"
	case len(ambient) == 0 && len(outside) > 0:
		why = "its workloads (" + workloadList(outside) + ") are not in the mesh"
	}
	return fmt.Sprintf("targetRef names Service %s/%s, but %s: nothing enforces the policy", ns, name, why)
}
