package rules

import (
	"slices"

	networkingv1beta1 "istio.io/api/networking/v1beta1"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// DestinationRuleTLSConflict reports clients told to send plaintext (or
// their own TLS) to workloads that require Istio mTLS.
var DestinationRuleTLSConflict = &analyzer.Rule{
	ID:       "MSH502",
	Name:     "destinationrule-tls-conflict",
	Severity: analyzer.Warning,
	Summary:  "A DestinationRule sets tls.mode DISABLE or SIMPLE toward a host whose workloads require STRICT mTLS.",
	Description: `With ` + "`tls.mode: DISABLE`" + ` clients send plaintext, and with ` + "`SIMPLE`" + ` they originate
their own TLS instead of Istio mTLS. A destination whose PeerAuthentication is
STRICT resets both: every request through this DestinationRule fails with
"connection reset" or 503, which is hard to trace back to a client-side
setting.

Only settings some sidecar client applies count, by Istio's precedence: the
client's own namespace's rules first (a workloadSelector rule for the
clients it selects), then those the Service's namespace exports to it, then
the root namespace's; a port-level setting names the Service port and
replaces the top level. A rule no client resolves is MSH211's finding.
Ambient clients read no DestinationRule, and toward ambient workloads the
rule's TLS rides inside HBONE (MSH211).`,
	Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: payments
  namespace: shop
spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE     # payments requires STRICT mTLS
`,
	Good: `spec:
  host: payments.shop.svc.cluster.local
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
`,
	Fix:  "Use ISTIO_MUTUAL (or drop the tls block and let auto mTLS work), or relax the destination's PeerAuthentication.",
	Tags: []string{"correctness", "istio", "mtls"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		if len(m.DestinationRules) == 0 {
			return
		}
		clients := tlsClients(m)
		type setting struct {
			dr   *model.DestinationRule
			path string
		}
		type conflict struct {
			mode   networkingv1beta1.ClientTLSSettings_TLSmode
			strict []*model.Workload
			source mesh.TLSSource
		}
		found := map[setting]*conflict{}
		var order []setting
		for _, svc := range m.Services {
			for _, sp := range svc.Ports {
				if sp.Protocol != "TCP" {
					continue
				}
				// The backends that require STRICT on the port the
				// Service port reaches. Toward ambient workloads the
				// rule's TLS rides inside HBONE: MSH211 says the setting
				// is ignored.
				var strict []*model.Workload
				var source mesh.TLSSource
				for _, w := range m.ServiceWorkloads(svc) {
					if w.Mesh != model.MeshSidecar || w.Implied {
						continue
					}
					if mtls, src := mesh.MTLS(m, w, mesh.TargetPort(w, sp)); mtls == mesh.Strict {
						strict, source = append(strict, w), src
					}
				}
				if len(strict) == 0 {
					continue
				}
				// What the sidecar clients apply, by Istio's precedence:
				// a rule no client resolves changes nothing (MSH211).
				for _, c := range clients {
					t := mesh.ClientTLSFor(m, c, svc, sp.Port)
					if t == nil || (t.Mode != networkingv1beta1.ClientTLSSettings_DISABLE && t.Mode != networkingv1beta1.ClientTLSSettings_SIMPLE) {
						continue
					}
					k := setting{t.Rule, t.Path}
					x := found[k]
					if x == nil {
						x = &conflict{mode: t.Mode, source: source}
						found[k] = x
						order = append(order, k)
					}
					for _, w := range strict {
						if !slices.Contains(x.strict, w) {
							x.strict = append(x.strict, w)
						}
					}
				}
			}
		}
		for _, k := range order {
			x := found[k]
			f := pass.Report(k.dr.Object, k.path, "tls.mode %s sends %s to %s, which requires STRICT mTLS: its sidecar resets these connections",
				x.mode, map[bool]string{true: "plaintext", false: "non-Istio TLS"}[x.mode == networkingv1beta1.ClientTLSSettings_DISABLE], workloadList(x.strict))
			if x.source.Policy != nil {
				f.Relate(x.source.Policy.Object, x.source.Path, "STRICT mTLS is required here")
			}
		}
	},
}

// tlsClients are the sidecar workloads whose DestinationRules may differ:
// one per namespace, and per label set where rules select clients by
// workloadSelector (which only a rule of the client's own namespace can).
// Ambient clients read no DestinationRule (ztunnel); gateways do, as
// sidecars.
func tlsClients(m *model.Model) []*model.Workload {
	selecting := map[string]bool{}
	for _, dr := range m.DestinationRules {
		if dr.Spec.GetWorkloadSelector() != nil {
			selecting[dr.Object.Namespace] = true
		}
	}
	seen := map[string]bool{}
	var out []*model.Workload
	for _, w := range m.Workloads {
		if w.Mesh != model.MeshSidecar || w.Implied {
			continue
		}
		key := w.Namespace
		if selecting[w.Namespace] {
			key += "\x00" + w.Labels.String()
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, w)
		}
	}
	return out
}
