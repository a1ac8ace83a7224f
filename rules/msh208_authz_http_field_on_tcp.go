package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/analyzer"
	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/mesh"
	"github.com/meshlint/meshlint/model"
)

// AuthzHTTPFieldOnTCP reports HTTP-only fields where Istio sees no HTTP.
var AuthzHTTPFieldOnTCP = &analyzer.Rule{
	ID:       "MSH208",
	Name:     "authz-http-field-on-tcp",
	Severity: analyzer.Warning,
	Summary:  "A rule uses HTTP-only fields where Istio sees no HTTP: an ALLOW rule never matches, a DENY rule denies every connection (at ztunnel, a clause left empty denies nothing).",
	Description: `Istio matches ` + "`methods`, `paths`, `hosts`" + ` (and their ` + "`not`" + ` forms), request principals
and ` + "`request.*`" + ` conditions only on HTTP requests. On a port whose Service protocol is TCP,
TLS, HTTPS, Mongo, MySQL or Redis the sidecar (or waypoint) builds a network filter,
where these fields cannot match (pilot/pkg/security/authz/model/generator.go):

- an ALLOW rule that uses any of them is dropped whole, so it never matches and
  the connections it was meant to allow are refused;
- a DENY rule has them removed, so it denies every connection its other fields
  match, on every port it covers.

ztunnel, which enforces selector-bound policies of ambient workloads, sees only
L4 attributes (pilot/pkg/serviceregistry/ambient/authorization.go): the same holds
for every field outside its list (remoteIpBlocks, source.serviceAccount, ...),
except that a DENY clause left empty matches nothing, so that rule denies nothing.

Istio's own task "Authorization for TCP traffic" shows it on samples/tcp-echo: an
ALLOW rule with ` + "`methods: [\"GET\"]`" + ` on port 9000 stops all traffic to 9000.`,
	Bad: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: tcp-policy
  namespace: foo
spec:
  selector:
    matchLabels:
      app: tcp-echo
  action: ALLOW
  rules:
  - to:
    - operation:
        methods: ["GET"]   # port 9000 is the Service port "tcp": no HTTP there
        ports: ["9000"]
`,
	Good: `  rules:
  - to:
    - operation:
        ports: ["9000"]
`,
	Fix:  "Match TCP ports on L4 fields only (ports, principals, namespaces, ipBlocks), or declare the port HTTP (name it http-..., or appProtocol: http) if it carries HTTP; in ambient mode, attach HTTP rules to a waypoint with targetRefs.",
	Tags: []string{"security", "istio"},
	Run: func(pass *analyzer.Pass) {
		m := pass.Model
		e := mesh.CurrentEvaluator(m)
		for _, p := range e.Policies() {
			if p.Legacy || p.DryRun || p.Action() == securityv1beta1.AuthorizationPolicy_AUDIT {
				continue
			}
			governed := reportable(e.Governed(p))
			for i, r := range p.Spec.GetRules() {
				rulePath := manifest.JoinIndex("spec.rules", i)
				var blind []mesh.Blind
				for _, z := range []bool{false, true} {
					fields := mesh.UnseenFields(r, rulePath, z)
					if len(fields) == 0 {
						continue
					}
					if blind == nil {
						blind = mesh.BlindSpots(m, p, governed, r)
					}
					spots := filterBlind(blind, z)
					if len(spots) == 0 {
						continue
					}
					for _, f := range fields {
						reportBlind(pass, p, r, f, spots, z)
					}
				}
			}
		}
	},
}

func filterBlind(spots []mesh.Blind, ztunnel bool) []mesh.Blind {
	var out []mesh.Blind
	for _, b := range spots {
		if b.Ztunnel == ztunnel {
			out = append(out, b)
		}
	}
	return out
}

func reportBlind(pass *analyzer.Pass, p *mesh.Policy, r *securityv1beta1.Rule, f mesh.UnseenField, spots []mesh.Blind, ztunnel bool) {
	field := f.Name
	if strings.HasSuffix(f.Path, ".key") {
		field = "when key " + f.Name
	}
	var where, effect string
	action := p.Action()
	if ztunnel {
		var ws []*model.Workload
		for _, b := range spots {
			ws = append(ws, b.Workload)
		}
		where = fmt.Sprintf("ztunnel enforces this policy for %s (ambient, bound by selector)", workloadList(ws))
		switch {
		case action == securityv1beta1.AuthorizationPolicy_ALLOW:
			effect = "istiod drops an ALLOW rule with HTTP attributes for ztunnel: it never matches"
		case mesh.ZtunnelMatchesNothing(r):
			effect = "without it a clause of the rule is left empty, which ztunnel never matches: the DENY rule denies nothing"
		default:
			effect = "ztunnel ignores it, so the DENY rule denies every connection its L4 fields match" + portsOfRule(r)
		}
	} else {
		first := spots[0]
		where = fmt.Sprintf("Istio sees no HTTP on port %d of %s: %s", first.Port, first.Workload.ID(), first.Choice.Describe(first.Port))
		if ports := distinctPorts(spots); len(ports) > 1 {
			where += " (and on " + portList(ports[1:]) + ")"
		}
		switch action {
		case securityv1beta1.AuthorizationPolicy_ALLOW:
			effect = "an ALLOW rule with an HTTP-only field is dropped whole on TCP: it never matches there"
		case securityv1beta1.AuthorizationPolicy_CUSTOM:
			effect = "it is ignored there, so every connection the rule's other fields match goes to the external authorizer"
		default:
			effect = "it is ignored there, so the DENY rule denies every connection on " + portList(distinctPorts(spots)) + otherFields(r)
		}
	}
	what := "an HTTP-only field, but"
	if ztunnel {
		what = "not among the L4 attributes ztunnel evaluates, and"
	}
	fd := pass.Report(p.Object, f.Path, "%s is %s %s; %s", field, what, where, effect)
	if !ztunnel {
		if c := spots[0].Choice; c.Service != nil {
			fd.Relate(c.Service.Object, c.Port.Path, "Istio reads %s from this Service port", c.Istio)
		}
	}
}

// distinctPorts lists the blind ports in order.
func distinctPorts(spots []mesh.Blind) []int {
	seen := map[int32]bool{}
	var ports []int
	for _, b := range spots {
		if !seen[b.Port] {
			seen[b.Port] = true
			ports = append(ports, int(b.Port))
		}
	}
	sort.Ints(ports)
	return ports
}

// portList names ports as a sentence does: port 9000, ports 9000 and 9001.
func portList(ports []int) string {
	names := make([]string, len(ports))
	for i, p := range ports {
		names[i] = strconv.Itoa(p)
	}
	if len(names) == 1 {
		return "port " + names[0]
	}
	return "ports " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// portsOfRule names the ports a rule lists, for messages.
func portsOfRule(r *securityv1beta1.Rule) string {
	var ports []string
	for _, t := range r.GetTo() {
		ports = append(ports, t.GetOperation().GetPorts()...)
	}
	if len(ports) == 0 {
		return ", on every port"
	}
	return " (ports " + strings.Join(ports, ", ") + ")"
}

// otherFields says whether the DENY still narrows by source or condition
// once the HTTP-only fields are gone.
func otherFields(r *securityv1beta1.Rule) string {
	for _, f := range r.GetFrom() {
		s := f.GetSource()
		if len(s.GetPrincipals())+len(s.GetNotPrincipals())+len(s.GetNamespaces())+len(s.GetNotNamespaces())+len(s.GetServiceAccounts())+len(s.GetNotServiceAccounts())+
			len(s.GetIpBlocks())+len(s.GetNotIpBlocks())+len(s.GetRemoteIpBlocks())+len(s.GetNotRemoteIpBlocks())+len(s.GetTrustDomains())+len(s.GetNotTrustDomains()) > 0 {
			return " that its other fields match"
		}
	}
	for _, c := range r.GetWhen() {
		if !strings.HasPrefix(c.GetKey(), "request.") {
			return " that its other fields match"
		}
	}
	return ""
}
