package mesh

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Untranslatable is a legacy field no AuthorizationPolicy can express.
type Untranslatable struct {
	Object  *manifest.Object
	Path    string
	Message string
}

// Translation is what legacy RBAC meant, as AuthorizationPolicies.
type Translation struct {
	Policies []*Policy
	// Targets gives, for each policy, the Service it protects ("" for every
	// workload of the namespace), for naming migrated policies.
	Targets  []string
	Problems []Untranslatable
	// Enforced is false when a ClusterRbacConfig turned RBAC off: the intent
	// was then not to enforce.
	Enforced bool
}

// Legacy translates every ServiceRoleBinding into the ALLOW policies it
// meant, one per Service its role covers. The translation is the author's
// intent: Istio stopped enforcing it in 1.6.
func Legacy(m *model.Model) *Translation {
	return m.Derived("mesh/legacy", func() any { return translate(m) }).(*Translation)
}

func translate(m *model.Model) *Translation {
	t := &Translation{Enforced: true}
	var config *model.RbacConfig
	for _, c := range m.RbacConfigs {
		if config == nil || c.Object.Kind == "ClusterRbacConfig" {
			config = c
		}
	}
	if config != nil && strings.EqualFold(config.Spec.Mode, "OFF") {
		t.Enforced = false
	}
	for _, b := range m.ServiceRoleBindings {
		roleName := ""
		switch {
		case b.Spec.RoleRef != nil:
			roleName = b.Spec.RoleRef.Name
		case b.Spec.Role != "":
			roleName = strings.TrimPrefix(b.Spec.Role, "/")
		}
		role := m.ServiceRoleNamed(b.Object.Namespace, roleName)
		if role == nil {
			continue // MSH402 reports it
		}
		t.translateBinding(m, b, role, config)
	}
	return t
}

type target struct {
	name     string // Service name, "" for the whole namespace
	selector map[string]string
}

func (t *Translation) translateBinding(m *model.Model, b *model.ServiceRoleBinding, role *model.ServiceRole, config *model.RbacConfig) {
	ns := b.Object.Namespace
	sources, sourcePaths := t.bindingSources(m, b)
	type built struct {
		spec  *securityv1beta1.AuthorizationPolicy
		paths []string
	}
	byTarget := map[string]*built{}
	var order []target
	for i, rule := range role.Spec.Rules {
		rulePath := manifest.JoinIndex("spec.rules", i)
		op, when, extraLabels := t.ruleOperation(role.Object, rulePath, rule)
		for _, tg := range ruleTargets(m, ns, rule.Services) {
			if !rbacOn(config, ns, tg.name) {
				continue
			}
			if len(extraLabels) > 0 {
				sel := map[string]string{}
				for k, v := range tg.selector {
					sel[k] = v
				}
				for k, v := range extraLabels {
					sel[k] = v
				}
				tg.selector = sel
			}
			key := tg.name + "\x00" + labels.Set(tg.selector).String()
			bt := byTarget[key]
			if bt == nil {
				spec := &securityv1beta1.AuthorizationPolicy{Action: securityv1beta1.AuthorizationPolicy_ALLOW}
				if len(tg.selector) > 0 {
					spec.Selector = &typev1beta1.WorkloadSelector{MatchLabels: tg.selector}
				}
				bt = &built{spec: spec}
				byTarget[key] = bt
				order = append(order, tg)
			}
			for j, src := range sources {
				r := &securityv1beta1.Rule{When: when}
				if src != nil {
					r.From = []*securityv1beta1.Rule_From{{Source: src}}
				}
				if op != nil {
					r.To = []*securityv1beta1.Rule_To{{Operation: op}}
				}
				bt.spec.Rules = append(bt.spec.Rules, r)
				bt.paths = append(bt.paths, sourcePaths[j])
			}
		}
	}
	for _, tg := range order {
		bt := byTarget[tg.name+"\x00"+labels.Set(tg.selector).String()]
		sel := labels.Set(tg.selector).AsSelector()
		t.Policies = append(t.Policies, &Policy{
			Spec: bt.spec, Object: b.Object, RulePaths: bt.paths, Legacy: true, Role: role.Object,
			applies: func(w *model.Workload) bool { return w.Namespace == ns && sel.Matches(w.Labels) },
		})
		t.Targets = append(t.Targets, tg.name)
	}
}

// rbacOn applies ClusterRbacConfig's mode to a Service. Without any config,
// writing a role for a Service is read as wanting RBAC on for it.
func rbacOn(c *model.RbacConfig, ns, svc string) bool {
	if c == nil {
		return true
	}
	host := svc + "." + ns + ".svc.cluster.local"
	listed := func(tg *model.RbacTarget) bool {
		if tg == nil {
			return false
		}
		for _, n := range tg.Namespaces {
			if n == ns {
				return true
			}
		}
		for _, s := range tg.Services {
			if s == host || s == svc {
				return true
			}
		}
		return false
	}
	switch strings.ToUpper(c.Spec.Mode) {
	case "ON_WITH_INCLUSION":
		return listed(c.Spec.Inclusion)
	case "ON_WITH_EXCLUSION":
		return !listed(c.Spec.Exclusion)
	}
	return true
}

// ruleTargets resolves a role's services to Services of its namespace.
func ruleTargets(m *model.Model, ns string, services []string) []target {
	var out []target
	seen := map[string]bool{}
	for _, s := range services {
		if s == "*" {
			if !seen[""] {
				seen[""] = true
				out = append(out, target{})
			}
			continue
		}
		for _, svc := range model.ServicesMatching(m, ns, s) {
			if seen[svc.Object.Name] || len(svc.Selector) == 0 {
				continue
			}
			seen[svc.Object.Name] = true
			out = append(out, target{name: svc.Object.Name, selector: svc.Selector})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// bindingSources turns each subject into one source (nil: anyone), with the
// field path of the subject.
func (t *Translation) bindingSources(m *model.Model, b *model.ServiceRoleBinding) ([]*securityv1beta1.Source, []string) {
	var out []*securityv1beta1.Source
	var paths []string
	td := m.Settings.TrustDomain
	refAt := map[string]bool{}
	for _, ref := range b.SubjectRefs {
		refAt[strings.TrimSuffix(ref.Path, ".ref")] = true
	}
	for i, s := range b.Spec.Subjects {
		path := manifest.JoinIndex("spec.subjects", i)
		if refAt[path] && s.User == "" && len(s.Properties) == 0 {
			continue // a subjects[].ref entry: translated below
		}
		src := &securityv1beta1.Source{}
		anyone := true
		add := func(list *[]string, v ...string) {
			*list = append(*list, v...)
			anyone = false
		}
		if s.User != "" && s.User != "*" {
			add(&src.Principals, s.User)
		}
		if len(s.Names) > 0 {
			add(&src.Principals, s.Names...)
		}
		if len(s.NotNames) > 0 {
			add(&src.NotPrincipals, s.NotNames...)
		}
		if len(s.Namespaces) > 0 {
			add(&src.Namespaces, s.Namespaces...)
		}
		if len(s.NotNamespaces) > 0 {
			add(&src.NotNamespaces, s.NotNamespaces...)
		}
		if len(s.IPs) > 0 {
			add(&src.IpBlocks, s.IPs...)
		}
		if len(s.NotIPs) > 0 {
			add(&src.NotIpBlocks, s.NotIPs...)
		}
		if s.Group != "" || len(s.Groups) > 0 || len(s.NotGroups) > 0 {
			t.Problems = append(t.Problems, Untranslatable{b.Object, path, "group subjects name JWT groups: translate them to a RequestAuthentication and a `when: request.auth.claims[groups]` condition by hand"})
		}
		keys := make([]string, 0, len(s.Properties))
		for k := range s.Properties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := s.Properties[k]
			switch k {
			case "source.namespace":
				add(&src.Namespaces, v)
			case "source.principal":
				add(&src.Principals, v)
			case "source.ip":
				add(&src.IpBlocks, v)
			default:
				t.Problems = append(t.Problems, Untranslatable{b.Object, manifest.JoinKey(path+".properties", k), fmt.Sprintf("subject property %q has no AuthorizationPolicy source field", k)})
			}
		}
		switch {
		case !anyone:
			out = append(out, src)
		case s.User == "*" || (s.User == "" && s.Group == "" && len(s.Groups) == 0 && len(s.NotGroups) == 0 && len(s.Properties) == 0):
			out = append(out, nil) // any caller
		default:
			continue // only untranslatable parts: granting everyone would widen the intent
		}
		paths = append(paths, path)
	}
	// Subjects written as Kubernetes references (subjects[].ref) never
	// worked, but say plainly which service account was meant.
	for _, ref := range b.SubjectRefs {
		if ref.Kind != "ServiceAccount" || ref.Name == "" {
			t.Problems = append(t.Problems, Untranslatable{b.Object, ref.Path, "only ServiceAccount references can become principals"})
			continue
		}
		ns := ref.Namespace
		if ns == "" {
			ns = b.Object.Namespace
		}
		out = append(out, &securityv1beta1.Source{Principals: []string{fmt.Sprintf("%s/ns/%s/sa/%s", td, ns, ref.Name)}})
		paths = append(paths, strings.TrimSuffix(ref.Path, ".ref"))
	}
	return out, paths
}

// ruleOperation translates one ServiceRole rule's operation and
// constraints; extra labels come from destination.labels constraints.
func (t *Translation) ruleOperation(role *manifest.Object, path string, rule model.AccessRule) (*securityv1beta1.Operation, []*securityv1beta1.Condition, map[string]string) {
	op := &securityv1beta1.Operation{
		Hosts: rule.Hosts, NotHosts: rule.NotHosts,
		Paths: rule.Paths, NotPaths: rule.NotPaths,
		Methods: nonWildcard(rule.Methods), NotMethods: rule.NotMethods,
	}
	for _, p := range rule.Ports {
		op.Ports = append(op.Ports, strconv.Itoa(int(p)))
	}
	for _, p := range rule.NotPorts {
		op.NotPorts = append(op.NotPorts, strconv.Itoa(int(p)))
	}
	var when []*securityv1beta1.Condition
	var extra map[string]string
	for i, c := range rule.Constraints {
		cpath := manifest.JoinIndex(path+".constraints", i)
		switch {
		case c.Key == "destination.port":
			op.Ports = append(op.Ports, c.Values...)
		case strings.HasPrefix(c.Key, "destination.labels[") && strings.HasSuffix(c.Key, "]") && len(c.Values) == 1:
			if extra == nil {
				extra = map[string]string{}
			}
			extra[strings.TrimSuffix(strings.TrimPrefix(c.Key, "destination.labels["), "]")] = c.Values[0]
		case strings.HasPrefix(c.Key, "request.headers[") || strings.HasPrefix(c.Key, "request.auth.claims["):
			when = append(when, &securityv1beta1.Condition{Key: c.Key, Values: c.Values})
		case c.Key == "destination.namespace":
			// Always the role's own namespace: nothing to carry over.
		default:
			t.Problems = append(t.Problems, Untranslatable{role, cpath + ".key", fmt.Sprintf("constraint %q has no AuthorizationPolicy equivalent", c.Key)})
		}
	}
	if len(op.Hosts)+len(op.NotHosts)+len(op.Paths)+len(op.NotPaths)+len(op.Methods)+len(op.NotMethods)+len(op.Ports)+len(op.NotPorts) == 0 {
		return nil, when, extra
	}
	return op, when, extra
}

// nonWildcard drops "*" from methods: it meant every method, which is no
// constraint at all.
func nonWildcard(values []string) []string {
	var out []string
	for _, v := range values {
		if v == "*" {
			return nil
		}
		out = append(out, v)
	}
	return out
}
