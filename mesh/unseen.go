package mesh

import (
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
)

// UnseenField is a field of a rule that the enforcing proxy cannot evaluate.
type UnseenField struct {
	Name string // methods, requestPrincipals, request.headers[x-id], ...
	Path string // its field path below the rule (to[0].operation.methods, when[1].key)
}

// ztunnelWhenKeys are the `when` keys istiod translates for ztunnel
// (pilot/pkg/serviceregistry/ambient/authorization.go, l4WhenAttributes).
var ztunnelWhenKeys = map[string]bool{
	"source.ip":        true,
	"source.namespace": true,
	"source.principal": true,
	"destination.ip":   true,
	"destination.port": true,
}

// UnseenFields lists the fields of rule that cannot match where Istio sees
// no HTTP, each with its path below rulePath. At a sidecar (or waypoint,
// gateway) on a TCP port these are the HTTP-only fields
// (pilot/pkg/security/authz/model/generator.go: methods, paths, hosts,
// request principals and request.* keys fail "is HTTP only"); at ztunnel,
// every field outside its L4 attribute list (ambient/authorization.go:
// httpOperations, httpSources, l4WhenAttributes), remoteIpBlocks included.
func UnseenFields(rule *securityv1beta1.Rule, rulePath string, ztunnel bool) []UnseenField {
	var out []UnseenField
	add := func(name, path string) {
		out = append(out, UnseenField{Name: name, Path: joinPath(rulePath, path)})
	}
	for i, f := range rule.GetFrom() {
		s := f.GetSource()
		base := manifest.JoinIndex("from", i) + ".source."
		for _, fl := range []struct {
			name   string
			values []string
			l4     bool // a sidecar on TCP sees it
		}{
			{"requestPrincipals", s.GetRequestPrincipals(), false},
			{"notRequestPrincipals", s.GetNotRequestPrincipals(), false},
			{"remoteIpBlocks", s.GetRemoteIpBlocks(), true},
			{"notRemoteIpBlocks", s.GetNotRemoteIpBlocks(), true},
		} {
			if len(fl.values) > 0 && (ztunnel || !fl.l4) {
				add(fl.name, base+fl.name)
			}
		}
	}
	for i, t := range rule.GetTo() {
		op := t.GetOperation()
		base := manifest.JoinIndex("to", i) + ".operation."
		for _, fl := range []struct {
			name   string
			values []string
		}{
			{"hosts", op.GetHosts()}, {"notHosts", op.GetNotHosts()},
			{"methods", op.GetMethods()}, {"notMethods", op.GetNotMethods()},
			{"paths", op.GetPaths()}, {"notPaths", op.GetNotPaths()},
		} {
			if len(fl.values) > 0 {
				add(fl.name, base+fl.name)
			}
		}
	}
	for i, c := range rule.GetWhen() {
		key := c.GetKey()
		if (ztunnel && !ztunnelWhenKeys[key]) || (!ztunnel && strings.HasPrefix(key, "request.")) {
			add(key, manifest.JoinIndex("when", i)+".key")
		}
	}
	return out
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
