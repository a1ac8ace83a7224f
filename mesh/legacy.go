package mesh

import (
	"fmt"
	"sort"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/meshlint/meshlint/manifest"
	"github.com/meshlint/meshlint/model"
)

// Legacy RBAC (ServiceRole, ServiceRoleBinding, ClusterRbacConfig) read as
// Istio 1.4 enforced it (pilot/pkg/security/authz/model/permission.go and
// principal.go at tag 1.4.0), translated to AuthorizationPolicies that are
// never wider: a subject or permission that cannot be expressed yields no
// rule, and a problem says so.

// Untranslatable is a legacy field no AuthorizationPolicy can express.
type Untranslatable struct {
	Object  *manifest.Object
	Path    string
	Message string
}

// Translation is what legacy RBAC meant, as AuthorizationPolicies.
type Translation struct {
	Policies []*Policy
	// Names and Namespaces are the metadata each migrated policy gets.
	Names, Namespaces []string
	Problems          []Untranslatable
	// Enforced is false when a ClusterRbacConfig turned RBAC off: the intent
	// was then not to enforce.
	Enforced bool
}

// Legacy translates every ServiceRoleBinding into the ALLOW policies it
// meant, one per Service its role covers, and the ClusterRbacConfig into
// the allow-nothing policies that made unlisted services deny. The
// translation is the author's intent: Istio stopped enforcing it in 1.6.
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
	// ServiceRole ports are Service ports, AuthorizationPolicy ports are
	// workload ports ("Port number: service ports | workload ports", the
	// table of istio.io's blog/2021/migrate-alpha-policy).
	for _, p := range t.Policies {
		for _, why := range workloadPorts(m, p) {
			t.problem(p.Role, "spec.rules", "%s", why)
		}
	}
	if config != nil {
		t.allowNothing(m, config)
	}
	return t
}

// add appends a migrated policy with its name and namespace.
func (t *Translation) add(p *Policy, name, ns string) {
	t.Policies = append(t.Policies, p)
	t.Names = append(t.Names, name)
	t.Namespaces = append(t.Namespaces, ns)
}

func (t *Translation) problem(o *manifest.Object, path, format string, args ...any) {
	t.Problems = append(t.Problems, Untranslatable{o, path, fmt.Sprintf(format, args...)})
}

type target struct {
	name     string // Service name, "" for the whole namespace
	selector map[string]string
}

func (t *Translation) translateBinding(m *model.Model, b *model.ServiceRoleBinding, role *model.ServiceRole, config *model.RbacConfig) {
	ns := b.Object.Namespace
	subjects := t.bindingSubjects(m, b)
	type built struct {
		spec  *securityv1beta1.AuthorizationPolicy
		paths []string
	}
	byTarget := map[string]*built{}
	var order []target
	for i, rule := range role.Spec.Rules {
		perm, ok := t.rulePermission(role.Object, manifest.JoinIndex("spec.rules", i), ns, rule)
		if !ok {
			continue
		}
		for _, tg := range ruleTargets(m, ns, rule.Services, perm.names) {
			if !rbacOn(config, ns, tg.name) {
				continue
			}
			if len(perm.labels) > 0 {
				sel := map[string]string{}
				for k, v := range tg.selector {
					sel[k] = v
				}
				for k, v := range perm.labels {
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
			op := perm.operation(m, ns, tg)
			for _, s := range subjects {
				r := &securityv1beta1.Rule{When: append(append([]*securityv1beta1.Condition(nil), perm.when...), s.when...)}
				if s.source != nil {
					r.From = []*securityv1beta1.Rule_From{{Source: s.source}}
				}
				if op != nil {
					r.To = []*securityv1beta1.Rule_To{{Operation: op}}
				}
				bt.spec.Rules = append(bt.spec.Rules, r)
				bt.paths = append(bt.paths, s.path)
			}
		}
	}
	for _, tg := range order {
		bt := byTarget[tg.name+"\x00"+labels.Set(tg.selector).String()]
		if len(bt.spec.Rules) == 0 {
			// No subject could be translated: an ALLOW policy without rules
			// would deny everyone, which the binding did not mean either.
			continue
		}
		sel := labels.Set(tg.selector).AsSelector()
		name := b.Object.Name
		if len(order) > 1 && tg.name != "" {
			name += "-" + tg.name
		}
		t.add(&Policy{
			Spec: bt.spec, Object: b.Object, RulePaths: bt.paths, Legacy: true, Role: role.Object,
			applies: func(w *model.Workload) bool { return w.Namespace == ns && sel.Matches(w.Labels) },
		}, name, ns)
	}
}

// rbacOn applies ClusterRbacConfig's mode to a Service. Without any config,
// writing a role for a Service is read as wanting RBAC on for it.
func rbacOn(c *model.RbacConfig, ns, svc string) bool {
	if c == nil {
		return true
	}
	switch strings.ToUpper(c.Spec.Mode) {
	case "ON_WITH_INCLUSION":
		return listed(c.Spec.Inclusion, ns, svc)
	case "ON_WITH_EXCLUSION":
		return !listed(c.Spec.Exclusion, ns, svc)
	}
	return true
}

// listed reports whether an inclusion or exclusion names the namespace, or
// the Service (by FQDN or short name; "" is the whole namespace).
func listed(tg *model.RbacTarget, ns, svc string) bool {
	if tg == nil {
		return false
	}
	for _, n := range tg.Namespaces {
		if n == ns {
			return true
		}
	}
	host := svc + "." + ns + ".svc.cluster.local"
	for _, s := range tg.Services {
		if svc != "" && (s == host || s == svc) {
			return true
		}
	}
	return false
}

// ruleTargets resolves a role's services (and destination.name
// constraints) to Services of its namespace.
func ruleTargets(m *model.Model, ns string, services, names []string) []target {
	var out []target
	seen := map[string]bool{}
	nameOK := func(name string) bool {
		if len(names) == 0 {
			return true
		}
		for _, n := range names {
			if model.MatchString(n, name) {
				return true
			}
		}
		return false
	}
	for _, s := range services {
		if s == "*" && len(names) == 0 {
			if !seen[""] {
				seen[""] = true
				out = append(out, target{})
			}
			continue
		}
		for _, svc := range model.ServicesMatching(m, ns, s) {
			if seen[svc.Object.Name] || len(svc.Selector) == 0 || !nameOK(svc.Object.Name) {
				continue
			}
			seen[svc.Object.Name] = true
			out = append(out, target{name: svc.Object.Name, selector: svc.Selector})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// allowNothing emits what made Services without a role deny under
// ClusterRbacConfig: an ALLOW policy with no rules, mesh-wide for ON, per
// included namespace or Service for ON_WITH_INCLUSION, and per namespace
// not excluded for ON_WITH_EXCLUSION (Istio 1.4's converter,
// pilot/pkg/security/authz/converter/converter.go, used a mesh-wide one
// and allow-all policies for the excluded namespaces; per namespace is
// never wider than what was enforced).
func (t *Translation) allowNothing(m *model.Model, c *model.RbacConfig) {
	root := m.Settings.RootNamespace
	mode := strings.ToUpper(c.Spec.Mode)
	emit := func(ns string, svc *model.Service) {
		p := &Policy{Spec: &securityv1beta1.AuthorizationPolicy{Action: securityv1beta1.AuthorizationPolicy_ALLOW}, Object: c.Object, Legacy: true, ns: ns}
		name := "allow-nothing"
		switch {
		case ns == "":
			p.ns, p.meshWide = root, true
			p.applies = func(*model.Workload) bool { return true }
		case svc != nil:
			sel := labels.SelectorFromSet(svc.Selector)
			p.Spec.Selector = &typev1beta1.WorkloadSelector{MatchLabels: svc.Selector}
			p.applies = func(w *model.Workload) bool { return w.Namespace == ns && sel.Matches(w.Labels) }
			name = svc.Object.Name + "-allow-nothing"
		default:
			p.applies = func(w *model.Workload) bool { return w.Namespace == ns }
		}
		t.add(p, name, p.namespace())
	}
	switch mode {
	case "ON":
		emit("", nil)
	case "ON_WITH_INCLUSION":
		inc := c.Spec.Inclusion
		if inc == nil {
			return
		}
		included := map[string]bool{}
		for _, ns := range inc.Namespaces {
			included[ns] = true
			emit(ns, nil)
		}
		for _, svc := range m.Services {
			if ns := svc.Object.Namespace; !included[ns] && len(svc.Selector) > 0 && listed(&model.RbacTarget{Services: inc.Services}, ns, svc.Object.Name) {
				emit(ns, svc)
			}
		}
	case "ON_WITH_EXCLUSION":
		excluded := map[string]bool{}
		if ex := c.Spec.Exclusion; ex != nil {
			for _, ns := range ex.Namespaces {
				excluded[ns] = true
			}
			for i, s := range ex.Services {
				t.problem(c.Object, manifest.JoinIndex("spec.exclusion.services", i),
					"excluding the Service %s cannot be migrated: its namespace gets an allow-nothing policy, so add an ALLOW policy for it by hand", s)
			}
		}
		for _, ns := range m.Namespaces {
			if !excluded[ns.Name] && hasMeshWorkload(m, ns.Name) {
				emit(ns.Name, nil)
			}
		}
	}
}

func hasMeshWorkload(m *model.Model, ns string) bool {
	for _, w := range m.WorkloadsIn(ns) {
		if w.Mesh != model.MeshNone && !w.Implied {
			return true
		}
	}
	return false
}
