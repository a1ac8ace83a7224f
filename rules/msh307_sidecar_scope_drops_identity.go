package rules

import (
	"fmt"
	"strings"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/connectivity"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// SidecarScopeDropsIdentity reports destinations outside a Sidecar's egress
// scope that admit the caller only with its mTLS identity.
var SidecarScopeDropsIdentity = &analyzer.Rule{
	ID:       "MSH307",
	Name:     "sidecar-scope-drops-identity",
	Severity: analyzer.Error,
	Summary:  "A destination outside a Sidecar's egress scope requires the caller's identity (STRICT mTLS or a principals rule): the passthrough call carries none and is refused.",
	Description: `A sidecar originates Istio mTLS only to destinations its Sidecar resource's
` + "`egress.hosts`" + ` import. Under ` + "`outboundTrafficPolicy: ALLOW_ANY`" + ` a call to anything
else is passed through as plaintext: it carries no peer certificate, so a
destination that requires STRICT mTLS resets it, and a rule that matches on
` + "`principals`" + ` or ` + "`namespaces`" + ` never matches it. The same call from a workload
whose scope includes the destination would be allowed: the Sidecar, written to
trim configuration, silently breaks it.`,
	Bad: `# Sidecar of namespace shop: egress hosts ["./*"]
# payments/api: PeerAuthentication STRICT, AuthorizationPolicy allows
# principals ["cluster.local/ns/shop/sa/checkout"]
`,
	Good: `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - hosts: ["./*", "payments/api.payments.svc.cluster.local", "istio-system/*"]
`,
	Fix:  "Add the destination's host to the Sidecar's egress.hosts (namespace/host), so that the sidecar sends mTLS with the caller's identity.",
	Tags: []string{"correctness", "istio", "mtls", "egress"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		reach := connectivity.Network(m).NewReacher()
		e := mesh.CurrentEvaluator(m)
		for _, s := range narrowingSidecars(m, model.AllowAny) {
			var examples []string
			var first *identityLoss
			for _, w := range s.callers {
				passedThrough(reach, e, w, func(_ *connectivity.Node, dst *model.Workload, ports []int32) bool {
					if dst == nil {
						return true
					}
					if loss := identityNeeded(m, e, w, dst, ports); loss != nil {
						if first == nil {
							first = loss
						}
						examples = append(examples, fmt.Sprintf("%s (from %s, port %d: %s)", dst.ID(), w.ID(), loss.port, loss.why))
					}
					return len(examples) < 3
				})
				if len(examples) >= 3 {
					break
				}
			}
			if first == nil {
				continue
			}
			f := pass.Report(s.sc.Object, egressPath(s.sc), "egress.hosts leave out destinations that admit the caller only with its mTLS identity: %s; the sidecar passes these calls through as plaintext, without identity, and they are refused",
				strings.Join(examples, "; "))
			if first.relObj != nil {
				f.Relate(first.relObj, first.relPath, "requires the caller's identity")
			}
		}
	},
}

// identityLoss is a call that identity would let in and plaintext does not.
type identityLoss struct {
	port    int32
	why     string
	relObj  *manifest.Object
	relPath string
}

// identityNeeded finds a port on which dst admits src with its identity but
// not in plaintext.
func identityNeeded(m *model.Model, e *mesh.Evaluator, src, dst *model.Workload, ports []int32) *identityLoss {
	for _, p := range ports {
		with := e.DecideArriving(mesh.Source{Workload: src}, dst, p)
		if with.Allowed.IsNever() || !e.DecideArriving(mesh.Source{Workload: src, Plaintext: true}, dst, p).Allowed.IsNever() {
			continue
		}
		if mode, from := mesh.MTLS(m, dst, p); mode == mesh.Strict {
			loss := &identityLoss{port: p, why: "STRICT mTLS"}
			if from.Policy != nil {
				loss.relObj, loss.relPath = from.Policy.Object, from.Path
			}
			return loss
		}
		loss := &identityLoss{port: p, why: "its ALLOW rules match on the caller's identity"}
		for _, r := range with.Decisive {
			if r.Rule >= 0 && r.Rule < len(r.Policy.RulePaths) {
				loss.relObj, loss.relPath = r.Policy.Object, r.Policy.RulePaths[r.Rule]
				break
			}
		}
		return loss
	}
	return nil
}
