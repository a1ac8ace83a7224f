package rules

import (
	networkingv1beta1 "istio.io/api/networking/v1beta1"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
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
setting.`,
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
		for _, dr := range m.DestinationRules {
			workloads := mesh.HostWorkloads(m, dr.Object.Namespace, dr.Spec.GetHost())
			check := func(path string, tls *networkingv1beta1.ClientTLSSettings, port int32) {
				mode := tls.GetMode()
				if mode != networkingv1beta1.ClientTLSSettings_DISABLE && mode != networkingv1beta1.ClientTLSSettings_SIMPLE {
					return
				}
				var strict []*model.Workload
				var source mesh.TLSSource
				for _, w := range workloads {
					// Toward ambient workloads the rule's TLS rides inside
					// HBONE: MSH211 says the setting is ignored.
					if w.Mesh != model.MeshSidecar {
						continue
					}
					if mtls, src := mesh.MTLS(m, w, port); mtls == mesh.Strict {
						strict = append(strict, w)
						source = src
					}
				}
				if len(strict) == 0 {
					return
				}
				f := pass.Report(dr.Object, path, "tls.mode %s sends %s to %s, which requires STRICT mTLS: its sidecar resets these connections",
					mode, map[bool]string{true: "plaintext", false: "non-Istio TLS"}[mode == networkingv1beta1.ClientTLSSettings_DISABLE], workloadList(strict))
				if source.Policy != nil {
					f.Relate(source.Policy.Object, source.Path, "STRICT mTLS is required here")
				}
			}
			if tls := dr.Spec.GetTrafficPolicy().GetTls(); tls != nil {
				check("spec.trafficPolicy.tls.mode", tls, 0)
			}
			for i, pl := range dr.Spec.GetTrafficPolicy().GetPortLevelSettings() {
				if tls := pl.GetTls(); tls != nil {
					check(manifest.JoinIndex("spec.trafficPolicy.portLevelSettings", i)+".tls.mode", tls, int32(pl.GetPort().GetNumber()))
				}
			}
		}
	},
}
