package mesh

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// subject is one translated binding subject: who (nil: anyone), what its
// requests must carry, and where it was written.
type subject struct {
	source *securityv1beta1.Source
	when   []*securityv1beta1.Condition
	path   string
}

// sourceFields collects a subject's conditions: each field once in the
// source, a repeated one as a `when` condition so that both must hold
// (Istio 1.4 ANDed every field of a subject: principal.go Generate).
type sourceFields struct {
	src  securityv1beta1.Source
	when []*securityv1beta1.Condition
	set  bool
}

func (f *sourceFields) field(list *[]string, whenKey string, values ...string) {
	f.set = true
	if len(*list) == 0 {
		*list = append(*list, values...)
		return
	}
	f.when = append(f.when, &securityv1beta1.Condition{Key: whenKey, Values: values})
}

func (f *sourceFields) notField(list *[]string, whenKey string, values ...string) {
	f.set = true
	if len(*list) == 0 {
		*list = append(*list, values...)
		return
	}
	f.when = append(f.when, &securityv1beta1.Condition{Key: whenKey, NotValues: values})
}

func (f *sourceFields) cond(key string, values, notValues []string) {
	f.set = true
	f.when = append(f.when, &securityv1beta1.Condition{Key: key, Values: values, NotValues: notValues})
}

// principals adds source principals as 1.4 read them: "*" and allUsers are
// anyone, allAuthenticatedUsers any mTLS identity (principal.go forKeyValue).
func (f *sourceFields) principals(values []string) {
	var out []string
	for _, v := range values {
		switch v {
		case "*", "allUsers":
			f.set = true
			return // anyone: no constraint
		case "allAuthenticatedUsers":
			v = "*"
		}
		out = append(out, v)
	}
	if len(out) > 0 {
		f.field(&f.src.Principals, "source.principal", out...)
	}
}

// bindingSubjects translates each subject of a binding. A subject with a
// field no AuthorizationPolicy expresses yields nothing (granting the rest
// would widen it), as does one that names nobody: Istio 1.4 matched no
// request for an empty subject (principal.go: principalNot(any)).
func (t *Translation) bindingSubjects(m *model.Model, b *model.ServiceRoleBinding) []subject {
	var out []subject
	refAt := map[string]bool{}
	for _, ref := range b.SubjectRefs {
		refAt[strings.TrimSuffix(ref.Path, ".ref")] = true
	}
	for i, s := range b.Spec.Subjects {
		path := manifest.JoinIndex("spec.subjects", i)
		if refAt[path] && s.User == "" && len(s.Properties) == 0 {
			continue // a subjects[].ref entry: translated below
		}
		f := &sourceFields{}
		if s.User != "" {
			f.principals([]string{s.User})
		}
		if len(s.Names) > 0 {
			f.principals(s.Names)
		}
		if len(s.NotNames) > 0 {
			f.notField(&f.src.NotPrincipals, "source.principal", s.NotNames...)
		}
		// JWT groups: the groups claim (principal.go: attrRequestClaimGroups).
		if s.Group != "" {
			f.cond("request.auth.claims[groups]", []string{s.Group}, nil)
		}
		if len(s.Groups) > 0 {
			f.cond("request.auth.claims[groups]", s.Groups, nil)
		}
		if len(s.NotGroups) > 0 {
			f.cond("request.auth.claims[groups]", nil, s.NotGroups)
		}
		if len(s.Namespaces) > 0 {
			f.field(&f.src.Namespaces, "source.namespace", s.Namespaces...)
		}
		if len(s.NotNamespaces) > 0 {
			f.notField(&f.src.NotNamespaces, "source.namespace", s.NotNamespaces...)
		}
		if len(s.IPs) > 0 {
			f.field(&f.src.IpBlocks, "source.ip", s.IPs...)
		}
		if len(s.NotIPs) > 0 {
			f.notField(&f.src.NotIpBlocks, "source.ip", s.NotIPs...)
		}
		ok := true
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := s.Properties[k]
			switch {
			case k == "source.namespace":
				f.field(&f.src.Namespaces, k, v)
			case k == "source.principal", k == "source.user":
				f.principals([]string{v})
			case k == "source.ip":
				f.field(&f.src.IpBlocks, k, v)
			case k == "request.auth.principal":
				f.field(&f.src.RequestPrincipals, k, v)
			case k == "request.auth.audiences", k == "request.auth.presenter",
				strings.HasPrefix(k, "request.auth.claims[") && strings.HasSuffix(k, "]"),
				strings.HasPrefix(k, "request.headers[") && strings.HasSuffix(k, "]"):
				f.cond(k, []string{v}, nil)
			default:
				t.problem(b.Object, manifest.JoinKey(path+".properties", k), "subject property %q has no AuthorizationPolicy equivalent: no rule for this subject", k)
				ok = false
			}
		}
		if !ok {
			continue
		}
		if !f.set {
			t.problem(b.Object, path, "this subject names no one: Istio 1.4 matched no request for it, so it gets no rule")
			continue
		}
		src := &f.src
		if len(src.Principals)+len(src.NotPrincipals)+len(src.Namespaces)+len(src.NotNamespaces)+len(src.IpBlocks)+len(src.NotIpBlocks)+len(src.RequestPrincipals) == 0 {
			src = nil // anyone, or only conditions
		}
		out = append(out, subject{source: src, when: f.when, path: path})
	}
	// Subjects written as Kubernetes references (subjects[].ref) never
	// worked, but say plainly which service account was meant.
	td := m.Settings.TrustDomain
	for _, ref := range b.SubjectRefs {
		if ref.Kind != "ServiceAccount" || ref.Name == "" {
			t.problem(b.Object, ref.Path, "only ServiceAccount references can become principals")
			continue
		}
		ns := ref.Namespace
		if ns == "" {
			ns = b.Object.Namespace
		}
		out = append(out, subject{
			source: &securityv1beta1.Source{Principals: []string{fmt.Sprintf("%s/ns/%s/sa/%s", td, ns, ref.Name)}},
			path:   strings.TrimSuffix(ref.Path, ".ref"),
		})
	}
	return out
}

// permission is one translated ServiceRole rule.
type permission struct {
	methods, notMethods, paths, notPaths, hosts, notHosts []string
	ports, notPorts                                       []string
	when                                                  []*securityv1beta1.Condition
	labels                                                map[string]string // destination.labels
	names                                                 []string          // destination.name
}

// rulePermission translates one ServiceRole rule, or reports why it has
// no faithful equivalent (then the rule yields no AuthorizationPolicy rule).
func (t *Translation) rulePermission(role *manifest.Object, path, ns string, rule model.AccessRule) (*permission, bool) {
	p := &permission{
		methods: rule.Methods, notMethods: rule.NotMethods,
		paths: rule.Paths, notPaths: rule.NotPaths,
		hosts: rule.Hosts, notHosts: rule.NotHosts,
	}
	for _, n := range rule.Ports {
		p.ports = append(p.ports, strconv.Itoa(int(n)))
	}
	for _, n := range rule.NotPorts {
		p.notPorts = append(p.notPorts, strconv.Itoa(int(n)))
	}
	for _, field := range []struct {
		name   string
		values []string
	}{{"notMethods", rule.NotMethods}, {"notPaths", rule.NotPaths}, {"notHosts", rule.NotHosts}} {
		if slices.Contains(field.values, "*") {
			t.problem(role, path+"."+field.name, "%s [\"*\"] excludes every request: the rule never matched, so it gets no rule", field.name)
			return nil, false
		}
	}
	for i, c := range rule.Constraints {
		cpath := manifest.JoinIndex(path+".constraints", i)
		switch {
		case c.Key == "destination.port":
			if len(p.ports) > 0 {
				// Both must hold (permission.go Generate ANDs them).
				var both []string
				for _, v := range c.Values {
					if slices.Contains(p.ports, v) {
						both = append(both, v)
					}
				}
				if len(both) == 0 {
					t.problem(role, cpath+".values", "destination.port %v shares no port with ports %v: the rule never matched, so it gets no rule", c.Values, p.ports)
					return nil, false
				}
				p.ports = both
			} else {
				p.ports = append(p.ports, c.Values...)
			}
		case strings.HasPrefix(c.Key, "destination.labels[") && strings.HasSuffix(c.Key, "]"):
			if len(c.Values) != 1 || strings.Contains(c.Values[0], "*") {
				t.problem(role, cpath+".values", "destination.labels with %d values or a wildcard cannot become a workload selector: no rule for this permission", len(c.Values))
				return nil, false
			}
			if p.labels == nil {
				p.labels = map[string]string{}
			}
			p.labels[strings.TrimSuffix(strings.TrimPrefix(c.Key, "destination.labels["), "]")] = c.Values[0]
		case c.Key == "destination.name":
			p.names = append(p.names, c.Values...)
		case c.Key == "destination.namespace":
			matched := false
			for _, v := range c.Values {
				matched = matched || model.MatchString(v, ns)
			}
			if !matched {
				t.problem(role, cpath+".values", "destination.namespace %v never matches the role's namespace %s: the rule never matched, so it gets no rule", c.Values, ns)
				return nil, false
			}
		case c.Key == "destination.ip", c.Key == "connection.sni",
			strings.HasPrefix(c.Key, "request.headers[") && strings.HasSuffix(c.Key, "]"),
			strings.HasPrefix(c.Key, "experimental.envoy.filters."):
			p.when = append(p.when, &securityv1beta1.Condition{Key: c.Key, Values: c.Values})
		default:
			t.problem(role, cpath+".key", "constraint %q has no AuthorizationPolicy equivalent: no rule for this permission", c.Key)
			return nil, false
		}
	}
	return p, true
}

// operation builds the permission's operation for a target. A list holding
// "*" matched any value of an HTTP attribute, which says nothing on HTTP
// but kept the rule off TCP ports in 1.4 (permission.go ValidateForTCP), as
// the field does today: it is dropped only where that changes nothing,
// when the target's Service ports are all HTTP or another HTTP-only field
// stays.
func (p *permission) operation(m *model.Model, ns string, tg target) *securityv1beta1.Operation {
	op := &securityv1beta1.Operation{
		NotMethods: p.notMethods, NotPaths: p.notPaths, NotHosts: p.notHosts,
		Ports: p.ports, NotPorts: p.notPorts,
	}
	wild := func(v []string) bool { return slices.Contains(v, "*") }
	op.Methods, op.Paths, op.Hosts = p.methods, p.paths, p.hosts
	if wild(p.methods) || wild(p.paths) || wild(p.hosts) {
		strictHTTP := len(p.notMethods)+len(p.notPaths)+len(p.notHosts) > 0
		for _, v := range [][]string{p.methods, p.paths, p.hosts} {
			strictHTTP = strictHTTP || (len(v) > 0 && !wild(v))
		}
		if strictHTTP || allHTTP(m, ns, tg.name) {
			for _, f := range []*[]string{&op.Methods, &op.Paths, &op.Hosts} {
				if wild(*f) {
					*f = nil
				}
			}
		}
	}
	if len(op.Methods)+len(op.NotMethods)+len(op.Paths)+len(op.NotPaths)+len(op.Hosts)+len(op.NotHosts)+len(op.Ports)+len(op.NotPorts) == 0 {
		return nil
	}
	return op
}

// allHTTP reports whether every port of the Service (every Service of the
// namespace for "") is HTTP to Istio.
func allHTTP(m *model.Model, ns, svc string) bool {
	found := false
	for _, s := range m.ServicesIn(ns) {
		if svc != "" && s.Object.Name != svc {
			continue
		}
		for _, sp := range s.Ports {
			found = true
			if l7Of(IstioProtocol(sp)) != L7HTTP {
				return false
			}
		}
	}
	return found
}
